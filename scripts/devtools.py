"""Chromium sin ventana, controlado por el protocolo DevTools, y un servidor HTTP local.

Lo usan la comprobación de páginas (``tests/test_pages.py``) y la edición en PDF
(``scripts/build_pdf.py``): abren el libro compilado tal como lo verá el lector.
Necesita Chromium (``GENMOD_CHROMIUM`` o ``chromium`` en el PATH) y el paquete de Python
``websocket-client``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

TIMEOUT_S = 60


def find_chromium() -> str | None:
    """Ruta de Chromium: ``GENMOD_CHROMIUM`` o ``chromium`` / ``chromium-browser`` del PATH."""
    return os.environ.get("GENMOD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


class DevTools:
    """Cliente mínimo del protocolo DevTools de Chromium sobre un websocket."""

    def __init__(self, url: str, websocket_module, timeout: float = TIMEOUT_S):
        self._ws = websocket_module.create_connection(url, timeout=timeout, suppress_origin=True)
        self._next_id = 0
        self.timeout = timeout
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

    def wait_for(self, method: str, timeout: float | None = None) -> dict:
        end = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < end:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            message = json.loads(self._ws.recv())
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(f"Chromium no emitió {method} en {timeout or self.timeout} s")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"Error de JavaScript: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self._ws.close()


@contextlib.contextmanager
def chromium_tab(chromium: str, profile: Path, websocket_module, timeout: float = TIMEOUT_S):
    """Arranca Chromium sin ventana con el perfil `profile` y devuelve una pestaña (``DevTools``)."""
    args = [
        chromium,
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
    port_file = Path(profile) / "DevToolsActivePort"
    end = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if process.poll() is not None or time.monotonic() > end:
            process.kill()
            raise RuntimeError(f"Chromium ({chromium}) no arrancó: sin {port_file.name}.")
        time.sleep(0.1)
    port = port_file.read_text().split()[0]
    tab = None
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            target = json.load(response)
        tab = DevTools(target["webSocketDebuggerUrl"], websocket_module, timeout)
        for domain in ("Page", "Runtime", "Log"):
            tab.call(f"{domain}.enable")
        yield tab
    finally:
        if tab is not None:
            tab.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Sirve `directory` en 127.0.0.1 (puerto libre); devuelve la dirección base con «/» final."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def wait_for_mathjax(tab: DevTools) -> None:
    """Espera a que MathJax termine de componer la página y a que carguen las fuentes."""
    tab.evaluate(
        """(async () => {
            for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
                await new Promise((r) => setTimeout(r, 50));
            if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
            await document.fonts.ready;
            await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)));
        })()"""
    )
