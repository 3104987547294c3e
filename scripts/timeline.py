"""Dibuja la línea de tiempo de la presentación y escribe su tabla de fuentes.

Uso (desde la raíz del repositorio):

    python scripts/timeline.py           # reescribe figures/linea_tiempo.svg y la tabla de intro.md
    python scripts/timeline.py --check   # falla si la tabla de intro.md no dice lo que dice HITOS

Los hitos se escriben una sola vez, aquí: la figura y la tabla de intro.md (entre las
marcas ``% hitos: inicio`` y ``% hitos: fin``, comentarios de MyST) salen de la misma lista.
La fecha es la de la primera versión pública (casi siempre el preprint de arXiv); la
referencia bibliográfica da el año de la publicación, que puede ser posterior.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
INTRO = ROOT / "intro.md"
START, END = "% hitos: inicio (python scripts/timeline.py)", "% hitos: fin"

# (año, mes, hito, familia, clave de references.bib, qué aportó)
HITOS = [
    (2013, 12, "VAE", "latente", "kingma2014vae", "autoencoder variacional: codificador, ELBO y reparametrización"),
    (2014, 6, "GAN", "adversaria", "goodfellow2014gan", "generador entrenado contra un discriminador"),
    (2014, 10, "NICE", "flujos", "dinh2015nice", "acoplamiento aditivo: determinante del jacobiano igual a 1"),
    (
        2015,
        3,
        "Difusión",
        "difusión",
        "sohldickstein2015deep",
        "invertir un proceso que destruye la estructura con ruido",
    ),
    (
        2015,
        5,
        "Flujos normalizadores",
        "flujos",
        "rezende2015flows",
        "cadena de cambios de variable en la inferencia variacional",
    ),
    (2015, 5, "U-Net", "arquitectura", "ronneberger2015unet", "codificador y decodificador con conexiones de salto"),
    (2015, 11, "DCGAN", "adversaria", "radford2016dcgan", "reglas para GAN convolucionales estables"),
    (
        2016,
        1,
        "PixelRNN",
        "autorregresiva",
        "vandenoord2016pixelrnn",
        "imágenes píxel a píxel con verosimilitud exacta",
    ),
    (2016, 5, "RealNVP", "flujos", "dinh2017realnvp", "acoplamientos afines para imágenes"),
    (
        2016,
        9,
        "WaveNet",
        "autorregresiva",
        "vandenoord2016wavenet",
        "audio muestra a muestra con convoluciones causales",
    ),
    (2017, 5, "MAF", "flujos", "papamakarios2017maf", "flujo autorregresivo enmascarado"),
    (2017, 6, "Transformer", "arquitectura", "vaswani2017attention", "atención en lugar de recurrencia"),
    (2017, 10, "ProGAN", "adversaria", "karras2018progan", "crecimiento progresivo de la resolución"),
    (2017, 11, "VQ-VAE", "latente", "vandenoord2017vqvae", "latentes discretos con un diccionario aprendido"),
    (
        2018,
        3,
        "World Models",
        "aplicaciones",
        "ha2018worldmodels",
        "un agente que aprende dentro de un modelo del mundo",
    ),
    (2018, 6, "GPT", "autorregresiva", "radford2018gpt", "preentrenar un Transformer para predecir el siguiente token"),
    (2018, 7, "Glow", "flujos", "kingma2018glow", "convoluciones 1×1 invertibles"),
    (2018, 12, "StyleGAN", "adversaria", "karras2019stylegan", "red de mapeo y estilos por capa"),
    (2019, 2, "GPT-2", "autorregresiva", "radford2019gpt2", "modelo de lenguaje sin tarea específica"),
    (
        2019,
        4,
        "Flujos para Monte Carlo",
        "aplicaciones",
        "albergo2019flows",
        "flujos como propuestas de Monte Carlo en física",
    ),
    (2019, 7, "NCSN", "difusión", "song2019ncsn", "función score a varios niveles de ruido"),
    (
        2019,
        10,
        "BART",
        "arquitectura",
        "lewis2020bart",
        "codificador-decodificador preentrenado quitando ruido al texto",
    ),
    (2020, 5, "GPT-3", "autorregresiva", "brown2020gpt3", "aprendizaje con pocos ejemplos en el contexto"),
    (2020, 6, "DDPM", "difusión", "ho2020ddpm", "difusión entrenada prediciendo el ruido"),
    (2020, 10, "DDIM", "difusión", "song2021ddim", "muestreo determinista en pocos pasos"),
    (2020, 11, "SDE de score", "difusión", "song2020score", "difusión y score como ecuaciones diferenciales"),
    (2021, 2, "CLIP", "arquitectura", "radford2021clip", "texto e imagen en un mismo espacio"),
    (2021, 12, "Difusión latente", "difusión", "rombach2022ldm", "difusión en el latente de un autoencoder"),
    (2022, 4, "DALL·E 2", "difusión", "ramesh2022dalle2", "imágenes a partir de texto con latentes de CLIP"),
    (
        2022,
        7,
        "Guía sin clasificador",
        "difusión",
        "ho2022cfg",
        "condicionar mezclando modelo condicional e incondicional",
    ),
    (2022, 10, "Flow matching", "flujos", "lipman2023flowmatching", "flujos continuos entrenados por regresión"),
    (
        2022,
        11,
        "ChatGPT",
        "autorregresiva",
        "openai2022chatgpt",
        "un modelo de lenguaje conversacional para el público",
    ),
    (2022, 12, "DiT", "difusión", "peebles2023dit", "Transformer como red de la difusión"),
    (2023, 3, "GPT-4", "autorregresiva", "openai2023gpt4", "modelo multimodal de texto e imagen"),
    (
        2023,
        3,
        "Diffusion Policy",
        "aplicaciones",
        "chi2023diffusionpolicy",
        "acciones de un robot muestreadas por difusión",
    ),
    (2023, 7, "RFdiffusion", "aplicaciones", "watson2023rfdiffusion", "diseño de proteínas nuevas por difusión"),
    (2023, 12, "GenCast", "aplicaciones", "price2025gencast", "predicción meteorológica por conjuntos con difusión"),
    (2024, 2, "Sora", "aplicaciones", "brooks2024sora", "vídeo con un Transformer de difusión"),
    (
        2024,
        5,
        "AlphaFold 3",
        "aplicaciones",
        "abramson2024alphafold3",
        "estructuras de complejos biomoleculares por difusión",
    ),
    (2024, 8, "GameNGen", "aplicaciones", "valevski2024gamengen", "un videojuego simulado en tiempo real por difusión"),
]
MESES = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
COLORS = {
    "latente": "#0072B2",
    "adversaria": "#D55E00",
    "autorregresiva": "#009E73",
    "flujos": "#E69F00",
    "difusión": "#CC79A7",
    "arquitectura": "#555555",
    "aplicaciones": "#56B4E9",
}
CHAR_YEARS = 0.15  # ancho aproximado de un carácter de la etiqueta, en años del eje
ROW = 0.34  # separación vertical entre filas de un mismo carril


def check_data() -> None:
    """Errores claros si un hito está mal escrito."""
    for year, month, name, family, key, _ in HITOS:
        if family not in COLORS:
            raise ValueError(f"{name}: familia desconocida {family!r}; use una de {sorted(COLORS)}.")
        if not (1 <= month <= 12 and 1980 <= year <= 2030):
            raise ValueError(f"{name}: fecha imposible {year}-{month}.")
        if f"{{{key}," not in (ROOT / "references.bib").read_text(encoding="utf-8"):
            raise ValueError(f"{name}: la clave {key!r} no está en references.bib.")
    dates = [(y, m) for y, m, *_ in HITOS]
    if dates != sorted(dates):
        raise ValueError("HITOS debe estar en orden cronológico.")


def lanes() -> dict[str, list[tuple[float, str, int]]]:
    """Por familia, (fecha, nombre, fila): cada etiqueta en la primera fila libre de su carril."""
    out: dict[str, list[tuple[float, str, int]]] = {f: [] for f in COLORS}
    ends: dict[str, list[float]] = {f: [] for f in COLORS}
    for year, month, name, family, _, _ in HITOS:
        x = year + (month - 0.5) / 12
        width = 0.25 + CHAR_YEARS * len(name)
        rows = ends[family]
        row = next((i for i, end in enumerate(rows) if end < x), len(rows))
        if row == len(rows):
            rows.append(0.0)
        rows[row] = x + width
        out[family].append((x, name, row))
    return out


def draw() -> None:
    placed = lanes()
    fig, ax = plt.subplots(figsize=(9, 6.4))
    y, ticks = 0.0, []
    for family, items in placed.items():
        n_rows = 1 + max(row for _, _, row in items)
        ticks.append((y - ROW * (n_rows - 1) / 2, family))
        for x, name, row in items:
            yy = y - ROW * row
            ax.scatter([x], [yy], color=COLORS[family], s=30, zorder=3)
            ax.text(x + 0.09, yy, name, va="center", ha="left", fontsize=10.5, color=COLORS[family])
        ax.axhline(y - ROW * (n_rows - 0.5), color="#dddddd", lw=0.8, zorder=0)
        y -= ROW * (n_rows + 0.6)
    ax.set_yticks([t for t, _ in ticks], [f for _, f in ticks], fontsize=11)
    for label, (_, family) in zip(ax.get_yticklabels(), ticks, strict=True):
        label.set_color(COLORS[family])
    ax.set_xlim(2013.5, 2025.6)
    ax.set_ylim(y + ROW * 0.3, ROW * 0.8)
    ax.set_xticks(range(2014, 2026))
    ax.tick_params(axis="x", labelsize=10.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#eeeeee", lw=0.8)
    ax.set_axisbelow(True)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title("Hitos de los modelos generativos profundos (primera versión pública)", fontsize=12)
    fig.tight_layout()
    fig.savefig(ROOT / "figures" / "linea_tiempo.svg", metadata={"Date": None})
    plt.close(fig)


def table() -> str:
    """Tabla MyST de los hitos: fecha, hito, familia, qué aportó y fuente."""
    lines = ["| fecha | hito | familia | qué aportó | fuente |", "| --- | --- | --- | --- | --- |"]
    for year, month, name, family, key, what in HITOS:
        lines.append(f"| {MESES[month - 1]} {year} | {name} | {family} | {what} | {{cite:p}}`{key}` |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="solo comprobar la tabla de intro.md")
    args = parser.parse_args()
    check_data()
    text = INTRO.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"intro.md no tiene las marcas {START!r} y {END!r}.", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if args.check:
        if new != text:
            print("La tabla de hitos de intro.md no está al día: python scripts/timeline.py", file=sys.stderr)
            return 1
        return 0
    INTRO.write_text(new, encoding="utf-8")
    draw()
    return 0


if __name__ == "__main__":
    sys.exit(main())
