"""Utilidades pequeñas que importan los capítulos del curso.

Importar ``helpers`` enciende, antes de que se carguen ``numpy`` y ``torch``, el modo
numérico reproducible (ver ``helpers.numerics``): así las salidas guardadas se
reproducen bit a bit en cualquier CPU x86-64. Por eso los capítulos importan
``helpers`` antes que ``torch``. ``GENMOD_REPRO=0`` lo apaga.
"""

from helpers import numerics

numerics.apply_environment()

from helpers.data import (  # noqa: E402
    DataUnavailableError,
    data_dir,
    download,
    mnist10k,
    quijote_text,
)
from helpers.judge import DigitJudge  # noqa: E402
from helpers.plotting import image_grid, plot_curves, plot_density_2d, set_style  # noqa: E402
from helpers.repro import (  # noqa: E402
    budget,
    expect,
    progress,
    seed,
    seed_everything,
    setup,
    smoke_mode,
    training_scale,
)
from helpers.results import check_error, glue, report  # noqa: E402

numerics.apply_torch_settings()

__all__ = [
    "budget",
    "expect",
    "smoke_mode",
    "check_error",
    "DataUnavailableError",
    "DigitJudge",
    "glue",
    "data_dir",
    "download",
    "image_grid",
    "mnist10k",
    "numerics",
    "plot_curves",
    "plot_density_2d",
    "progress",
    "quijote_text",
    "report",
    "seed",
    "seed_everything",
    "set_style",
    "setup",
    "training_scale",
]
