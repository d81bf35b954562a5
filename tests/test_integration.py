"""The smoke profile end to end through run_all.sh, PDFs included; a partial run on a fresh
checkout; a rehearsal of one notebook; the full profile offline. Every run writes its reports to
a temporary REPORTS_ROOT and its data to a temporary data root (see conftest.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

import nbformat

import page_check
from helpers.core.parameters import notebook_defaults
from helpers.core.paths import ReportPaths
from helpers.run import print_order

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration


def run_all(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "run_all.sh"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=1800)


def params_with_data_root(profile_file: str, folder: Path, data_root: Path) -> Path:
    """A copy of ``params/<profile_file>.yaml`` whose notebooks read and write data in
    ``data_root`` (never the checkout's data/)."""
    table = yaml.safe_load((ROOT / "params" / f"{profile_file}.yaml").read_text()) or {}
    table.setdefault("common", {})["data_root"] = str(data_root)
    path = folder / f"{profile_file}-test.yaml"
    path.write_text(yaml.safe_dump(table))
    return path


def run_all_in(folder: Path, params: str, *args: str) -> subprocess.CompletedProcess:
    """``run_all.sh *args`` with ``params/<params>.yaml`` pointed at ``folder``/data and its
    reports in ``folder``/reports; its output on failure is the assertion's message."""
    params_file = params_with_data_root(params, folder, folder / "data")
    result = run_all(*args, "--params", str(params_file),
                     env={"REPORTS_ROOT": str(folder / "reports")})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def pdf_images(pdf: Path) -> int:
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
    return len(listing.strip().splitlines()) - 2  # two header lines


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """The smoke run, with reports of its own (unit tests write theirs to the session's)."""
    folder = tmp_path_factory.mktemp("smoke")
    result = run_all("--profile", "smoke", "--params",
                     str(params_with_data_root("smoke", folder, folder / "data")),
                     env={"REPORTS_ROOT": str(folder / "reports")})
    return result, ReportPaths(folder / "reports" / "smoke")


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="needs poppler-utils (./setup.sh)")
def test_smoke_profile_runs_every_notebook_with_its_pdf(smoke) -> None:
    result, reports = smoke
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    notebooks = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for name in notebooks:
        pdf = reports.pdf(name)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
        assert pages >= 4 and pdf_images(pdf) >= 3, name  # figures made it into the PDF
    for name in notebooks[1:]:  # every notebook after the EDA trains with both recipes
        results = pd.read_csv(reports.results_file(name))
        assert results["test_acc"].between(0, 1).all(), name
        assert {"source", "ours"} <= set(results["recipe"]), name
    timings = pd.read_csv(reports.timings)
    assert set(timings["notebook"]) >= set(notebooks) | {"summary"}
    assert (timings["status"] == "ok").all()
    budget = pd.read_csv(reports.results_file("07_parameter_budget"))
    seeds = budget[(budget["recipe"] == "source") & (budget["seed"] == 0)].set_index("model")
    for count in (2_250, 4_850, 10_161, 49_525, 99_949, 503_396, 1_001_362):
        assert seeds.loc[f"source_{count}", "params"] == count
    ours = budget[(budget["family"] == "ours") & (budget["seed"] == 0)]
    smoke_budgets = yaml.safe_load((ROOT / "params" / "smoke.yaml").read_text())[
        "07_parameter_budget"]["budgets"]
    assert sorted(ours["budget"]) == smoke_budgets and (ours["params"] <= ours["budget"]).all()
    assert pdf_images(reports.pdf("summary")) >= 1  # the summary with its plot


def test_smoke_run_speaks_and_stays_lean(smoke) -> None:
    result, reports = smoke
    assert result.returncode == 0
    # the epochs appear where the run was started, never in the notebooks (nor their PDFs)
    assert "baseline CNN, source recipe epoch 1/2" in result.stdout
    assert "baseline CNN, source recipe: 2 epochs in" in result.stdout
    assert "Kernel is running over TCP" not in result.stderr
    executed = reports.executed("02_baseline_cnn").read_text()
    assert "epoch 1/2" not in executed and "kept epoch 2 (" not in executed
    # smoke keeps no checkpoints, and its reports stay small
    left = sorted(str(path.relative_to(reports.root)) for path in reports.root.rglob("*.pt"))
    assert not left, left
    size = sum(path.stat().st_size for path in reports.root.rglob("*") if path.is_file())
    assert size < 200e6, f"{size / 1e6:.0f} MB under {reports}"


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages by form feeds)."""
    return pdf_text(pdf).split("\f")[:-1]


def pages_before_the_appendix(pages: list[str]) -> int:
    return next((number for number, text in enumerate(pages)
                 if text.lstrip().startswith("Appendix") or "\nAppendix\n" in text), len(pages))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (./setup.sh)")
def test_every_pdf_opens_with_its_findings_numbers_its_pages_and_reads_cleanly(smoke) -> None:
    """What a grader reads: findings on page one, page numbers, the notebook's title as the PDF's,
    nothing the page check finds (tests/page_check.py: paths, dicts, log lines, identifiers,
    a second percent style, headings at a page's foot), no raw table, no sentence comparing a
    thing with itself, and the page budget (64 pages for the notebooks before their
    appendices)."""
    result, reports = smoke
    assert result.returncode == 0
    names = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    known = {name for notebook in (ROOT / "notebooks").glob("*.ipynb")
             for name in notebook_defaults(notebook)}
    before_appendix, found = {}, {}
    for name in [*names, "summary"]:
        pdf = reports.pdf(name)
        pages = pdf_pages(pdf)
        first = " ".join(pages[0].split())  # table headings wrap inside their cells
        assert "Findings" in first and "smoke profile" in first, name
        if name != "01_eda":  # the findings table: its caption and figures in percent
            assert "Each model" in first and re.search(r"\d+\.\d%", first), name
        for number, text in enumerate(pages, start=1):
            assert f"page {number} of {len(pages)}" in text, (name, number)
        html = pdf.with_suffix(".html").read_text()
        title = print_order.title(nbformat.read(reports.executed(name), as_version=4))
        found[name] = page_check.problems(html, page_check.pdf_pages(pdf),
                                          page_check.pdf_title(pdf), title, known,
                                          page_check.drawing_below(pdf))
        text = "\n".join(pages)
        for unwanted in ("NaN", "injected-parameters", "Setup (written by tools/build_notebooks.py)",
                         "report.findings(", "report.conclusions"):
            assert unwanted not in text, (name, unwanted)
        assert not re.search(r"\b([a-z][\w-]*(?: [\w-]+)?) [\d.]+% against \1 [\d.]+%", text), name
        assert 'class="dataframe"' not in html, name  # no DataFrame echoed raw
        before_appendix[name] = pages_before_the_appendix(pages)
    assert not any(found.values()), {name: problems for name, problems in found.items() if problems}
    assert sum(before_appendix[name] for name in names) <= 64, before_appendix


def test_notebook_02_shows_the_training_loop(smoke) -> None:
    text = pdf_text(smoke[1].pdf("02_baseline_cnn"))
    for line in ("def train_epoch", "loss).backward()", "scaler.step(optimizer)", "def validate",
                 "model.eval()"):
        assert line in text, line


def test_full_profile_offline_without_data_fails_clearly(tmp_path: Path) -> None:
    result = run_all("--only", "01", "--no-pdf",
                     env={"DATA_ROOT": str(tmp_path), "DATA_MIRROR": "http://127.0.0.1:9",
                          "REPORTS_ROOT": str(tmp_path / "reports")})
    assert result.returncode != 0
    assert "CIFAR-10 is missing" in result.stderr + result.stdout
    assert "--profile smoke" in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("run_all: FAILED in notebook 01_eda")


def test_rehearsal_cuts_every_pass_and_estimates_the_full_run(tmp_path) -> None:
    result = run_all_in(tmp_path, "full", "--profile", "rehearsal", "--only", "02", "--no-pdf")
    assert "estimated full run on cpu" in result.stdout
    reports = ReportPaths(tmp_path / "reports" / "rehearsal")
    passes = pd.read_csv(reports.passes_file("02_baseline_cnn"))
    training = passes[passes["repeats"] > 1]
    # on the full data, 45,000 training images: the source recipe takes batches of 64 for 25 epochs,
    # ours batches of 256 for 30 epochs
    assert {(704, 25), (176, 30)} <= set(zip(training["batches_full"], training["repeats"]))
    cut = passes[passes["part"] == "pass"]
    trained, evaluated = cut[cut["optimiser_steps_full"] > 0], cut[cut["optimiser_steps_full"] == 0]
    assert (trained["batches_run"] >= 3).all()  # at least 3, more while under 0.3 s
    assert (evaluated["batches_run"] <= 768 / 64).all()  # the first 768 images, batches of 64 up
    assert training["batches_run"].iloc[0] < 704  # the training pass stopped early
    estimate = pd.read_csv(reports.estimate).set_index("notebook")
    row = estimate.loc["02_baseline_cnn"]
    assert row["estimated full seconds"] > 10 * row["timed seconds"]
    assert json.loads(reports.run_record.read_text())["estimated_full_seconds"] == \
        pytest.approx(estimate.loc["all notebooks", "estimated full seconds"], abs=0.1)
    results = pd.read_csv(reports.results_file("02_baseline_cnn"))
    assert (results["epochs_run"] == 1).all()


def test_notebooks_side_by_side_write_what_one_after_another_writes(smoke, tmp_path) -> None:
    """``--jobs 2``: 03 starts after 02 has written its results, every notebook writes the rows
    it writes one after another (timing columns aside), each line of progress names its
    notebook."""
    sequential = smoke[1]
    result = run_all_in(tmp_path, "smoke", "--profile", "smoke", "--jobs", "2", "--only", "01",
                        "02", "03", "05", "--no-pdf")
    lines = result.stdout.splitlines()
    assert next(i for i, line in enumerate(lines) if "02_baseline_cnn done in" in line) < next(
        i for i, line in enumerate(lines) if "03_regularised_cnns (smoke)" in line)
    assert any(line.startswith("  [02_baseline_cnn ") for line in lines)
    side_by_side = ReportPaths(tmp_path / "reports" / "smoke")
    for name in ("02_baseline_cnn", "03_regularised_cnns", "05_middle_fusion"):
        expected, got = (pd.read_csv(layout.results_file(name)).drop(
            columns=["seconds", "images_per_s"], errors="ignore")
            for layout in (sequential, side_by_side))
        pd.testing.assert_frame_equal(expected, got, check_exact=False, rtol=1e-9)


def seconds_of(words: str) -> float:
    """``42 s``, ``3 min 5 s`` or ``1 h 02 min`` (``progress.duration``) in seconds."""
    units = {"h": 3600, "min": 60, "s": 1}
    return float(sum(int(number) * units[unit]
                     for number, unit in re.findall(r"(\d+) (h|min|s)\b", words)))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (./setup.sh)")
def test_every_notebook_states_its_expected_time_and_the_smoke_run_keeps_to_it(smoke) -> None:
    """On its first two pages each notebook states how long it takes in this profile on this
    kind of device (benchmarks/expected-times.csv); on the smoke run each stated time is within a
    factor of 2 of the time it took."""
    result, reports = smoke
    assert result.returncode == 0
    took = pd.read_csv(reports.timings).set_index("notebook")["seconds"]
    for name in took.index:
        first_pages = " ".join(" ".join(pdf_pages(reports.pdf(name))[:2]).split())
        stated = re.search(r"Expected time: about ((?:\d+ (?:h|min|s) ?)+) on a [\w -]+ in the "
                           r"smoke profile \(an estimate", first_pages)
        assert stated, name
        assert 0.5 <= seconds_of(stated.group(1)) / took[name] <= 2, (name, stated.group(0))
