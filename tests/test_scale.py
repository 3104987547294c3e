"""Los caminos de ``GENMOD_SCALE > 1`` (la bandera de GPU) también se ejecutan.

Ejecutar todos los capítulos a escala 2 en una CPU cuesta unas dos veces el libro
(media hora), demasiado para cada integración; por eso la prueba se pide a mano:

    GENMOD_TEST_SCALE=2 python -m pytest tests/test_scale.py

Cada capítulo se ejecuta entero a esa escala (sin comparar salidas: las cifras cambian)
y sus ``assert`` (identidades y objetivos) deben cumplirse.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
SCALE = os.environ.get("GENMOD_TEST_SCALE")


@pytest.mark.skipif(not SCALE, reason="prueba lenta: pídala con GENMOD_TEST_SCALE=2")
@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_at_larger_scale(md, monkeypatch):
    monkeypatch.setenv("GENMOD_SCALE", SCALE)
    nb = jupytext.read(md)
    NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(md.parent)}}).execute()
