"""Las soluciones que llevan código lo ejecutan: nbval comprueba sus salidas como las de
cualquier celda.

Un bloque de código dentro de ``{solution}`` es texto que nada ejecuta. Una solución con
código se escribe con las directivas con compuerta de sphinx-exercise, con celdas de
código de verdad entre las dos::

    ```{solution-start} capitulo-ex-nombre
    :class: dropdown
    ```

    Texto de la solución.

    ```{code-cell} ipython3
    ...
    ```

    ```{solution-end}
    ```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "scripts" / "chapter_template.md"]

FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
DIRECTIVE = re.compile(r"^\{(?P<name>[a-z][\w-]*)\}")
#: directivas cuyo contenido es código (y que nada ejecuta dentro de una solución)
CODE = {"code-cell", "code", "code-block", "sourcecode", "literalinclude"}
#: directivas cuyo contenido se lee tal cual: dentro no se abren otras
LITERAL = CODE | {"math", "raw"}
GATES = ("solution-start", "solution-end")


@dataclass
class Fence:
    char: str
    length: int
    name: str | None  # la directiva, o None en un bloque de código (```python)
    line: int

    @property
    def literal(self) -> bool:
        return self.name is None or self.name in LITERAL


def check_solutions(text: str) -> list[str]:
    """Problemas de las soluciones de un capítulo MyST: código sin ejecutar y compuertas.

    Recorre las vallas (```, ~~~, :::) con su anidamiento, como MyST: una valla se
    cierra con otra del mismo carácter, al menos igual de larga y sin nada detrás.
    """
    problems, stack, gates = [], [], []
    for n, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if not match:
            continue
        fence, info = match["fence"], match["info"]
        top = stack[-1] if stack else None
        if top and fence[0] == top.char and len(fence) >= top.length and not info:
            stack.pop()
            continue
        if top and top.literal:  # dentro de un bloque de código todo es texto
            continue
        directive = DIRECTIVE.match(info)
        name = directive["name"] if directive else None
        if fence[0] == ":" and name is None:  # ::: sin directiva no abre nada
            continue
        if (name is None or name in CODE) and any(f.name == "solution" for f in stack):
            opened = next(f for f in reversed(stack) if f.name == "solution")
            problems.append(
                f"línea {n}: código ({info or fence}) dentro de la {{solution}} de la línea "
                f"{opened.line}, que nada ejecuta: use {{solution-start}}/{{solution-end}} "
                "con celdas {code-cell}"
            )
        if name in GATES:
            if stack:
                problems.append(f"línea {n}: {{{name}}} dentro de otra directiva (línea {stack[0].line})")
            gates.append((n, name))
        stack.append(Fence(fence[0], len(fence), name, n))
    for fence in stack:
        problems.append(f"línea {fence.line}: valla sin cerrar ({fence.char * fence.length}{fence.name or ''})")
    expected = "solution-start"
    for n, name in gates:
        if name != expected:
            what = "sin su {solution-start}" if name == "solution-end" else "sin cerrar la anterior"
            problems.append(f"línea {n}: {{{name}}} {what}")
        expected = GATES[1] if name == GATES[0] else GATES[0]
    if expected == "solution-end":
        problems.append(f"línea {gates[-1][0]}: {{solution-start}} sin su {{solution-end}}")
    return problems


def test_there_are_sources():
    assert len(SOURCES) > 2 and all(p.exists() for p in SOURCES)


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.stem)
def test_solutions_with_code_are_gated_and_closed(md):
    problems = check_solutions(md.read_text(encoding="utf-8"))
    assert not problems, f"{md.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


SOLUTION = "```{{exercise}}\n:label: e\n\nEnunciado.\n```\n\n{body}\n"


@pytest.mark.parametrize(
    "body",
    [
        "````{solution} e\n:class: dropdown\n\n```python\nx = 1\n```\n````",
        "````{solution} e\n```{code-cell} ipython3\nx = 1\n```\n````",
        "````{solution} e\n~~~\nx = 1\n~~~\n````",
        ":::{solution} e\n```{code} python\nx = 1\n```\n:::",
        "`````{solution} e\n````{note}\n```py\nx = 1\n```\n````\n`````",
    ],
    ids=["python", "code-cell", "tildes", "colon-fence", "nested"],
)
def test_check_solutions_finds_code_in_a_plain_solution(body):
    problems = check_solutions(SOLUTION.format(body=body))
    assert len(problems) == 1 and "que nada ejecuta" in problems[0], problems


@pytest.mark.parametrize(
    "body, expected",
    [
        ("```{solution-start} e\n```\n\nTexto.\n", "sin su {solution-end}"),
        ("```{solution-end}\n```\n", "sin su {solution-start}"),
        (
            "```{solution-start} e\n```\n\n```{solution-start} e\n```\n\n```{solution-end}\n```\n",
            "sin cerrar la anterior",
        ),
        ("````{note}\n```{solution-start} e\n```\n````\n\n```{solution-end}\n```\n", "dentro de otra directiva"),
        ("````{solution} e\n$$\nx\n$$\n", "valla sin cerrar"),
    ],
    ids=["start-sin-end", "end-sin-start", "anidadas", "dentro-de-nota", "sin-cerrar"],
)
def test_check_solutions_finds_unbalanced_gates(body, expected):
    problems = check_solutions(SOLUTION.format(body=body))
    assert any(expected in p for p in problems), problems


def test_check_solutions_accepts_gated_code_math_and_prose():
    body = (
        "```{solution} e\n:class: dropdown\n\n$$\nx = 1\n$$\n\nTexto con `código` en línea.\n```\n\n"
        "````{solution} e\n```{math}\nx\n```\n````\n\n"
        "```{solution-start} e\n:class: dropdown\n```\n\nTexto.\n\n"
        "```{code-cell} ipython3\nprint(1)\n```\n\n```{solution-end}\n```\n"
    )
    assert check_solutions(SOLUTION.format(body=body)) == []
