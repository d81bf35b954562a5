"""Progress for the person waiting, kept out of the report.

Progress never goes into a notebook run by ``run_all.sh`` (nor into its PDF); the epoch-by-epoch
lines and each training's closing line go:

- in Jupyter or Colab, a live bar (tqdm), closed when the training ends;
- in a run of ``run_all.sh``, the notebook's log file in the folder named by
  ``$HELPERS_PROGRESS_LOGS`` (``reports/<profile>/logs/<notebook>.log``), which ``run_all.sh``
  prints in its terminal as it grows, with the elapsed time (the folder, not the file, is
  passed: notebooks run side by side share one environment);
- anywhere else (a script, a test), the terminal.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Mapping

LOG_ENV = "HELPERS_PROGRESS_LOGS"  # the run's log folder, set by run_all.sh
NOTEBOOK = {"name": "interactive"}  # the notebook this process runs (config.setup names it)


def under_the_pipeline() -> bool:
    """True in a notebook that run_all.sh runs (its progress goes to the run's log folder)."""
    return bool(os.environ.get(LOG_ENV))


def log_file() -> str | None:
    """This notebook's log file under run_all.sh, None elsewhere."""
    folder = os.environ.get(LOG_ENV)
    return os.path.join(folder, f"{NOTEBOOK['name']}.log") if folder else None
SHOWN = ("train_loss", "train_acc", "val_loss", "val_acc")  # of a history row


def interactive_notebook() -> bool:
    """True in a Jupyter or Colab kernel that a person is watching (not under run_all.sh)."""
    if under_the_pipeline():
        return False
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return type(shell).__name__ in ("ZMQInteractiveShell", "Shell")  # Jupyter, Colab


def say(line: str, to_a_person: bool = False) -> None:
    """One line of progress: to the run's log file under run_all.sh (never into the notebook, so
    never into its PDF), else to the terminal; in an interactive notebook the bars show progress
    and nothing is printed, except a line ``to_a_person`` (a training's result), printed below the
    cell."""
    path = log_file()
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    elif not interactive_notebook():
        print(line, file=sys.stderr, flush=True)
    elif to_a_person:
        print(line, flush=True)


def format_metrics(metrics: Mapping[str, Any]) -> str:
    parts = []
    for name, value in metrics.items():
        if isinstance(value, float):
            value = f"{value:.2%}" if "acc" in name else f"{value:.4g}"
        parts.append(f"{name} {value}")
    return "  ".join(parts)


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 5 s`` or ``1 h 02 min``."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class ClosesItsBar:
    """A context manager that closes its tqdm bar (``self.bar``, None where lines are written
    instead) when it ends."""

    bar: Any = None

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


class Progress(ClosesItsBar):
    """``with Progress(total, "cnn_v2") as bar: bar.step(row)``: a bar, or a line per step with the
    time so far and an estimate of the time left."""

    def __init__(self, total: int, description: str = "", unit: str = "epoch") -> None:
        self.total, self.description, self.unit, self.done = total, description, unit, 0
        self.started, self.resumed_at = time.perf_counter(), 0
        self.bar = None
        if interactive_notebook():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc=description, unit=unit, leave=False)

    def skip_to(self, done: int) -> None:
        """Start counting at ``done`` steps (a resumed run)."""
        self.done = self.resumed_at = done
        if self.bar is not None:
            self.bar.update(done)

    def step(self, metrics: Mapping[str, Any]) -> None:
        self.done += 1
        shown = {name: metrics[name] for name in SHOWN if name in metrics}
        if self.bar is not None:
            self.bar.set_postfix_str(format_metrics(shown), refresh=False)
            self.bar.update(1)
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / (self.done - self.resumed_at) * (self.total - self.done)
        say(f"{self.description} {self.unit} {self.done}/{self.total}  {format_metrics(shown)}  "
            f"[{duration(elapsed)}, about {duration(left)} left]")
