"""PDF export: nbconvert renders an executed notebook to HTML, a real headless Chromium prints it.

The browser is looked for in this order: ``$CHROME_PATH``; ``chromium``, ``chromium-browser``,
``google-chrome``, ``google-chrome-stable`` or ``chrome`` on the PATH; Playwright's Chromium
(``pip install playwright && playwright install chromium``).
"""

from __future__ import annotations

import os
import re
import shutil
from html import escape as html_escape
import subprocess
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from . import print_order

BROWSER_ENV = "CHROME_PATH"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_HINT = (
    "No Chromium or Chrome was found for the PDF export. Install one and run again:\n"
    "  Debian/Ubuntu: sudo apt-get install -y chromium\n"
    "  anywhere else: pip install playwright && playwright install chromium\n"
    f"  or point ${BROWSER_ENV} at a Chrome/Chromium binary; or run with --no-pdf."
)

# Print styles: A4 pages with a running header (title, profile) and page numbers, figures and
# tables never wider than the page nor split, headings kept with what follows them, text never
# broken inside a word or a number, no empty prompt column. HEADER is filled in per notebook.
PRINT_CSS = """
<style>
@page { size: A4; margin: 15mm 10mm 13mm;
  @top-left { content: "HEADER"; font: 8.5px sans-serif; color: #666; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8.5px sans-serif;
    color: #666; } }
body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.jp-RenderedHTMLCommon { font-size: 12px; line-height: 1.45; }
.jp-RenderedHTMLCommon h1 { font-size: 21px; margin-top: 0; }
.jp-RenderedHTMLCommon h2 { font-size: 16px; margin-top: 14px; }
.jp-RenderedHTMLCommon h3 { font-size: 13.5px; }
.jp-RenderedText pre { font-size: 9.5px; }
.jp-Notebook { padding: 0 !important; }
img { max-width: 100% !important; max-height: 250mm; width: auto; height: auto !important; }
/* a figure taller than a page is scaled down to one page (250 mm: A4 less margins and a caption) */
.jp-OutputArea-output table { font-size: 10.5px; }
.jp-OutputArea-output td, .jp-OutputArea-output th { padding: 0.25em 0.4em !important;
  overflow-wrap: normal; word-break: normal; }
.jp-OutputArea-output caption, .table-caption { font-size: 11px; font-weight: bold;
  color: #333; white-space: normal; text-align: left; margin: 0.6em 0 0.2em; }
.jp-RenderedMarkdown table { font-size: 10.5px; }
.jp-OutputArea-output { overflow: visible !important; }  /* no scroll bars on paper */
pre, .jp-InputArea-editor pre, .jp-RenderedText pre, .highlight pre { white-space: pre-wrap !important;
  overflow-wrap: break-word; word-break: normal; }
.jp-OutputArea-output .highlight pre, .jp-RenderedHTMLCommon .highlight pre, .jp-InputArea pre {
  font-family: "DejaVu Sans Mono", "Liberation Mono", monospace !important;
  font-size: 9px !important; line-height: 1.3 !important; }
img[src^="https://colab.research.google.com"], .colab-note { display: none; }  /* for Colab only */
/* an output may run on to the next page (a long table breaks between rows), a figure may not */
.jp-OutputArea-child, .jp-Cell { break-inside: auto !important; }
.jp-OutputArea-child, .jp-OutputArea-output { display: block !important;
  width: auto !important; }  /* a table cell ignores break-inside: a block keeps together what
  is asked to, and is no wider than the page, so that a wide table is scaled to it */
.jp-OutputArea-output img, .jp-OutputArea-output table tr, figure { break-inside: avoid; }
.jp-OutputArea-output thead th, .jp-OutputArea-output caption, .table-caption { break-after: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
.jp-MarkdownCell:has(.jp-RenderedMarkdown > :last-child:is(h1, h2, h3, h4)) { break-after: avoid; }
.jp-MarkdownCell:has(h2.appendix) { break-before: page; }
.keep-together, .jp-CodeCell .jp-InputArea, blockquote, .jp-RenderedMarkdown li {
  break-inside: avoid; }  /* a notice, a finding: read whole on one page */
.jp-InputPrompt, .jp-OutputPrompt { min-width: 0 !important; width: 0 !important;
  padding: 0 !important; visibility: hidden; }
</style>
"""
# A PDF has no scroll bar: a table wider than the page is scaled down to fit it, and one of up to
# 25 rows is kept on one page (a longer one breaks between rows). The browser lays
# the page out at the printable width (PRINT_WIDTH_PX), so the measurement holds for the print.
PRINT_WIDTH_PX = 718  # A4 (210 mm) less the 2 x 10 mm margins, at 96 px per inch
FIT_TABLES_SCRIPT = """
<script>
window.addEventListener("load", () => {
  const PAGE_HEIGHT_PX = 900;  // what an A4 page holds between its header and its footer
  for (const table of document.querySelectorAll(".jp-OutputArea-output table, .jp-MarkdownCell table")) {
    // a caption as wide as the page, not squeezed to its table's width
    const caption = table.querySelector(":scope > caption");
    if (caption) {
      const above = document.createElement("div");
      above.className = "table-caption";
      above.innerHTML = caption.innerHTML;
      table.before(above);
      caption.remove();
    }
    // a short cell ("CIFAR-10", "✗ missed", "83.8% to 89.6%") on one line; in a longer one a
    // number stays with the word before it, and a range ("0-9") or a hyphened word ("test-time")
    // stays whole
    for (const cell of table.querySelectorAll("td, th"))
      if (cell.textContent.trim().length <= 20) cell.style.whiteSpace = "nowrap";
    // words read from the left, numbers line up on the right: a column of mostly words is
    // left-aligned, its header too, and one of long names is not squeezed below 9em
    const rows = [...table.querySelectorAll("tbody tr")];
    for (let column = 0; column < Math.max(0, ...rows.map(row => row.cells.length)); column++) {
      const filled = rows.map(row => row.cells[column]).filter(cell => cell && cell.textContent.trim());
      const words = filled.filter(cell => {  // a figure, a range or a count in words is a number
        const figure = cell.textContent.replace(/\\(.*\\)|billion|million|to/g, "");
        return !/[0-9]/.test(figure) || /[A-Za-z]{2,}/.test(figure);
      });
      if (!filled.length || 2 * words.length <= filled.length) continue;
      const long = filled.some(cell => cell.textContent.trim().length > 20);
      for (const row of table.rows)
        if (row.cells.length === rows[0].cells.length) {
          row.cells[column].style.textAlign = "left";
          if (long) row.cells[column].style.minWidth = "9em";
        }
    }
    const texts = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode())
      node.nodeValue = node.nodeValue.replace(/([0-9A-Za-z])-([0-9A-Za-z])/g, "$1\u2011$2")
        .replace(/([A-Za-z]) (?=[0-9+(])/g, "$1\u00a0").replace(/([0-9]) [+] /g, "$1\u00a0+\u00a0")
        .replace(/([0-9]) (?=[a-z])/g, "$1\u00a0");
    const room = table.parentElement.clientWidth;
    if (table.scrollWidth > room) table.style.zoom = room / table.scrollWidth;
    // a table that fits on a page is not split (a long one breaks between its rows)
    const holder = table.closest(".jp-OutputArea-child, .jp-MarkdownCell");  // its caption too
    if (table.rows.length <= 25 && holder.offsetHeight <= PAGE_HEIGHT_PX) {
      for (const whole of [table, holder])
        whole.style.setProperty("break-inside", "avoid", "important");
    }
  }
  // a heading (and its introduction) stays on the page of what it introduces: the heading's cell
  // and the next cell's first output (or the next cell itself) in one block that does not break,
  // measured once the tables above have their final size
  for (const cell of document.querySelectorAll(".jp-MarkdownCell")) {
    const first = cell.querySelector(".jp-RenderedMarkdown > :first-child");
    const next = cell.nextElementSibling;
    if (!first || !/^H[1-4]$/.test(first.tagName) || !next || first.classList.contains("appendix"))
      continue;
    const group = document.createElement("div");
    group.className = "keep-together";
    const output = next.querySelector(".jp-OutputArea-child");
    const input = next.querySelector(".jp-Cell-inputWrapper");
    const shown = input && input.offsetHeight > 0 ? null : output;
    // a block taller than a page would leave a page blank: a table a little too tall is scaled
    // to fit under its heading; otherwise the heading only avoids a break after it
    const over = (PAGE_HEIGHT_PX - cell.offsetHeight) / (shown || next).offsetHeight;
    const table = shown && shown.querySelector("table");
    if (over < 1 && table && over >= 0.7) table.style.zoom = (parseFloat(table.style.zoom) || 1) * over;
    else if (over < 1) continue;
    if (shown) {
      shown.before(group);
      group.append(cell, shown);
    } else {
      cell.before(group);
      group.append(cell, next);
    }
  }
});
</script>
"""


class ExportError(RuntimeError):
    """No browser, or the browser failed to print."""


def find_browser() -> str | None:
    """The path of a Chromium or Chrome that can print PDFs, or None."""
    configured = os.environ.get(BROWSER_ENV)
    if configured:
        return configured if Path(configured).is_file() else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    candidates = sorted(cache.glob("chromium-*/chrome-linux*/chrome"), reverse=True)
    return str(candidates[0]) if candidates else None


def running_header(notebook: nbformat.NotebookNode) -> str:
    """The header of every printed page: the notebook's title and the run's profile."""
    profile = notebook.metadata.get("papermill", {}).get("parameters", {}).get("profile")
    text = print_order.title(notebook) + (f" \u2014 {profile} profile" if profile else "")
    return text.replace("\\", "").replace('"', "'")


def notebook_to_html(notebook: Path, html: Path) -> Path:
    """The executed notebook as the PDF shows it (``print_order.for_print``) in HTML."""
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = ""  # the narrative uses no LaTeX; offline, a CDN script only slows printing
    exporter.register_preprocessor(print_order.remover(), enabled=True)
    executed = nbformat.read(notebook, as_version=4)
    body, _ = exporter.from_notebook_node(print_order.for_print(executed))
    css = PRINT_CSS.replace("HEADER", running_header(executed))
    body = re.sub(r"<title>.*?</title>", f"<title>{html_escape(print_order.title(executed))}</title>",
                  body, count=1, flags=re.S)  # the PDF's title metadata
    body = body.replace("</head>", css + "</head>", 1)
    html.write_text(body.replace("</body>", FIT_TABLES_SCRIPT + "</body>", 1), encoding="utf-8")
    return html


def html_to_pdf(html: Path, pdf: Path, browser: str, timeout: int = 180) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (no header or footer, backgrounds kept)."""
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile_dir:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", f"--user-data-dir={profile_dir}",
            "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000", f"--window-size={PRINT_WIDTH_PX},1000",
            f"--print-to-pdf={pdf}", html.resolve().as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise ExportError(f"{browser} did not print {html} (exit {result.returncode}):\n"
                          f"{result.stderr[-2000:]}")
    return pdf


def notebook_to_pdf(notebook: Path, pdf: Path, browser: str) -> Path:
    """Executed notebook -> HTML beside the PDF -> PDF."""
    html = notebook_to_html(notebook, pdf.with_suffix(".html"))
    return html_to_pdf(html, pdf, browser)
