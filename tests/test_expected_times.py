"""The expected time each notebook states on its first pages: read from the committed table
``benchmarks/expected-times.csv`` by notebook, profile and kind of device, which
tools/expected_times.py writes from measured runs only. (That the smoke profile's stated times
hold within a factor of 2 is the integration test's.)"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

from helpers.core import parameters, records
from helpers.report import notebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import expected_times  # noqa: E402

ROWS = [
    ("02_baseline_cnn", "smoke", "cpu", "2-core CPU", 16.0, "measured"),
    ("02_baseline_cnn", "full", "cpu", "2-core CPU", 7200.0, "the rehearsal's estimate"),
    ("02_baseline_cnn", "full", "gpu", "NVIDIA H100 80GB HBM3", 300.0, "measured by the GPU check"),
    ("02_baseline_cnn", "full", "gpu", "TESLA T4", 900.0, "measured by the GPU check"),
]


@pytest.fixture
def table(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "expected-times.csv"
    pd.DataFrame(ROWS, columns=expected_times.COLUMNS).to_csv(path, index=False)
    monkeypatch.setattr(records, "EXPECTED_TIMES", path)
    return path


def test_a_cpu_reads_the_cpus_row_and_a_gpu_its_models_row(table, monkeypatch) -> None:
    assert records.expected_seconds("02_baseline_cnn", "smoke", torch.device("cpu")) == \
        (16.0, "a 2-core CPU", "measured")
    monkeypatch.setattr(records, "_gpu_name", lambda device: "Tesla T4")
    assert records.expected_seconds("02_baseline_cnn", "full", torch.device("cuda"))[:2] == \
        (900.0, "a TESLA T4")
    monkeypatch.setattr(records, "_gpu_name", lambda device: "NVIDIA A100-SXM4-40GB")
    assert records.expected_seconds("02_baseline_cnn", "full", torch.device("cuda"))[:2] == \
        (300.0, "an NVIDIA H100 80GB HBM3")  # no row of its own: the first GPU's, named
    assert records.expected_seconds("03_regularised_cnns", "full", torch.device("cpu")) is None


def run_on(device: str, profile: str = "full") -> SimpleNamespace:
    return SimpleNamespace(notebook="02_baseline_cnn", profile=SimpleNamespace(name=profile),
                           device=torch.device(device))


def test_the_notice_names_the_device_and_says_it_is_an_estimate(table, monkeypatch) -> None:
    assert notebook.expected_time(run_on("cpu", "smoke")) == (
        "**Expected time:** about 16 s on a 2-core CPU in the smoke profile (an estimate: "
        "measured).")
    assert notebook.expected_time(run_on("cpu", "rehearsal")) == ""  # no row: no notice
    monkeypatch.setattr(records, "_gpu_name", lambda device: "Tesla T4")
    assert "about 15 min 0 s on a TESLA T4" in notebook.expected_time(run_on("cuda"))


def test_a_gpu_no_gpu_has_measured_is_told_the_cpus_figure_as_such(table, monkeypatch) -> None:
    pd.DataFrame(ROWS[:2], columns=expected_times.COLUMNS).to_csv(table, index=False)
    said = notebook.expected_time(run_on("cuda"))
    assert said.startswith("**Expected time:** not yet measured on a GPU")
    assert "about 2 h 00 min on a 2-core CPU in the full profile" in said


def test_the_tool_replaces_measured_rows_and_keeps_the_others(tmp_path, monkeypatch) -> None:
    out = tmp_path / "expected-times.csv"
    pd.DataFrame(ROWS, columns=expected_times.COLUMNS).to_csv(out, index=False)
    reports, gpu = tmp_path / "reports", tmp_path / "gpu"
    (reports / "smoke").mkdir(parents=True)
    gpu.mkdir()
    pd.DataFrame({"notebook": ["01_eda", "02_baseline_cnn"], "seconds": [9.0, 20.5],
                  "status": ["ok", "ok"]}).to_csv(reports / "smoke" / "timings.csv", index=False)
    pd.DataFrame({"notebook": ["02_baseline_cnn"], "estimated seconds": [250.0],
                  "measured seconds": [None]}).to_csv(gpu / "nvidia-h100-80gb-hbm3.csv",
                                                      index=False)
    monkeypatch.setattr(expected_times, "GPU_FOLDER", gpu)
    expected_times.main(["--cpu", "2-core CPU", "--reports", str(reports), "--out", str(out)])
    table = pd.read_csv(out).set_index(["notebook", "profile", "kind", "device"])["seconds"]
    assert table[("02_baseline_cnn", "smoke", "cpu", "2-core CPU")] == 20.5  # measured now
    assert table[("01_eda", "smoke", "cpu", "2-core CPU")] == 9.0
    assert table[("02_baseline_cnn", "full", "gpu", "NVIDIA H100 80GB HBM3")] == 250.0
    assert table[("02_baseline_cnn", "full", "gpu", "TESLA T4")] == 900.0  # kept
    assert len(table) == 5


def test_the_committed_table_covers_every_notebook_in_the_profiles_a_cpu_measures() -> None:
    table = pd.read_csv(records.EXPECTED_TIMES)
    notebooks = {path.stem for path in parameters.list_notebooks()}
    for profile in ("smoke", "rehearsal", "full"):
        rows = table[(table["profile"] == profile) & (table["kind"] == "cpu")]
        assert notebooks <= set(rows["notebook"]), profile
        assert (rows["seconds"] > 0).all()
