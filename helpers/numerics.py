"""Modo numérico reproducible: las mismas cifras, bit a bit, en cualquier CPU x86-64.

Un entrenamiento amplifica cualquier diferencia en el último bit de una suma, así que
las salidas guardadas del libro solo se reproducen en otra máquina si *todas* las
bibliotecas numéricas recorren el mismo código, con el mismo número de hilos. Cada
biblioteca elige su núcleo de cálculo según el procesador (AVX-512 o AVX2, Intel o AMD,
tamaños de caché); este módulo fija esa elección antes de que se carguen ``numpy`` y
``torch``. Lo que se fijó y por qué (medido en un AMD EPYC con AVX-512):

- MKL (productos de matrices de PyTorch): ``MKL_CBWR=COMPATIBLE,STRICT``. En un
  procesador AMD, ``AVX2`` o ``AVX512`` dan el mismo resultado que ``AUTO`` (MKL los
  ignora fuera de Intel, como dice su documentación); solo la rama ``COMPATIBLE``
  (SSE2) es la misma en Intel y AMD. ``STRICT`` quita la dependencia de la alineación
  de memoria y ``MKL_DYNAMIC=FALSE`` impide que MKL use menos hilos de los pedidos.
- oneDNN y NNPACK (convoluciones): desactivados; eligen bloques según las cachés del
  procesador. Las convoluciones pasan a ATen + MKL.
- ATen (operaciones elemento a elemento, reducciones): ``ATEN_CPU_CAPABILITY=avx2``.
- NumPy: sin los núcleos AVX-512 (``np.sin`` o ``np.exp`` dan otro último bit con ellos).
- OpenBLAS de NumPy, SciPy y scikit-learn: núcleo ``Haswell`` (AVX2) y un hilo.
- Hilos: 2 en PyTorch y MKL, también en una máquina de un solo núcleo.

Cuesta velocidad (las convoluciones, varias veces más lentas). Un lector que no necesite
reproducir las salidas guardadas lo apaga con ``GENMOD_REPRO=0`` antes de importar
``helpers``. En GPU los núcleos de CUDA quedan fuera del modo: allí el contrato son los
objetivos que comprueba cada capítulo.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
import warnings

#: Variable que enciende (``1``, por defecto) o apaga (``0``) el modo reproducible.
REPRO_VAR = "GENMOD_REPRO"

#: Número de hilos de CPU del modo reproducible (el mismo en cualquier máquina).
REPRO_THREADS = 2

_NUMPY_AVX512_OLD = "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"
_NUMPY_AVX512_NEW = "X86_V4 AVX512_ICL AVX512_SPR"  # nombres de NumPy >= 2.4


def _numpy_avx512_names() -> str:
    try:
        major, minor = (int(p) for p in importlib.metadata.version("numpy").split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return _NUMPY_AVX512_NEW
    return _NUMPY_AVX512_NEW if (major, minor) >= (2, 4) else _NUMPY_AVX512_OLD


#: Variables de entorno del modo reproducible; se imponen aunque ya tengan otro valor.
REPRO_ENV: dict[str, str] = {
    "MKL_CBWR": "COMPATIBLE,STRICT",
    "MKL_DYNAMIC": "FALSE",
    "MKL_NUM_THREADS": str(REPRO_THREADS),
    "OMP_NUM_THREADS": str(REPRO_THREADS),
    "ATEN_CPU_CAPABILITY": "avx2",
    "NPY_DISABLE_CPU_FEATURES": _numpy_avx512_names(),
    "OPENBLAS_CORETYPE": "Haswell",
    "OPENBLAS_NUM_THREADS": "1",
    "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
}

#: Ajustes con los que se producen y se comprueban las salidas guardadas.
STORED_OUTPUT_ENV: dict[str, str] = {
    REPRO_VAR: "1",
    "GENMOD_SCALE": "1",
    "GENMOD_SEED": "0",
    "GENMOD_PROGRESS": "0",
    "GENMOD_SMOKE": "0",
}


def repro_enabled() -> bool:
    """``True`` salvo que ``GENMOD_REPRO`` valga ``0`` (el modo reproducible, encendido)."""
    raw = os.environ.get(REPRO_VAR, "1").strip()
    if raw not in ("0", "1"):
        raise ValueError(f"{REPRO_VAR} debe valer 0 o 1; vale {raw!r}.")
    return raw == "1"


def apply_environment() -> None:
    """Impone las variables de ``REPRO_ENV`` si el modo está encendido.

    Debe ejecutarse antes de importar ``numpy`` y ``torch`` (lo hace ``import helpers``).
    Si se importaron antes y el entorno no traía ya estos valores, avisa: las
    bibliotecas ya eligieron sus núcleos y las cifras pueden no reproducirse.
    """
    if not repro_enabled():
        return
    changed = [name for name, value in REPRO_ENV.items() if os.environ.get(name) != value]
    for name in changed:
        os.environ[name] = REPRO_ENV[name]
    early = [mod for mod in ("numpy", "torch") if mod in sys.modules]
    if changed and early:
        warnings.warn(
            f"Se importó {' y '.join(early)} antes que helpers: el modo reproducible llega tarde "
            f"({', '.join(changed)}). Reinicie el núcleo e importe helpers primero.",
            stacklevel=3,
        )


def apply_torch_settings() -> None:
    """Fija hilos y desactiva oneDNN y NNPACK en PyTorch si el modo está encendido."""
    import torch

    if not repro_enabled():
        return
    torch.set_num_threads(REPRO_THREADS)
    torch.backends.mkldnn.enabled = False
    torch.backends.nnpack.set_flags(False)


def cpu_model() -> str:
    """Nombre del procesador (de ``/proc/cpuinfo`` en Linux)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict:
    """Lo que produjo unas cifras: procesador, modo, variables y versiones."""
    versions = {}
    for pkg in ("torch", "numpy", "scipy", "scikit-learn"):
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "cpu": cpu_model(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "reproducible_mode": repro_enabled(),
        "environment": {name: os.environ.get(name) for name in REPRO_ENV},
        "versions": versions,
    }
