"""Ejecuta capítulos desde su fuente MyST y escribe su gemelo .ipynb con salidas.

Uso (desde la raíz del repositorio, con el entorno del proyecto activo):

    python scripts/execute.py                         # todos los capítulos
    python scripts/execute.py chapters/01_elbo.md     # uno (o varios)
    python scripts/execute.py --seed 1 --out /tmp/s1  # ensayo con las semillas desplazadas

Cada capítulo se ejecuta de arriba abajo en un núcleo nuevo, con los ajustes de las
salidas guardadas impuestos (``helpers.numerics.STORED_OUTPUT_ENV``: modo reproducible,
escala 1, sin barras de progreso) y anota en los metadatos del cuaderno lo que dice
el propio núcleo al terminar: procesador, núcleos de cálculo, versiones, commit y huella.
Es la única fuente de las salidas guardadas: nunca se editan a mano.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.numerics import STORED_OUTPUT_ENV  # noqa: E402
from helpers.results import results_cell_index  # noqa: E402

# Los ajustes de las salidas guardadas se imponen antes de importar helpers (y torch).
os.environ.update(STORED_OUTPUT_ENV)


DESCRIBE_CELL = "import json\n\nimport helpers\n\nprint(json.dumps(helpers.numerics.describe()))"

#: Segundos máximos por celda: un capítulo entero cabe en 6-7 minutos.
CELL_TIMEOUT = 900


def slowest_cells(nb, n: int = 10) -> list[tuple[float, int, str]]:
    """Las n celdas más lentas (segundos, índice, primera línea); quita sus marcas de tiempo."""
    times = []
    for i, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type == "code" and stamps:
            start = datetime.fromisoformat(stamps["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(stamps["shell.execute_reply"].replace("Z", "+00:00"))
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            times.append(((end - start).total_seconds(), i, first[:60]))
    return sorted(times, reverse=True)[:n]


def execute(md_path: Path, out_dir: Path | None = None, profile: bool = False) -> float:
    """Ejecuta ``md_path`` y escribe su gemelo ``.ipynb``; devuelve los segundos.

    El gemelo va junto al ``.md`` o, con ``out_dir``, a ese directorio (para ensayos,
    como el de otras semillas, que no deben tocar las salidas guardadas).
    """
    nb = jupytext.read(md_path)
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:03d}"  # identificadores estables: diffs limpios
    # Una celda final, que se quita después, pregunta al núcleo que calculó qué procesador,
    # qué núcleos de cálculo, qué versiones y qué huella tenía (helpers.numerics.describe).
    nb.cells.append(nbformat.v4.new_code_cell(DESCRIBE_CELL))
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        record_timing=profile,
        resources={"metadata": {"path": str(md_path.parent)}},
    )
    start = time.perf_counter()
    target = md_path.with_suffix(".ipynb") if out_dir is None else out_dir / f"{md_path.stem}.ipynb"
    try:
        client.execute()
    except CellExecutionError:
        if out_dir is not None:  # ensayo: se guarda hasta el fallo (scripts/seeds_table.py lo lee)
            nb.cells.pop()
            jupytext.write(nb, target, fmt="ipynb")
        raise
    elapsed = time.perf_counter() - start
    probe = nb.cells.pop()
    for seconds, index, first in slowest_cells(nb) if profile else []:
        print(f"  {seconds:6.1f} s  celda {index}: {first}", flush=True)
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
    # Qué produjo estas salidas, dicho por el núcleo que las calculó: para diagnosticar
    # en segundos una diferencia en otra máquina (tests/test_numerics.py).
    nb.metadata["genmod"] = {**json.loads(text.strip().splitlines()[-1]), "seconds": round(elapsed)}
    jupytext.write(nb, target, fmt="ipynb")
    results = nb.cells[results_cell_index(nb.cells)]  # la última, salvo las de las soluciones
    for output in results.get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith("métrica:"):
                print(f"  {line}", flush=True)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="archivos chapters/NN_nombre.md (por defecto, todos)")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="desplaza todas las semillas (GENMOD_SEED); distinto de 0 exige --out",
    )
    parser.add_argument("--out", type=Path, help="directorio donde escribir los cuadernos (no los de chapters/)")
    parser.add_argument("--profile", action="store_true", help="imprime las 10 celdas más lentas de cada capítulo")
    args = parser.parse_args()
    if args.seed < 0:
        parser.error(f"--seed debe ser un entero >= 0; se recibió {args.seed}.")
    if args.seed and args.out is None:
        parser.error("--seed distinto de 0 no produce salidas guardadas: indique --out DIRECTORIO.")
    os.environ["GENMOD_SEED"] = str(args.seed)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    paths = args.chapters or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    for path in paths:
        if path.suffix != ".md" or not path.exists():
            parser.error(f"{path} no es un capítulo .md existente.")
    failed = []  # un capítulo que falla no impide ejecutar los siguientes
    for path in paths:
        print(f"Ejecutando {path} ...", flush=True)
        try:
            seconds = execute(path.resolve(), args.out, args.profile)
        except CellExecutionError as exc:
            kept = "se guardó hasta el fallo" if args.out else "no se escribió"
            print(f"ERROR en {path}: el .ipynb {kept}.\n{exc}", file=sys.stderr)
            failed.append((path, str(exc).strip().splitlines()[-1] if str(exc).strip() else ""))
            continue
        print(f"  {path.stem}.ipynb escrito ({seconds:.0f} s).", flush=True)
    for path, last_line in failed:
        print(f"FALLÓ {path.stem}: {last_line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
