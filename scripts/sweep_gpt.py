"""Barrido del capítulo 7: tamaño de lote y tasa de aprendizaje de la RNN y del GPT.

Ejecuta el código del capítulo hasta su sección de entrenamiento (las mismas funciones,
los mismos datos) y entrena cada configuración con el presupuesto completo de caracteres.
Cada configuración se puntúa con la pérdida sobre el texto de **validación** entero; la
prueba no se toca. Escribe ``chapters/07_gpt_sweep.csv``, que el capítulo imprime y del
que elige, y cuya fila elegida el capítulo reproduce bit a bit al entrenar.

Uso (unos 30 minutos en dos núcleos)::

    python scripts/sweep_gpt.py
"""

import csv
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "chapters" / "07_gpt.md"
OUT = ROOT / "chapters" / "07_gpt_sweep.csv"
STOP = "## Entrenamiento y comparación"
BATCHES = (32, 16, 8)
BASE_LR = {"RNN de Elman": 4e-3, "GPT": 5e-3}


def chapter_namespace() -> dict:
    """Ejecuta las celdas de código del capítulo anteriores a su sección de entrenamiento."""
    import jupytext

    for name, value in {"GENMOD_SEED": "0", "GENMOD_SCALE": "1", "GENMOD_SMOKE": "0"}.items():
        if os.environ.get(name, value) != value:
            sys.exit(f"El barrido se hace con la configuración por defecto; quite {name}.")
    cells = []
    for cell in jupytext.read(CHAPTER).cells:
        if cell.cell_type == "markdown" and cell.source.startswith(STOP):
            break
        if cell.cell_type == "code" and "google.colab" not in cell.source:
            cells.append(cell.source)
    namespace = {"__name__": "capitulo_7"}
    exec(compile("\n\n".join(cells), str(CHAPTER), "exec"), namespace)  # noqa: S102
    return namespace


def main() -> None:
    ns = chapter_namespace()
    helpers, V = ns["helpers"], ns["V"]
    makers = {
        "RNN de Elman": lambda: ns["CharRNN"](V),
        "GPT": lambda: ns["GPT"](ns["GPTConfig"](vocab_size=V)),
    }
    rows = []

    def run(name: str, batch_size: int, lr: float) -> float:
        helpers.seed_everything(0)
        model = makers[name]().to(ns["device"])
        hist = ns["train_lm"](model, lr=lr, batch_size=batch_size)
        val = ns["heldout_loss"](model, ns["val_data"]).mean().item()
        rows.append({"modelo": name, "lote": batch_size, "lr": lr, "pasos": hist["pasos"], "val": f"{val:.6f}"})
        print(rows[-1], f"{hist['segundos']:.0f} s", flush=True)
        return val

    for name, lr in BASE_LR.items():
        scores = {b: run(name, b, lr) for b in BATCHES}
        best = min(scores, key=scores.get)
        for factor in (0.5, 2.0):
            run(name, best, lr * factor)
    with OUT.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"escrito {OUT}")


if __name__ == "__main__":
    main()
