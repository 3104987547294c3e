// Medidas de una página del libro, ejecutadas en Chromium por tests/test_pages.py.
// Devuelve un objeto JSON: problemas encontrados, ids y enlaces para la comprobación
// de enlaces internos. `WIDE` es true a 1280 px (nada puede desbordar) y false a 390 px
// (las ecuaciones pueden desplazarse, pero no recortarse).
(WIDE) => {
  const problems = [];
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const column = article.getBoundingClientRect();
  const TOL = 1;

  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";

  // Dónde está un elemento: número y título de la sección, y número de celda.
  const cells = Array.from(document.querySelectorAll("div.cell"));
  const where = (el) => {
    let section = el.closest("section");
    const heading = section ? section.querySelector("h1, h2, h3, h4") : null;
    const title = heading ? heading.textContent.replace("#", "").trim().replace(/\s+/g, " ") : "";
    const cell = el.closest("div.cell");
    const index = cell ? cells.indexOf(cell) + 1 : 0;
    return (cell ? `celda de código ${index} de ${cells.length}, ` : "") + `sección «${title.slice(0, 70)}»`;
  };
  const snippet = (el, n = 60) => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, n);

  // El contenido cabe en su caja y la caja en la columna del artículo.
  const checkBox = (el, kind, mayScroll) => {
    if (!visible(el)) return;
    const box = el.getBoundingClientRect();
    const overflowX = getComputedStyle(el).overflowX;
    const scrolls = overflowX === "auto" || overflowX === "scroll";
    const excess = el.scrollWidth - el.clientWidth;
    if (excess > TOL && !(mayScroll && scrolls)) {
      const how = scrolls ? "se desplaza de lado" : "queda recortado";
      problems.push({
        kind: "desborde", element: kind, where: where(el), text: snippet(el),
        measure: `contenido de ${el.scrollWidth} px en una caja de ${el.clientWidth} px (${how}; overflow-x: ${overflowX})`,
      });
    } else if (box.right > column.right + TOL) {
      problems.push({
        kind: "desborde", element: kind, where: where(el), text: snippet(el),
        measure: `la caja acaba en x = ${Math.round(box.right)} px y la columna en x = ${Math.round(column.right)} px`,
      });
    }
  };

  // Ecuaciones en bloque: el contenedor de MathJax y el bloque de Sphinx que lo contiene.
  for (const block of article.querySelectorAll("div.math")) {
    const jax = block.querySelector("mjx-container");
    if (!jax) {
      problems.push({ kind: "tex", element: "ecuación", where: where(block), text: snippet(block), measure: "MathJax no la ha compuesto" });
      continue;
    }
    checkBox(jax, "ecuación " + (block.querySelector(".eqno") ? snippet(block.querySelector(".eqno"), 12).replace("#", "") : "sin número"), !WIDE);
    if (jax.scrollWidth <= jax.clientWidth + TOL) checkBox(block, "bloque de ecuación", !WIDE);
  }

  if (WIDE) {
    for (const pre of article.querySelectorAll("div.cell_input pre, div.highlight pre")) {
      if (!pre.closest("div.cell_output")) checkBox(pre, "código", false);
    }
    for (const out of article.querySelectorAll("div.cell_output pre, div.cell_output table, div.cell_output img")) {
      checkBox(out, "salida", false);
    }
    for (const out of article.querySelectorAll("div.cell_output > div.output")) checkBox(out, "salida", false);

    // Cada figura de capítulo (imagen en la salida de una celda) con número y pie.
    for (const img of article.querySelectorAll("div.cell_output img")) {
      const figure = img.closest("figure");
      const caption = figure ? figure.querySelector("figcaption") : null;
      const number = caption ? caption.querySelector(".caption-number") : null;
      if (!figure || !caption || !number || !snippet(caption).replace(snippet(number), "").trim()) {
        const missing = !figure ? "no está en un <figure>" : !caption ? "sin pie (<figcaption>)" : !number ? "sin número" : "pie vacío";
        problems.push({ kind: "figura", element: "figura", where: where(img), text: img.getAttribute("alt") || "", measure: missing });
      }
    }

    // Una sola caja de búsqueda visible.
    const searches = Array.from(document.querySelectorAll("form.bd-search, .search-button-field, button.search-button"))
      .filter((el) => visible(el) && el.getBoundingClientRect().width > 0 && !el.closest(".search-button__wrapper, .bd-search-container, article"));
    if (searches.length > 1) {
      problems.push({ kind: "tema", element: "búsqueda", where: "cabecera y barras laterales", text: "", measure: `${searches.length} cajas de búsqueda visibles` });
    }
  }

  if (!WIDE) return { problems };

  // Texto visible fuera del código: TeX y MyST en crudo.
  const prose = [];
  const code = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, mjx-container, mjx-assistive-mml") || !visible(parent)) continue;
    (parent.closest("pre, code, div.cell_output") ? code : prose).push([node.textContent, parent]);
  }
  const RAW = [
    [/\$\$/, "TeX en crudo"], [/\\(frac|begin|end|mathbb|mathcal|text|sum|int|left|right|log|mid|theta|phi|mu|sigma)\b/, "TeX en crudo"],
    [/```\{|\{(eq|doc|ref|numref|cite|cite:p|cite:t|math|term|download)\}`|^:::|\s:::/, "MyST en crudo"],
  ];
  for (const [text, parent] of prose) {
    for (const [pattern, what] of RAW) {
      const m = text.match(pattern);
      if (m) problems.push({ kind: "crudo", element: what, where: where(parent), text: text.trim().slice(0, 80), measure: `«${m[0].trim()}» visible` });
    }
  }

  // Etiquetas internas de ecuaciones y marcas de las pruebas visibles para el lector.
  const labels = Array.from(article.querySelectorAll("div.math[id^='equation-'], span[id^='equation-']"))
    .map((el) => el.id.replace(/^equation-/, ""));
  for (const [text, parent] of prose.concat(code)) {
    for (const label of labels) {
      if (text.includes(`(${label})`)) {
        problems.push({ kind: "etiqueta", element: "etiqueta interna", where: where(parent), text: text.trim().slice(0, 80), measure: `«(${label})» en vez del número de la ecuación` });
      }
    }
    const marker = text.match(/#\s*NBVAL_[A-Z_]+/);
    if (marker) problems.push({ kind: "etiqueta", element: "marca de prueba", where: where(parent), text: "", measure: `«${marker[0]}» visible en el código` });
  }

  // Citas: autor–año en español.
  for (const a of article.querySelectorAll("a[href*='bibliografia.html#'], a[href^='#id']")) {
    const t = snippet(a, 120);
    if (a.closest(".citation") || !/\d{4}/.test(t)) continue;
    if (/ and |\[|\]/.test(t)) problems.push({ kind: "inglés", element: "cita", where: where(a), text: t, measure: "cita con «and» o corchetes" });
  }

  // Textos de la interfaz (atributos y texto fuera del código) para la lista de inglés.
  const interfaceText = [];
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder], [alt], [data-bs-original-title]")) {
    if (el.closest("div.cell_output, pre")) continue;
    for (const name of ["title", "aria-label", "placeholder", "alt", "data-bs-original-title"]) {
      const v = el.getAttribute(name);
      if (v) interfaceText.push(`${name}=${v}`);
    }
  }
  const outside = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = outside.nextNode(); node; node = outside.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, pre, code, mjx-container, div.cell_output, div.cell_input") || !visible(parent)) continue;
    const t = node.textContent.replace(/\s+/g, " ").trim();
    if (t) interfaceText.push(t);
  }
  const bibliography = Array.from(document.querySelectorAll(".citation")).map((el) => snippet(el, 400));

  const ids = Array.from(document.querySelectorAll("[id]")).map((el) => el.id);
  const links = Array.from(document.querySelectorAll("a[href]")).map((a) => a.href);
  return { problems, interfaceText, bibliography, ids, links };
}
