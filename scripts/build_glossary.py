"""Escribe glosario.md y enlaza con {term} el primer uso de cada término (issue 28).

Uso: ``python scripts/build_glossary.py [--link]``. Sin ``--link`` solo informa del capítulo
y del contexto del primer uso de cada término; con ``--link`` reescribe las fuentes .md de
los capítulos (después hay que sincronizar los .ipynb con ``jupytext --update``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from glossary_terms import CHAPTER, TERMS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOC = re.findall(r"file: (chapters/\d\d_\w+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))

# Zonas de una fuente MyST que no son prosa enlazable, en el orden en que se prueban.
PROTECTED = re.compile(
    r"^---\n.*?\n---\n"  # cabecera YAML
    r"|^(`{3,})[^\n]*\n.*?^\1[ \t]*$"  # bloques de código y directivas con ```
    r"|^:::[^\n]*$|^:[\w-]+:[^\n]*$"  # apertura de directivas ::: y sus opciones
    r"|^#[^\n]*$|^\([^\n]*\)=[ \t]*$|^\+\+\+[^\n]*$"  # títulos, etiquetas, separadores de celda
    r"|\$\$.*?\$\$|\$[^$\n]+\$"  # ecuaciones
    r"|\{[\w:-]+\}`[^`]*`|`[^`\n]*`"  # roles y código en línea
    r"|\[[^\]\n]*\]\([^)\n]*\)|<[^>\n]+>",  # enlaces y HTML
    re.S | re.M,
)


TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>`]+)>)?`")


def prose_spans(text: str):
    """Intervalos (inicio, fin) de prosa enlazable."""
    start = 0
    for m in PROTECTED.finditer(text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def first_use(text: str, pattern: str | None, taken: list[tuple[int, int]]):
    """Primera aparición en la prosa que no se solapa con el enlace de otro término."""
    if pattern is None:
        return None
    body = pattern.replace(" ", "[ \\n]")
    rx = re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")
    for a, b in prose_spans(text):
        for m in rx.finditer(text, a, b):
            if all(m.end() <= s or m.start() >= e for s, e in taken):
                return m
    return None


def main(link: bool) -> None:
    texts = {c: (ROOT / f"{c}.md").read_text(encoding="utf-8") for c in TOC}
    found = {}
    taken: dict[str, list[tuple[int, int]]] = {c: [] for c in TOC}
    unlinked = {}
    # los nombres largos primero, para que «máxima verosimilitud» gane a «verosimilitud»
    linked = {}  # enlaces ya escritos en una pasada anterior: el script es idempotente
    for c in TOC:
        for shown, target in TERM_ROLE.findall(texts[c]):
            linked.setdefault(target or shown, c)
    for name, _, pattern, _ in sorted(TERMS, key=lambda t: -len(t[0])):
        if name in linked:
            unlinked[name] = linked[name]
            continue
        chapters = [CHAPTER[name]] if name in CHAPTER else TOC
        for c in chapters:
            m = first_use(texts[c], pattern, taken[c])
            if m:
                found[name] = (c, m)
                taken[c].append(m.span())
                break
        else:
            if name in CHAPTER:
                unlinked[name] = CHAPTER[name]
                continue
            else:
                print("SIN USO:", name)
    # enlaces, de atrás hacia delante en cada capítulo para no mover las posiciones
    if link:
        for c in TOC:
            hits = sorted(((m.start(), m.end(), n) for n, (cc, m) in found.items() if cc == c), reverse=True)
            text = texts[c]
            for a, b, name in hits:
                shown = text[a:b]
                role = f"{{term}}`{shown}`" if shown == name else f"{{term}}`{shown} <{name}>`"
                text = text[:a] + role + text[b:]
            (ROOT / f"{c}.md").write_text(text, encoding="utf-8")
    for name, (c, m) in sorted(found.items(), key=lambda kv: kv[1][0]):  # nuevos enlaces
        t = texts[c]
        print(f"{c[9:]:16} {name:38} …{t[max(0, m.start() - 50) : m.end() + 30]!r}")
    entries = []
    for name, english, _, definition in sorted(TERMS, key=lambda t: sort_key(t[0])):
        chapter = found[name][0] if name in found else unlinked.get(name)
        if chapter is None:
            continue
        entries.append(f"{name}\n  {english}. {definition} Capítulo: {{doc}}`{chapter}`.\n")
    page = (
        "# Glosario\n\n"
        "Cada término técnico del libro aparece aquí con su nombre en inglés, una definición "
        "breve y el capítulo donde se introduce; el primer uso de cada término en el texto "
        "enlaza con su entrada.\n\n"
        "```{glossary}\n" + "\n".join(entries) + "```\n"
    )
    (ROOT / "glosario.md").write_text(page, encoding="utf-8")
    print(len(entries), "entradas")


def sort_key(name: str) -> str:
    table = str.maketrans("áéíóúüÁÉÍÓÚ", "aeiouuAEIOU")
    return name.translate(table).lower()


if __name__ == "__main__":
    main("--link" in sys.argv)
