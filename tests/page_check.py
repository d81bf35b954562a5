"""What a machine can see on a printed notebook that a grader should not: local paths, printed
dicts, training log lines, code identifiers (parameter names, snake_case names) in prose and
tables, a second percent style, a heading that ends a page or stands alone on one, and PDF title
metadata that is not the notebook's title. Code cells that teach (the loop, the models' source)
are code, not prose, and are not read; nor is the appendix's settings table, a table of the
notebook's parameters by name."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Callable

import numpy as np
from bs4 import BeautifulSoup

CHECKS = {
    "path": re.compile(r"(?<![\w.])/(?:[\w.-]+/){2,}[\w.-]*"),
    "dict": re.compile(r"\{'[^']+': "),
    "log line": re.compile(r"\bepoch \d+/\d+\b|kept epoch \d+ \(validation|training reused|"
                           r"\btrain_loss\b|\brun_all:"),
    "snake_case name": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "percent with a space": re.compile(r"\d[ \u00a0]%"),
}


def _without_code(html: str, code: str) -> BeautifulSoup:
    """The print HTML without the elements ``code`` selects and without the settings table."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.select(code):
        element.decompose()
    for heading in soup.find_all(["h2", "h3"]):
        if heading.get_text(strip=True).startswith("Settings of this run"):
            table = heading.find_next("table")
            if table is not None:
                table.decompose()
    return soup


def readable_text(html: str, inline_code: bool = False) -> str:
    """The prose, captions, table cells and printed outputs of a print HTML, without code cells,
    code shown by the notebook, and the settings table; ``inline_code``: with the prose's code
    words (a parameter's name in backticks is still a parameter's name in prose)."""
    code = ".jp-CodeCell .jp-InputArea, .highlight, pre code" + ("" if inline_code else ", code")
    return _without_code(html, code).get_text(" ", strip=True)


def code_words(html: str) -> list[str]:
    """The words set in code inside the prose (not in code cells, code shown or the settings)."""
    soup = _without_code(html, ".jp-CodeCell .jp-InputArea, .highlight, pre")
    return [code.get_text(strip=True) for code in soup.find_all("code")]


def squeezed(text: str) -> str:
    return " ".join(text.replace("¶", " ").split())


def sections(html: str) -> dict[str, str]:
    """Each heading's text -> the text of its Markdown cell (the heading and its introduction)."""
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for heading in soup.find_all(["h1", "h2", "h3"]):
        cell = heading.find_parent(class_="jp-MarkdownCell") or heading
        found[squeezed(heading.get_text(" "))] = squeezed(cell.get_text(" "))
    return found


def page_problems(pages: list[str], introduced: dict[str, str],
                  drawn_below: Callable[[int], bool] | None = None) -> list[str]:
    """A page that ends inside a heading's own cell (the heading, or it and its introduction,
    with what it introduces on the next page), or whose only text is a heading.
    ``drawn_below(page)``: whether a figure is drawn below the page's last line of text (a text
    extract has no figures: a heading and its introduction followed by a figure end the text)."""
    found = []
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines()[1:] if line.strip()
                 and not re.fullmatch(r"\s*page \d+ of \d+\s*", line)]
        text = squeezed(" ".join(lines))
        for heading, cell in introduced.items():
            at = text.rfind(heading)
            if at >= 0 and at > len(text) - len(cell) - 1 and cell.startswith(text[at:]) \
                    and not (drawn_below and drawn_below(number)):
                found.append(f"heading at the foot of page {number}: {heading!r}")
        if text and text in introduced:
            found.append(f"page {number} holds only {text!r}")
    return found


def problems(html: str, pages: list[str], title: str, expected_title: str,
             parameters: set[str], drawn_below: Callable[[int], bool] | None = None) -> list[str]:
    """Every problem a machine can see, each as "kind: what" (empty: none)."""
    text, with_code = readable_text(html), readable_text(html, inline_code=True)
    found = [f"{kind}: {match.group(0)!r}" for kind, pattern in CHECKS.items()
             for match in pattern.finditer(text)]
    found += [f"parameter name: {name!r}" for name in sorted(parameters)
              if "_" in name and re.search(rf"\b{name}\b", with_code)]
    found += [f"parameter name: {word!r}" for word in code_words(html) if word in parameters
              and "_" not in word]
    found += page_problems(pages, sections(html), drawn_below)
    if title != expected_title:
        found.append(f"title metadata: {title!r}")
    return found


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def pdf_title(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in info.splitlines()
                 if line.startswith("Title:")), "")


def drawing_below(pdf: Path) -> Callable[[int], bool]:
    """``drawn_below(page)`` for :func:`problems`: whether anything is drawn between a page's last
    line of text and its footer ("page n of m"), from the page rendered at 36 dpi."""
    def drawn_below(number: int) -> bool:
        pages = ["-f", str(number), "-l", str(number)]
        words = subprocess.run(["pdftotext", "-bbox", *pages, str(pdf), "-"], capture_output=True,
                               text=True, check=True).stdout
        height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', words).group(1))
        tops = [(float(top), float(bottom)) for top, bottom in
                re.findall(r'<word [^>]*yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', words)]
        footer = max(top for top, _ in tops)  # the footer is the lowest line
        text_end = max((bottom for top, bottom in tops if top < footer - 1), default=0.0)
        raw = subprocess.run(["pdftoppm", "-gray", "-r", "36", "-singlefile", *pages, str(pdf)],
                             capture_output=True, check=True).stdout
        width, rows = (int(value) for value in raw.split(b"\n")[1].split())
        image = np.frombuffer(raw[-width * rows:], dtype=np.uint8).reshape(rows, width)
        band = image[int(rows * text_end / height) + 2:int(rows * footer / height) - 1]
        return bool((band < 200).any())
    return drawn_below
