"""Notebooks side by side: each starts once what it reads is written, at most N at once, and a
failure starts nothing more."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from helpers.run import jobs

NOTEBOOKS = [Path(f"{name}.ipynb") for name in
             ("01_eda", "02_baseline_cnn", "03_regularised_cnns", "05_middle_fusion")]


def recorder(seconds: dict[str, float], fails: str = ""):
    events: list[tuple[str, str]] = []
    lock, running, most = threading.Lock(), [0], [0]

    def run_one(notebook: Path) -> bool:
        with lock:
            events.append(("start", notebook.stem))
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(seconds.get(notebook.stem, 0.05))
        with lock:
            events.append(("end", notebook.stem))
            running[0] -= 1
        return notebook.stem != fails

    return run_one, events, most


def test_notebooks_run_side_by_side_and_03_waits_for_02() -> None:
    run_one, events, most = recorder({"02_baseline_cnn": 0.3})
    assert jobs.run_side_by_side(NOTEBOOKS, 2, run_one) == []
    assert most[0] == 2
    assert events.index(("end", "02_baseline_cnn")) < events.index(("start", "03_regularised_cnns"))
    assert {name for kind, name in events if kind == "end"} == {nb.stem for nb in NOTEBOOKS}


def test_one_job_runs_them_in_order() -> None:
    run_one, events, most = recorder({})
    assert jobs.run_side_by_side(NOTEBOOKS, 1, run_one) == []
    assert most[0] == 1 and [name for kind, name in events if kind == "start"] == \
        [nb.stem for nb in NOTEBOOKS]


def test_a_failure_starts_nothing_more_and_is_named() -> None:
    run_one, events, _ = recorder({}, fails="02_baseline_cnn")
    assert jobs.run_side_by_side(NOTEBOOKS, 1, run_one) == ["02_baseline_cnn"]
    assert ("start", "03_regularised_cnns") not in events
