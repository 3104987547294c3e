"""Configuración común de pytest.

Importar ``helpers`` aquí fija, en el proceso de pytest, las variables de entorno
deterministas; los núcleos que arranca nbval las heredan. Las barras de progreso se
desactivan porque su texto cambia en cada ejecución.
"""

import os

os.environ["GENMOD_PROGRESS"] = "0"

import helpers  # noqa: E402,F401
