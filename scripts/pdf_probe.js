// Medidas del libro unido (scripts/build_pdf.py), con el medio «print» y la ventana del
// ancho de la columna impresa. Devuelve los problemas (algo que sale de la columna o
// queda recortado, una ecuación sin componer, una figura sin número o sin pie), el texto
// agrupado por la familia de letra con que se dibuja (para comprobar los glifos) y cuentas.
() => {
  const problems = [];
  const TOL = 1;
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const snippet = (el, n = 60) => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, n);
  const where = (el) => {
    const page = el.closest("section.pdf-page");
    const section = el.closest("section:not(.pdf-page)");
    const heading = section ? section.querySelector("h1, h2, h3, h4") : null;
    const title = heading ? snippet(heading, 70) : "";
    return `${page ? page.dataset.source : "portada"}, sección «${title}»`;
  };
  const report = (kind, el, measure) =>
    problems.push({ kind, where: where(el), text: snippet(el), measure, tag: el.tagName.toLowerCase() });

  // Borde derecho de lo que se ve dentro de `el`: las fórmulas (mjx-math) o el texto.
  const inked = (el) => {
    const formulas = el.tagName === "MJX-MATH" ? [el] : Array.from(el.querySelectorAll("mjx-math"));
    if (formulas.length) return Math.max(...formulas.map((m) => m.getBoundingClientRect().right));
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().right;
  };

  const pages = Array.from(document.querySelectorAll("section.pdf-page"));
  for (const page of pages) {
    const column = page.getBoundingClientRect();
    // 1. Nada sale de la columna: se informa del elemento más externo que sobresale.
    const stack = Array.from(page.children);
    while (stack.length) {
      const el = stack.pop();
      if (!visible(el) || el.closest("mjx-assistive-mml")) continue;
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.right > column.right + TOL || box.left < column.left - TOL)) {
        report("desborde", el, `ocupa de x = ${Math.round(box.left)} a ${Math.round(box.right)} px; la columna, de ${Math.round(column.left)} a ${Math.round(column.right)} px`);
        continue;
      }
      // 2. Contenido recortado dentro de su caja (en papel no hay barra de desplazamiento).
      // scrollWidth cuenta también el MathML invisible de accesibilidad de MathJax: se mide
      // lo que se dibuja (las fórmulas compuestas, o el texto).
      const style = getComputedStyle(el);
      if (style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + TOL) {
        const drawn = inked(el);
        const inner = box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
        if (drawn > inner + TOL) {
          report("recorte", el, `lo dibujado acaba ${Math.round(drawn - inner)} px más allá de su caja, que lo recorta (overflow-x: ${style.overflowX})`);
          continue;
        }
      }
      if (el.tagName !== "MJX-CONTAINER") stack.push(...el.children);
    }
  }

  // 3. Ecuaciones compuestas por MathJax, sin errores.
  for (const block of document.querySelectorAll("div.math")) {
    if (!block.querySelector("mjx-container")) report("ecuación", block, "MathJax no la ha compuesto");
  }
  for (const error of document.querySelectorAll("mjx-merror")) report("ecuación", error, "error de MathJax");

  // 4. Cada imagen, en una figura con número y pie.
  for (const img of document.querySelectorAll("section.pdf-page img")) {
    const figure = img.closest("figure");
    const caption = figure ? figure.querySelector("figcaption") : null;
    const number = caption ? caption.querySelector(".caption-number") : null;
    if (!figure || !caption || !number || !snippet(caption).replace(snippet(number), "").trim()) {
      const missing = !figure ? "imagen fuera de una figura" : !caption ? "figura sin pie" : !number ? "figura sin número" : "pie vacío";
      report("figura", img, missing);
    }
    if (!img.complete || img.naturalWidth === 0) report("figura", img, "la imagen no cargó");
  }

  // 5. Texto por familia de letra: cada carácter visible con el primer sitio donde aparece.
  const byFamily = {};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, mjx-assistive-mml") || !visible(parent)) continue;
    // Dentro de MathJax solo el texto de \text{...} (mjx-utext) se dibuja con letra del sistema.
    if (parent.closest("mjx-container") && !parent.closest("mjx-utext")) continue;
    const family = getComputedStyle(parent).fontFamily;
    const chars = (byFamily[family] = byFamily[family] || {});
    for (const ch of node.textContent) {
      if (!(ch in chars)) chars[ch] = where(parent);
    }
  }

  // Líneas de código partidas para caber (white-space: pre-wrap): una cuenta, no un error.
  let wrapped = 0;
  let codeLines = 0;
  for (const pre of document.querySelectorAll("section.pdf-page pre")) {
    const lines = pre.textContent.replace(/\n$/, "").split("\n").length;
    const lineHeight = parseFloat(getComputedStyle(pre).lineHeight);
    const style = getComputedStyle(pre);
    const inner = pre.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    codeLines += lines;
    wrapped += Math.max(0, Math.round(inner / lineHeight) - lines);
  }

  return {
    problems,
    byFamily,
    counts: {
      pages: pages.length,
      figures: document.querySelectorAll("section.pdf-page figure").length,
      equations: document.querySelectorAll("div.math").length,
      codeLines,
      wrappedCodeLines: wrapped,
    },
  };
}
