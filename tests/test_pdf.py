"""La edición en PDF: construida, comprobada y enlazada desde el sitio.

``built_book`` (``conftest.py``) compila el libro una vez y, si sale bien, construye el PDF
con ``scripts/build_pdf.py``. Ese guion mide el libro unido en Chromium con el medio
«print» y falla si algo sale de la columna o queda recortado (código, ecuaciones, tablas,
figuras), si una ecuación no está compuesta, si una imagen no está en una figura con número
y pie, o si un carácter no tiene glifo en las letras que declara su estilo. Aquí se
comprueba que terminó sin problemas, que el PDF tiene lo que promete (cada capítulo en su
página, marcadores, numeración), que el sitio lo enlaza y, con un documento de control con
defectos sembrados, que esas comprobaciones saben fallar.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "_build" / "pdf" / "informe.json"
_spec = importlib.util.spec_from_file_location("build_pdf", ROOT / "scripts" / "build_pdf.py")
build_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_pdf)
devtools = build_pdf.devtools


def _missing(reason: str) -> None:
    message = f"Edición en PDF imposible: {reason}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (.ci/run debe instalarlo)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def pdf(built_book):
    result = built_book["result"]
    assert result.returncode == 0, f"La compilación del libro falló:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    process = built_book["pdf"]
    if process.returncode == 2 and "falta" in process.stderr:
        _missing(process.stderr.strip())
    assert process.returncode == 0, f"scripts/build_pdf.py falló:\n{process.stdout[-6000:]}\n{process.stderr[-3000:]}"
    print(process.stdout.splitlines()[0])
    return {"path": built_book["html"] / "libro.pdf", "report": json.loads(REPORT.read_text(encoding="utf-8"))}


def test_pdf_has_every_chapter_bookmarked_and_numbered_like_its_footer(pdf):
    from pypdf import PdfReader

    report = pdf["report"]
    reader = PdfReader(pdf["path"])
    assert not report["problems"]
    assert len(reader.pages) == report["pages"]
    pages = [entry["page"] for entry in report["toc"]]
    assert None not in pages, "Hay entradas del índice sin página."
    assert pages == sorted(pages), f"Las páginas del índice no crecen: {pages}"
    # Cada página del índice del libro, con su marcador de primer nivel.
    chapters = [entry["title"] for entry in report["toc"] if entry["level"] == 1]
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert len(chapters) == len(build_pdf.toc_pages()), chapters
    assert top == chapters, f"Marcadores de primer nivel: {top}"
    # La numeración del lector de PDF es la del pie: portada aparte, el índice es la página 1.
    assert reader.page_labels[1] == "1" and reader.page_labels[-1] == str(len(reader.pages) - 1)
    for entry in report["toc"][::25]:
        words = reader.pages[entry["page"]].extract_text().split()
        assert str(entry["page"]) in words, f"La página {entry['page']} ({entry['title']}) no lleva ese número al pie."


def test_the_site_links_the_pdf(pdf):
    html = ROOT / "_build" / "html"
    for page in ("intro.html", "chapters/03_vae.html"):
        text = (html / page).read_text(encoding="utf-8")
        assert 'class="pdf-download"' in text, f"{page} no enlaza la edición en PDF en la barra lateral."
        target = "libro.pdf" if "/" not in page else "../libro.pdf"
        assert f'href="{target}"' in text
    assert pdf["path"].parent == html and pdf["path"].is_file()


PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
CONTROL = f"""<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><style>
body {{ margin: 0; font-family: "DejaVu Serif"; }}
pre {{ white-space: pre; overflow-x: auto; font-family: "DejaVu Sans Mono"; }}
</style></head><body><section class="pdf-page" data-source="control"><section><h2>Control</h2>
<p id="ok">Texto correcto: áéíóú ñ ¿? «» — ≤ ≈ θ</p>
<div style="overflow: hidden; width: 100px"><span style="white-space: nowrap">recortado por su caja</span></div>
<table style="width: 2000px"><tr><td>tabla más ancha que la columna</td></tr></table>
<pre>{"código_largo = 1  " * 20}</pre>
<div class="math">\\[x\\]</div>
<img src="data:image/png;base64,{PIXEL}" alt="suelta">
<figure><img src="data:image/png;base64,{PIXEL}" alt="sin pie"></figure>
<p>Sin glifo: \ue000</p>
</section></section></body></html>"""


def test_the_pdf_checks_catch_planted_defects(tmp_path):
    """Control: un documento con un defecto de cada clase, medido como el libro unido."""
    chromium = devtools.find_chromium()
    if not chromium:
        _missing("falta Chromium.")
    try:
        import websocket
    except ImportError:
        _missing("falta websocket-client.")
    (tmp_path / "control.html").write_text(CONTROL, encoding="utf-8")
    with devtools.serve(tmp_path) as base, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        with devtools.chromium_tab(chromium, Path(profile), websocket) as tab:
            width = build_pdf.COLUMN_PX
            tab.call("Emulation.setDeviceMetricsOverride", width=width, height=1100, deviceScaleFactor=1, mobile=False)
            tab.call("Emulation.setEmulatedMedia", media="print")
            tab.call("Page.navigate", url=base + "control.html")
            tab.wait_for("Page.loadEventFired")
            measured = tab.evaluate(f"({build_pdf.PROBE})()")
    problems = measured["problems"] + build_pdf.missing_glyphs(measured["byFamily"])
    found = {(p["kind"], p["tag"] or p["text"]) for p in problems}
    expected = {
        ("recorte", "div"),  # texto recortado por overflow: hidden
        ("desborde", "table"),  # sale de la columna
        ("recorte", "pre"),  # código que en papel no se puede desplazar
        ("ecuación", "div"),  # sin componer
        ("figura", "img"),  # suelta y sin pie
        ("glifo", "\ue000"),  # sin glifo en ninguna letra
    }
    assert expected <= found, f"No detectó {expected - found}; encontró {found}"
    figures = [p["measure"] for p in problems if p["kind"] == "figura"]
    assert sorted(figures) == ["figura sin pie", "imagen fuera de una figura"], figures
    assert not [p for p in problems if "correcto" in p["text"]], "Un texto correcto se dio por defectuoso."
