"""Barrido del capítulo 7: lote, ventana y tasa de aprendizaje de la RNN y del GPT.

Ejecuta el código del capítulo hasta su sección de entrenamiento (las mismas funciones,
los mismos datos) y entrena cada configuración con el presupuesto completo de caracteres.
Cada configuración se puntúa con la pérdida sobre el texto de **validación** entero,
troceado en ventanas de su propia longitud; la prueba no se toca. Por etapas, para cada
modelo: lotes de 32, 16 y 8 ventanas de 128 caracteres con su tasa de partida; en el
mejor lote, ventanas de 64 y 256 (y, si gana un extremo, la mitad o el doble de ese
extremo, hasta 32 o 512); en el mejor lote y la mejor ventana, la mitad y el doble de la
tasa (y, si gana un extremo, un paso más, hasta un cuarto o el cuádruple). Escribe
``chapters/07_gpt_sweep.csv``, que el capítulo imprime y del que elige, y cuya fila
elegida el capítulo reproduce bit a bit al entrenar.

Uso (unos 45 minutos en dos núcleos)::

    python scripts/sweep_gpt.py            # todo desde cero
    python scripts/sweep_gpt.py --reuse    # conserva las filas ya escritas en el CSV

Con ``--reuse`` se vuelven a entrenar solo las configuraciones que falten en el archivo;
sirve cuando el código del capítulo no ha cambiado (el ``assert`` del capítulo lo vigila
para las filas elegidas).
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
WINDOWS = (64, 256)  # además de la de partida, 128
MIN_WINDOW, MAX_WINDOW = 32, 512  # la rejilla se extiende hasta aquí si gana un extremo
LR_FACTORS = (0.5, 2.0)
FIELDS = ["modelo", "lote", "ventana", "lr", "pasos", "val"]
BASE_LR = {"RNN de Elman": 4e-3, "GPT": 5e-3}


def chapter_namespace() -> dict:
    """Ejecuta las celdas de código del capítulo anteriores a su sección de entrenamiento."""
    import jupytext

    for name, value in {
        "GENMOD_SEED": "0",
        "GENMOD_SCALE": "1",
        "GENMOD_SMOKE": "0",
    }.items():
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
    reuse = "--reuse" in sys.argv[1:]
    cached = {}
    if reuse and OUT.exists():
        with OUT.open(newline="") as f:
            for row in csv.DictReader(f):
                cached[(row["modelo"], int(row["lote"]), int(row["ventana"]), float(row["lr"]))] = row
    ns = chapter_namespace()
    helpers, seq_len = ns["helpers"], ns["SEQ_LEN"]
    rows = []

    def run(name: str, batch_size: int, window: int, lr: float) -> float:
        key = (name, batch_size, window, lr)
        if key in cached:
            rows.append(cached[key])
            print(rows[-1], "(reutilizada)", flush=True)
            return float(rows[-1]["val"])
        helpers.seed_everything(0)
        model = ns["make_lm"](name, window).to(ns["device"])
        hist = ns["train_lm"](model, lr=lr, batch_size=batch_size, window=window)
        val = ns["heldout_loss"](model, ns["val_data"], window).mean().item()
        rows.append(
            dict(
                zip(
                    FIELDS,
                    (name, batch_size, window, lr, hist["pasos"], f"{val:.6f}"),
                    strict=True,
                )
            )
        )
        print(rows[-1], f"{hist['segundos']:.0f} s", flush=True)
        return val

    def save() -> None:  # tras cada configuración: un barrido interrumpido no se pierde
        done = {(r["modelo"], int(r["lote"]), int(r["ventana"]), float(r["lr"])) for r in rows}
        with OUT.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=FIELDS)
            writer.writeheader()
            writer.writerows(rows + [r for k, r in cached.items() if k not in done])

    for name, lr in BASE_LR.items():
        scores = {b: run(name, b, seq_len, lr) for b in BATCHES}
        save()
        batch = min(scores, key=scores.get)
        scores = {seq_len: scores[batch]} | {w: run(name, batch, w, lr) for w in WINDOWS}
        save()
        while True:  # si gana un extremo de la rejilla, se prueba un paso más allá
            window = min(scores, key=scores.get)
            edge = window // 2 if window == min(scores) else 2 * window if window == max(scores) else None
            if edge is None or not MIN_WINDOW <= edge <= MAX_WINDOW:
                break
            scores[edge] = run(name, batch, edge, lr)
            save()
        rates = {lr: scores[window]}
        for factor in LR_FACTORS:
            rates[lr * factor] = run(name, batch, window, lr * factor)
            save()
        while True:  # lo mismo con la tasa, hasta un cuarto o el cuádruple de la de partida
            best = min(rates, key=rates.get)
            edge = best / 2 if best == min(rates) else 2 * best if best == max(rates) else None
            if edge is None or not lr / 4 <= edge <= 4 * lr:
                break
            rates[edge] = run(name, batch, window, edge)
            save()
    print(f"escrito {OUT}")


if __name__ == "__main__":
    main()
