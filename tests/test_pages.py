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
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
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
    path = os.environ.get("GENMOD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
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


class DevTools:
    """Cliente mínimo del protocolo DevTools de Chromium sobre un websocket."""

    def __init__(self, url: str, websocket_module):
        self._ws = websocket_module.create_connection(url, timeout=PAGE_TIMEOUT_S, suppress_origin=True)
        self._next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self._next_id += 1
        self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"DevTools {method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, timeout: float = PAGE_TIMEOUT_S) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            message = json.loads(self._ws.recv())
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(f"Chromium no emitió {method} en {timeout} s")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"Error de JavaScript en la comprobación: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self._ws.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


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
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {
            "html": html,
            "base": f"http://127.0.0.1:{server.server_address[1]}/",
            "chromium": chromium,
            "websocket": websocket_module,
            "profile": tmp_path_factory.mktemp("chromium"),
        }
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser(site):
    """Chromium sin ventana y una pestaña controlada por DevTools."""
    profile = site["profile"]
    args = [
        site["chromium"],
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        "--mute-audio",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "DevToolsActivePort"
    end = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > end:
            process.kill()
            pytest.fail(f"Chromium ({site['chromium']}) no arrancó: sin {port_file.name}.")
        time.sleep(0.1)
    port = port_file.read_text().split()[0]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        target = json.load(response)
    tab = DevTools(target["webSocketDebuggerUrl"], site["websocket"])
    for domain in ("Page", "Runtime", "Log"):
        tab.call(f"{domain}.enable")
    try:
        yield tab
    finally:
        tab.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


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


def _load(tab: DevTools, url: str) -> list[str]:
    """Abre la página a 1280 px, espera a MathJax y devuelve los errores de la consola."""
    tab.call("Emulation.setDeviceMetricsOverride", width=WIDTHS[0], height=HEIGHT, deviceScaleFactor=1, mobile=False)
    tab.events.clear()
    tab.call("Page.navigate", url=url)
    tab.wait_for("Page.loadEventFired")
    tab.evaluate(
        """(async () => {
            for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
                await new Promise((r) => setTimeout(r, 50));
            if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
            await document.fonts.ready;
            await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)));
        })()"""
    )
    return _console_errors(tab.events)


def _measure(tab: DevTools, width: int) -> dict:
    """Mide la página ya cargada con la ventana a `width` px de ancho."""
    tab.call("Emulation.setDeviceMetricsOverride", width=width, height=HEIGHT, deviceScaleFactor=1, mobile=False)
    tab.evaluate("new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)))")
    return tab.evaluate(f"({PROBE})({'true' if width >= 1000 else 'false'})")


def _screenshot(tab: DevTools, path: Path) -> None:
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
