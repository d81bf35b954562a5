"""The prepared GPU check: its budget drops the last steps first, its files, the wheels it needs,
and its tiny mode end to end on the CPU (the same path a GPU runs)."""

from __future__ import annotations

import importlib.util
import sys
import time
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import torch

from helpers.commands import bench

from helpers.run import execution

from helpers.commands import gpu_check
from helpers.core.config import get_profile
from helpers.core.device import device_name

ROOT = Path(__file__).resolve().parents[1]


def test_a_short_budget_drops_the_last_steps_first(tmp_path) -> None:
    mode = replace(gpu_check.TINY, expected={"data": 1, "rehearsal": 1, "uncut": 1, "bench": 50,
                                              "compile": 50})
    check = gpu_check.Check(mode, tmp_path, budget_seconds=30, device="cpu", data_root=tmp_path)
    ran = []
    for name in ("data", "rehearsal", "uncut", "bench", "compile"):
        check.step(name, lambda name=name: ran.append(name) or "done")
    assert ran == ["data", "rehearsal", "uncut"]
    steps = pd.read_csv(tmp_path / "steps.csv")
    assert steps["status"].tolist() == ["ok", "ok", "ok", "skipped", "skipped"]
    assert "expected 50 s" in steps.loc[3, "note"]


def test_a_failed_step_is_recorded_and_the_next_one_still_runs(tmp_path) -> None:
    check = gpu_check.Check(gpu_check.TINY, tmp_path, budget_seconds=600, device="cpu",
                            data_root=tmp_path)
    check.step("bench", lambda: 1 / 0)
    check.step("compile", lambda: "fine")
    assert [(s["step"], s["status"]) for s in check.steps] == [("bench", "failed"),
                                                               ("compile", "ok")]
    assert "ZeroDivisionError" in (tmp_path / "check.log").read_text()


def test_device_names_become_file_names() -> None:
    assert gpu_check.slug("cuda (NVIDIA H200)") == "nvidia-h200"
    assert gpu_check.slug("cpu (x86_64, 2 cores)") == "x86-64-2-cores"


def test_compile_timing_reports_eager_and_compiled_epochs() -> None:
    lines = bench.compile_speed(torch.device("cpu"), "eager", batches=2, batch_size=8,
                                     model_name="baseline_cnn")
    assert re.fullmatch(r"torch.compile speed-up \d+\.\d\dx on baseline_cnn", lines[-1])
    assert "eager:" in lines[1] and "backend eager" in lines[2]


def test_the_wheels_are_what_the_gpu_machine_lacks_at_the_versions_tested_here() -> None:
    spec = importlib.util.spec_from_file_location("gpu_wheels", ROOT / "tools" / "gpu_wheels.py")
    wheels = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wheels)
    packages = wheels.closure(wheels.NEEDED)
    assert {"papermill", "ipykernel", "nbclient", "jupyter-client", "pyzmq"} <= \
        set(packages)
    assert not {"torch", "numpy", "pyyaml", "tqdm", "cffi"} & set(packages)  # there, or PyPy only
    requirements = (ROOT / "requirements.txt").read_text()
    for pinned in ("papermill", "ipykernel"):
        assert f"{pinned}=={packages[pinned]}" in requirements


@pytest.mark.integration
def test_the_tiny_check_runs_every_step_and_writes_its_table(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    out = tmp_path / "out"
    assert gpu_check.main(["--out", str(out), "--tiny", "--device", "cpu", "--data-root",
                           str(tmp_path / "data"), "--budget-minutes", "15"]) == 0
    steps = pd.read_csv(out / "steps.csv")
    assert steps["step"].tolist() == ["data", "rehearsal", "uncut", "bench", "compile"]
    assert (steps["status"] == "ok").all(), steps
    table = pd.read_csv(out / f"{gpu_check.slug(device_name(torch.device('cpu')))}.csv")
    table = table.set_index("notebook")
    rehearsed = table.loc["02_baseline_cnn"]  # the profile's own parameters: estimated only
    assert rehearsed["estimated seconds"] > 0 and pd.isna(rehearsed["measured seconds"])
    assert rehearsed["multiply-adds (T)"] > 0 and rehearsed["peak memory (MiB)"] > 0
    uncut = table.loc["02_baseline_cnn (seeds 1)"]  # rehearsed and run whole with one seed
    assert uncut["estimated seconds"] > 0 and uncut["measured seconds"] > 0
    assert uncut["multiply-adds (T)"] < rehearsed["multiply-adds (T)"]
    assert "within" in steps.loc[2, "note"] or "outside" in steps.loc[2, "note"]
    bench = (out / "bench.txt").read_text()
    assert any(line.startswith("ratio_vs_dataloader=") for line in bench.splitlines())
    # the step costs: our loop with SGD reads nothing back but the epoch's sums
    sgd = next(line for line in bench.splitlines() if "cnn_v2, sgd" in line)
    assert float(re.search(r"([\d.]+) host synchronisations a step", sgd).group(1)) < 1
    assert "2 training(s) side by side" in bench
    assert "torch.compile speed-up" in (out / "compile.txt").read_text()


def test_a_run_all_step_is_stopped_with_its_children_when_the_budget_ends(tmp_path) -> None:
    said = []
    marker = tmp_path / "child-still-running"
    child = f"import time; time.sleep(4); open({str(marker)!r}, 'w').write('late')"
    parent = (f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {child!r}]);"
              " print('started', flush=True); time.sleep(30)")
    status = execution.follow_command([sys.executable, "-c", parent], 2, said.append)
    assert status != 0 and said == ["  started"]
    time.sleep(3)
    assert not marker.exists()  # the child went with its parent


def test_the_gpu_modes_steps_fit_its_budget_and_its_rehearsal_times_less_a_pass() -> None:
    """On a GPU every step fits the default budget, which fits a 10-minute command
    with the wheels' installation; its rehearsal has the full rehearsal's data and parameters but
    times fewer seconds a pass, so that all the notebooks' passes fit their step."""
    assert sum(gpu_check.GPU.expected.values()) <= 60 * gpu_check.DEFAULT_BUDGET_MINUTES <= 600 - 30
    quick, full = get_profile(gpu_check.GPU.rehearsal), get_profile("rehearsal")
    assert quick.rehearsal_seconds < full.rehearsal_seconds
    assert quick.rehearsal_batches == full.rehearsal_batches
    assert (quick.synthetic_sizes, quick.default_data_root, quick.parameters_name) == \
        (full.synthetic_sizes, full.default_data_root, full.parameters_name)
    assert get_profile(gpu_check.GPU.uncut).default_data_root == full.default_data_root
