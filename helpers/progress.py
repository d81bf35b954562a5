"""Progress: a bar in interactive Jupyter or Colab, one quiet line per step in headless runs.

tqdm's notebook bar ignores TQDM_DISABLE and leaves widget junk in exported PDFs, so headless runs
set the project's own switch, ``HELPERS_PROGRESS=log`` (run_all.sh does), to get plain lines.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Mapping

PROGRESS_ENV = "HELPERS_PROGRESS"


def interactive_notebook() -> bool:
    """True in a Jupyter or Colab kernel that a person is watching (not under ``log`` mode)."""
    if os.environ.get(PROGRESS_ENV, "") == "log":
        return False
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return type(shell).__name__ in ("ZMQInteractiveShell", "Shell")  # Jupyter, Colab


def format_metrics(metrics: Mapping[str, Any]) -> str:
    parts = []
    for name, value in metrics.items():
        if isinstance(value, float):
            value = f"{value:.2%}" if name.endswith("acc") else f"{value:.4g}"
        parts.append(f"{name} {value}")
    return "  ".join(parts)


class Progress:
    """``with Progress(total, "CNN") as bar: bar.step({"loss": 0.3})`` - a bar or one line a step."""

    def __init__(self, total: int, description: str = "", unit: str = "epoch") -> None:
        self.total, self.description, self.unit, self.done = total, description, unit, 0
        self.bar = None
        if interactive_notebook():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc=description, unit=unit)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def skip_to(self, done: int) -> None:
        """Start counting at ``done`` steps (a resumed run)."""
        self.done = done
        if self.bar is not None:
            self.bar.update(done)

    def step(self, metrics: Mapping[str, Any]) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(format_metrics(metrics), refresh=False)
            self.bar.update(1)
        else:
            prefix = f"{self.description} " if self.description else ""
            print(f"{prefix}{self.unit} {self.done}/{self.total}  {format_metrics(metrics)}",
                  flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
