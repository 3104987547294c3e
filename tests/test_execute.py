"""El script que ejecuta capítulos escribe un gemelo .ipynb ejecutado de arriba abajo."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("execute", ROOT / "scripts" / "execute.py")
execute = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute)

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Prueba
"""


def test_execute_writes_outputs_in_order(tmp_path):
    md = tmp_path / "99_prueba.md"
    md.write_text(HEADER + "\n```{code-cell} ipython3\nx = 21\n```\n\n```{code-cell} ipython3\nprint(2 * x)\n```\n")
    execute.execute(md)
    nb = json.loads(md.with_suffix(".ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == [1, 2]
    assert "".join(code[1]["outputs"][0]["text"]) == "42\n"
    assert [c["id"] for c in nb["cells"]] == ["c000", "c001", "c002"]


def test_execute_refuses_to_write_a_failing_chapter(tmp_path):
    md = tmp_path / "98_falla.md"
    md.write_text(HEADER + "\n```{code-cell} ipython3\nraise ValueError('mal')\n```\n")
    with pytest.raises(CellExecutionError):
        execute.execute(md)
    assert not md.with_suffix(".ipynb").exists()


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    script = ROOT / "scripts" / "execute.py"
    return subprocess.run([sys.executable, str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["notas.txt", "chapters/99_no_existe.md"])
def test_cli_rejects_a_path_that_is_not_an_existing_chapter(tmp_path, name):
    path = tmp_path / name
    if path.suffix != ".md":
        path.write_text("no es un capítulo\n")  # existe, pero no es .md
    result = _run_cli(str(path))
    assert result.returncode == 2, result.stderr
    assert f"{path} no es un capítulo .md existente." in result.stderr
    assert "Ejecutando" not in result.stdout and not path.with_suffix(".ipynb").exists()
