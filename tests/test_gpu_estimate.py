"""The full profile's expected time on a GPU before a GPU has measured it (tools/gpu_estimate.py):
steps times a launch-bound step cost, work at a share of the GPU's peak, notebooks side by side
never faster than the chain that waits for each other."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import gpu_estimate  # noqa: E402

GPU = gpu_estimate.Gpu("a GPU", 100.0, (1.5, 2.5), (0.35, 0.15), 4, (3.0, 2.0))


def test_a_notebook_is_bound_by_its_launches_or_its_work() -> None:
    assert gpu_estimate.notebook_seconds(1000, 0.0, GPU) == pytest.approx((1.5, 2.5))
    # 1,000 T multiply-adds = 2 P operations: at 35% of 100 TFLOPS 57.1 s, at 15% 133.3 s
    low, high = gpu_estimate.notebook_seconds(1000, 1000.0, GPU)
    assert low == pytest.approx(2e15 / 35e12) and high == pytest.approx(2.5 + 2e15 / 15e12)


def test_side_by_side_never_beats_the_chain_that_waits() -> None:
    table = pd.DataFrame({"notebook": ["02_baseline_cnn", "03_regularised_cnns", "06_x"],
                          "low (s)": [100.0, 500.0, 60.0], "high (s)": [200.0, 900.0, 100.0]})
    low, high = gpu_estimate.side_by_side(table, GPU)
    assert low == 600.0 and high == 1100.0  # 02 then 03: longer than a third of the sum
    table.loc[2, ["low (s)", "high (s)"]] = [3000.0, 6000.0]
    assert gpu_estimate.side_by_side(table, GPU) == (3600.0 / 3, 7100.0 / 2)


def test_the_lines_name_both_gpus_and_the_assumptions() -> None:
    table = pd.DataFrame({"notebook": ["02_baseline_cnn", "all notebooks"],
                          "optimiser steps": [100_000, 100_000],
                          "multiply-adds (T)": [40.0, 40.0]})
    lines = gpu_estimate.describe(table)
    assert lines[0] == "100,000 optimiser steps, 40 T multiply-adds"
    assert lines[1].startswith("NVIDIA T4") and "a step 2-4 ms" in lines[1]
    assert lines[2].startswith("NVIDIA H100") and "--jobs 4" in lines[2]
