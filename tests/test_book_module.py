"""El código que se enseña una vez y se reutiliza: ``helpers/book.py`` y un nombre, un significado.

Las celdas con la etiqueta ``export`` de los capítulos forman ``helpers/book.py``
(``scripts/export.py``); un capítulo posterior lo importa en vez de reescribirlo. Estas
pruebas comprueban que el módulo está al día, que solo contiene definiciones, que se
importa en un proceso nuevo, y que ningún nombre de función o clase se define en dos
capítulos (un nombre, un significado en todo el libro).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
spec = importlib.util.spec_from_file_location("export", ROOT / "scripts" / "export.py")
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)


def test_book_module_is_up_to_date():
    assert (ROOT / "helpers" / "book.py").read_text(encoding="utf-8") == export.render(), (
        "helpers/book.py no corresponde a las celdas export de los capítulos: ejecute python scripts/export.py"
    )


def test_exported_cells_only_define():
    allowed = (ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom)
    for md in CHAPTERS:
        for source in export.exported_cells(md):
            for node in ast.parse(source).body:
                docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                assert isinstance(node, allowed) or docstring, (
                    f"{md.stem}: una celda export ejecuta algo (línea {node.lineno}); solo debe definir."
                )


def test_book_module_imports_in_a_fresh_process():
    code = "import helpers.book as b; print(len(b.__all__))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def _top_level_definitions(md: Path) -> set[str]:
    names = set()
    for cell in jupytext.read(md).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
    return names


def test_one_name_one_meaning_across_the_book():
    """Ninguna función o clase se define en dos capítulos: el posterior la importa o usa otro nombre."""
    where = defaultdict(list)
    for md in CHAPTERS:
        for name in _top_level_definitions(md):
            where[name].append(md.stem)
    repeated = {name: stems for name, stems in where.items() if len(stems) > 1}
    assert not repeated, (
        "Nombres definidos en más de un capítulo (impórtelos de helpers.book o cámbieles el nombre): "
        + "; ".join(f"{name}: {', '.join(stems)}" for name, stems in sorted(repeated.items()))
    )
