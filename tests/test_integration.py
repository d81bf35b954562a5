"""The smoke profile end to end through run_all.sh, PDFs included; a rehearsal of one notebook;
the full profile offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports" / "smoke"
pytestmark = pytest.mark.integration


def run_all(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "run_all.sh"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=1800)


def pdf_images(pdf: Path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
    return len(listing.strip().splitlines()) - 2  # two header lines


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="needs poppler-utils (./setup.sh)")
def test_smoke_profile_runs_every_notebook_with_its_pdf() -> None:
    result = run_all("--profile", "smoke")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    notebooks = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for name in notebooks:
        pdf = REPORTS / f"{name}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
        assert pages >= 4 and pdf_images(pdf) >= 3, name  # figures made it into the PDF
    for name in notebooks[1:]:  # every notebook after the EDA trains models and writes results
        results = pd.read_csv(REPORTS / "results" / f"{name}.csv")
        assert len(results) >= 1 and results["test_acc"].between(0, 1).all(), name
    timings = pd.read_csv(REPORTS / "timings.csv")
    assert set(timings["notebook"]) >= set(notebooks) | {"summary"}
    assert (timings["status"] == "ok").all()
    budget = pd.read_csv(REPORTS / "results" / "07_parameter_budget.csv").set_index("model")
    for count in (2_250, 4_850, 10_161, 49_525, 99_949, 503_396, 1_001_362):
        assert budget.loc[f"seed_{count}", "params"] == count
    ours = budget[budget["family"] == "ours"]
    assert len(ours) == 7 and (ours["params"] <= ours["budget"]).all()
    assert pdf_images(REPORTS / "summary.pdf") >= 1  # the summary with its plot


def test_full_profile_offline_without_data_fails_clearly(tmp_path: Path) -> None:
    result = run_all("--only", "01", "--no-pdf",
                     env={"DATA_ROOT": str(tmp_path), "DATA_MIRROR": "http://127.0.0.1:9"})
    assert result.returncode != 0
    assert "CIFAR-10 is missing" in result.stderr + result.stdout
    assert "--profile smoke" in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("run_all: FAILED in notebook 01_eda")


def test_rehearsal_cuts_every_pass_and_estimates_the_full_run() -> None:
    result = run_all("--profile", "rehearsal", "--only", "02", "--no-pdf")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "estimated full run on cpu" in result.stdout
    reports = ROOT / "reports" / "rehearsal"
    passes = pd.read_csv(reports / "passes" / "02_baseline_cnn.csv")
    training = passes[passes["repeats"] > 1]
    # the full data and settings: 45,000 training images in batches of 64, 25 epochs
    assert (training["batches_full"].max(), training["repeats"].max()) == (704, 25)
    cut = passes[passes["part"] == "pass"]
    assert (cut["batches_run"] >= 3).all()  # at least 3, more while under a second
    assert training["batches_run"].iloc[0] < 704  # the training pass stopped early
    estimate = pd.read_csv(reports / "estimate.csv").set_index("notebook")
    row = estimate.loc["02_baseline_cnn"]
    assert row["estimated full seconds"] > 10 * row["timed seconds"]  # 25 epochs of 704 batches
    assert json.loads((reports / "run.json").read_text())["estimated_full_seconds"] == \
        pytest.approx(estimate.loc["all notebooks", "estimated full seconds"], abs=0.1)
    results = pd.read_csv(reports / "results" / "02_baseline_cnn.csv")
    assert results.loc[0, "epochs_run"] == 1
