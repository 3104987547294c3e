"""El glosario cubre los nombres ingleses de la prosa (issue 28).

Regla de «nombre inglés»: el libro escribe en cursiva los términos ingleses (STYLE.md), así
que toda cursiva de la prosa de un capítulo se trata como un posible nombre inglés y tiene
que ser una de estas cosas:

1. el nombre de una entrada del glosario (p. ej. *token*, *score*, *rasgos latentes*);
2. un nombre inglés que el glosario da en cursiva en la definición (p. ej. *prior*);
3. una cursiva con una letra que el inglés no usa (á, é, í, ó, ú, ñ, ü, ¿, ¡): es español;
4. una palabra de ``SPANISH_EMPHASIS``, la lista corta de énfasis y títulos en español sin
   tilde que el texto pone en cursiva.

Se compara sin mayúsculas, con los espacios normalizados y admitiendo el plural (-s, -es).
Una cursiva inglesa nueva que no esté en el glosario hace fallar la prueba con su nombre.
La prosa es la de las celdas de texto, sin código, ecuaciones, roles salvo el texto visible
de ``{term}`` ni opciones de directivas.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glosario.md"
SOURCES = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
TOC_DOCS = set(re.findall(r"file: (\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8")))

#: Cursivas en español sin tilde: énfasis de una palabra y títulos de obras.
SPANISH_EMPHASIS = {
    # énfasis de palabras corrientes
    "a posteriori",
    "a priori",
    "anterior",
    "columnas",
    "condicional",
    "conjunto",
    "cuentas",
    "de extremo a extremo",
    "densidad",
    "dentro",
    "desenredadas",
    "directamente",
    "entre",
    "entrenamiento",
    "es",
    "estado",
    "estilo",
    "forma",
    "generar",
    "insesgada",
    "inversa",
    "la",
    "el",
    "un",
    "y",
    "muestrear",
    "pesos",
    "peor",
    "por debajo",
    "potenciales",
    "reales",
    "reponderada",
    "respecto al logit",
    "sea cual sea",
    "sesgada",
    "sube",
    "tasa",
    "terminar",
    "dificultad",
    "diferencial",
    # títulos de obras y nombres de columnas de datos
    "quijote",
    "don quijote",
    "apparent temperature",
}

TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>`]+)>)?`")
ITALIC = re.compile(r"(?<![*\w\\])\*(?![*\s])([^*]+?)(?<![\s\\])\*(?![*\w])")
SPANISH_LETTERS = set("áéíóúñü¿¡")


def _strip(text: str) -> str:
    """Prosa de una celda de texto: sin bloques, ecuaciones, código, roles ni opciones."""
    text = re.sub(r"^(`{3,}|:{3,}).*?^\1[ \t]*$", "", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"\$[^$]+\$", "", text)
    text = TERM_ROLE.sub(lambda m: m.group(1), text)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`|`[^`\n]*`", "", text)
    return re.sub(r"^:[\w-]+:.*$", "", text, flags=re.M)


def prose(source: Path) -> str:
    return "\n\n".join(_strip(cell.source) for cell in jupytext.read(source).cells if cell.cell_type == "markdown")


def italics(text: str) -> list[str]:
    return [" ".join(m.split()) for m in ITALIC.findall(text)]


def _norm(span: str) -> str:
    return " ".join(span.lower().split()).strip(".,;:")


@functools.cache
def glossary() -> dict[str, tuple[str, list[str]]]:
    """Entrada -> (definición, nombres ingleses en cursiva), leídas de glosario.md."""
    body = re.search(r"```\{glossary\}\n(.*?)^```", GLOSSARY.read_text(encoding="utf-8"), re.S | re.M)
    assert body, "glosario.md no tiene una directiva {glossary}"
    entries: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in body.group(1).splitlines():
        if line.strip() and not line[0].isspace():
            name = line.strip()
            entries[name] = ("", [])
        elif line.strip():
            definition = entries[name][0] + " " + line.strip()
            entries[name] = (definition, italics(_strip(definition)))
    return entries


def known_names() -> set[str]:
    names = set()
    for name, (_, english) in glossary().items():
        names.add(_norm(name))
        names.update(_norm(e) for e in english)
    return names


def is_covered(span: str, names: set[str]) -> bool:
    span = _norm(span)
    words = span.split()
    forms = {span, span.removesuffix("s"), span.removesuffix("es")}
    forms.add(" ".join(w.removesuffix("s") for w in words))  # «rasgos latentes»
    if forms & names or forms & SPANISH_EMPHASIS:
        return True
    return bool(SPANISH_LETTERS & set(span))


def test_extraction_finds_italics_outside_code_and_math(tmp_path):
    page = tmp_path / "99_prueba.md"
    page.write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n"
        "Un *token* y **negrita**, $a * b * c$, `*x*` y *{term}`score <score>`*.\n"
        "Una cursiva partida *evidence lower\nbound*.\n\n"
        "```{code-cell} ipython3\n# *comentario*\n```\n",
        encoding="utf-8",
    )
    assert italics(prose(page)) == ["token", "score", "evidence lower bound"]


def test_rule_accepts_plurals_and_spanish_but_not_unknown_english():
    names = {"token", "logit"}
    assert is_covered("tokens", names) and is_covered("Logits", names)
    assert is_covered("distorsión", names) and is_covered("sube", names)
    assert not is_covered("beam search", names)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_english_italics_are_in_the_glossary(source):
    names = known_names()
    missing = sorted({s for s in italics(prose(source)) if not is_covered(s, names)})
    assert not missing, (
        f"{source.name}: las cursivas {missing} no están en glosario.md; añada la entrada "
        "(scripts/glossary_terms.py y python scripts/build_glossary.py) o, si es un énfasis "
        "en español, póngalo en SPANISH_EMPHASIS."
    )


def test_glossary_entries_name_an_existing_chapter():
    entries = glossary()
    assert len(entries) >= 60
    for name, (definition, english) in entries.items():
        chapters = re.findall(r"Capítulo: \{doc\}`([^`]+)`", definition)
        assert len(chapters) == 1, f"{name}: la definición no nombra un capítulo"
        assert chapters[0] in TOC_DOCS and (ROOT / f"{chapters[0]}.md").exists(), (
            f"{name}: el capítulo {chapters[0]} no existe o no está en _toc.yml"
        )
        assert english, f"{name}: falta el nombre inglés en cursiva"


def test_glossary_is_sorted():
    key = str.maketrans("áéíóúüÁÉÍÓÚ", "aeiouuAEIOU")
    names = list(glossary())
    assert names == sorted(names, key=lambda n: n.translate(key).lower())


def test_term_links_point_to_entries_once_in_their_chapter():
    entries = glossary()
    seen: dict[str, str] = {}
    for source in SOURCES:
        for shown, target in TERM_ROLE.findall(source.read_text(encoding="utf-8")):
            target = target or shown
            assert target in entries, f"{source.name}: {{term}} a «{target}», que no está en el glosario"
            assert target not in seen, f"«{target}» se enlaza en {seen[target]} y otra vez en {source.name}"
            seen[target] = source.name
            chapter = re.search(r"Capítulo: \{doc\}`chapters/([^`]+)`", entries[target][0]).group(1)
            assert chapter == source.stem, f"«{target}»: el glosario dice {chapter}, el enlace está en {source.stem}"
