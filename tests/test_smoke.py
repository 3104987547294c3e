"""El modo de humo: cada capítulo corre entero, en segundos, a escala 1 y 2.

Con ``GENMOD_SMOKE=1`` cada bucle da unas pocas vueltas (``helpers.budget``) y los
objetivos de los modelos entrenados se informan sin comprobarse (``helpers.expect`` y
``helpers.report``); las identidades matemáticas se siguen comprobando. Así cada cambio
ejecuta todo el código de cada capítulo, también los caminos de ``GENMOD_SCALE=2`` (la
bandera para GPU: la U-Net de 28×28 del capítulo 8, por ejemplo), sin pagar el
entrenamiento. Las salidas no se comparan: las cifras del modo de humo no significan nada.

En una GPU, la misma prueba recorre los caminos de CUDA (``helpers.setup`` la elige).
"""

from __future__ import annotations

import time
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))

#: Segundos máximos por celda en el modo de humo: un bucle que no pase por
#: ``helpers.budget`` se nota aquí (y en la duración que imprime pytest).
SMOKE_CELL_TIMEOUT = 300


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["1", "2"])
@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_in_smoke_mode(md, scale, monkeypatch):
    monkeypatch.setenv("GENMOD_SMOKE", "1")
    monkeypatch.setenv("GENMOD_SCALE", scale)
    nb = jupytext.read(md)
    client = NotebookClient(
        nb, timeout=SMOKE_CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(md.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    setup_lines = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("MODO DE HUMO" in text for text in setup_lines), (
        f"{md.stem}: el cuaderno no dice que corre en modo de humo"
    )
    print(f"{md.stem} a escala {scale} en modo de humo: {seconds:.0f} s")
