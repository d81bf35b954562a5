"""What the PDF shows of an executed notebook, and in which order.

A notebook is written for the student who runs it: set-up first, then the work, the findings at
the end. The PDF is written for the grader: the title, the findings, the work, then the appendix
(the settings of the run first). Cells say where they belong by their tags (the .ipynb keeps
everything):

- ``setup``, ``parameters``, ``injected-parameters`` (papermill's): not printed; the
  parameters are printed once, as the "Settings of this run" table of the appendix;
- ``hide-input``: the output is printed, not the code of a cell whose only job is to build a
  table, a sentence or a figure (the code that trains, loads or builds is printed);
- ``findings``: moved under the title (its code hidden);
- ``appendix``: moved to the end, under an "Appendix" heading (its code hidden).
"""

from __future__ import annotations

import ast
import html
from typing import Any

import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

HIDDEN_CELLS = ("setup", "parameters", "injected-parameters")
HIDDEN_INPUTS = ("hide-input", "findings", "appendix")
FINDINGS, APPENDIX = "findings", "appendix"


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def title(notebook: nbformat.NotebookNode) -> str:
    """The notebook's title: the first Markdown heading's text."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def defaults(source: str) -> list[tuple[str, Any, str]]:
    """(name, value, comment) of each assignment of a parameters cell, in order."""
    lines = source.splitlines()
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            comment = lines[node.lineno - 1].partition("#")[2].strip()
            found.append((node.targets[0].id, ast.literal_eval(node.value), comment))
    return found


def settings_markdown(notebook: nbformat.NotebookNode) -> str | None:
    """The "Settings of this run" table: each parameter, what it means, its value in this run and
    in the full profile (the parameters cell's defaults); rows that differ are in bold."""
    cell = next((c for c in notebook.cells if "parameters" in tags(c)), None)
    if cell is None:
        return None
    this_run = notebook.metadata.get("papermill", {}).get("parameters", {})
    rows = ["| parameter | meaning | this run | full profile |", "|---|---|---|---|"]
    for name, default, comment in defaults(cell.source):
        value = this_run.get(name, default)
        shown = [f"`{name}`", html.escape(comment).replace("|", "/"), _value(value),
                 _value(default)]
        if value != default:
            shown = [f"**{part}**" for part in shown]
        rows.append("| " + " | ".join(shown) + " |")
    return ("### Settings of this run\n\nThe notebook's parameters (in bold where this run "
            "differs from the full profile).\n\n" + "\n".join(rows))


def _value(value: Any) -> str:
    """A number as a figure ("1,000"); a string, a truth value or None as the code to type; a
    path in words (the machine's folders are no one else's: the .ipynb keeps it)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) else str(value)
    if isinstance(value, str) and ("/" in value or "\\" in value):
        return "a folder of the machine that ran it"
    return f"`{value!r}`".replace("'", '"')


def for_print(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` in the PDF's order: the title, the findings, the body, then the
    appendix - its heading in one block with the settings of the run, so that it never stands
    alone on a page - and the cells tagged for it. Hidden cells and inputs stay, for nbconvert's
    ``TagRemovePreprocessor`` (:func:`remover`)."""
    cells = [nbformat.from_dict(dict(cell)) for cell in notebook.cells]
    head, body = cells[:1], cells[1:]
    findings = [c for c in body if FINDINGS in tags(c)]
    appendix = [c for c in body if APPENDIX in tags(c)]
    middle = [c for c in body if FINDINGS not in tags(c) and APPENDIX not in tags(c)]
    settings = settings_markdown(notebook)
    detail = ", then the full detail behind the compact figures above" if appendix else ""
    opening = ('<h2 class="appendix">Appendix</h2>\n\nThe settings of this run' + detail + "."
               + (f"\n\n{settings}" if settings else ""))
    ordered = [*head, *findings, *middle, nbformat.v4.new_markdown_cell(opening), *appendix]
    printed = nbformat.from_dict(dict(notebook))
    printed.cells = ordered
    return printed


def remover() -> TagRemovePreprocessor:
    """nbconvert's preprocessor that drops the hidden cells and the hidden inputs."""
    return TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_CELLS),
                                 remove_input_tags=set(HIDDEN_INPUTS), enabled=True)
