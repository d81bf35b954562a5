"""Sizes a reader can hold: every module and notebook source at most 250 lines, every code cell
but the parameters cell at most 15, and the training loop's ``fit`` under 40."""

from __future__ import annotations

import inspect
from pathlib import Path

import nbformat

from helpers.core import parameters
from helpers.training import loop

ROOT = Path(__file__).resolve().parents[1]


def test_every_module_and_notebook_source_is_at_most_250_lines() -> None:
    files = [*ROOT.glob("helpers/**/*.py"), *ROOT.glob("notebooks/src/*.py")]
    long = {str(path.relative_to(ROOT)): lines for path in files
            if (lines := len(path.read_text().splitlines())) > 250}
    assert len(files) > 60 and not long, long


def test_no_code_cell_but_the_parameters_cell_is_over_15_lines() -> None:
    long = [(notebook.name, cell.source.splitlines()[0])
            for notebook in [*parameters.list_notebooks(), ROOT / "notebooks" / "summary.ipynb"]
            for cell in nbformat.read(notebook, as_version=4).cells[2:]  # after the setup cell
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", [])
            and len(cell.source.splitlines()) > 15]
    assert not long, long


def test_fit_is_under_40_lines() -> None:
    assert len(inspect.getsource(loop.fit).splitlines()) < 40
