"""Sonda del modo reproducible: la huella de ``helpers.numerics.fingerprint`` en un proceso nuevo.

Imprime una línea JSON con la huella de cada biblioteca (NumPy, OpenBLAS, PyTorch) y los
hilos de PyTorch. Las pruebas la ejecutan en procesos nuevos con entornos distintos: con
el modo encendido, la huella debe ser siempre la misma.
"""

import json

import helpers  # primero: fija el modo numérico

# isort: split
import torch

helpers.setup(seed=0, verbose=False)
print(json.dumps({**helpers.numerics.fingerprint(), "threads": torch.get_num_threads()}))
