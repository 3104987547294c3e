"""Escribe en el README la tabla de tiempos de ejecución, leída de los metadatos de los cuadernos.

Uso (desde la raíz del repositorio):

    python scripts/timings.py           # reescribe la tabla entre las marcas del README
    python scripts/timings.py --check   # falla si el README no dice lo que dicen los cuadernos

Cada ``chapters/NN_nombre.ipynb`` guarda en ``metadata.genmod.seconds`` lo que tardó en
ejecutarse con ``scripts/execute.py`` (modo reproducible, escala 1) y en
``metadata.genmod.cpu`` dónde. Los tiempos del README salen de ahí, nunca se teclean.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- tiempos: inicio (python scripts/timings.py) -->", "<!-- tiempos: fin -->"


def table() -> str:
    """Tabla Markdown: capítulo, segundos, procesador; y el total del libro."""
    rows, total, cpus = [], 0, set()
    for nb_path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        meta = json.loads(nb_path.read_text(encoding="utf-8"))["metadata"].get("genmod", {})
        seconds = meta.get("seconds")
        if seconds is None:
            raise SystemExit(f"{nb_path.name} no guarda sus segundos: re-ejecútelo con scripts/execute.py")
        cpu = meta.get("cpu", {})
        if isinstance(cpu, dict):
            cpus.add(f"{cpu.get('model_name')} (familia {cpu.get('family')}, modelo {cpu.get('model')})")
        total += seconds
        rows.append(f"| {nb_path.stem} | {seconds} | {seconds / 60:.1f} |")
    lines = ["| capítulo | segundos | minutos |", "| --- | ---: | ---: |", *rows]
    lines.append(f"| **libro entero** | **{total}** | **{total / 60:.1f}** |")
    where = "; ".join(sorted(cpus)) or "desconocido"
    lines.append("")
    lines.append(f"Medidos con `scripts/execute.py` en el modo reproducible, en: {where}.")
    return "\n".join(lines)


def render(readme: str) -> str:
    """El README con la tabla de tiempos al día entre las marcas ``START`` y ``END``."""
    if START not in readme or END not in readme:
        raise SystemExit(f"El README no tiene las marcas {START!r} y {END!r}.")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="solo comprobar que el README está al día")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    if args.check:
        if updated != current:
            print("La tabla de tiempos del README no está al día: python scripts/timings.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    print("README.md: tabla de tiempos al día")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
