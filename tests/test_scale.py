"""Los caminos de ``GENMOD_SCALE > 1`` (la bandera de GPU) también se ejecutan.

Ejecutar todos los capítulos a escala 2 en una CPU de dos núcleos cuesta algo más de una
hora, demasiado para cada integración; por eso la prueba se pide a mano:

    GENMOD_TEST_SCALE=2 python -m pytest tests/test_scale.py

Cada capítulo se ejecuta entero a esa escala (sin comparar salidas: las cifras cambian)
y sus ``assert`` (identidades y objetivos) deben cumplirse. Sin GPU, los modelos que a
escala 2 tardarían más de media hora en una CPU se reducen (``CPU_SHRINK``): se ejecuta
el mismo camino de código (mismas formas, mismas funciones) con menos pasos o canales.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import pytest
import torch
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
SCALE = os.environ.get("GENMOD_TEST_SCALE")

#: Reducciones para la CPU, por capítulo: (texto de una celda, sustituto). Cada texto debe
#: aparecer una sola vez en el capítulo, así que la prueba falla si el capítulo cambia.
#: 08_diffusion: a escala 2, la U-Net de 28×28 con 32 canales tardaría casi una hora en
#: entrenar en una CPU de dos núcleos (0.83 s por paso); con 16 canales (0.28 s por paso)
#: sigue a 28×28, con dos niveles y con los pasos de la escala 2, y entrena en unos 10
#: minutos (el capítulo entero, unos 27).
CPU_SHRINK: dict[str, list[tuple[str, str]]] = {
    "08_diffusion": [("TimeUNet(base=16 * SCALE,", "TimeUNet(base=16,")],
}


def shrink_for_cpu(nb, stem: str) -> None:
    """Aplica las reducciones de ``CPU_SHRINK[stem]`` a las celdas de código de ``nb``."""
    for old, new in CPU_SHRINK.get(stem, []):
        cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        count = sum(c.source.count(old) for c in cells)
        assert count == 1, f"{stem}: se esperaba {old!r} una vez; aparece {count} veces"
        cells[0].source = cells[0].source.replace(old, new)


@pytest.mark.skipif(not SCALE, reason="prueba lenta: pídala con GENMOD_TEST_SCALE=2")
@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_at_larger_scale(md, monkeypatch):
    monkeypatch.setenv("GENMOD_SCALE", SCALE)
    nb = jupytext.read(md)
    if not torch.cuda.is_available():
        shrink_for_cpu(nb, md.stem)
    NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(md.parent)}}).execute()


@pytest.mark.parametrize("stem", sorted(CPU_SHRINK))
def test_cpu_shrink_still_matches_chapter(stem):
    """Las reducciones apuntan a código que sigue en el capítulo (prueba rápida, siempre)."""
    nb = jupytext.read(ROOT / "chapters" / f"{stem}.md")
    before = [c.source for c in nb.cells]
    shrink_for_cpu(nb, stem)
    changed = sum(a != c.source for a, c in zip(before, nb.cells, strict=True))
    assert changed >= 1
