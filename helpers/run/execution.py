"""Running one notebook with papermill and exporting it to PDF, its progress echoed in the terminal.

A failing notebook still gets its partial notebook and PDF written. Each notebook's wall time goes
to ``timings.csv`` (helpers.core.records); its progress lines to ``logs/<notebook>.log``, which
:class:`ProgressEcho` prints as they grow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import papermill

from .export import notebook_to_pdf
from ..core.paths import PROJECT_ROOT, ReportPaths
from ..core.parameters import NOTEBOOKS_DIR
from ..core.progress import LOG_ENV, duration
from ..core.records import record_time

SUMMARY = NOTEBOOKS_DIR / "summary.ipynb"
# The kernel listens on localhost only; its warning about unencrypted TCP is noise in a terminal.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


class ProgressEcho:
    """While a notebook runs, print the lines its trainings append to their log file, each with
    the notebook's elapsed time (and its expected time, where known) and, where notebooks run side
    by side, its name. The notebook's kernel writes to its own file in the run's log folder
    (``$HELPERS_PROGRESS_LOGS``, helpers.core.progress)."""

    def __init__(self, log: Path, expected: float | None, named: bool = False) -> None:
        self.log, self.expected, self.prefix = log, expected, f"{log.stem} " if named else ""
        self.stop, self.started, self.position = threading.Event(), time.perf_counter(), 0
        self.thread = threading.Thread(target=self._follow, daemon=True)

    following: list[int] = [0]  # echoes open now: the log folder stays set while any is
    turns = threading.Lock()

    def __enter__(self) -> ProgressEcho:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.write_text("")
        with self.turns:
            os.environ[LOG_ENV] = str(self.log.parent)  # the same folder for every notebook
            self.following[0] += 1
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._echo()
        with self.turns:
            self.following[0] -= 1
            if not self.following[0]:
                os.environ.pop(LOG_ENV, None)

    def _follow(self) -> None:
        while not self.stop.wait(0.5):
            self._echo()

    def _echo(self) -> None:
        with self.log.open(encoding="utf-8") as file:
            file.seek(self.position)
            text = file.read()
        complete = text[:text.rfind("\n") + 1]
        self.position += len(complete.encode("utf-8"))
        clock = duration(time.perf_counter() - self.started)
        of = f" of about {duration(self.expected)}" if self.expected else ""
        for line in complete.splitlines():
            print(f"  [{self.prefix}{clock}{of}] {line}", flush=True)


def follow_command(command: list[str], seconds: float, say: Callable[[str], None]) -> int:
    """Run ``command`` from the project's folder, its lines passed to ``say`` as they come, and
    stop it with all its children (a pipeline's notebook kernels) after ``seconds``; its exit
    status."""
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    watchdog = threading.Timer(max(1.0, seconds), os.killpg, (process.pid, signal.SIGKILL))
    watchdog.start()
    try:
        for line in process.stdout:
            say(f"  {line.rstrip()}")
        return process.wait()
    finally:
        watchdog.cancel()


def run_notebook(notebook: Path, parameters: dict[str, Any], output: Path) -> None:
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR), progress_bar=False, extra_arguments=KERNEL_ARGUMENTS,
    )


def execute(notebook: Path, parameters: dict[str, Any], layout: ReportPaths, browser: str | None,
            expected: float | None = None, named: bool = False) -> bool:
    """Run one notebook, time it and export it (also when it failed, as far as it got) to PDF
    where ``browser`` is given; False if it failed. ``named``: its progress lines carry its name
    (notebooks run side by side)."""
    name, begin, failure = notebook.stem, time.perf_counter(), None
    try:
        with ProgressEcho(layout.log(name), expected, named):
            run_notebook(notebook, parameters, layout.executed(name))
    except papermill.PapermillExecutionError as error:
        failure = error
    seconds = time.perf_counter() - begin
    record_time(layout, name, seconds, "failed" if failure else "ok")
    if browser and layout.executed(name).is_file():
        notebook_to_pdf(layout.executed(name), layout.pdf(name), browser)
        print(f"run_all: wrote {layout.pdf(name)}", flush=True)
    if failure:
        print(f"{failure.ename}: {failure.evalue}", file=sys.stderr)
        print(f"run_all: {name} stopped with an error; its partial notebook is "
              f"{layout.executed(name)}", file=sys.stderr, flush=True)
    else:
        print(f"run_all: {name} done in {duration(seconds)}", flush=True)
    return failure is None


def build_summary(layout: ReportPaths, profile: str, browser: str | None) -> bool:
    """The summary of every results file of the profile (this run's and earlier ones); skipped,
    with a line saying so, when no notebook that trains has run yet."""
    results = layout.results_files()
    if not results:
        print(f"run_all: no results files in {layout.results} yet (notebook 01 trains nothing), "
              "so no summary; it is built once a notebook that trains has run", flush=True)
        return True
    print(f"run_all: building the summary from {len(results)} results file(s)", flush=True)
    return execute(SUMMARY, {"profile": profile}, layout, browser)
