"""``tqdm.auto`` sin su aviso cuando falta ipywidgets (entonces usa la barra de texto)."""

import warnings

from tqdm import TqdmExperimentalWarning, TqdmWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", TqdmWarning)
    warnings.simplefilter("ignore", TqdmExperimentalWarning)
    from tqdm.auto import tqdm

__all__ = ["tqdm"]
