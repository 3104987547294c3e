"""Figuras con un estilo común: rejillas de imágenes, curvas y densidades 2-D."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

#: Paleta del curso (accesible para daltonismo; de la paleta de Okabe e Ito).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def set_style() -> None:
    """Aplica el estilo de figuras del libro (tamaños legibles al ancho de página)."""
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 150,
            "savefig.dpi": 150,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": plt.cycler(color=COLORS),
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )


def image_grid(
    images: torch.Tensor | np.ndarray,
    nrow: int = 8,
    ax: plt.Axes | None = None,
    title: str | None = None,
    padding: int = 2,
    cmap: str = "gray_r",
) -> plt.Axes:
    """Dibuja un lote de imágenes ``(N, C, H, W)`` o ``(N, H, W)`` en una rejilla.

    ``nrow`` es el número de imágenes por fila. Las imágenes de un canal se pintan
    con ``cmap`` (por defecto trazo oscuro sobre fondo claro), en el rango [0, 1].
    La rejilla la compone ``torchvision.utils.make_grid``.
    """
    from torchvision.utils import make_grid  # aquí y no arriba: importar torchvision tarda ~1 s

    if isinstance(images, torch.Tensor):
        batch = images.detach().cpu().float()
    else:
        batch = torch.from_numpy(np.asarray(images, dtype=np.float32))
    if batch.ndim == 3:
        batch = batch.unsqueeze(1)
    if batch.ndim != 4 or batch.shape[1] not in (1, 3):
        raise ValueError(
            f"images debe tener forma (N, H, W) o (N, C, H, W) con C = 1 o 3; tiene forma {tuple(batch.shape)}."
        )
    if not isinstance(nrow, int) or nrow < 1:
        raise ValueError(f"nrow debe ser un entero >= 1; se recibió {nrow!r}.")
    n, c = batch.shape[:2]
    ncol = min(nrow, n)
    rows = -(-n // ncol)
    # Fondo del margen: 0 (blanco con gray_r) o 1 (blanco con gray), como el papel.
    background = 0.0 if cmap == "gray_r" else 1.0
    grid = make_grid(batch, nrow=ncol, padding=padding, pad_value=background)
    if n == 1:  # con una sola imagen make_grid no añade el margen: se añade igual que con varias
        grid = torch.nn.functional.pad(grid, (padding,) * 4, value=background)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.0 * ncol, 10), min(1.0 * rows, 10)))
    if c == 1:  # make_grid repite el canal tres veces; basta uno
        ax.imshow(grid[0].numpy(), cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(grid.clamp(0.0, 1.0).permute(1, 2, 0).numpy(), interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    xlabel: str = "época",
    ylabel: str = "pérdida",
    ax: plt.Axes | None = None,
    title: str | None = None,
    logy: bool = False,
) -> plt.Axes:
    """Curvas de entrenamiento: ``{"nombre": valores}``, una línea por entrada."""
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves debe ser un diccionario no vacío {nombre: lista de valores}.")
    if ax is None:
        _, ax = plt.subplots()
    for name, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"La curva {name!r} debe ser una secuencia 1-D de números.")
        ax.plot(np.arange(1, len(values) + 1), values, label=name, lw=1.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_density_2d(
    log_density: Callable[[torch.Tensor], torch.Tensor],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    ax: plt.Axes | None = None,
    resolution: int = 200,
    title: str | None = None,
    cmap: str = "Blues",
) -> plt.Axes:
    """Pinta ``exp(log_density)`` sobre una rejilla del plano.

    ``log_density`` recibe un tensor ``(M, 2)`` de puntos y devuelve ``(M,)``.
    """
    if resolution < 2:
        raise ValueError(f"resolution debe ser >= 2; se recibió {resolution!r}.")
    xs = torch.linspace(*xlim, resolution)
    ys = torch.linspace(*ylim, resolution)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    with torch.no_grad():
        values = log_density(points)
    if values.shape != (points.shape[0],):
        raise ValueError(
            f"log_density debe devolver un tensor de forma ({points.shape[0]},); devolvió {tuple(values.shape)}."
        )
    dens = values.exp().reshape(resolution, resolution).cpu().numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.imshow(dens, origin="lower", extent=(*xlim, *ylim), cmap=cmap, aspect="auto")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
