"""Extensión local de Sphinx: el libro en español, de la bibliografía a los botones.

- Estilo de bibliografía autor–año en español (``bibtex_default_style: autor_anio``) y
  citas «(Kingma y Welling, 2014)» (``bibtex_reference_style: autor_anio``).
- Textos de la interfaz que los temas dejan en inglés o con erratas: se corrigen en sus
  catálogos de traducción (``sphinx`` y ``booktheme``), no en el HTML ya escrito.
- Corrige los guiones en línea repetidos (``THEBE_JS_URL`` declarado dos veces): en
  Sphinx 7.4 un ``add_js_file(None, body=...)`` añadido tras iniciar el constructor se
  copia dos veces en cada página.
- Para la comprobación de páginas sin red: si ``GENMOD_MATHJAX_DIR`` apunta al paquete
  npm ``mathjax`` (versión 3), el libro lo copia en ``_static/mathjax`` y lo usa en vez
  de la CDN.
"""

from __future__ import annotations

import gettext
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import BaseStyle, toplevel
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import href, join, names, optional, tag
from sphinx import locale
from sphinx.errors import ConfigError
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

STYLE_NAME = "autor_anio"
MATHJAX_ENV = "GENMOD_MATHJAX_DIR"
MATHJAX_BUNDLE = "tex-mml-chtml.js"

# Textos de la interfaz, por catálogo de traducción: lo que falta o está mal en los
# catálogos en español que traen Sphinx y los temas.
INTERFACE_STRINGS: dict[str, dict[str, str]] = {
    "sphinx": {
        "Link to this equation": "Enlace a esta ecuación",
        "Link to this heading": "Enlace a este título",
        "Link to this definition": "Enlace a esta definición",
        "Link to this image": "Enlace a esta imagen",
        "Link to this code": "Enlace a este código",
        "Link to this table": "Enlace a esta tabla",
        "Search": "Buscar",
        "Search Results": "Resultados de la búsqueda",
    },
    "booktheme": {
        "Download this page": "Descargar esta página",
        "Launch on": "Abrir en",
        "Source repository": "Repositorio del código fuente",
        "Download source file": "Descargar el archivo fuente",
        "Print to PDF": "Imprimir en PDF",
        "Fullscreen mode": "Pantalla completa",
        "Contents": "Contenido",
    },
}


# --- Bibliografía ----------------------------------------------------------------------


def _dashify(text: Text) -> Text:
    """Rango de páginas con raya corta: ``1--38`` -> ``1–38``."""
    return Text("–").join(text.split("--"))


def _last_names(entry) -> list[str]:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    return [" ".join(str(part) for part in p.rich_prelast_names + p.rich_last_names) for p in persons]


class AuthorYearLabelStyle(BaseLabelStyle):
    """Etiquetas «Kingma y Welling, 2014», «Higgins et al., 2017»."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            last = _last_names(entry)
            if len(last) == 1:
                who = last[0]
            elif len(last) == 2:
                who = f"{last[0]} y {last[1]}"
            elif last:
                who = f"{last[0]} et al."
            else:
                who = entry.key
            yield f"{who}, {entry.fields.get('year', 's. f.')}"


class SpanishAuthorYearStyle(BaseStyle):
    """Bibliografía autor–año en español: «Apellido, N. y Apellido, N. (año). Título. …»."""

    default_name_style = "lastfirst"
    default_label_style = STYLE_NAME
    default_sorting_style = "author_year_title"

    def __init__(self, **kwargs):
        kwargs["abbreviate_names"] = True
        super().__init__(**kwargs)

    def _head(self):
        authors = names("author", sep=", ", sep2=" y ", last_sep=" y ")
        return join(sep=" ")[join[authors], join["(", bib_field("year"), ")."], join[bib_field("title"), "."]]

    def _tail(self):
        doi = optional[
            join[
                " ",
                href[join["https://doi.org/", bib_field("doi", raw=True)], join["doi:", bib_field("doi", raw=True)]],
            ]
        ]
        note = optional[join[" ", bib_field("note"), "."]]
        return join[note, doi]

    def _pages(self, prefix: str):
        return optional[join[prefix, bib_field("pages", apply_func=_dashify)]]

    def get_article_template(self, e):
        journal = join[
            tag("em")[bib_field("journal")],
            optional[join[", ", bib_field("volume")]],
            optional[join["(", bib_field("number", apply_func=_dashify), ")"]],
            self._pages(", "),
            ".",
        ]
        return toplevel[join(sep=" ")[self._head(), journal], self._tail()]

    def get_book_template(self, e):
        rest = join(sep=" ")[
            optional[join[bib_field("edition"), ".ª ed."]],
            join[bib_field("publisher"), "."],
        ]
        return toplevel[
            join(sep=" ")[
                join(sep=" ")[
                    names("author", sep=", ", sep2=" y ", last_sep=" y "), join["(", bib_field("year"), ")."]
                ],
                join[tag("em")[bib_field("title")], "."],
                rest,
            ],
            self._tail(),
        ]

    def get_inproceedings_template(self, e):
        where = join[
            "En ",
            tag("em")[bib_field("booktitle")],
            optional[join[", vol. ", bib_field("volume")]],
            self._pages(", págs. "),
            ".",
        ]
        return toplevel[join(sep=" ")[self._head(), where], self._tail()]

    def get_techreport_template(self, e):
        report = join["Informe técnico", optional[join[" ", bib_field("number")]], ", ", bib_field("institution"), "."]
        return toplevel[join(sep=" ")[self._head(), report], self._tail()]

    def get_misc_template(self, e):
        preprint = optional[join["Prepublicación ", bib_field("archiveprefix"), ":", bib_field("eprint"), "."]]
        return toplevel[join(sep=" ")[self._head(), preprint], self._tail()]


@dataclass
class SpanishAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """Citas «(Kingma y Welling, 2014)» y «Kingma y Welling (2014)»."""

    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    bracket_textual: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    bracket_author: BracketStyle = field(default_factory=lambda: BracketStyle(left="", right="", sep="; "))
    bracket_year: BracketStyle = field(default_factory=lambda: BracketStyle(left="", right="", sep="; "))
    person: PersonStyle = field(default_factory=lambda: PersonStyle(sep2=" y ", last_sep=" y ", other=" et al."))


# --- Textos de la interfaz --------------------------------------------------------------


class _Table(gettext.NullTranslations):
    def __init__(self, table: dict[str, str]):
        super().__init__()
        self._table = dict(table)

    def gettext(self, message):
        if message in self._table:
            return self._table[message]
        return super().gettext(message)


def _fix_interface_strings(app) -> None:
    """Pone las traducciones propias por delante de las de Sphinx y de los temas."""
    if not (app.config.language or "").startswith("es"):
        return
    for catalog, table in INTERFACE_STRINGS.items():
        key = ("general", catalog)
        current = locale.translators.get(key)
        if isinstance(current, gettext.GNUTranslations):
            # Mismo objeto: también lo usan las plantillas Jinja (app.translator).
            current._catalog.update(table)
        else:
            mine = _Table(table)
            if current is not None:
                mine.add_fallback(current)
            locale.translators[key] = mine


# --- Guiones repetidos -------------------------------------------------------------------


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        attributes = tuple(sorted(getattr(script, "attributes", {}).items()))
        key = (getattr(script, "filename", script) or "", attributes)
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    context["script_files"] = unique


# --- MathJax local para la comprobación de páginas ---------------------------------------


def _local_mathjax_dir() -> Path | None:
    value = os.environ.get(MATHJAX_ENV)
    if not value:
        return None
    es5 = Path(value).expanduser().resolve() / "es5"
    if not (es5 / MATHJAX_BUNDLE).is_file():
        raise ConfigError(
            f"{MATHJAX_ENV}={value} no contiene es5/{MATHJAX_BUNDLE}: debe apuntar a la carpeta del "
            "paquete npm «mathjax» versión 3 (p. ej. tras «npm install mathjax@3», node_modules/mathjax)."
        )
    return es5


def _use_local_mathjax(app, config) -> None:
    if _local_mathjax_dir() is not None:
        config.mathjax_path = f"mathjax/{MATHJAX_BUNDLE}"


def _copy_local_mathjax(app, exception) -> None:
    es5 = _local_mathjax_dir()
    if exception is None and es5 is not None and app.builder.format == "html":
        shutil.copytree(es5, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def setup(app):
    register_pybtex_plugin("pybtex.style.formatting", STYLE_NAME, SpanishAuthorYearStyle)
    register_pybtex_plugin("pybtex.style.labels", STYLE_NAME, AuthorYearLabelStyle)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", STYLE_NAME, SpanishAuthorYearReferenceStyle)
    app.connect("config-inited", _use_local_mathjax)
    app.connect("builder-inited", _fix_interface_strings)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _copy_local_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
