"""The page check (tests/page_check.py) finds what a grader should not meet: shown here on two
notebooks' pages as printed at commit 8bf836b (their print HTML without images, and their text;
tests/fixtures/pages-8bf836b). The smoke run's PDFs pass it (tests/test_integration.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import page_check
from helpers.core import parameters

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages-8bf836b"


def every_parameter() -> set[str]:
    return {name for notebook in parameters.list_notebooks()
            for name in parameters.notebook_defaults(notebook)}


@pytest.mark.parametrize("notebook, expected", [
    ("02_baseline_cnn", {"path", "dict", "log line", "snake_case name", "percent with a space",
                         "parameter name", "heading at the foot of page 4", "title metadata"}),
    ("07_parameter_budget", {"path", "dict", "log line", "snake_case name",
                             "percent with a space", "parameter name",
                             "heading at the foot of page 6", "title metadata"})])
def test_the_check_finds_what_the_pages_of_8bf836b_showed(notebook, expected) -> None:
    html = gzip.decompress((FIXTURES / f"{notebook}.html.gz").read_bytes()).decode()
    pages = gzip.decompress((FIXTURES / f"{notebook}.txt.gz").read_bytes()).decode().split("\f")
    found = page_check.problems(html, pages[:-1], "Notebook", "02 · The baseline CNN",
                                every_parameter())
    assert {problem.split(":")[0] for problem in found} == expected
    assert "path: '/tmp/base/data/synthetic'" in found
    assert any(problem.startswith("log line: 'kept epoch") for problem in found)


def test_clean_pages_pass() -> None:
    html = ('<div class="jp-MarkdownCell"><h2>Results</h2><p>Our recipe reached 58.1% with 3 '
            'random seeds.</p></div><div class="jp-CodeCell"><div class="jp-InputArea">'
            '<pre>seeds = 3; train_model()</pre></div></div>')
    pages = ["header\nResults\nOur recipe reached 58.1% with 3 random seeds.\nmore text\n"
             "page 1 of 1"]
    assert page_check.problems(html, pages, "Title", "Title", {"seeds"}) == []


def test_a_figure_below_a_heading_at_the_end_of_the_text_is_seen(tmp_path) -> None:
    """A text extract has no figures: a heading and its introduction followed by a figure end a
    page's text as a heading at its foot would. The drawing check tells them apart."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    pdf = tmp_path / "two.pdf"
    with PdfPages(pdf) as pages:
        for number, with_figure in ((1, True), (2, False)):
            page = Figure(figsize=(8.27, 11.69))
            page.text(0.1, 0.95, "A running header")
            page.text(0.1, 0.60 if with_figure else 0.15, "Diagnostics")
            if with_figure:
                figure = page.add_axes((0.1, 0.2, 0.8, 0.35))
                figure.fill([0, 1, 1, 0], [0, 0, 1, 1])
                figure.set_axis_off()  # a drawing without text, as a chart saved as an image is
            page.text(0.8, 0.03, f"page {number} of 2")
            pages.savefig(page)
    drawn_below = page_check.drawing_below(pdf)
    assert drawn_below(1) and not drawn_below(2)
