"""El modo reproducible resiste lo que cambia de una máquina a otra.

En una sola máquina no se puede probar otro procesador, pero sí lo que lo delata: un
entorno que ya trae otros valores para las bibliotecas numéricas, un solo núcleo
(``taskset``), otro directorio de trabajo. Con el modo encendido, la huella de la sonda
(``tests/repro_probe.py``) y las salidas de un capítulo completo no deben cambiar.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import numerics

pytestmark = pytest.mark.slow  # lanza procesos que entrenan y re-ejecuta un capítulo

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "repro_probe.py"

#: Valores que una máquina podría traer ya exportados, todos distintos de los del modo.
CONFLICTING_ENV = {
    "MKL_CBWR": "AVX512",
    "MKL_DYNAMIC": "TRUE",
    "MKL_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "ATEN_CPU_CAPABILITY": "avx512",
    "NPY_DISABLE_CPU_FEATURES": "",
    "OPENBLAS_CORETYPE": "SkylakeX",
    "OPENBLAS_NUM_THREADS": "4",
    "GENMOD_REPRO": "1",
}

#: Capítulos que la prueba completa re-ejecuta con nbval estricto en un entorno hostil.
#: Por defecto uno barato; ``GENMOD_REPRO_CHAPTERS=all`` los prueba todos.
_CHOSEN = os.environ.get("GENMOD_REPRO_CHAPTERS", "01_elbo")
HOSTILE_CHAPTERS = (
    sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")) if _CHOSEN == "all" else _CHOSEN.split(",")
)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in numerics.REPRO_ENV and k != numerics.REPRO_VAR}
    env.update(extra)
    return env


def _run(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> str:
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(cmd)} falló:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _probe(env: dict[str, str], cwd: Path = ROOT, prefix: tuple[str, ...] = ()) -> dict:
    env = {**env, "PYTHONPATH": str(ROOT)}
    return json.loads(_run([*prefix, sys.executable, str(PROBE)], env, cwd).strip().splitlines()[-1])


def _taskset() -> tuple[str, ...]:
    if shutil.which("taskset") is None:
        pytest.skip("Falta taskset (paquete util-linux): no se puede probar con un solo núcleo.")
    return ("taskset", "-c", "0")


def test_mode_overrides_conflicting_environment():
    code = (
        "import json, os, helpers, torch;"
        "print(json.dumps({'env': {k: os.environ.get(k) for k in helpers.numerics.REPRO_ENV},"
        "'threads': torch.get_num_threads(), 'mkldnn': torch.backends.mkldnn.enabled,"
        "'nnpack': torch._C._get_nnpack_enabled()}))"
    )
    out = json.loads(_run([sys.executable, "-c", code], _clean_env(**CONFLICTING_ENV, PYTHONPATH=str(ROOT))))
    assert out["env"] == numerics.REPRO_ENV
    assert out == {**out, "threads": numerics.REPRO_THREADS, "mkldnn": False, "nnpack": False}


def test_mode_can_be_switched_off():
    code = "import json, os, helpers, torch;"
    code += "print(json.dumps([os.environ.get('MKL_CBWR'), torch.backends.mkldnn.enabled]))"
    env = _clean_env(GENMOD_REPRO="0", MKL_CBWR="AVX512", PYTHONPATH=str(ROOT))
    assert json.loads(_run([sys.executable, "-c", code], env)) == ["AVX512", True]
    with pytest.raises(AssertionError, match="GENMOD_REPRO debe valer 0 o 1"):
        _run([sys.executable, "-c", "import helpers"], {**env, "GENMOD_REPRO": "si"})


def test_probe_is_bit_identical_in_hostile_environments(tmp_path):
    reference = _probe(_clean_env())
    assert reference["threads"] == numerics.REPRO_THREADS
    hostile = {
        "entorno con otros valores": _probe(_clean_env(**CONFLICTING_ENV)),
        "un solo núcleo (taskset)": _probe(_clean_env(), prefix=_taskset()),
        "otro directorio de trabajo": _probe(_clean_env(), cwd=tmp_path),
    }
    for label, result in hostile.items():
        assert result == reference, f"La sonda cambia con {label}: {result} != {reference}"


def test_probe_detects_native_kernels():
    """Control negativo: sin el modo, los núcleos AVX-512 cambian la huella (la sonda es sensible)."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if "avx512f" not in flags:
        pytest.skip("Este procesador no tiene AVX-512: los núcleos nativos son los mismos que los del modo.")
    native = _probe(_clean_env(GENMOD_REPRO="0", OMP_NUM_THREADS="2"))
    reference = _probe(_clean_env())
    assert native["numpy"] != reference["numpy"] or native["torch"] != reference["torch"]


@pytest.mark.parametrize("chapter", HOSTILE_CHAPTERS)
def test_strict_nbval_in_hostile_environment(chapter, tmp_path):
    """nbval estricto con valores contrarios exportados, un núcleo y otro directorio."""
    notebook = ROOT / "chapters" / f"{chapter}.ipynb"
    assert notebook.exists(), f"No existe {notebook}"
    cmd = [*_taskset(), sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT)]
    cmd += ["-c", str(ROOT / "pyproject.toml"), "-o", "addopts=", "--nbval", "--nbval-current-env"]
    cmd += ["--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), str(notebook)]
    env = _clean_env(**CONFLICTING_ENV, GENMOD_SCALE="3", GENMOD_PROGRESS="1")
    _run(cmd, env, cwd=tmp_path)
