"""The smoke profile end to end through run_all.sh, PDFs included, and the full profile offline."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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
def test_smoke_profile_runs_notebook_01_with_its_pdf() -> None:
    result = run_all("--profile", "smoke", "--only", "01")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    pdf = REPORTS / "01_eda.pdf"
    assert pdf.stat().st_size > 0
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages"))) >= 5
    assert pdf_images(pdf) >= 6  # the sample grids, bar charts and histograms


def test_full_profile_offline_without_data_fails_clearly(tmp_path: Path) -> None:
    result = run_all("--only", "01", "--no-pdf",
                     env={"DATA_ROOT": str(tmp_path), "DATA_MIRROR": "http://127.0.0.1:9"})
    assert result.returncode != 0
    assert "CIFAR-10 is missing" in result.stderr + result.stdout
    assert "--profile smoke" in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("run_all: FAILED in notebook 01_eda")
