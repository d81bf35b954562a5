"""The command behind run_all.sh: run the notebooks with papermill, export each to PDF, then
build the summary.

Everything is checked before the first notebook runs: the profile, the parameters file (its YAML and
every value against the notebooks' parameters cells: helpers.core.parameters), the device, the reports
folder and the browser for the PDFs. Each notebook's progress - its trainings and epochs, with the
time so far and an estimate of the time left - is shown in the terminal as it runs
(helpers.run.execution). A failing notebook still gets its partial notebook and PDF written; the run
then stops with exit status 1 and a last line naming it. Every path comes from the profile's
:class:`~helpers.core.paths.ReportPaths`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..training.checkpoints import clear_notebook_checkpoints, folder_megabytes, settle_notebook_checkpoints
from ..core.config import (DATA_ROOT_ENV, PROFILES, ConfigError, check_data_root, get_profile,
                           resolve_device)
from ..core.device import device_name
from .execution import build_summary, execute
from .jobs import run_side_by_side
from .export import INSTALL_HINT, find_browser
from ..core.paths import ReportPaths, paths_for
from ..core.parameters import load_parameters, parameters_file, parameters_for, select_notebooks
from ..core.progress import duration
from .rehearsal import describe_estimate, estimate_full_run
from ..core.records import estimated_seconds, run_record, seconds_of_finished, write_run_record


@dataclass
class Plan:
    """A run, checked: which notebooks with which parameters, where the outputs go."""

    profile: str
    notebooks: dict[Path, dict[str, Any]]
    layout: ReportPaths
    browser: str | None
    resume: bool
    source: Path


def prepare(profile: str, only: list[str] | None, pdf: bool, resume: bool = False,
            params: Path | None = None) -> Plan:
    """Check everything a run needs before it starts; a ConfigError says what to change."""
    get_profile(profile)
    browser = find_browser() if pdf else None
    if pdf and browser is None:
        raise ConfigError(INSTALL_HINT)
    source = parameters_file(profile, params)
    table = load_parameters(source)
    planned = {nb: parameters_for(nb, profile, table, str(source), resume)
               for nb in select_notebooks(only)}
    if os.environ.get(DATA_ROOT_ENV) and not get_profile(profile).synthetic:
        check_data_root(Path(os.environ[DATA_ROOT_ENV]))
    for values in planned.values():
        if values.get("data_root"):
            check_data_root(Path(values["data_root"]), f"data_root in {source}")
    layout = paths_for(profile)
    for folder in layout.written_folders():
        check_writable(folder)
    return Plan(profile, planned, layout, browser, resume, source)


def check_writable(folder: Path) -> None:
    """``folder`` exists (or is made) and takes files; else a ConfigError saying what to do."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} is a file, but the run writes its reports there: move the "
                          "file away, or set REPORTS_ROOT to another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise ConfigError(f"cannot write in {folder} ({error.strerror or error}): make it "
                          "writable, or set REPORTS_ROOT to a folder you can write") from None


def run_all(profile: str, only: list[str] | None, pdf: bool, resume: bool = False,
            params: Path | None = None, jobs: int = 1) -> int:
    """Run the plan's notebooks (up to ``jobs`` at once) and the summary; 0 if all went well, 1
    if a notebook failed."""
    plan = prepare(profile, only, pdf, resume, params)
    warn_if_slow(plan)
    expected = expected_seconds(plan)
    started, stamp = time.perf_counter(), time.strftime("%Y-%m-%d %H:%M:%S %Z")
    names = [nb.stem for nb in plan.notebooks]
    order = {name: number for number, name in enumerate(names, start=1)}

    def run_one(notebook: Path) -> bool:
        left = None if jobs > 1 else [expected.get(name) for name in names[order[notebook.stem] - 1:]]
        announce(f"[{order[notebook.stem]}/{len(names)}] {notebook.stem} ({profile})",
                 expected.get(notebook.stem), sum(left) if left and None not in left else None)
        return run_notebook_of(plan, notebook, expected.get(notebook.stem), named=jobs > 1)

    failed = run_side_by_side(list(plan.notebooks), jobs, run_one)
    if failed:
        print(f"run_all: FAILED in notebook {', '.join(failed)}", file=sys.stderr, flush=True)
        return 1
    seconds = time.perf_counter() - started
    first = next(iter(plan.notebooks.values()))
    record = {"profile": profile, "started": stamp, "seconds": round(seconds, 1), "notebooks": names,
              "parameters": str(plan.source), "jobs": jobs,
              "device": device_name(resolve_device(first.get("device", "auto")))}
    if get_profile(profile).rehearsal_batches:
        record["estimated_full_seconds"] = report_estimate(plan.layout, record["device"])
    write_run_record(plan.layout, record)
    print(f"run_all: {len(names)} notebook(s) done in {duration(seconds)}", flush=True)
    if not build_summary(plan.layout, profile, plan.browser):
        return 1
    print(f"run_all: outputs in {plan.layout.root} "
          f"({folder_megabytes(plan.layout.root):,.0f} MB)", flush=True)
    return 0


def run_notebook_of(plan: Plan, notebook: Path, expected: float | None, named: bool) -> bool:
    """One notebook of the plan: its checkpoints cleared (unless resuming) and settled after it,
    its rehearsal passes' file started afresh; False if it failed."""
    layout = plan.layout
    if not plan.resume:
        clear_notebook_checkpoints(layout, notebook.stem)
    layout.passes_file(notebook.stem).unlink(missing_ok=True)
    if not execute(notebook, plan.notebooks[notebook], layout, plan.browser, expected, named):
        return False
    said = settle_notebook_checkpoints(layout, notebook.stem,
                                      get_profile(plan.profile).keep_checkpoints)
    if said:
        print(f"run_all: {said}", flush=True)
    return True


def announce(what: str, expected: float | None, left: float | None) -> None:
    known = f"; last time {duration(expected)}" if expected else ""
    remaining = f"; about {duration(left)} left for the run" if left else ""
    print(f"run_all: {what}{known}{remaining}", flush=True)


def warn_if_slow(plan: Plan) -> None:
    """The full profile on a CPU takes days: say so at the start, with a rehearsal's estimate."""
    first = next(iter(plan.notebooks.values()), {})
    if get_profile(plan.profile).synthetic or resolve_device(first.get("device", "auto")).type != "cpu":
        return
    print(f"run_all: the {plan.profile} profile trains every model on the real data sets; on a "
          "CPU that takes days, so it is meant for a GPU.", flush=True)
    rehearsal = paths_for("rehearsal")
    record = run_record(rehearsal)
    if record.get("estimated_full_seconds") and str(record.get("device", "")).startswith("cpu"):
        print(f"run_all: a rehearsal on {record['device']} estimated "
              f"{duration(record['estimated_full_seconds'])} for it ({rehearsal.estimate}).",
              flush=True)
    print("run_all: to run every notebook in minutes on small synthetic data instead: "
          "./run_all.sh --profile smoke", flush=True)


def expected_seconds(plan: Plan) -> dict[str, float]:
    """How long each notebook took the last time it ran well in this profile; for the full profile
    without such a run, a rehearsal's estimate."""
    finished = seconds_of_finished(plan.layout)
    if finished or plan.profile != "full":
        return finished
    return estimated_seconds(paths_for("rehearsal"))


def report_estimate(layout: ReportPaths, device: str) -> float:
    """Print and keep (``estimate.csv``) the full run's estimated time from a rehearsal's passes."""
    table = estimate_full_run(layout)
    table.to_csv(layout.estimate, index=False)
    print(describe_estimate(table, device), flush=True)
    return round(float(table.iloc[-1]["estimated full seconds"]), 1)


# --- the command ------------------------------------------------------------------------------


def help_epilog() -> str:
    profiles = "\n".join(f"  {name:<10} {profile.description}"
                         + (" (the default)" if name == "full" else "")
                         for name, profile in PROFILES.items())
    return (f"profiles:\n{profiles}\n\n"
            "--only runs the notebooks named; the summary is then built from every results file\n"
            "of the profile (those of this run and of earlier runs), and skipped when there is\n"
            "none yet (notebook 01 trains nothing). Without --resume every training starts\n"
            "afresh. Outputs go to reports/<profile>/ (or $REPORTS_ROOT/<profile>/); see README.md.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="run_all.sh", description=" ".join(__doc__.split("\n\n")[0].split()), epilog=help_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="full", choices=list(PROFILES),
                        help="which profile to run (default: full)")
    parser.add_argument("--only", nargs="+", metavar="NN", help="notebook numbers or names")
    parser.add_argument("--params", type=Path, metavar="FILE",
                        help="run the profile with this parameters file instead of "
                             "params/<profile>.yaml (checked the same way)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF export")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="run up to N notebooks at once on the device, each as soon as what it "
                             "reads is written (default 1: one after another)")
    parser.add_argument("--resume", action="store_true",
                        help="continue interrupted trainings from their checkpoints and read "
                             "finished ones back (only where settings and code are unchanged)")
    args = parser.parse_args(argv)
    try:
        if args.jobs < 1:
            raise ConfigError(f"--jobs {args.jobs}: give 1 or more notebooks to run at once")
        return run_all(args.profile, args.only, pdf=not args.no_pdf, resume=args.resume,
                       params=args.params, jobs=args.jobs)
    except ConfigError as error:
        print(f"run_all: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
