"""Edición en PDF del libro: las páginas compiladas, unidas e impresas con Chromium.

Uso, tras compilar el libro (``jupyter-book build . -W -n``; con MathJax local,
``GENMOD_MATHJAX_DIR``, como hace ``.ci/run``, no necesita red)::

    python scripts/build_pdf.py

1. Une el artículo de cada página del índice (``_toc.yml``: presentación, capítulos,
   apéndice, glosario, bibliografía) en un solo documento, con portada e índice. Los
   identificadores se prefijan con la página, de modo que las referencias a ecuaciones,
   figuras, capítulos, citas y términos del glosario son enlaces internos del PDF; el
   resto de enlaces internos apunta al sitio publicado. Las celdas con el código plegado
   se despliegan (en papel no se puede pulsar) y la celda de arranque de Colab se omite.
2. Lo abre en Chromium sin ventana (el mismo de la comprobación de páginas), espera a
   MathJax y lo mide con el medio «print» al ancho de la columna impresa
   (``scripts/pdf_probe.js``): nada puede salir de la columna ni quedar recortado, cada
   ecuación compuesta, cada imagen en una figura con número y pie, y cada carácter con un
   glifo en alguna de las letras que su estilo declara.
3. Lo imprime en A4 con números de página al pie y marcadores (el índice del lector de
   PDF). El índice del libro lleva la página de cada capítulo y sección: se imprime una vez
   para saberlas (los marcadores dicen en qué página cae cada título), se escriben y se
   vuelve a imprimir hasta que coinciden.

Escribe ``_build/html/libro.pdf`` (se publica junto al sitio; la barra lateral lo enlaza) y
``_build/pdf/informe.json`` (páginas, tamaño, tiempo, letras incrustadas y problemas). Sale
con código 1 si encuentra problemas y con 2 si no puede construir el PDF.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import devtools  # noqa: E402

HERE = Path(__file__).resolve().parent
CSS = (HERE / "pdf.css").read_text(encoding="utf-8")
PROBE = (HERE / "pdf_probe.js").read_text(encoding="utf-8")
HOST = "http://libro.invalid/"  # raíz ficticia para resolver los enlaces relativos de cada página

# A4 con márgenes de 15 mm a los lados: 180 mm de columna. Con la escala de impresión
# 0.85 la columna mide 800 px de CSS, el ancho del artículo del sitio a 1280 px, al que se
# ajustaron ecuaciones, código y salidas.
SCALE = 0.85
PAPER_IN = (210 / 25.4, 297 / 25.4)
COLUMN_MM = 180
COLUMN_PX = round(COLUMN_MM / 25.4 * 96 / SCALE)
FOOTER = (
    '<div style="width:100%;text-align:center;font-size:10px;color:#333;'
    "font-family:'Liberation Serif','DejaVu Serif',serif\"><span class=\"pageNumber\"></span></div>"
)


MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()


class BuildError(RuntimeError):
    """El PDF no se puede construir (falta el libro compilado, Chromium, MathJax local...)."""


def _problem(kind: str, where: str, measure: str, text: str = "") -> dict:
    """Un problema del informe, con los campos de los que devuelve scripts/pdf_probe.js."""
    return {"kind": kind, "where": where, "text": text, "measure": measure, "tag": ""}


def _config(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


# --- El documento unido -----------------------------------------------------------------


def toc_pages(root: Path = ROOT) -> list[tuple[str, str]]:
    """Páginas del libro en el orden de ``_toc.yml``: (ruta sin extensión, parte)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [(toc["root"], "")]
    for part in toc.get("parts", []):
        pages += [(chapter["file"], part.get("caption", "")) for chapter in part.get("chapters", [])]
    return pages


def site_url(root: Path = ROOT) -> str:
    """Dirección del sitio publicado (GitHub Pages) a partir de ``repository.url`` de ``_config.yml``."""
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", _config(root)["repository"]["url"])
    if match is None:
        raise BuildError("repository.url de _config.yml no es una dirección de GitHub.")
    owner, name = match.groups()
    return f"https://{owner.lower()}.github.io/{name}/"


def _slug(page: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", page).strip("-")


def _edition() -> str:
    """Fecha y confirmación de git de la edición (vacío fuera de un repositorio)."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs %h"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return ""
    if len(out) != 2:
        return ""
    year, month, day = (int(part) for part in out[0].split("-"))
    return f"Edición del {day} de {MONTHS[month - 1]} de {year} (versión {out[1]})"


def compose(html_dir: Path) -> tuple[str, list[dict]]:
    """El libro en un solo HTML y las entradas del índice (nivel, título, ancla, página)."""
    from bs4 import BeautifulSoup

    pages = toc_pages()
    slugs = {f"{page}.html": _slug(page) for page, _ in pages}
    published = site_url()
    head_parts: list[str] = []
    bodies: list[str] = []
    entries: list[dict] = []
    config = _config()

    for index, (page, part) in enumerate(pages):
        path = html_dir / f"{page}.html"
        if not path.is_file():
            raise BuildError(f"Falta {path}: compile antes el libro («jupyter-book build . -W -n»).")
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        base = urljoin(HOST, f"{page}.html")
        slug = slugs[f"{page}.html"]

        if index == 0:  # hojas de estilo y MathJax (configuración y guion), de la primera página
            for link in soup.head.find_all("link", rel="stylesheet"):
                link["href"] = urlparse(urljoin(base, link["href"])).path
                head_parts.append(str(link))
            for script in soup.head.find_all("script"):
                source = script.get("src", "")
                if "mathjax" in source.lower():
                    # MathJax local (GENMOD_MATHJAX_DIR, como en .ci/run) o, sin él, la CDN.
                    resolved = urljoin(base, source)
                    script["src"] = urlparse(resolved).path if resolved.startswith(HOST) else resolved
                    head_parts.append(str(script))
                elif not source and "window.MathJax" in script.get_text():
                    head_parts.append(str(script))

        article = soup.select_one("article.bd-article")
        if article is None:
            raise BuildError(f"{path} no tiene <article class='bd-article'>: ¿otro tema?")
        for element in article.select("script, a.headerlink, summary, .prev-next-area, button"):
            element.decompose()
        # Código plegado en el sitio: desplegado en papel. La celda de arranque de Colab, fuera.
        for cell in article.select("div.cell"):
            code = cell.select_one("div.cell_input pre")
            if code is not None and code.get_text().lstrip().startswith("# Arranque en Colab"):
                cell.decompose()
        for details in article.select("details"):
            details.name = "div"
            details["class"] = [c for c in details.get("class", []) if c != "hide"] + ["pdf-unfolded"]
        for element in article.select("[id]"):
            element["id"] = f"{slug}--{element['id']}"
        for image in article.select("img[src]"):
            image["src"] = urlparse(urljoin(base, image["src"])).path
        for link in article.select("a[href]"):
            target, fragment = urldefrag(urljoin(base, link["href"]))
            if not target.startswith(HOST):
                continue  # enlace externo
            relative = target[len(HOST) :]
            if relative in slugs:
                link["href"] = f"#{slugs[relative]}--{fragment}" if fragment else f"#{slugs[relative]}"
            else:
                link["href"] = published + relative + (f"#{fragment}" if fragment else "")

        for heading in article.select("h1, h2"):
            level = 1 if heading.name == "h1" else 2
            if level == 2 and not part.startswith(("Cap", "Ap")):
                continue  # secciones en el índice: solo de capítulos y apéndice
            anchor = heading.find_parent("section")
            inner = "".join(str(child) for child in heading.children)
            if index == 0 and level == 1:
                inner = "Presentación"  # el título de la primera página es el del libro
            entries.append(
                {
                    "level": level,
                    "title": plain_title(re.sub(r"\s+", " ", BeautifulSoup(inner, "html.parser").get_text())),
                    "html": inner,
                    "anchor": anchor["id"] if anchor else slug,
                    "part": part,
                }
            )
        kind = "front" if index == 0 else "chapter"
        bodies.append(
            f'<section class="pdf-page pdf-{kind}" id="{slug}" data-source="{page}">'
            + "".join(str(child) for child in article.children)
            + "</section>"
        )

    title = config.get("title", "")
    author = config.get("author", "")
    cover = (
        '<div class="pdf-cover">'
        f'<div class="pdf-cover-title">{title}</div>'
        '<div class="pdf-cover-subtitle">Curso abierto, con el código de cada modelo</div>'
        f'<div class="pdf-cover-author">{author}</div>'
        f'<div class="pdf-cover-edition">{_edition()}<br>Edición en PDF del libro publicado en '
        f'<a href="{published}">{published}</a>, con las mismas salidas guardadas.</div>'
        "</div>"
    )
    toc = ['<nav class="pdf-toc"><div class="pdf-toc-title">Índice</div>']
    current_part = None
    for number, entry in enumerate(entries):
        if entry["part"] != current_part and entry["part"]:
            toc.append(f'<div class="pdf-toc-part">{entry["part"]}</div>')
        current_part = entry["part"]
        toc.append(
            f'<a class="pdf-toc-entry pdf-toc-level-{entry["level"]}" href="#{entry["anchor"]}">'
            f'<span class="pdf-toc-text">{entry["html"]}</span>'
            f'<span class="pdf-toc-page" data-entry="{number}">000</span></a>'
        )
    toc.append("</nav>")
    document = (
        '<!DOCTYPE html><html lang="es" data-theme="light" data-mode="light"><head><meta charset="utf-8">'
        f"<title>{title}</title>" + "".join(head_parts) + f"<style>{CSS}</style></head>"
        '<body><main class="bd-main"><div class="bd-content"><div class="bd-article-container">'
        '<article class="bd-article">' + cover + "".join(toc) + "".join(bodies) + "</article></div></div></main>"
        "</body></html>"
    )
    return document, entries


# --- Glifos -----------------------------------------------------------------------------

# Letras de reserva del PDF (.ci/run las instala): Chromium dibuja con ellas lo que no
# está en la pila declarada, p. ej. el 𝟙 que las letras de MathJax no tienen.
RESERVE = ("DejaVu Sans", "DejaVu Serif")
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-monospace", "math"}


def _installed_fonts() -> dict[str, list[str]]:
    """Familias instaladas (fontconfig) -> archivos."""
    out = subprocess.run(
        ["fc-list", "--format", "%{family}\t%{file}\n"], capture_output=True, text=True, check=True
    ).stdout
    fonts: dict[str, list[str]] = {}
    for line in out.splitlines():
        families, _, file = line.partition("\t")
        for family in families.split(","):
            fonts.setdefault(family.strip().lower(), []).append(file)
    return fonts


def _cmap(file: str, cache: dict) -> set[int]:
    if file not in cache:
        from fontTools.ttLib import TTFont

        try:
            cache[file] = set(TTFont(file, fontNumber=0, lazy=True).getBestCmap() or {})
        except Exception:  # letra que fontTools no lee: no aporta glifos
            cache[file] = set()
    return cache[file]


def missing_glyphs(by_family: dict[str, dict[str, str]]) -> list[dict]:
    """Caracteres sin glifo en ninguna de las letras de la pila que declara su estilo."""
    installed = _installed_fonts()
    cache: dict[str, set[int]] = {}
    problems = []
    for stack, chars in by_family.items():
        files = []
        for name in [n.strip().strip("\"'") for n in stack.split(",")] + list(RESERVE):
            if name.lower() in GENERIC:
                match = subprocess.run(["fc-match", "-f", "%{file}", name], capture_output=True, text=True)
                files.append(match.stdout.strip())
            else:
                files += installed.get(name.lower(), [])
        covered = set().union(*(_cmap(f, cache) for f in files if f)) if files else set()
        for ch, where in chars.items():
            category = unicodedata.category(ch)
            if ch in " \n\t\r" or category in ("Cc", "Cf") or ord(ch) in covered:
                continue
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            measure = f"«{ch}» ({name}) no está en ninguna letra de «{stack}» ni de reserva"
            problems.append(_problem("glifo", where, measure, text=ch))
    return problems


# --- Impresión --------------------------------------------------------------------------


def _print(tab, **options) -> bytes:
    result = tab.call(
        "Page.printToPDF",
        paperWidth=PAPER_IN[0],
        paperHeight=PAPER_IN[1],
        scale=SCALE,
        printBackground=True,
        preferCSSPageSize=True,
        transferMode="ReturnAsStream",
        **options,
    )
    chunks = []
    while True:
        piece = tab.call("IO.read", handle=result["stream"], size=1 << 20)
        chunks.append(base64.b64decode(piece["data"]) if piece.get("base64Encoded") else piece["data"].encode())
        if piece.get("eof"):
            break
    tab.call("IO.close", handle=result["stream"])
    return b"".join(chunks)


def _destination_pages(reader, entries: list[dict]) -> list[tuple[int, float] | None]:
    """Página (desde 0) y altura de cada entrada del índice, por su destino con nombre.

    Chromium crea un destino con nombre por cada ancla enlazada desde el documento, y el
    índice enlaza cada título: el destino dice en qué página cae.
    """
    named = reader.named_destinations
    found = []
    for entry in entries:
        destination = named.get("/" + entry["anchor"])
        if destination is None:
            found.append(None)
        else:
            found.append((reader.get_destination_page_number(destination), float(destination.get("/Top", 0))))
    return found


TEX_SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "sigma": "σ", "theta": "θ", "mu": "μ", "phi": "φ"}


def plain_title(title: str) -> str:
    """Título para los marcadores del PDF (texto sin MathJax): «El peso \\(\\beta\\)» -> «El peso β»."""
    title = title.replace("\\(", "").replace("\\)", "")
    return re.sub(r"\\([A-Za-z]+)", lambda m: TEX_SYMBOLS.get(m.group(1), m.group(1)), title).strip()


def build(html_dir: Path, out: Path, report_path: Path, check_only: bool = False) -> dict:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import Fit

    started = time.monotonic()
    chromium = devtools.find_chromium()
    if not chromium:
        raise BuildError("falta Chromium: instálelo («apt-get install chromium») o indique su ruta en GENMOD_CHROMIUM.")
    try:
        import websocket
    except ImportError as error:
        raise BuildError("falta el paquete de Python websocket-client (está en requirements.txt).") from error

    document, entries = compose(html_dir)
    work = html_dir / "_pdf"
    work.mkdir(exist_ok=True)
    (work / "libro.html").write_text(document, encoding="utf-8")
    try:
        with devtools.serve(html_dir) as base, tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
            with devtools.chromium_tab(chromium, Path(profile), websocket, timeout=600) as tab:
                tab.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=COLUMN_PX,
                    height=1100,
                    deviceScaleFactor=1,
                    mobile=False,
                )
                tab.call("Emulation.setEmulatedMedia", media="print")
                tab.call("Page.navigate", url=base + "_pdf/libro.html")
                tab.wait_for("Page.loadEventFired", timeout=600)
                devtools.wait_for_mathjax(tab)
                measured = tab.evaluate(f"({PROBE})()")
                problems = measured["problems"] + missing_glyphs(measured["byFamily"])
                if check_only:
                    return {"problems": problems, "counts": measured["counts"]}

                # Sin la portada: el índice es la página 1 (la portada se imprime aparte, sin número).
                cover = tab.evaluate(
                    "(() => { const c = document.querySelector('.pdf-cover'); c.remove(); return c.outerHTML; })()"
                )
                footer = {"displayHeaderFooter": True, "headerTemplate": "<span></span>", "footerTemplate": FOOTER}
                for attempt in range(4):
                    body = _print(tab, **footer)
                    reader = PdfReader(io.BytesIO(body))
                    located = _destination_pages(reader, entries)
                    numbers = [str(place[0] + 1) if place else "?" for place in located]
                    shown = tab.evaluate(
                        "Array.from(document.querySelectorAll('.pdf-toc-page')).map((e) => e.textContent)"
                    )
                    if shown == numbers:
                        break
                    if attempt == 3:
                        raise BuildError("los números de página del índice no se estabilizan.")
                    tab.evaluate(
                        f"(() => {{ const numbers = {json.dumps(numbers)};"
                        "document.querySelectorAll('.pdf-toc-page').forEach((e, i) => e.textContent = numbers[i]); })()"
                    )
                tab.evaluate(
                    f"(() => {{ document.querySelector('article.bd-article').innerHTML = {json.dumps(cover)}; }})()"
                )
                cover_pdf = _print(tab, displayHeaderFooter=False)
    finally:
        (work / "libro.html").unlink(missing_ok=True)
        work.rmdir()

    for entry, place in zip(entries, located, strict=True):
        if place is None:
            problems.append(_problem("índice", entry["title"], "sin destino en el PDF"))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover_pdf)))
    writer.append(reader)
    if len(writer.pages) != 1 + len(reader.pages):
        raise BuildError(f"la portada ocupa {len(writer.pages) - len(reader.pages)} páginas en vez de una.")
    # Numeración del lector de PDF como la del pie: la portada aparte, el índice es la 1.
    writer.set_page_label(0, 0, style="/r", prefix="portada")
    writer.set_page_label(1, len(writer.pages) - 1, style="/D", start=1)
    # Marcadores: capítulos y sus secciones, en la posición de cada título.
    parent = None
    for entry, place in zip(entries, located, strict=True):
        if place is None:
            continue
        fit = Fit.xyz(left=0, top=place[1])
        if entry["level"] == 1:
            parent = writer.add_outline_item(title=entry["title"], page_number=place[0] + 1, fit=fit)
        else:
            writer.add_outline_item(title=entry["title"], page_number=place[0] + 1, parent=parent, fit=fit)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": _config()["title"]})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)

    final = PdfReader(out)
    fonts = set()
    broken_links = 0
    links = 0
    named = final.named_destinations
    for page in final.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts.add((str(font.get("/BaseFont", "")).split("+")[-1], str(font.get("/Subtype", ""))))
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                links += 1
                broken_links += str(annotation["/Dest"]) not in named
    # Una página sin más texto que su número: el marco vacío de un bloque que no cupo.
    for number, page in enumerate(final.pages[1:], start=1):
        if page.extract_text().split() in ([], [str(number)]):
            problems.append(_problem("página vacía", f"página {number}", "sin texto"))
    if broken_links:
        problems.append(_problem("enlace", "PDF", f"{broken_links} de {links} enlaces internos sin destino"))
    report = {
        "pdf": str(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out),
        "pages": len(final.pages),
        "bytes": out.stat().st_size,
        "seconds": round(time.monotonic() - started, 1),
        "counts": measured["counts"],
        "fonts": sorted(f"{name} ({subtype})" for name, subtype in fonts),
        "internal_links": links,
        "toc": [
            {"title": e["title"], "level": e["level"], "page": p[0] + 1 if p else None}
            for e, p in zip(entries, located, strict=True)
        ],
        "problems": problems,
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="el libro compilado")
    parser.add_argument("--out", type=Path, default=None, help="el PDF (por defecto, libro.pdf en --html)")
    parser.add_argument("--report", type=Path, default=ROOT / "_build" / "pdf" / "informe.json")
    parser.add_argument("--check-only", action="store_true", help="solo las comprobaciones, sin imprimir")
    args = parser.parse_args(argv)
    try:
        report = build(
            args.html.resolve(), (args.out or args.html / "libro.pdf").resolve(), args.report.resolve(), args.check_only
        )
    except BuildError as error:
        print(f"ERROR: no se pudo construir el PDF: {error}", file=sys.stderr)
        return 2
    if args.check_only:
        for problem in report["problems"]:
            print(f"- {problem['kind']}: {problem['where']} — {problem['measure']} «{problem['text']}»")
        print(f"{len(report['problems'])} problemas; {report['counts']}")
        return 1 if report["problems"] else 0
    counts = report["counts"]
    print(
        f"{report['pdf']}: {report['pages']} páginas, {report['bytes'] / 2**20:.1f} MiB, {report['seconds']:.0f} s; "
        f"{counts['figures']} figuras, {counts['equations']} ecuaciones en bloque, {counts['codeLines']} líneas de "
        f"código ({counts['wrappedCodeLines']} partidas para caber)"
    )
    print("Letras incrustadas: " + ", ".join(report["fonts"]))
    for problem in report["problems"]:
        print(f"- {problem['kind']}: {problem['where']} — {problem['measure']} «{problem['text']}»")
    if report["problems"]:
        print(f"{len(report['problems'])} problemas (detalle en {args.report})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
