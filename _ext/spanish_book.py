"""Extensión local de Sphinx: el libro en español, de la bibliografía a los botones.

- Estilo de bibliografía autor–año en español (``bibtex_default_style: autor_anio``) y
  citas «(Kingma y Welling, 2014)» (``bibtex_reference_style: autor_anio``).
- Textos de la interfaz que Sphinx y el tema dejan en inglés o con erratas: se corrigen
  con catálogos de traducción propios en ``locale/es/LC_MESSAGES/`` (carpeta que nombra
  ``locale_dirs`` en ``_config.yml``), no en el HTML ya escrito. ``sphinx.po`` lo compila
  y lo carga Sphinx mismo, por delante de su propio catálogo. ``booktheme.po`` (textos de
  sphinx-book-theme) no: Sphinx solo trata así el dominio ``sphinx``, de modo que esta
  extensión lo compila a ``booktheme.mo`` si el ``.po`` es más reciente y pone esa
  traducción por delante de la del tema, que queda de reserva para el resto de textos.
  Los ``.mo`` son productos de la compilación y git no los guarda.
- Corrige los guiones en línea repetidos (``THEBE_JS_URL`` declarado dos veces): en
  Sphinx 7.4 un ``add_js_file(None, body=...)`` añadido tras iniciar el constructor se
  copia dos veces en cada página.
- Para la comprobación de páginas sin red: si ``GENMOD_MATHJAX_DIR`` apunta al paquete
  npm ``mathjax`` (versión 3), el libro lo copia en ``_static/mathjax`` y lo usa en vez
  de la CDN.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.richtext import Text
from pybtex.style.formatting import BaseStyle, toplevel
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import href, join, names, optional, tag
from sphinx import locale
from sphinx.errors import ConfigError
from sphinx.util.i18n import CatalogRepository
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

STYLE_NAME = "autor_anio"
MATHJAX_ENV = "GENMOD_MATHJAX_DIR"
MATHJAX_BUNDLE = "tex-mml-chtml.js"

# Catálogo de traducción de sphinx-book-theme (su MESSAGE_CATALOG_NAME).
THEME_CATALOG = "booktheme"


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


def _load_theme_strings(app, config) -> None:
    """Pone el ``booktheme.po`` de ``locale_dirs`` por delante del catálogo del tema.

    Sphinx compila y carga por sí mismo solo el dominio ``sphinx`` de ``locale_dirs``.
    Para ``booktheme`` se hace lo mismo aquí, con sus mismas piezas: ``CatalogRepository``
    encuentra el ``.po`` y ``CatalogInfo.write_mo`` lo compila si el ``.mo`` falta o es
    más antiguo. Con ``app.add_message_catalog`` no basta: en ``sphinx.locale.init`` manda
    el primer traductor registrado para el catálogo y los siguientes quedan de reserva, y
    el tema registra el suyo en su ``setup``, antes que esta extensión. Por eso el nuestro
    se abre como ``GNUTranslations``, toma el del tema como reserva (``add_fallback``) y
    ocupa su lugar en el registro. Si el tema se cargara después, ``init`` añadiría el
    suyo como reserva del nuestro: el orden de carga no cambia el resultado.
    """
    repo = CatalogRepository(app.srcdir, config.locale_dirs, config.language, config.source_encoding)
    ours: NullTranslations | None = None
    for catalog in repo.catalogs:
        if catalog.domain != THEME_CATALOG:
            continue
        if catalog.is_outdated():
            catalog.write_mo(config.language, config.gettext_allow_fuzzy_translations)
        if not os.path.isfile(catalog.mo_path):
            continue  # write_mo ya avisó del error al leer el .po
        with open(catalog.mo_path, "rb") as mo_file:
            translation = GNUTranslations(mo_file)
        # Varias carpetas en locale_dirs: manda la primera, como en Sphinx.
        if ours is None:
            ours = translation
        else:
            ours.add_fallback(translation)
    if ours is None:
        return
    key = ("general", THEME_CATALOG)
    theme = locale.translators.get(key)
    # Un NullTranslations a secas es el marcador de «sin catálogo» de sphinx.locale.
    if theme is not None and theme.__class__ is not NullTranslations:
        ours.add_fallback(theme)
    locale.translators[key] = ours


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
    app.connect("config-inited", _load_theme_strings)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    app.connect("build-finished", _copy_local_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
