"""The GPU check: what the full profile costs on a GPU, measured in one nine-minute command on a GPU
machine without network (docs/cost.md).

``python -m helpers.commands.gpu_check --out DIR [--budget-minutes 9] [--tiny]``: **data**,
**rehearsal** (every notebook, profile ``rehearsal-quick``), **uncut** (notebook 02 rehearsed, then
run whole: the estimate's error), **bench** (the input pipelines, a training step's cost and host
synchronisations, trainings side by side) and **compile**, each started only if its expected time
fits what is left, so that compile goes first, then bench, then uncut. The files in ``DIR`` are
rewritten after every step. ``--tiny`` runs the same path on a CPU in about a minute, as the tests
do.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import yaml

from . import bench, step_costs
from ..core.config import get_profile, resolve_device
from ..data import load_eurosat
from ..data.synthetic import write_in_parallel
from ..core.device import device_name
from ..run.execution import follow_command
from ..core.paths import paths_for
from ..core.parameters import load_parameters, parameters_file, select_notebooks
from ..run.rehearsal import estimate_full_run
from ..core.records import seconds_of_finished

# Wall time for every step: a device command may run 10 minutes, and the wheels and the
# interpreter's start come first.
DEFAULT_BUDGET_MINUTES = 9.0
ESTIMATE_GOAL = 0.15  # the uncut notebook's wall time within 15 % of the rehearsal's estimate
COLUMNS = ["notebook", "estimated seconds", "measured seconds", "peak memory (MiB)",
           "peak reached in", "multiply-adds (T)"]


@dataclass(frozen=True)
class Mode:
    """What the check runs: the real one for a GPU, or the tiny one for a CPU."""

    rehearsal: str                 # the profile that estimates
    uncut: str                     # the profile that measures (same data and parameters)
    notebooks: tuple[str, ...]     # rehearsed (empty: all)
    uncut_notebook: str
    uncut_parameters: dict[str, object]  # of it and its rehearsal: one seed fits 9 minutes, 3 do not
    bench: dict[str, int]
    compile_backend: str
    compile_batches: int
    steps: tuple[int, tuple[int, ...], float]  # step costs: batches; trainings side by side, seconds
    # each step's seconds on the machine meant: a step is skipped when they exceed what is left
    expected: dict[str, float] = field(default_factory=dict)


# The rehearsal step: about 730 cut passes of 3 batches or 0.05 s at least, each first batch under
# the FLOP counter, and eight kernel starts; at 0.3 s a pass it would not fit. The bench step: 3
# rounds of the input pipelines (about 18 s), the step costs, and 1, 2 and 4 trainings side by side
# for 5 s each (each process starting in a few seconds).
GPU = Mode("rehearsal-quick", "uncut", (), "02", {"seeds": 1},
           {"images": 8192, "batch_size": 128, "workers": 2, "rounds": 3}, "inductor", 100,
           (100, (1, 2, 4), 5.0),
           {"data": 45, "rehearsal": 285, "uncut": 120, "bench": 60, "compile": 30})
TINY = Mode("smoke-rehearsal", "smoke", ("02",), "02", {"seeds": 1},
            {"images": 128, "batch_size": 64, "workers": 0, "rounds": 1}, "eager", 2,
            (3, (1, 2), 1.0), {"data": 5, "rehearsal": 20, "uncut": 20, "bench": 8, "compile": 2})


class Check:
    """One run of the check: its budget, its log and its output files in ``out``."""

    def __init__(self, mode: Mode, out: Path, budget_seconds: float, device: str,
                 data_root: Path | None) -> None:
        self.mode, self.out, self.device = mode, out, device
        self.started, self.budget = time.perf_counter(), budget_seconds
        self.data_root = data_root or get_profile(mode.rehearsal).default_data_root
        self.steps: list[dict[str, object]] = []
        self.rows: dict[str, dict[str, object]] = {}
        out.mkdir(parents=True, exist_ok=True)
        self.log = (out / "check.log").open("a", encoding="utf-8")
        self.name = device_name(resolve_device(device))

    def say(self, line: str) -> None:
        print(line, flush=True)
        self.log.write(line + "\n")
        self.log.flush()

    @property
    def left(self) -> float:
        return self.budget - (time.perf_counter() - self.started)

    def step(self, name: str, action: Callable[[], str]) -> None:
        """Run one step if its expected time fits what is left; record how it went."""
        expected = self.mode.expected.get(name, 0.0)
        if expected > self.left:
            self.record(name, "skipped", 0.0, f"expected {expected:.0f} s, {self.left:.0f} s left")
            return
        self.say(f"gpu_check: [{name}] started, {self.left:.0f} s of the budget left")
        begin = time.perf_counter()
        try:
            status, note = "ok", action()
        except Exception as error:  # one failed step must not lose the others' measurements
            status, note = "failed", f"{type(error).__name__}: {error}"
        self.record(name, status, time.perf_counter() - begin, note)

    def record(self, name: str, status: str, seconds: float, note: str) -> None:
        self.steps.append({"step": name, "status": status, "seconds": round(seconds, 1),
                           "note": note})
        self.say(f"gpu_check: [{name}] {status} in {seconds:.1f} s: {note}")
        self.write_files()

    def write_files(self) -> None:
        write_csv(self.out / "steps.csv", ["step", "status", "seconds", "note"], self.steps)
        write_csv(self.out / f"{slug(self.name)}.csv", COLUMNS, list(self.rows.values()))

    def write_data(self) -> str:
        sizes = get_profile(self.mode.rehearsal).synthetic_sizes
        write_in_parallel(sizes, self.data_root)
        load_eurosat(self.data_root, synthetic=True)  # decoded once, cached for the notebooks
        return f"{', '.join(sizes)} in {self.data_root}"

    def run_all(self, profile: str, notebooks: tuple[str, ...],
                overrides: dict[str, object] | None = None) -> None:
        """``run_all.sh --profile <profile> --no-pdf`` on this check's data (with ``overrides``
        of the notebooks' parameters), stopped at the budget's end; its lines go to the log."""
        table = load_parameters(parameters_file(profile))
        table.setdefault("common", {}).update(data_root=str(self.data_root), device=self.device)
        for notebook in select_notebooks(list(notebooks)) if overrides else []:
            table[notebook.stem] = {**(table.get(notebook.stem) or {}), **overrides}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as params:
            yaml.safe_dump(table, params)
        command = [sys.executable, "-m", "helpers.run.pipeline", "--profile", profile, "--no-pdf",
                   "--params", params.name] + (["--only", *notebooks] if notebooks else [])
        try:
            status = follow_command(command, self.left, self.say)
        finally:
            Path(params.name).unlink(missing_ok=True)
        if status != 0:
            raise RuntimeError(f"run_all.sh --profile {profile} exited {status}"
                               + (" (stopped at the budget's end)" if self.left <= 0 else ""))

    def rehearse(self) -> str:
        try:
            self.run_all(self.mode.rehearsal, self.mode.notebooks)
        finally:  # what finished before a failure or the budget's end is kept
            self.collect_estimate()
        total = self.rows.get("all notebooks", {})
        minutes = float(total.get("estimated seconds", math.nan)) / 60
        return (f"estimated full profile {minutes:.1f} min on {self.name}, peak "
                f"{total.get('peak memory (MiB)', math.nan)} MiB")

    def collect_estimate(self) -> None:
        layout = paths_for(self.mode.rehearsal)
        if not layout.timings.is_file():
            return
        for row in estimate_full_run(layout).to_dict("records"):
            self.rows[row["notebook"]] = {
                "notebook": row["notebook"],
                "estimated seconds": round(row["estimated full seconds"], 1),
                "measured seconds": "", "peak memory (MiB)": row["peak memory (MiB)"],
                "peak reached in": row["peak reached in"],
                "multiply-adds (T)": round(row["multiply-adds (T)"], 4)}

    def measure_uncut(self) -> str:
        """Rehearse the uncut notebook with the uncut parameters, then run it uncut: its measured
        wall time against that estimate."""
        notebooks, overrides = (self.mode.uncut_notebook,), self.mode.uncut_parameters
        self.run_all(self.mode.rehearsal, notebooks, overrides)
        estimates = estimate_full_run(paths_for(self.mode.rehearsal)).set_index("notebook")
        self.run_all(self.mode.uncut, notebooks, overrides)
        measured = seconds_of_finished(paths_for(self.mode.uncut))
        name = next(n for n in measured if n.startswith(self.mode.uncut_notebook))
        estimated, seconds = float(estimates.loc[name, "estimated full seconds"]), measured[name]
        label = f"{name} ({', '.join(f'{k} {v}' for k, v in overrides.items())})"
        self.rows[label] = {"notebook": label, "estimated seconds": round(estimated, 1),
                            "measured seconds": seconds,
                            "peak memory (MiB)": estimates.loc[name, "peak memory (MiB)"],
                            "peak reached in": estimates.loc[name, "peak reached in"],
                            "multiply-adds (T)": round(estimates.loc[name, "multiply-adds (T)"], 4)}
        error = seconds / estimated - 1
        verdict = "within" if abs(error) <= ESTIMATE_GOAL else "outside"
        return (f"{label}: measured {seconds:.1f} s against the estimate's {estimated:.1f} s "
                f"({error:+.0%}, {verdict} the {ESTIMATE_GOAL:.0%} goal)")

    def benchmark(self) -> str:
        settings = self.mode.bench
        rounds = bench.benchmark(device=self.device, **settings)
        lines = bench.describe(rounds, self.name, settings)
        costs = step_costs.describe(str(resolve_device(self.device)), *self.mode.steps)
        (self.out / "bench.txt").write_text("\n".join([*lines, "", *costs]) + "\n")
        return "; ".join([*lines[1:], *costs[1:]])

    def time_compile(self) -> str:
        lines = bench.compile_speed(resolve_device(self.device), self.mode.compile_backend,
                                    self.mode.compile_batches)
        (self.out / "compile.txt").write_text("\n".join(lines) + "\n")
        return lines[-1]


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def slug(device: str) -> str:
    """A file name for a device: "cuda (NVIDIA H200)" -> "nvidia-h200"."""
    inside = re.search(r"\((.*)\)", device)
    return re.sub(r"[^a-z0-9]+", "-", (inside.group(1) if inside else device).lower()).strip("-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.commands.gpu_check",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the measured files")
    parser.add_argument("--budget-minutes", type=float, default=DEFAULT_BUDGET_MINUTES,
                        help=f"wall time for all the steps (default {DEFAULT_BUDGET_MINUTES:g}; "
                             "later steps are dropped first when it runs short)")
    parser.add_argument("--tiny", action="store_true",
                        help="the same path in seconds on a CPU: smoke-sized data, notebook 02")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--data-root", type=Path, default=None,
                        help="where the synthetic data go (default: the profile's folder)")
    args = parser.parse_args(argv)
    check = Check(TINY if args.tiny else GPU, args.out, 60 * args.budget_minutes, args.device,
                  args.data_root)
    check.say(f"gpu_check: {check.name}, torch {torch.__version__}, budget "
              f"{args.budget_minutes:g} min{' (tiny mode)' if args.tiny else ''}")
    for name, action in (("data", check.write_data), ("rehearsal", check.rehearse),
                         ("uncut", check.measure_uncut), ("bench", check.benchmark),
                         ("compile", check.time_compile)):
        check.step(name, action)
    failed = [step["step"] for step in check.steps if step["status"] == "failed"]
    check.say(f"gpu_check: done in {time.perf_counter() - check.started:.0f} s; files in "
              f"{args.out}" + (f"; failed: {', '.join(map(str, failed))}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
