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

import hashlib
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import warnings
from pathlib import Path

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
    check_cpu(platform.machine(), cpu_info()["flags"])
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


#: Banderas del procesador que deciden qué núcleo elige cada biblioteca.
CPU_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl",
    "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8", "hypervisor",
)  # fmt: skip


def cpu_info(path: str = "/proc/cpuinfo") -> dict:
    """Fabricante, familia/modelo/revisión y banderas del primer procesador de ``path``.

    El nombre comercial no basta: un hipervisor puede mostrar «AMD EPYC» para un Zen 2 y
    para un Zen 4, que eligen núcleos distintos. Fuera de Linux devuelve lo que sabe
    ``platform``.
    """
    fields: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break  # solo el primer procesador
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        return {"model_name": platform.processor() or platform.machine(), "flags": None}
    flags = set(fields.get("flags", "").split())
    return {
        "vendor": fields.get("vendor_id"),
        "model_name": fields.get("model name"),
        "family": fields.get("cpu family"),
        "model": fields.get("model"),
        "stepping": fields.get("stepping"),
        "microcode": fields.get("microcode"),
        "flags": {name: name in flags for name in CPU_FLAGS},
    }


def cpu_model() -> str:
    """Nombre comercial del procesador (de ``/proc/cpuinfo`` en Linux)."""
    return cpu_info().get("model_name") or platform.machine()


def check_cpu(machine: str, flags: dict | None) -> None:
    """Falla con un mensaje claro si el modo reproducible no puede correr en este procesador.

    El modo fuerza núcleos AVX2 con FMA (OpenBLAS ``Haswell``, ATen ``avx2``): en un
    procesador x86-64 sin esas instrucciones morirían con «illegal instruction». Fuera de
    x86-64 (ARM, Apple silicon) los núcleos son otros y las salidas guardadas no se
    reproducen bit a bit: el modo no lo promete allí.
    """
    if machine not in ("x86_64", "AMD64"):
        raise RuntimeError(
            f"El modo reproducible ({REPRO_VAR}=1) solo existe en procesadores x86-64 y este es {machine}: "
            f"las salidas guardadas del libro no se reproducen bit a bit aquí. Apáguelo con {REPRO_VAR}=0 "
            "antes de importar helpers (los objetivos de cada capítulo siguen comprobándose)."
        )
    if flags is None:
        return  # sin /proc/cpuinfo no se puede saber; las bibliotecas deciden
    missing = [name for name in ("avx2", "fma") if not flags.get(name)]
    if missing:
        raise RuntimeError(
            f"Este procesador no tiene {' ni '.join(m.upper() for m in missing)}: el modo reproducible "
            f"({REPRO_VAR}=1) fuerza núcleos AVX2 con FMA, que aquí se detendrían con «illegal instruction». "
            f"Apáguelo con {REPRO_VAR}=0 antes de importar helpers; las cifras no serán bit a bit las "
            "guardadas, pero los objetivos de cada capítulo siguen comprobándose."
        )


def kernels() -> dict:
    """Los núcleos de cálculo que eligieron de verdad las bibliotecas en este proceso."""
    import torch

    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # otra versión de NumPy: se anota que no se supo
        numpy_dispatch = None
    else:
        numpy_dispatch = [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]
    mkl = [line.strip(" -") for line in torch.__config__.show().splitlines() if "Math Kernel Library" in line]
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        pools = None
    else:
        keys = ("internal_api", "version", "num_threads", "architecture", "threading_layer", "prefix")
        pools = [{k: pool.get(k) for k in keys} for pool in threadpool_info()]
    return {
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_threads": torch.get_num_threads(),
        "mkldnn_enabled": torch.backends.mkldnn.enabled,
        "mkl": mkl[0] if mkl else None,
        "numpy_dispatch": numpy_dispatch,
        "threadpools": pools,
    }


#: En ``requirements.txt``, lo que sigue a esta línea son herramientas que ningún cuaderno
#: importa (p. ej. la edición en PDF): no entran en los metadatos de los cuadernos.
TOOLS_MARKER = "# --- Herramientas que ningún cuaderno importa"


def pinned_versions(requirements: Path | None = None) -> dict[str, str | None]:
    """Versión instalada de cada paquete de ``requirements.txt`` (``None`` si falta), hasta ``TOOLS_MARKER``."""
    path = requirements or Path(__file__).resolve().parent.parent / "requirements.txt"
    names = ["torch", "numpy", "scipy", "scikit-learn"]
    if path.exists():
        names = [
            re.split(r"[=<>!~\[ ;]", line.strip(), maxsplit=1)[0]
            for line in path.read_text(encoding="utf-8").split(TOOLS_MARKER)[0].splitlines()
            if line.strip() and not line.lstrip().startswith(("#", "-"))
        ]
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> dict:
    """Commit del repositorio (y si había cambios sin guardar), si hay git y repositorio."""
    root = Path(__file__).resolve().parent.parent
    try:
        run = {"cwd": root, "capture_output": True, "text": True, "timeout": 10}
        head = subprocess.run(["git", "rev-parse", "HEAD"], **run)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], **run)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def fingerprint() -> dict[str, str]:
    """Huella del modo: SHA-256 de lo que calcula cada biblioteca en una sonda pequeña.

    Tres partes, para saber cuál difiere si otra máquina no reproduce las cifras:
    ``numpy`` (funciones trascendentes), ``openblas`` (un modelo de mezcla de
    scikit-learn) y ``torch`` (40 pasos de Adam sobre una red con capas lineales (MKL),
    una convolución y su transpuesta, una RNN y atención causal (ATen)). No toca los
    generadores aleatorios globales.
    """
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from sklearn.mixture import GaussianMixture

    def sha(*arrays) -> str:
        digest = hashlib.sha256()
        for array in arrays:
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]

    grid = np.linspace(0.0, 20.0, 4001)
    data = np.stack([np.sin(grid) * np.exp(-grid / 7), np.log1p(grid) + np.cos(3 * grid)], axis=1)
    gmm = GaussianMixture(n_components=3, random_state=0).fit(data)

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, padding=1)
            self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
            self.rnn = nn.RNN(4, 16, batch_first=True)
            self.attn = nn.MultiheadAttention(16, 2, batch_first=True)
            self.head = nn.Linear(16, 10)

        def forward(self, x):
            h = self.up(F.gelu(self.conv(x)))  # (B, 4, 16, 16)
            seq = h.mean(dim=3).transpose(1, 2)  # (B, 16, 4)
            out, _ = self.rnn(seq)
            mask = torch.triu(torch.ones(16, 16, dtype=torch.bool), diagonal=1)
            out, _ = self.attn(out, out, out, attn_mask=mask, need_weights=False)
            return self.head(F.layer_norm(out.mean(dim=1), (16,)))

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = Probe()
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        x, y = torch.randn(64, 1, 8, 8), torch.randint(0, 10, (64,))
        for _ in range(40):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return {
        "numpy": sha(data),
        "openblas": sha(gmm.means_, gmm.covariances_),
        "torch": sha(*(p.detach().numpy() for p in model.parameters())),
    }


def describe(probe: bool = True) -> dict:
    """Lo que produjo unas cifras, visto desde el proceso que las calculó.

    Procesador (fabricante, familia/modelo/revisión, banderas), núcleos en uso (ATen,
    NumPy, OpenBLAS, MKL, hilos), versión de cada paquete fijado, commit y huella de la
    sonda. ``scripts/execute.py`` lo pide al núcleo del cuaderno al terminar y lo guarda
    en los metadatos (``genmod``): con eso, una diferencia en otra máquina se atribuye
    a un núcleo o a una versión en segundos (``tests/test_numerics.py``).
    """
    info = {
        "cpu": cpu_info(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "reproducible_mode": repro_enabled(),
        "kernels": kernels(),
        "versions": pinned_versions(),
        "git": git_commit(),
    }
    if probe:
        info["fingerprint"] = fingerprint()
    return info
