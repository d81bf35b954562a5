"""A notebook opened by hand in Jupyter (run by a Jupyter kernel through nbclient, as "Run All"
does) with only its profile changed in the parameters cell: it takes that profile's settings from
the same file, through the same code, as run_all.sh, says so in one sentence, and writes the same
results. Both runs happen in a copy of this checkout, whose data folder they may fill."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from conftest import local_repository

pytestmark = pytest.mark.integration
TIMING = ["seconds", "images_per_s"]


def by_hand(project: Path, notebook: str, reports: Path, **changed: str) -> nbformat.NotebookNode:
    """``notebook`` of ``project`` with the parameters cell's values ``changed`` (written as a
    person types them), run top to bottom in a Jupyter kernel."""
    path = project / "notebooks" / f"{notebook}.ipynb"
    opened = nbformat.read(path, as_version=4)
    cell = next(c for c in opened.cells if "parameters" in c.metadata.get("tags", []))
    lines = cell.source.split("\n")
    for name, value in changed.items():
        lines = [f"{name} = {value}" if line.startswith(f"{name} = ") else line for line in lines]
    cell.source = "\n".join(lines)
    os.environ["REPORTS_ROOT"] = str(reports)
    NotebookClient(opened, kernel_name="python3", timeout=900,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return opened


def test_a_profile_typed_into_the_parameters_cell_means_what_run_all_means(tmp_path,
                                                                           monkeypatch) -> None:
    project = local_repository(tmp_path / "project")
    previous = os.environ.get("REPORTS_ROOT")
    monkeypatch.setenv("PYTHON", sys.executable)
    piped = subprocess.run([str(project / "run_all.sh"), "--profile", "smoke", "--only", "02",
                            "--no-pdf"], capture_output=True, text=True, timeout=900,
                           env={**os.environ, "REPORTS_ROOT": str(tmp_path / "piped")})
    assert piped.returncode == 0, piped.stdout[-2000:] + piped.stderr[-2000:]
    try:
        opened = by_hand(project, "02_baseline_cnn", tmp_path / "by-hand", profile='"smoke"')
    finally:
        os.environ["REPORTS_ROOT"] = previous or ""
    said = "".join(output.get("text", "") for cell in opened.cells
                   for output in cell.get("outputs", []) if output.get("name") == "stdout")
    assert "Profile smoke: this notebook took 6 value(s) from params/smoke.yaml" in said
    assert "epochs = 2" in said and "seeds = 2" in said and "set by hand" not in said
    expected, got = (pd.read_csv(root / "smoke" / "results" / "02_baseline_cnn.csv")
                     for root in (tmp_path / "piped", tmp_path / "by-hand"))
    assert sorted(got["seed"].unique()) == [0, 1]  # the smoke profile's two random seeds
    assert (got.loc[got["recipe"] == "source", "epochs_run"] == 2).all()
    pd.testing.assert_frame_equal(expected.drop(columns=TIMING), got.drop(columns=TIMING))
