"""The rehearsal: the full run at full size, but short, and timed so that the full run's time can
be estimated before anyone spends GPU hours on it.

While a rehearsal is on (``config.setup`` starts one for the ``rehearsal`` profile), every pass over
a loader stops after a few batches - at least ``min_batches``, more while those after the first have
taken less than ``min_seconds``, so that fast batches are timed over many - and every training runs
one epoch. Each pass is timed and written
to ``<reports>/passes/<notebook>.csv`` with the time the whole pass would take: the first batch
(warm-up: cuDNN autotuning, first allocations) as measured, every further batch at the mean time of
the later ones. A pass inside a training stands for as many epochs as the training plans (so, with
early stopping, the estimate is an upper bound), and so does the rest of an epoch's work (the
checkpoint written after it). A notebook's estimate is its rehearsal wall time with every cut pass
replaced by its full-length estimate: :func:`estimate_full_run`.
"""

from __future__ import annotations

import csv
import math
import os
import resource
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, TypeVar

import pandas as pd
import torch

NOTEBOOK_ENV = "HELPERS_NOTEBOOK"  # set by the pipeline: the notebook the passes belong to
FOLDER = "passes"  # under the profile's reports folder: one CSV of timed parts per notebook
Batch = TypeVar("Batch")


@dataclass(frozen=True)
class TimedPart:
    """One timed part of a rehearsal: a cut loader pass, or the rest of a training epoch."""

    notebook: str
    part: str              # "pass" or "epoch rest"
    batches_run: int
    batches_full: int
    repeats: int           # how many times the full run does it (the planned epochs)
    seconds: float         # as run in the rehearsal
    full_seconds: float    # estimated for the full run, repeats included
    peak_memory_mib: float  # so far in this process: CUDA allocations on GPU, resident size on CPU


def pass_seconds(first: float, rest: float, batches_run: int, batches_full: int) -> float:
    """A whole pass of ``batches_full`` batches, from a cut one: the first batch as measured, the
    others at the mean of the later batches (at the first's time when only one ran)."""
    if batches_full <= 0:
        return 0.0
    later = rest / (batches_run - 1) if batches_run > 1 else first
    return first + later * (batches_full - 1)


class Rehearsal:
    """The cut and the record of one process's rehearsal."""

    def __init__(self, min_batches: int, folder: Path, notebook: str, min_seconds: float = 1.0
                 ) -> None:
        if min_batches < 1:
            raise ValueError(f"a rehearsal needs at least one batch per pass, got {min_batches}")
        self.min_batches, self.min_seconds, self.notebook = min_batches, min_seconds, notebook
        self.path = Path(folder) / f"{notebook}.csv"
        self.repeats = 1
        self.pass_seconds_in_epoch = 0.0

    def cut(self, batches: Iterator[Batch], full: int, device: torch.device) -> Iterator[Batch]:
        """The first few of ``batches`` (a pass of ``full`` batches), timed."""
        start = time.perf_counter()
        marks: list[float] = []
        for batch in batches:
            yield batch
            _synchronise(device)
            marks.append(time.perf_counter())
            if len(marks) >= self.min_batches and marks[-1] - marks[0] >= self.min_seconds:
                break
        if not marks:
            return
        first, rest = marks[0] - start, marks[-1] - marks[0]
        self.pass_seconds_in_epoch += first + rest
        self._record("pass", len(marks), full, first + rest,
                     pass_seconds(first, rest, len(marks), full) * self.repeats, device)

    @contextmanager
    def standing_for(self, epochs: int, device: torch.device) -> Iterator[None]:
        """The training epoch run inside stands for ``epochs`` of them: its passes are counted that
        many times, and so is the rest of its work (scheduler, checkpoints)."""
        outer = self.repeats, self.pass_seconds_in_epoch
        self.repeats, self.pass_seconds_in_epoch = epochs, 0.0
        start = time.perf_counter()
        try:
            yield
        finally:
            _synchronise(device)
            rest = max(0.0, time.perf_counter() - start - self.pass_seconds_in_epoch)
            self._record("epoch rest", 0, 0, rest, rest * epochs, device)
            self.repeats = outer[0]
            self.pass_seconds_in_epoch = outer[1] + self.pass_seconds_in_epoch + rest

    def _record(self, part: str, run: int, full: int, seconds: float, full_seconds: float,
                device: torch.device) -> None:
        row = TimedPart(self.notebook, part, run, full, self.repeats, round(seconds, 4),
                        round(full_seconds, 4), round(peak_memory_mib(device), 1))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.is_file()
        with self.path.open("a", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(asdict(row)))
            if new:
                writer.writeheader()
            writer.writerow(asdict(row))


_current: Rehearsal | None = None


def configure(min_batches: int | None, reports_dir: Path, min_seconds: float = 1.0) -> None:
    """Start this process's rehearsal (passes of ``min_batches`` and more while under
    ``min_seconds``) or, with None, end it."""
    global _current
    _current = None if min_batches is None else Rehearsal(
        min_batches, Path(reports_dir) / FOLDER, os.environ.get(NOTEBOOK_ENV, "interactive"),
        min_seconds)


def current() -> Rehearsal | None:
    return _current


def cut(batches: Iterator[Batch], full: int, device: torch.device) -> Iterator[Batch]:
    """A loader's batches: all of them, or a rehearsal's first few, timed."""
    return _current.cut(batches, full, device) if _current else batches


def epochs_to_run(planned: int) -> int:
    """One epoch in a rehearsal, else all of them."""
    return min(planned, 1) if _current else planned


@contextmanager
def training(epochs: int, device: torch.device) -> Iterator[None]:
    """Around a training's epochs: in a rehearsal, its one epoch stands for ``epochs``."""
    if _current is None:
        yield
        return
    with _current.standing_for(epochs, device):
        yield


def peak_memory_mib(device: torch.device) -> float:
    """The most memory the process has held: CUDA allocations on a GPU, else resident size."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # Linux reports KiB


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# --- the estimate -----------------------------------------------------------------------------


def estimate_full_run(reports_dir: Path) -> pd.DataFrame:
    """Per notebook of the last rehearsal: its wall time, the time of its cut passes, the estimated
    time of the full run on the same device and the peak memory; a last row sums them up."""
    reports_dir = Path(reports_dir)
    timings = pd.read_csv(reports_dir / "timings.csv").set_index("notebook")["seconds"]
    rows = []
    for notebook, wall in timings.items():
        if notebook == "summary":
            continue
        path = reports_dir / FOLDER / f"{notebook}.csv"
        parts = pd.read_csv(path) if path.is_file() else pd.DataFrame(columns=list(
            TimedPart.__dataclass_fields__))
        rows.append({
            "notebook": notebook, "rehearsal seconds": wall,
            "timed seconds": parts["seconds"].sum(),
            "passes": int((parts["part"] == "pass").sum()),
            "estimated full seconds": wall - parts["seconds"].sum() + parts["full_seconds"].sum(),
            "peak memory (MiB)": parts["peak_memory_mib"].max() if len(parts) else math.nan})
    table = pd.DataFrame(rows)
    total = {"notebook": "all notebooks", **{column: table[column].sum() for column in (
        "rehearsal seconds", "timed seconds", "passes", "estimated full seconds")},
        "peak memory (MiB)": table["peak memory (MiB)"].max()}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def describe_estimate(table: pd.DataFrame, device: str) -> str:
    """The estimate as lines for the terminal, slowest notebook named."""
    notebooks = table[table["notebook"] != "all notebooks"]
    slowest = notebooks.loc[notebooks["estimated full seconds"].idxmax()]
    total = table.iloc[-1]
    lines = [f"{row['notebook']:<24} {_hours(row['estimated full seconds']):>10}   "
             f"(rehearsed in {row['rehearsal seconds']:.0f} s{_memory(row['peak memory (MiB)'])})"
             for _, row in notebooks.iterrows()]
    lines.append(f"estimated full run on {device}: {_hours(total['estimated full seconds'])} "
                 f"(an upper bound: early stopping may end trainings sooner); slowest notebook "
                 f"{slowest['notebook']} ({_hours(slowest['estimated full seconds'])})")
    return "\n".join(lines)


def _memory(mebibytes: float) -> str:
    return "" if math.isnan(mebibytes) else f", peak memory {mebibytes / 1024:.1f} GiB"


def _hours(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.1f} min" if minutes < 90 else f"{minutes / 60:.1f} h"
