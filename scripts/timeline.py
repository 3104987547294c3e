"""Dibuja la línea de tiempo de la presentación (figures/linea_tiempo.svg).

Uso: python scripts/timeline.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# (año, hito, familia, altura de la etiqueta); las familias dan el color.
MILESTONES = [
    (2013, "VAE", "latente", 1.0),
    (2014, "GAN", "adversaria", -1.0),
    (2015, "U-Net", "arquitectura", 1.0),
    (2015, "DCGAN", "adversaria", -1.9),
    (2017, "Transformer", "arquitectura", -1.0),
    (2018, "GPT", "autorregresiva", 1.0),
    (2020, "DDPM", "difusión", -1.0),
    (2022, "Flow matching", "flujos", 1.0),
]
COLORS = {
    "latente": "#0072B2",
    "adversaria": "#D55E00",
    "arquitectura": "#555555",
    "autorregresiva": "#009E73",
    "difusión": "#CC79A7",
    "flujos": "#E69F00",
}


def main() -> None:
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.axhline(0, color="#999999", lw=1.5, zorder=0)
    for year, name, family, height in MILESTONES:
        ax.plot([year, year], [0, height - 0.3 * (1 if height > 0 else -1)], color=COLORS[family], lw=1.2)
        ax.scatter([year], [0], color=COLORS[family], s=45, zorder=3)
        ax.text(year, height, name, ha="center", va="center", fontsize=13, color=COLORS[family], weight="bold")
    for family, color in COLORS.items():
        ax.scatter([], [], color=color, label=family)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=6, fontsize=10, frameon=False, handletextpad=0.2)
    ax.set_xlim(2012.3, 2022.8)
    ax.set_ylim(-2.6, 2.6)
    ax.set_xticks(range(2013, 2023))
    ax.tick_params(axis="x", labelsize=11)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title("Hitos de los modelos generativos profundos", fontsize=13)
    fig.tight_layout()
    fig.savefig(ROOT / "figures" / "linea_tiempo.svg")


if __name__ == "__main__":
    main()
