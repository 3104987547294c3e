"""Pruebas del libro: gemelos .md/.ipynb, celda de arranque de Colab, índice, publicación y compilación."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import jupytext
import pytest
import yaml

from helpers.results import results_cell_index, solution_code_cells

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
METRIC_LINE = re.compile(r"^métrica: (?P<chapter>[a-z][a-z0-9_]*)\.[a-z][a-z0-9_]* = (< )?\S+( \S+)?$")

BOOTSTRAP = """# Arranque en Colab: clona el repositorio e instala `helpers` sin tocar el torch de Colab.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    REPO_URL = "{url}"
    if not os.path.isdir("/content/libro/.git"):  # al repetir la celda ya está clonado
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", REPO_URL, "/content/libro"], check=True
        )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "/content/libro"],
        check=True,
    )"""


def _text(source) -> str:
    return ("".join(source) if isinstance(source, list) else source).strip()


def _cells(path: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    """(tipo, fuente, etiquetas) de cada celda: lo que importa para comparar gemelos."""
    if path.suffix == ".md":
        cells = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in jupytext.read(path).cells]
    else:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [(c["cell_type"], c["source"], c.get("metadata", {}).get("tags", [])) for c in nb["cells"]]
    return [(kind, _text(src), tuple(tags)) for kind, src, tags in cells]


def _code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.with_suffix(".ipynb").read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_chapters():
    assert CHAPTERS, "No hay capítulos en chapters/."


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_md_and_ipynb_twins_have_the_same_cells(md):
    ipynb = md.with_suffix(".ipynb")
    assert ipynb.exists(), f"Falta {ipynb.name}: ejecute python scripts/execute.py {md.relative_to(ROOT)}"
    assert _cells(md) == _cells(ipynb), (
        f"{md.name} y {ipynb.name} difieren: re-ejecute python scripts/execute.py {md.relative_to(ROOT)}"
    )


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_ipynb_was_executed_top_to_bottom(md):
    counts = [c.get("execution_count") for c in _code_cells(md)]
    assert counts == list(range(1, len(counts) + 1)), f"{md.stem}.ipynb no se ejecutó de arriba abajo: {counts}"
    errors = [o for c in _code_cells(md) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{md.stem}.ipynb guarda errores."


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_colab_bootstrap(md):
    first = _code_cells(md)[0]
    assert _text(first["source"]) == BOOTSTRAP.format(url=CONFIG["repository"]["url"]), (
        f"La primera celda de código de {md.name} no es la de arranque de Colab con la URL de _config.yml."
    )


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_results_cell_is_last_and_prints_metrics(md):
    """La celda de resultados es la última de código; detrás solo van las de las soluciones."""
    cells = json.loads(md.with_suffix(".ipynb").read_text(encoding="utf-8"))["cells"]
    index, solutions = results_cell_index(cells), solution_code_cells(cells)
    code_after = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and i > index]
    assert code_after == solutions, (
        f"En {md.name}, tras la celda de resultados solo van las celdas de las soluciones con "
        f"compuerta ({{solution-start}} ... {{solution-end}}), y todas ellas van detrás."
    )
    last = cells[index]
    text = "".join(_text(o.get("text", "")) + "\n" for o in last.get("outputs", []) if o.get("name") == "stdout")
    lines = [line for line in text.splitlines() if line.startswith("métrica:")]
    assert lines, f"La celda de resultados de {md.name} no imprime líneas 'métrica: ...'."
    for line in lines:
        assert METRIC_LINE.match(line), f"Línea de resultados mal formada en {md.name}: {line!r}"


TEMPLATE = ROOT / "scripts" / "chapter_template.md"


def _front_matter(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[0]


def test_chapter_template_matches_the_chapters_and_stays_out_of_the_book():
    assert _front_matter(TEMPLATE) == _front_matter(CHAPTERS[0]), "La cabecera de la plantilla no es la del capítulo 1."
    cells = _cells(TEMPLATE)
    code = [(src, tags) for kind, src, tags in cells if kind == "code"]
    assert code[0] == (BOOTSTRAP.format(url=CONFIG["repository"]["url"]), ("hide-input",)), (
        "La primera celda de código de la plantilla no es la de arranque de Colab de los capítulos."
    )
    assert code[1][0].startswith("import helpers  #"), "La segunda celda de código debe importar helpers primero."
    assert "helpers.report(" in code[-1][0] and all("helpers.report(" not in src for src, _ in code[:-1])
    headings = [line for kind, src, _ in cells if kind == "markdown" for line in src.splitlines()]
    sections = ("Motivación", "Derivación", "Implementación", "Comprobaciones", "Figuras", "Resultados", "Ejercicios")
    for section in sections:
        assert f"## {section}" in headings, f"A la plantilla le falta la sección «{section}»."
    # ni el libro ni las pruebas de capítulos la recogen
    assert "scripts" in CONFIG["exclude_patterns"] and TEMPLATE not in CHAPTERS


def test_every_chapter_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for md in CHAPTERS:
        assert f"chapters/{md.stem}" in toc, f"{md.stem} no está en _toc.yml"


def _readme_commands() -> tuple[str, str]:
    """Las dos órdenes de la sección «Las dos órdenes» del README: instalar y compilar, y probar."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Las dos órdenes\n", 1)[1].split("\n## ", 1)[0]
    blocks = [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.S)]
    assert len(blocks) == 2, f"«Las dos órdenes» del README debe tener dos bloques bash; tiene {len(blocks)}."
    return blocks[0], blocks[1]


def test_publishing_workflow_runs_the_ci_script_and_publishes_what_it_checked():
    """Una sola integración continua: el flujo de GitHub ejecuta .ci/run y publica su _build/html."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 lee la clave «on» como True
    assert trigger["push"]["branches"] == ["main"], "El libro se publica desde main."
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = [step["run"].strip() for step in build["steps"] if "run" in step]
    assert ".ci/run" in runs, f"El flujo debe ejecutar .ci/run (la misma integración que en local); ejecuta {runs}"
    for run in runs:  # ninguna otra instalación, compilación o prueba fuera de .ci/run
        if any(word in run for word in ("pip ", "pytest", "jupyter-book", "apt-get", "npm ")):
            pytest.fail(f"Paso que no pasa por .ci/run: {run!r}")
    steps = build["steps"]
    names = [step.get("uses", "").split("@")[0] for step in steps]
    ci_index = next(i for i, step in enumerate(steps) if step.get("run", "").strip() == ".ci/run")
    upload_index = names.index("actions/upload-pages-artifact")
    assert ci_index < upload_index, "El sitio se sube después de que .ci/run lo compile y lo compruebe."
    assert steps[upload_index]["with"]["path"] == "_build/html"
    uses = {name: step for name, step in zip(names, steps, strict=True) if name}
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert minimum == ">=" + str(uses["actions/setup-python"]["with"]["python-version"]), (
        f"El flujo debe probar la versión mínima de Python ({minimum})."
    )
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


def test_ci_script_runs_the_readme_test_command_and_keeps_the_site():
    _, test = _readme_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    assert test in lines, f".ci/run debe ejecutar la orden de pruebas del README: {test!r}"
    assert "_build/html/index.html" in script, ".ci/run debe comprobar que las pruebas dejaron el sitio compilado."


@pytest.mark.slow
def test_book_builds_without_warnings(built_book):
    result = built_book["result"]
    assert result.returncode == 0, f"La compilación del libro falló:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    html = built_book["html"]
    for md in CHAPTERS:
        page = (html / "chapters" / f"{md.stem}.html").read_text(encoding="utf-8")
        assert "colab.research.google.com/github/" in page, f"{md.stem}.html no tiene botón de Colab"


def test_readme_timings_come_from_the_notebooks():
    spec = importlib.util.spec_from_file_location("timings", ROOT / "scripts" / "timings.py")
    timings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(timings)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert timings.render(readme) == readme, "La tabla de tiempos del README no está al día: python scripts/timings.py"
