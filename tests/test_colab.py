"""La celda de arranque de Colab funciona: clona el repositorio, instala helpers sin
dependencias (sin tocar el torch que Colab ya trae) y ``import helpers`` carga esa copia.

Se imita Colab: un módulo ``google.colab`` falso, un entorno virtual nuevo que ya tiene
torch y las demás bibliotecas (las del entorno del proyecto, vistas con un ``.pth``), el
repositorio clonado desde su ruta local en vez de GitHub y ``/content`` en un temporal.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # crea entornos o lanza procesos que entrenan

ROOT = Path(__file__).resolve().parent.parent


def _bootstrap_source() -> str:
    nb = json.loads((ROOT / "chapters" / "01_elbo.ipynb").read_text(encoding="utf-8"))
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    return "".join(first["source"])


def test_colab_bootstrap_installs_helpers(tmp_path):
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode != 0:
        pytest.skip("El proyecto no es un repositorio git: no hay nada que clonar.")
    source = _bootstrap_source()
    url = source.split('REPO_URL = "', 1)[1].split('"', 1)[0]
    content = tmp_path / "content"
    content.mkdir()
    source = source.replace(url, ROOT.as_uri()).replace("/content/libro", str(content / "libro"))

    venv = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Las bibliotecas «de Colab»: las del entorno del proyecto (torch incluido), sin helpers.
    Path(site, "colab_stack.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    script = tmp_path / "colab_cell.py"
    script.write_text(
        "import sys, types\n"
        "sys.modules['google'] = types.ModuleType('google')\n"
        "sys.modules['google.colab'] = types.ModuleType('google.colab')\n"
        # dos veces: repetir la celda (o reiniciar la sesión, que conserva /content) no falla
        + source
        + "\n"
        + source
        + "\nimport helpers, torch\n"
        "print(helpers.__file__)\n"
        "print(torch.__version__)\n"
    )
    result = subprocess.run([str(python), str(script)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"La celda de arranque falló:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    helpers_file, torch_version = result.stdout.strip().splitlines()[-2:]
    assert helpers_file.startswith(site), f"helpers no se cargó de la copia instalada: {helpers_file}"
    assert (content / "libro" / "chapters").is_dir()
    import torch

    assert torch_version == torch.__version__, "la celda de arranque reinstaló torch"
