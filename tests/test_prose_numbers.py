"""Las cifras de la prosa no pueden separarse de las salidas (issue 27).

Cada número decimal que aparece en el texto de un capítulo (fuera del código y de las
ecuaciones en bloque) tiene que estar impreso por alguna salida guardada del libro, lo que
incluye los valores pegados con ``glue``. Si no lo está, o se inserta con ``glue`` desde la
celda que lo calcula, o es una constante del propio texto y va en ``CONSTANTS`` con su
motivo. Así una cifra copiada a mano que deja de coincidir tras una re-ejecución falla aquí.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")) + [ROOT / "intro.md"]
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
MANTISSA = re.compile(r"(?<![\w.])(\d+\.\d+)e[-+]?\d+")  # 1.2e-05 imprime «1.2 · 10^-5»

#: Decimales que son datos o constantes del texto, no resultados: archivo -> {cifra: motivo}.
CONSTANTS: dict[str, dict[str, str]] = {
    "01_elbo.md": {"0.693": "log 2, constante", "1.5": "número de ecuación en un docstring"},
    "02_bayes.md": {
        v: "tablas de la red del estudiante (datos del enunciado)"
        for v in ("0.90", "0.20", "0.75", "0.30", "0.05", "0.65", "0.60")
    },
    "04_mdn.md": {"0.65": "intervalo de x leído del problema inverso (dato del enunciado)"},
    "08_flows.md": {
        "1.6": "coeficiente de la función de ejemplo",
        "0.05": "α de la transformación logit / objetivo",
        "4.09": "log2 17, constante",
    },
    "05_gan.md": {"0.995": "decaimiento de la media exponencial de los pesos (hiperparámetro)"},
    "09_diffusion.md": {"1.5": "factor de contraste del control", "1.2": "objetivo del issue 24"},
    "11_repaso.md": {
        "97.2": "término de una integral resuelta a mano",
        "99.7": "regla 68-95-99.7",
        "0.90": "especificidad del ejemplo",
        "0.10": "prevalencia del ejercicio",
    },
}


@functools.cache
def _printed_numbers() -> frozenset[str]:
    """Todos los decimales que imprime alguna salida guardada del libro."""
    numbers: set[str] = set()
    for notebook in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                texts = [output.get("text", "")] + [
                    value for key, value in output.get("data", {}).items() if key.startswith("text/")
                ]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else text
                    numbers.update(DECIMAL.findall(text) + MANTISSA.findall(text))
    return frozenset(numbers)


def prose_decimals(source: Path) -> list[str]:
    """Decimales de las celdas de texto, sin bloques de código, ecuaciones en bloque ni `código`."""
    found = []
    for cell in jupytext.read(source).cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
        text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
        text = re.sub(r"`[^`]*`", "", text)
        found += DECIMAL.findall(text)
    return found


def test_extraction_sees_prose_and_skips_code(tmp_path):
    page = tmp_path / "99_prueba.md"
    page.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n"
        "La pérdida es 1.234 nats y `x = 5.5`.\n\n$$\na = 2.5\n$$\n\n"
        "```{code-cell} ipython3\nprint(7.25)\n```\n",
        encoding="utf-8",
    )
    assert prose_decimals(page) == ["1.234"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_prose_decimals_are_printed_by_an_output(source):
    printed = _printed_numbers()
    allowed = CONSTANTS.get(source.name, {})
    missing = sorted({v for v in prose_decimals(source) if v not in printed and v not in allowed})
    assert not missing, (
        f"{source.name}: la prosa cita {missing}, que ninguna salida del libro imprime; "
        "péguelo con helpers.glue desde la celda que lo calcula o, si es una constante del "
        "texto, añádalo a CONSTANTS con su motivo."
    )
