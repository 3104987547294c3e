"""Configuración común de pytest.

Las salidas guardadas se comprueban con los mismos ajustes con que se produjeron
(``helpers.numerics.STORED_OUTPUT_ENV``: modo reproducible, escala 1, sin barras de
progreso), impuestos aquí aunque el entorno traiga otros valores. Importar ``helpers``
fija después las variables del modo; los núcleos que arranca nbval las heredan.
"""

import os

from helpers.numerics import STORED_OUTPUT_ENV

os.environ.update(STORED_OUTPUT_ENV)

import helpers  # noqa: E402,F401
