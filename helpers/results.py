"""La celda de resultados: una línea ``métrica: capítulo.nombre = valor unidad`` por número."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from helpers.repro import smoke_mode

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY = re.compile(r"^[a-z][a-z0-9_.]*$")
# apertura de una directiva de solución con compuerta: ```{solution-start} o :::{solution-end}
_GATE = re.compile(r"^ {0,3}(?:`{3,}|:{3,})\{(solution-start|solution-end)\}", re.M)


def report(
    chapter: str,
    name: str,
    value: float,
    unit: str = "",
    *,
    at_most: float | None = None,
    at_least: float | None = None,
    digits: int = 3,
    floor: float | None = None,
) -> None:
    """Imprime una métrica con el formato del libro y comprueba su objetivo.

    En el modo de humo (``GENMOD_SMOKE=1``) un objetivo no alcanzado solo se avisa.
    Escribe ``métrica: <chapter>.<name> = <valor> <unit>`` con ``digits`` cifras
    significativas y lanza ``AssertionError`` si ``value`` supera ``at_most`` o queda
    por debajo de ``at_least``. Con ``floor``, un valor cuyo módulo sea menor se
    escribe como ``< floor`` (los errores del orden del redondeo de la máquina no se
    reproducen bit a bit en otro procesador).
    No devuelve nada, para que la celda no repita la línea como resultado.
    """
    for label, text in (("chapter", chapter), ("name", name)):
        if not isinstance(text, str) or not _NAME.match(text):
            raise ValueError(f"{label} debe ser un identificador en minúsculas (p. ej. 'vae'); se recibió {text!r}.")
    if at_most is None and at_least is None:
        raise ValueError(f"La métrica {chapter}.{name} necesita un objetivo: at_most o at_least.")
    value = float(value)
    if not math.isfinite(value):
        raise AssertionError(f"métrica {chapter}.{name}: el valor no es finito ({value}).")
    if floor is not None and abs(value) < floor:
        shown = f"< {floor:g}"
    else:
        shown = f"{value:.{digits}g}"
    line = f"métrica: {chapter}.{name} = {shown}" + (f" {unit}" if unit else "")
    print(line)
    glue(f"{chapter}.{name}", shown)
    missed = (at_most is not None and not value <= at_most) or (at_least is not None and not value >= at_least)
    if missed and smoke_mode():
        print(f"  (modo de humo: {chapter}.{name} no alcanza su objetivo; no se comprueba)")
        return
    # raise explícito y no assert: ``python -O`` borra los assert y el objetivo dejaría de
    # comprobarse. El tipo sigue siendo AssertionError (lo que esperan capítulos y pruebas).
    if at_most is not None and not value <= at_most:
        raise AssertionError(f"{chapter}.{name} = {value:.6g} supera el objetivo (<= {at_most:g}).")
    if at_least is not None and not value >= at_least:
        raise AssertionError(f"{chapter}.{name} = {value:.6g} no alcanza el objetivo (>= {at_least:g}).")


def check_error(label: str, err: float, tol: float, floor: float = 1e-9) -> None:
    """Imprime un error numérico y comprueba ``err <= tol``.

    Por debajo de ``floor`` solo se imprime la cota (``< 1e-09``): esas cifras son
    redondeo de la máquina. Si ``err`` supera ``tol`` (o no es finito) lanza
    ``AssertionError`` con la etiqueta, el valor y la tolerancia.
    """
    err = float(err)
    if not math.isfinite(err) or err > tol:
        raise AssertionError(f"{label} = {err:.3g} supera la tolerancia {tol:g}.")
    shown = f"< {floor:g}" if err < floor else f"{err:.1e} (tolerancia {tol:g})"
    print(f"{label}: {shown}")


def glue(key: str, text: str) -> None:
    """Guarda ``text``, tal como lo imprime la celda, para citarlo en la prosa.

    En el mismo capítulo: ``{glue:text}`clave```; desde otro capítulo:
    ``{glue:text}`NN_nombre.ipynb::clave:s```. Así ninguna cifra de la prosa se teclea a
    mano: sale de la salida guardada. Usa ``myst_nb.glue`` (sin mostrar nada); donde
    myst-nb no está instalado (Colab) no hace nada. ``report`` pega cada métrica con la
    clave ``capítulo.nombre``.
    """
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"la clave debe ser minúsculas, cifras, '_' y '.' (p. ej. 'vae.test_neg_elbo'); es {key!r}.")
    if not isinstance(text, str):
        raise ValueError(f"glue guarda el texto impreso (str); se recibió {type(text).__name__}.")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(key, text, display=False)


def _source(cell: Mapping) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def solution_code_cells(cells: Sequence[Mapping]) -> list[int]:
    """Índices de las celdas de código que están dentro de una solución con compuerta.

    Una solución que ejecuta código se escribe con ``{solution-start}`` y
    ``{solution-end}`` (sphinx-exercise) en celdas de texto, y sus celdas de código van
    entre las dos. ``cells`` son las celdas de un cuaderno (de nbformat o del JSON).
    Lanza ``ValueError`` si una compuerta se abre dentro de otra, se cierra sin abrirse
    o queda abierta al final.
    """
    inside, found = False, []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "code":
            if inside:
                found.append(i)
            continue
        if cell.get("cell_type") != "markdown":
            continue
        for match in _GATE.finditer(_source(cell)):
            opens = match.group(1) == "solution-start"
            if opens and inside:
                raise ValueError(f"celda {i}: {{solution-start}} dentro de otra solución sin cerrar.")
            if not opens and not inside:
                raise ValueError(f"celda {i}: {{solution-end}} sin su {{solution-start}}.")
            inside = opens
    if inside:
        raise ValueError("una {solution-start} queda sin su {solution-end}.")
    return found


def results_cell_index(cells: Sequence[Mapping]) -> int:
    """Índice de la celda de resultados: la última celda de código fuera de las soluciones.

    Después de ella solo pueden venir las celdas de código de las soluciones con
    compuerta (``solution_code_cells``), que se ejecutan pero no informan métricas.
    Lanza ``ValueError`` si no hay ninguna celda de código fuera de ellas.
    """
    solutions = set(solution_code_cells(cells))
    main = [i for i, c in enumerate(cells) if c.get("cell_type") == "code" and i not in solutions]
    if not main:
        raise ValueError("el cuaderno no tiene celdas de código fuera de las soluciones.")
    return main[-1]
