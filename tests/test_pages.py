"""Comprobación de páginas: el libro compilado, visto en un navegador real.

Toma el libro compilado una vez por sesión (``built_book`` de ``conftest.py``: el mismo
sitio que se publica), lo sirve en 127.0.0.1 y abre cada página en Chromium sin ventana
(el paquete de Debian ``chromium``), con MathJax del paquete npm ``mathjax@3`` (nada de
CDN), a 1280 px y a 390 px de ancho. Falla, con un informe que
dice página, elemento y medida, si:

- una ecuación, una celda de código o una salida desborda o queda recortada a 1280 px
  (a 390 px una ecuación puede desplazarse de lado, pero no recortarse);
- queda TeX o MyST en crudo en el texto visible, o una etiqueta interna «(nombre)» en vez
  del número de la ecuación, o una marca ``# NBVAL_...`` en el código;
- una figura de capítulo (imagen en la salida de una celda) no tiene número y pie;
- aparece un texto de la interfaz en inglés de la lista ``ENGLISH``;
- un enlace interno o un ancla no existe;
- la consola registra un error.

Necesita Chromium (``GENMOD_CHROMIUM`` o ``chromium`` en el PATH), el paquete npm
``mathjax`` versión 3 (``GENMOD_MATHJAX_DIR``, o ``_build/npm/node_modules/mathjax``,
donde lo instala ``.ci/run``) y ``websocket-client``. Sin ellos se omite con un aviso que
dice qué falta; en la integración continua (``CI=true``) falla. Con
``GENMOD_SCREENSHOTS=carpeta`` guarda una captura de cada página a 1280 px.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("devtools", ROOT / "scripts" / "devtools.py")
devtools = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devtools)
PROBE = (Path(__file__).with_name("page_probe.js")).read_text(encoding="utf-8")
WIDTHS = (1280, 390)

#: Páginas con arreglos pendientes (página -> motivo): sus problemas se imprimen pero no
#: fallan, y la prueba falla cuando una de ellas ya no tiene problemas (la lista solo puede
#: encogerse). Hoy está vacía: todas las páginas deben pasar la comprobación.
PENDING: dict[str, str] = {}
HEIGHT = 900
PAGE_TIMEOUT_S = 60

# Textos de la interfaz en inglés que no deben verse (en texto o en atributos como
# title, aria-label, placeholder). Expresiones regulares, sensibles a mayúsculas.
ENGLISH = [
    r"Search this book",
    r"Search the docs",
    r"Toggle (primary|secondary) sidebar",
    r"Launch on",
    r"Link to this",
    r"Download this page",
    r"Descarga esta pagina",
    r"Proof Index",
    r"Print to PDF",
    r"Fullscreen mode",
    r"Source repository",
    r"Copy to clipboard",
    r"Click to (show|hide)",
    r"Skip to main content",
    r"Back to top",
    r"Show code cell",
    r"Hide code cell",
    r"\bContents\b",
    r"\bprevious\b",
    r"\bnext\b",
    r"\bBy the\b",
]
# Restos de un estilo de bibliografía en inglés, en las entradas de la bibliografía.
ENGLISH_BIBLIOGRAPHY = [
    r"(^|\. )In ",
    r"\bedition\b",
    r"Technical Report(?!\.)",  # la etiqueta de tipo; no un título que acaba así («GPT-4 Technical Report.»)
    r"arXiv preprint",
    r"\bpages\b",
    r"\beditors?\b",
    r"\bvolume\b",
    r"\[[A-Z][A-Za-z+]*\d\d[a-z]?\]",
]


def _missing(reason: str) -> None:
    message = f"Comprobación de páginas imposible: {reason}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + " (.ci/run debe instalarlo)")
    pytest.skip(message)


def _chromium() -> str:
    path = devtools.find_chromium()
    if not path:
        _missing(
            "falta Chromium; instálelo con «apt-get install chromium» (Debian) o indique su ruta en GENMOD_CHROMIUM."
        )
    return path


def _websocket():
    try:
        import websocket
    except ImportError:
        _missing("falta el paquete de Python websocket-client (está en requirements.txt).")
    return websocket


@pytest.fixture(scope="module")
def site(tmp_path_factory, built_book):
    """El libro compilado una vez por sesión (``built_book``, con MathJax local), servido en 127.0.0.1."""
    chromium = _chromium()
    websocket_module = _websocket()
    if built_book["mathjax"] is None:  # conftest.mathjax_dir: GENMOD_MATHJAX_DIR o _build/npm
        _missing(
            "falta el paquete npm de MathJax 3; instálelo con «npm install --prefix _build/npm mathjax@3» "
            "o indique su carpeta en GENMOD_MATHJAX_DIR."
        )
    result = built_book["result"]
    assert result.returncode == 0, f"La compilación del libro falló:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    html = built_book["html"]
    with devtools.serve(html) as base:
        yield {
            "html": html,
            "base": base,
            "chromium": chromium,
            "websocket": websocket_module,
            "profile": tmp_path_factory.mktemp("chromium"),
        }


@pytest.fixture(scope="module")
def browser(site):
    """Chromium sin ventana y una pestaña controlada por DevTools."""
    try:
        with devtools.chromium_tab(site["chromium"], site["profile"], site["websocket"], PAGE_TIMEOUT_S) as tab:
            yield tab
    except RuntimeError as error:
        if "no arrancó" in str(error):
            pytest.fail(str(error))
        raise


def _pages(html: Path) -> list[str]:
    """Páginas del libro: sin las plantillas de _static ni las redirecciones (index.html)."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        relative = path.relative_to(html)
        if relative.parts[0].startswith("_") or 'http-equiv="Refresh"' in path.read_text(encoding="utf-8")[:200]:
            continue
        pages.append(relative.as_posix())
    return pages


def _console_errors(events: list[dict]) -> list[str]:
    errors = []
    for event in events:
        params = event.get("params", {})
        if event["method"] == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            errors.append(text.splitlines()[0])
        elif event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif event["method"] == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('text', '')} {entry.get('url', '')}".strip())
    return errors


def _load(tab, url: str) -> list[str]:
    """Abre la página a 1280 px, espera a MathJax y devuelve los errores de la consola."""
    tab.call("Emulation.setDeviceMetricsOverride", width=WIDTHS[0], height=HEIGHT, deviceScaleFactor=1, mobile=False)
    tab.events.clear()
    tab.call("Page.navigate", url=url)
    tab.wait_for("Page.loadEventFired")
    devtools.wait_for_mathjax(tab)
    return _console_errors(tab.events)


def _measure(tab, width: int) -> dict:
    """Mide la página ya cargada con la ventana a `width` px de ancho."""
    tab.call("Emulation.setDeviceMetricsOverride", width=width, height=HEIGHT, deviceScaleFactor=1, mobile=False)
    tab.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)))")
    return tab.evaluate(f"({PROBE})({'true' if width >= 1000 else 'false'})")


def _screenshot(tab, path: Path) -> None:
    """Página entera a 1280 px: una ventana tan alta como el documento (hasta 16 000 px),
    para que las barras laterales fijas salgan como las ve el lector."""
    height = min(tab.evaluate("document.documentElement.scrollHeight"), 16000)
    tab.call("Emulation.setDeviceMetricsOverride", width=WIDTHS[0], height=height, deviceScaleFactor=1, mobile=False)
    tab.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200)))")
    shot = tab.call("Page.captureScreenshot", format="png")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def _broken_links(site: dict, pages: dict[str, dict]) -> list[str]:
    base = site["base"]
    broken = set()
    for page, data in pages.items():
        for link in data["links"]:
            url, fragment = urldefrag(link)
            if not url.startswith(base):
                continue
            path = unquote(urlparse(url).path).lstrip("/") or "index.html"
            if path.endswith("/"):
                path += "index.html"
            if not (site["html"] / path).is_file():
                broken.add(f"{page}: enlace a {path}, que no existe")
            elif fragment and path in pages and unquote(fragment) not in pages[path]["ids"]:
                broken.add(f"{page}: ancla #{fragment} no existe en {path}")
    return sorted(broken)


def test_pages_in_a_real_browser(site, browser):
    started = time.monotonic()
    html = site["html"]
    shots = os.environ.get("GENMOD_SCREENSHOTS")
    pages: dict[str, dict] = {}
    report: list[str] = []
    counts = {("ecuación", 1280): 0, ("código", 1280): 0, ("salida", 1280): 0, ("ecuación", 390): 0}

    for page in _pages(html):
        console = _load(browser, site["base"] + page)
        for width in WIDTHS:
            data = _measure(browser, width)
            if width == WIDTHS[0]:
                pages[page] = data
                if shots:
                    _screenshot(browser, Path(shots) / f"{page.removesuffix('.html').replace('/', '__')}.png")
            for p in data["problems"]:
                if p["kind"] == "desborde":
                    kind = "ecuación" if p["element"].startswith(("ecuación", "bloque")) else p["element"]
                    counts[(kind, width)] = counts.get((kind, width), 0) + 1
                report.append(
                    f"{page} @{width}px — {p['element']} ({p['where']}): {p['measure']}"
                    + (f" — «{p['text']}»" if p["text"] else "")
                )
        report += [f"{page} — error en la consola: {error}" for error in console]
        data = pages[page]
        for pattern in ENGLISH:
            for text in data["interfaceText"]:
                if re.search(pattern, text):
                    report.append(f"{page} — texto de la interfaz en inglés: «{text[:100]}»")
                    break
        for pattern in ENGLISH_BIBLIOGRAPHY:
            for entry in data["bibliography"]:
                if re.search(pattern, entry):
                    report.append(f"{page} — bibliografía en inglés ({pattern}): «{entry[:120]}»")
    report += [f"enlace roto — {b}" for b in _broken_links(site, pages)]

    pending = [line for line in report if line.split(" ", 1)[0] in PENDING]
    report = [line for line in report if line.split(" ", 1)[0] not in PENDING]
    for page, reason in PENDING.items():
        if not any(line.startswith(page + " ") for line in pending):
            report.append(f"{page} ya no tiene problemas: quítela de PENDING ({reason}).")
    if pending:
        print(f"{len(pending)} problemas en páginas pendientes ({', '.join(PENDING)}):")
        print("\n".join(pending))

    elapsed = time.monotonic() - started
    summary = (
        f"{len(pages)} páginas en {elapsed:.0f} s; desbordes a 1280 px: {counts[('ecuación', 1280)]} ecuaciones, "
        f"{counts[('código', 1280)]} celdas de código, {counts[('salida', 1280)]} salidas; "
        f"ecuaciones recortadas a 390 px: {counts[('ecuación', 390)]}"
    )
    print(summary)
    assert not report, f"{summary}\n{len(report)} problemas:\n" + "\n".join(report)
