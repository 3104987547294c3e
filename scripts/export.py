"""Reúne en ``helpers/book.py`` el código que los capítulos enseñan y otros reutilizan.

Uso (desde la raíz del repositorio):

    python scripts/export.py           # reescribe helpers/book.py
    python scripts/export.py --check   # falla si helpers/book.py no está al día

Una celda de código con la etiqueta ``export`` (en el ``.md``: ``:tags: [export]``) se
copia tal cual, en el orden de los capítulos, a ``helpers/book.py``. Un capítulo
posterior la importa (``from helpers.book import sample_ring``) en vez de reescribirla:
el código se enseña una vez y se reutiliza. Es el mecanismo «#@save» de *Dive into Deep
Learning*. Las celdas exportadas solo definen (funciones, clases, constantes) y usan lo
que importa la cabecera de ``HEADER`` o lo que exportó una celda anterior; las pruebas
(``tests/test_book_module.py``) lo comprueban.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "helpers" / "book.py"
TAG = "export"

HEADER = '''"""Código que enseñan los capítulos y que reutilizan los capítulos posteriores.

ARCHIVO GENERADO por ``python scripts/export.py`` a partir de las celdas con la etiqueta
``export`` de ``chapters/*.md``: no lo edite a mano, edite el capítulo y regenérelo.
Cada bloque dice de qué capítulo viene; allí están su derivación y sus comprobaciones.
"""

# ruff: noqa: E501, F401  (la cabecera importa lo que puede usar cualquier celda exportada)
from __future__ import annotations

import math

import numpy as np
import torch
import torch.distributions as td
import torch.nn.functional as F
from torch import nn

import helpers

__all__ = [{names}]
'''


def exported_cells(md: Path) -> list[str]:
    """Fuentes de las celdas de ``md`` con la etiqueta ``export``, en orden."""
    nb = jupytext.read(md)
    return [c.source.strip() for c in nb.cells if c.cell_type == "code" and TAG in c.metadata.get("tags", [])]


def defined_names(source: str) -> list[str]:
    """Nombres que define el nivel superior de ``source`` (funciones, clases, asignaciones)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def render() -> str:
    """El texto de ``helpers/book.py`` que corresponde a los capítulos actuales."""
    blocks, names = [], []
    for md in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")):
        for source in exported_cells(md):
            names += defined_names(source)
            blocks.append(f"# --- {md.stem} " + "-" * (80 - 7 - len(md.stem)) + f"\n\n{source}\n")
    listed = ", ".join(f'"{n}"' for n in names if not n.startswith("_"))
    text = HEADER.format(names=listed) + "\n\n" + "\n\n".join(blocks)
    # con el formato de ruff del proyecto, para que la prueba de estilo lo acepte tal cual
    cmd = [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"]
    return subprocess.run(cmd, input=text, capture_output=True, text=True, check=True, cwd=ROOT).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="solo comprobar que helpers/book.py está al día")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("helpers/book.py no está al día: ejecute python scripts/export.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)} escrito")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
