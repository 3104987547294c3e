"""El código del proyecto, capítulos incluidos, pasa ruff (reglas y formato de pyproject.toml).

El código de los capítulos se revisa en sus gemelos ``.ipynb`` (el mismo código que el
``.md``), con ``chapters/ruff.toml``: 92 columnas, lo que cabe en la columna del libro.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check():
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, f"ruff check encuentra problemas:\n{result.stdout[-6000:]}"


def test_ruff_format():
    result = _ruff("format", "--no-cache", "--check", ".")
    assert result.returncode == 0, f"ruff format cambiaría estos archivos:\n{result.stdout[-6000:]}"
