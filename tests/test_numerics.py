"""Lo que cada cuaderno guarda para diagnosticar una diferencia en otra máquina.

``scripts/execute.py`` pide al núcleo que calculó cada capítulo, al terminar, su
procesador, sus núcleos de cálculo, las versiones fijadas, el commit y la huella de la
sonda (``helpers.numerics.describe``), y lo guarda en los metadatos ``genmod``. Estas
pruebas comprueban que está todo, que todos los capítulos se produjeron con la misma
huella (la de referencia) y que esta máquina la reproduce; si no, dicen qué biblioteca
difiere y qué núcleos o versiones cambiaron respecto de los guardados.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import numerics

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
REQUIRED = ("cpu", "machine", "python", "reproducible_mode", "kernels", "versions", "git", "fingerprint", "seconds")


def _metadata(nb: Path) -> dict:
    return json.loads(nb.read_text(encoding="utf-8"))["metadata"].get("genmod", {})


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_records_what_computed_it(nb):
    meta = _metadata(nb)
    missing = [key for key in REQUIRED if key not in meta]
    assert not missing, f"{nb.name}: faltan {missing} en los metadatos; re-ejecute python scripts/execute.py"
    assert meta["reproducible_mode"] is True
    cpu, kernels = meta["cpu"], meta["kernels"]
    for key in ("vendor", "family", "model", "stepping", "flags"):
        assert cpu.get(key) is not None, f"{nb.name}: el procesador no dice {key}"
    assert cpu["flags"]["avx2"] and cpu["flags"]["fma"]
    assert kernels["torch_cpu_capability"] == "AVX2" and kernels["torch_threads"] == numerics.REPRO_THREADS
    blas = [p for p in kernels["threadpools"] if p["internal_api"] == "openblas"]
    assert blas and all(p["architecture"] == "Haswell" and p["num_threads"] == 1 for p in blas)
    assert kernels["mkl"] and kernels["numpy_dispatch"] is not None
    assert meta["git"]["commit"], f"{nb.name}: sin commit"
    assert set(meta["versions"]) == set(numerics.pinned_versions()), f"{nb.name}: versiones de otro requirements.txt"


def _references() -> dict[str, dict]:
    return {nb.stem: _metadata(nb) for nb in NOTEBOOKS if "fingerprint" in _metadata(nb)}


def test_all_chapters_were_computed_with_the_same_fingerprint_and_versions():
    refs = _references()
    assert refs, "Ningún cuaderno guarda la huella: re-ejecute python scripts/execute.py"
    fingerprints = {stem: meta["fingerprint"] for stem, meta in refs.items()}
    versions = {stem: meta["versions"] for stem, meta in refs.items()}
    first = next(iter(refs))
    for stem in refs:
        assert fingerprints[stem] == fingerprints[first], f"{stem} y {first} tienen huellas distintas"
        assert versions[stem] == versions[first], f"{stem} y {first} se ejecutaron con versiones distintas"


def _diagnosis(here: dict, stored: dict) -> str:
    """Qué cambió entre esta máquina y la que guardó las salidas: bibliotecas, núcleos, versiones."""
    differ = [k for k, v in stored["fingerprint"].items() if here["fingerprint"].get(k) != v]
    lines = [f"bibliotecas cuya huella difiere: {differ}"]
    for key, value in stored["kernels"].items():
        if here["kernels"].get(key) != value:
            lines.append(f"núcleo {key}: aquí {here['kernels'].get(key)!r}, guardado {value!r}")
    for name, version in stored["versions"].items():
        if here["versions"].get(name) != version:
            lines.append(f"versión de {name}: aquí {here['versions'].get(name)}, guardada {version}")
    cpu_here, cpu_stored = here["cpu"], stored["cpu"]
    lines.append(
        f"procesador aquí: {cpu_here.get('vendor')} familia {cpu_here.get('family')} modelo {cpu_here.get('model')}; "
        f"guardado: {cpu_stored.get('vendor')} familia {cpu_stored.get('family')} modelo {cpu_stored.get('model')}"
    )
    return "\n".join(lines)


def test_this_machine_reproduces_the_stored_fingerprint():
    """La huella de esta máquina es la guardada; si no, el fallo dice qué la cambió."""
    refs = _references()
    if not refs:
        pytest.skip("Ningún cuaderno guarda la huella todavía.")
    stored = next(iter(refs.values()))
    code = "import json, helpers; print(json.dumps(helpers.numerics.describe()))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    here = json.loads(result.stdout.strip().splitlines()[-1])
    assert here["fingerprint"] == stored["fingerprint"], (
        "Esta máquina no reproduce la huella con que se guardaron las salidas: nbval estricto fallará.\n"
        + _diagnosis(here, stored)
    )


def test_cpu_check_gives_a_clear_spanish_error():
    ok = {"avx2": True, "fma": True}
    numerics.check_cpu("x86_64", ok)  # no falla
    numerics.check_cpu("x86_64", None)  # sin /proc/cpuinfo: deciden las bibliotecas
    with pytest.raises(RuntimeError, match="no tiene AVX2 ni FMA.*GENMOD_REPRO=0"):
        numerics.check_cpu("x86_64", {"avx2": False, "fma": False})
    with pytest.raises(RuntimeError, match="no tiene FMA"):
        numerics.check_cpu("x86_64", {"avx2": True, "fma": False})
    with pytest.raises(RuntimeError, match="solo existe en procesadores x86-64 y este es aarch64"):
        numerics.check_cpu("aarch64", ok)


def test_cpu_info_reads_family_model_stepping_and_flags(tmp_path):
    fake = tmp_path / "cpuinfo"
    fake.write_text(
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n"
        "model name\t: Intel(R) Xeon(R)\nstepping\t: 8\nflags\t\t: fpu avx avx2 fma avx512f amx_tile\n\n"
        "processor\t: 1\nvendor_id\t: OtroFabricante\n"
    )
    info = numerics.cpu_info(str(fake))
    assert (info["vendor"], info["family"], info["model"], info["stepping"]) == ("GenuineIntel", "6", "143", "8")
    assert info["flags"]["avx512f"] and info["flags"]["amx_tile"] and not info["flags"]["avx512bw"]
    assert numerics.cpu_info(str(tmp_path / "no_existe"))["flags"] is None


def test_import_refuses_a_cpu_without_avx2(tmp_path):
    """``import helpers`` en un procesador sin AVX2 (simulado): error claro, no «illegal instruction»."""
    code = (
        "import helpers.numerics as n;"
        "n.cpu_info = lambda path='/proc/cpuinfo': {'flags': {'avx2': False, 'fma': True}};"
        "n.apply_environment()"
    )
    env = {"PATH": "/usr/bin:/bin", "GENMOD_REPRO": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode != 0 and "no tiene AVX2" in result.stderr
    assert "Traceback" in result.stderr  # el mensaje es la última línea, legible
    assert result.stderr.strip().splitlines()[-1].startswith("RuntimeError: Este procesador no tiene AVX2")
