"""Tabla de las métricas de cada capítulo con las semillas desplazadas (GENMOD_SEED = 0, 1, 2).

Lee las líneas ``métrica: capítulo.nombre = valor`` de la celda de resultados de cuadernos
ejecutados de verdad: los guardados en ``chapters/`` (semilla 0) y los de los ensayos
``python scripts/execute.py --seed N --out DIR``. Un ensayo cuyo objetivo falla deja su
cuaderno hasta el fallo, y la tabla lo marca. Escribe ``SEMILLAS.md``, que se guarda en el
repositorio y que la prosa puede citar; nada en ella se escribe a mano.

Uso::

    python scripts/execute.py --seed 1 --out _build/semillas/1 chapters/07_gpt.md
    python scripts/execute.py --seed 2 --out _build/semillas/2 chapters/07_gpt.md
    python scripts/seeds_table.py 1=_build/semillas/1 2=_build/semillas/2

Las columnas de las semillas que no se indiquen se conservan de la tabla anterior: así se
puede completar capítulo a capítulo.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "SEMILLAS.md"
LINE = re.compile(r"^métrica: (?P<key>[a-z0-9_.]+) = (?P<value>.+?)\s*$")
ROW = re.compile(r"^\| `(?P<key>[a-z0-9_.]+)` \|(?P<cells>.*)\|$")
SEEDS = (0, 1, 2)
FAILED = "✗"


def notebook_metrics(notebook: Path) -> tuple[dict[str, str], str | None]:
    """Métricas impresas por un cuaderno y, si se detuvo en un error, su última línea."""
    metrics, error = {}, None
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                error = f"{output.get('ename')}: {output.get('evalue')}"
            text = output.get("text", "")
            for line in ("".join(text) if isinstance(text, list) else text).splitlines():
                match = LINE.match(line)
                if match:
                    metrics[match["key"]] = match["value"]
    return metrics, error


def previous_table() -> dict[str, dict[int, str]]:
    """Las celdas de la tabla guardada, para conservar las semillas que no se vuelven a leer."""
    rows: dict[str, dict[int, str]] = {}
    if TABLE.exists():
        for line in TABLE.read_text(encoding="utf-8").splitlines():
            match = ROW.match(line)
            if match:
                cells = [c.strip() for c in match["cells"].split("|")]
                rows[match["key"]] = dict(zip(SEEDS, cells, strict=True))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="*", help="SEMILLA=DIRECTORIO de un ensayo con execute.py --seed --out")
    args = parser.parse_args()
    dirs = {0: ROOT / "chapters"}
    for item in args.runs:
        seed, _, folder = item.partition("=")
        if not seed.isdigit() or int(seed) not in SEEDS[1:] or not Path(folder).is_dir():
            parser.error(
                f"se esperaba SEMILLA=DIRECTORIO con SEMILLA en {SEEDS[1:]} y un directorio; se recibió {item!r}."
            )
        dirs[int(seed)] = Path(folder)
    rows = previous_table()
    for seed, folder in dirs.items():
        for notebook in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            metrics, error = notebook_metrics(notebook)
            chapter = notebook.stem.split("_", 1)[1]
            for key in [k for k in rows if k.startswith(f"{chapter}.")]:
                rows[key][seed] = "—"  # se reescriben con lo que imprime este cuaderno
            for key, value in metrics.items():
                rows.setdefault(key, dict.fromkeys(SEEDS, "—"))[seed] = value
            if error:
                failing = re.match(r"AssertionError: (?P<key>[a-z0-9_.]+) = ", error)
                key = failing["key"] if failing else f"{chapter}.(error)"
                rows.setdefault(key, dict.fromkeys(SEEDS, "—"))[seed] = f"{FAILED} {error.split(': ', 1)[-1]}"
    lines = [
        "# Métricas con las semillas desplazadas",
        "",
        "Generado por `scripts/seeds_table.py` a partir de cuadernos ejecutados con",
        "`scripts/execute.py` (semilla 0: las salidas guardadas; 1 y 2: `--seed N --out DIR`).",
        f"«—»: esa semilla aún no se ha ejecutado para ese capítulo; «{FAILED}»: el objetivo falló.",
        "",
        "| métrica | " + " | ".join(f"semilla {s}" for s in SEEDS) + " |",
        "| --- | " + " | ".join("---:" for _ in SEEDS) + " |",
    ]
    rows = {k: v for k, v in rows.items() if any(c != "—" for c in v.values())}  # métricas retiradas
    for key in sorted(rows):
        lines.append(f"| `{key}` | " + " | ".join(rows[key][s] for s in SEEDS) + " |")
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"escrito {TABLE} ({len(rows)} métricas)")
    return 1 if any(FAILED in v for row in rows.values() for v in row.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
