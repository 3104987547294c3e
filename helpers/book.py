"""Código que enseñan los capítulos y que reutilizan los capítulos posteriores.

ARCHIVO GENERADO por ``python scripts/export.py`` a partir de las celdas con la etiqueta
``export`` de ``chapters/*.md``: no lo edite a mano, edite el capítulo y regenérelo.
Cada bloque dice de qué capítulo viene; allí están su derivación y sus comprobaciones.
"""

# ruff: noqa: E501, F401  (la cabecera importa lo que puede usar cualquier celda exportada)
from __future__ import annotations

import math

import numpy as np
import torch
import torch.distributions as td
import torch.nn.functional as F
from torch import nn

import helpers

__all__ = []
