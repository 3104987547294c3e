"""Configuración común de pytest.

Las salidas guardadas se comprueban con los mismos ajustes con que se produjeron
(``helpers.numerics.STORED_OUTPUT_ENV``: modo reproducible, escala 1, sin barras de
progreso ni modo de humo), impuestos aquí aunque el entorno traiga otros valores.
Importar ``helpers`` fija después las variables del modo; los núcleos que arranca nbval
las heredan.

Niveles: ``python -m pytest -m "not slow"`` (helpers, gemelos, contratos, estilo: un
minuto) y ``python -m pytest`` (todo: nbval estricto de cada capítulo, modo de humo, el
libro compilado una vez y visto en Chromium). Cada celda de nbval lleva la marca
``slow``.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.numerics import STORED_OUTPUT_ENV

os.environ.update(STORED_OUTPUT_ENV)

import helpers  # noqa: E402,F401

ROOT = Path(__file__).resolve().parent
MATHJAX_ENV = "GENMOD_MATHJAX_DIR"


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.suffix == ".ipynb":  # celdas de nbval: re-ejecutan un capítulo
            item.add_marker(pytest.mark.slow)


def mathjax_dir() -> Path | None:
    """MathJax 3 local (paquete npm) si está: ``GENMOD_MATHJAX_DIR`` o el que instala ``.ci/run``."""
    value = os.environ.get(MATHJAX_ENV)
    path = Path(value) if value else ROOT / "_build" / "npm" / "node_modules" / "mathjax"
    return path if (path / "es5" / "tex-mml-chtml.js").is_file() else None


@pytest.fixture(scope="session")
def built_book():
    """El libro, compilado una sola vez por sesión en ``_build/html`` (lo que publica el flujo).

    Con MathJax local (si está instalado) el sitio no depende de una CDN, y es el mismo
    que se comprueba en Chromium y el que se publica. Si la compilación sale bien, se
    construye también la edición en PDF (``scripts/build_pdf.py``: ``_build/html/libro.pdf``,
    que se publica con el sitio). Devuelve los procesos de la compilación y del PDF
    (``returncode``, ``stdout``, ``stderr``) y la carpeta del HTML.
    """
    env = dict(os.environ)
    local = mathjax_dir()
    if local is not None:
        env[MATHJAX_ENV] = str(local)
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    pdf = None
    if result.returncode == 0:
        pdf_cmd = [sys.executable, str(ROOT / "scripts" / "build_pdf.py")]
        pdf = subprocess.run(pdf_cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    return {"result": result, "html": ROOT / "_build" / "html", "mathjax": local, "pdf": pdf}
