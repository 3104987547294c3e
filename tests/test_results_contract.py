"""El contrato de la celda de resultados: solo ella informa métricas, con el prefijo del
capítulo, y cada métrica pasa por ``helpers.report`` (que comprueba su objetivo).

La celda de resultados es la última de código salvo las de las soluciones con compuerta
(``helpers.results.results_cell_index``), que van detrás y no informan métricas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.results import results_cell_index

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

#: Capítulos que aún incumplen el contrato (issue 12, punto 8): fallo esperado y estricto,
#: así que la prueba avisa en cuanto se arreglen y haya que quitarlos de aquí.
PENDING: dict[str, str] = {}


def _prefix(notebook: Path) -> str:
    """01_elbo -> elbo: el prefijo de las métricas de un capítulo."""
    return notebook.stem.split("_", 1)[1]


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def _metric_lines(cell: dict) -> list[str]:
    out = "".join(_text(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return [line for line in out.splitlines() if line.startswith("métrica:")]


@pytest.mark.parametrize(
    "notebook",
    [
        pytest.param(nb, marks=pytest.mark.xfail(reason=PENDING[nb.stem], strict=True)) if nb.stem in PENDING else nb
        for nb in NOTEBOOKS
    ],
    ids=lambda p: p.stem,
)
def test_metrics_only_in_results_cell_with_chapter_prefix(notebook):
    cells = _cells(notebook)
    results = results_cell_index(cells)
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or i == results:
            continue
        assert not _metric_lines(cell), f"{notebook.name}: la celda {i} imprime métricas; solo la de resultados."
        assert "helpers.report(" not in _text(cell["source"]), (
            f"{notebook.name}: la celda {i} llama a helpers.report; solo la de resultados."
        )
    lines = _metric_lines(cells[results])
    assert lines, f"{notebook.name}: la celda de resultados no imprime métricas."
    calls = re.findall(r"helpers\.report\(\s*\"([a-z0-9_]+)\"", _text(cells[results]["source"]))
    assert calls and set(calls) == {_prefix(notebook)}, (
        f"{notebook.name}: las métricas deben llevar el prefijo '{_prefix(notebook)}'; "
        f"se encontró {sorted(set(calls))}."
    )
    for line in lines:
        assert line.startswith(f"métrica: {_prefix(notebook)}."), f"{notebook.name}: prefijo ajeno en {line!r}."
