"""Reproducibilidad: semillas, hilos, algoritmos deterministas y dispositivo."""

from __future__ import annotations

import os
import random
from collections.abc import Iterable
from typing import TypeVar

import numpy as np
import torch

from helpers import numerics
from helpers._tqdm import tqdm

T = TypeVar("T")

#: Variable que desplaza todas las semillas de un capítulo (por defecto 0, las salidas guardadas).
SEED_VAR = "GENMOD_SEED"

#: Variable del modo de humo: ``1`` recorre cada capítulo de arriba abajo en segundos.
SMOKE_VAR = "GENMOD_SMOKE"


def seed_offset() -> int:
    """Desplazamiento de semillas: ``GENMOD_SEED`` (entero >= 0; por defecto 0)."""
    raw = os.environ.get(SEED_VAR, "0")
    try:
        offset = int(raw)
    except ValueError:
        offset = -1
    if offset < 0:
        raise ValueError(f"{SEED_VAR} debe ser un entero >= 0; vale {raw!r}.")
    return offset


def seed(base: int) -> int:
    """La semilla ``base`` desplazada por ``GENMOD_SEED``.

    Toda semilla de un capítulo pasa por aquí (o por ``seed_everything``, que la
    desplaza igual): así una sola variable pregunta «¿depende esto de la semilla?».
    """
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        raise ValueError(f"la semilla debe ser un entero no negativo; se recibió {base!r}.")
    return base + seed_offset()


def seed_everything(base: int) -> torch.Generator:
    """Fija las semillas de ``random``, NumPy y PyTorch (CPU y GPU) a ``seed(base)``.

    Devuelve un ``torch.Generator`` en CPU con la misma semilla, pensado para el
    argumento ``generator`` de un ``DataLoader`` (así el barajado no depende del
    resto del programa).
    """
    seed_value = seed(base)
    random.seed(seed_value)
    np.random.seed(seed_value % 2**32)
    torch.manual_seed(seed_value)
    return torch.Generator().manual_seed(seed_value)


def setup(seed: int = 0, threads: int | None = None, verbose: bool = True) -> torch.device:
    """Prepara una sesión reproducible y devuelve el dispositivo de cálculo.

    Fija las semillas y pide a PyTorch algoritmos deterministas. Los hilos de CPU son
    ``numerics.REPRO_THREADS`` en el modo reproducible y, fuera de él, los que PyTorch
    elija (o ``threads`` si se da). Elige CUDA si hay una GPU disponible y la CPU en
    otro caso.
    """
    if threads is not None and (not isinstance(threads, int) or isinstance(threads, bool) or threads < 1):
        raise ValueError(f"threads debe ser un entero >= 1; se recibió {threads!r}.")
    if threads is not None and numerics.repro_enabled() and threads != numerics.REPRO_THREADS:
        raise ValueError(
            f"threads={threads} no es compatible con el modo reproducible ({numerics.REPRO_THREADS} hilos); "
            f"apáguelo con {numerics.REPRO_VAR}=0 o no pase threads."
        )
    seed_everything(seed)
    numerics.apply_torch_settings()
    if threads is not None:
        torch.set_num_threads(threads)
    # En GPU algunas operaciones no tienen versión determinista: se avisa, no se aborta.
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if verbose:
        mode = "encendido" if numerics.repro_enabled() else "apagado"
        shift = f" + {seed_offset()} ({SEED_VAR})" if seed_offset() else ""
        print(f"Dispositivo: {device.type}; semilla: {seed}{shift}; modo reproducible: {mode}")
        if smoke_mode():
            print(
                f"MODO DE HUMO ({SMOKE_VAR}=1): bucles de pocos pasos y conjuntos de evaluación pequeños; "
                "las cifras no significan nada y los objetivos se informan pero no se comprueban."
            )
    return device


def smoke_mode() -> bool:
    """``True`` si ``GENMOD_SMOKE=1``: cada capítulo corre de arriba abajo en segundos.

    Sirve para probar el código (en CPU y en GPU, a cualquier ``GENMOD_SCALE``), no para
    leer resultados: los bucles dan unas pocas vueltas (``budget``) y los objetivos de los
    modelos entrenados no se comprueban (``expect`` y ``report`` solo avisan). Las
    identidades matemáticas sí se siguen comprobando.
    """
    raw = os.environ.get(SMOKE_VAR, "0").strip()
    if raw not in ("0", "1"):
        raise ValueError(f"{SMOKE_VAR} debe valer 0 o 1; vale {raw!r}.")
    return raw == "1"


def budget(n: int, smoke: int = 2, *, scaled: bool = True) -> int:
    """Tamaño de un bucle o de un conjunto: pasos, épocas, muestras.

    Devuelve ``n × GENMOD_SCALE`` (o ``n`` con ``scaled=False``, para los tamaños que no
    crecen con el entrenamiento, como un conjunto de evaluación). En el modo de humo
    devuelve ``min(smoke, n)``: unas pocas vueltas que recorren el mismo código.
    """
    for label, value in (("n", n), ("smoke", smoke)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{label} debe ser un entero >= 1; se recibió {value!r}.")
    if smoke_mode():
        return min(smoke, n)
    return n * training_scale() if scaled else n


def expect(condition: bool, message: str) -> None:
    """Comprueba un objetivo de un modelo *entrenado* (no una identidad matemática).

    Lanza ``AssertionError(message)`` si ``condition`` es falsa; en el modo de humo,
    donde los modelos apenas entrenan, solo imprime un aviso. Las identidades que no
    dependen del entrenamiento se comprueban con ``assert`` o ``check_error``.
    """
    if condition:
        return
    if smoke_mode():
        print(f"modo de humo, objetivo sin comprobar: {message}")
        return
    raise AssertionError(message)


def training_scale() -> int:
    """Factor por el que multiplicar datos o épocas de entrenamiento.

    Vale 1 (el presupuesto de CPU con el que se guardan las salidas del libro) salvo
    que la variable de entorno ``GENMOD_SCALE`` diga otra cosa, por ejemplo ``4``
    en una GPU de Colab.
    """
    raw = os.environ.get("GENMOD_SCALE", "1")
    try:
        scale = int(raw)
    except ValueError:
        scale = 0
    if scale < 1:
        raise ValueError(f"GENMOD_SCALE debe ser un entero >= 1; vale {raw!r}.")
    return scale


def progress(iterable: Iterable[T], desc: str | None = None, total: int | None = None, **kwargs) -> Iterable[T]:
    """Barra de progreso ``tqdm`` para bucles largos.

    Se desactiva con ``GENMOD_PROGRESS=0`` (lo hacen las pruebas y el script que
    ejecuta los capítulos), porque su texto cambia en cada ejecución.
    """
    disable = os.environ.get("GENMOD_PROGRESS", "1") == "0"
    return tqdm(iterable, desc=desc, total=total, disable=disable, **kwargs)
