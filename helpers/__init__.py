"""Utilidades pequeñas que importan los capítulos del curso.

Antes de importar ``torch`` se fijan las variables de entorno que hacen que las
bibliotecas numéricas (MKL, oneDNN, ATen) elijan el mismo camino de cálculo en
cualquier procesador x86 con AVX2: así las salidas guardadas se reproducen en otra
máquina del mismo tipo. Por eso conviene importar ``helpers`` antes que ``torch``.
"""

import os

#: Variables que fijan el camino de cálculo de la CPU (se respetan si ya existen).
DETERMINISM_ENV = {
    "MKL_CBWR": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
}
for _name, _value in DETERMINISM_ENV.items():
    os.environ.setdefault(_name, _value)

from helpers.data import (  # noqa: E402
    DataUnavailableError,
    data_dir,
    download,
    mnist10k,
    quijote_text,
)
from helpers.plotting import image_grid, plot_curves, plot_density_2d, set_style  # noqa: E402
from helpers.repro import progress, seed_everything, setup, training_scale  # noqa: E402
from helpers.results import report  # noqa: E402

__all__ = [
    "DETERMINISM_ENV",
    "DataUnavailableError",
    "data_dir",
    "download",
    "image_grid",
    "mnist10k",
    "plot_curves",
    "plot_density_2d",
    "progress",
    "quijote_text",
    "report",
    "seed_everything",
    "set_style",
    "setup",
    "training_scale",
]
