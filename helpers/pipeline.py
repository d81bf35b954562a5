"""Run the notebooks in order with papermill and export each to PDF (what run_all.sh calls).

Everything is checked before the first notebook runs: the profile, the parameters file (its YAML and
every value against the notebooks' parameters cells), the device, the reports folder and the
browser for the PDFs. Each notebook's progress - its trainings and epochs, with the time so far and
an estimate of the time left - is shown in the terminal as it runs, and kept in
``reports/<profile>/logs/<notebook>.log``. A failing notebook still gets its partial notebook and PDF
written; the run then stops with exit status 1 and a last line naming it. After the notebooks,
``notebooks/summary.ipynb`` builds ``summary.pdf`` from the results files of the profile.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import papermill
import yaml

from .config import PROFILES, PROJECT_ROOT, ConfigError, get_profile, reports_root, \
    resolve_device, validate_parameters
from .export import INSTALL_HINT, find_browser, notebook_to_pdf
from .progress import LOG_ENV, duration
from .rehearsal import describe_estimate, estimate_full_run
from .summary import ESTIMATE_FILE, RUN_FILE, device_name

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
SUMMARY = NOTEBOOKS_DIR / "summary.ipynb"
# The kernel listens on localhost only; its warning about unencrypted TCP is noise in a terminal.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def list_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def select_notebooks(only: list[str] | None) -> list[Path]:
    """All notebooks, or those whose number (``01`` or ``1``) or name is in ``only``."""
    notebooks = list_notebooks()
    if not only:
        return notebooks
    wanted = {item.zfill(2) if item.isdigit() else item for item in only}
    chosen = [nb for nb in notebooks if nb.stem[:2] in wanted or nb.stem in wanted]
    known = {nb.stem[:2] for nb in notebooks} | {nb.stem for nb in notebooks}
    unknown = sorted(wanted - known)
    if unknown:
        names = ", ".join(nb.stem for nb in notebooks)
        raise ConfigError(f"--only {' '.join(unknown)}: no such notebook; the notebooks are {names}")
    return chosen


# --- parameters -------------------------------------------------------------------------------


def notebook_defaults(notebook: Path) -> dict[str, Any]:
    """The values of a notebook's parameters cell."""
    found = papermill.inspect_notebook(str(notebook))
    if not found:
        raise ConfigError(f"{notebook.name} has no cell tagged 'parameters'")
    return {name: ast.literal_eval(spec["default"]) for name, spec in found.items()}


def parameters_file(profile: str, given: Path | None = None) -> Path:
    """``given``, else ``params/<profile>.yaml`` (a rehearsal runs with the full profile's)."""
    path = Path(given) if given else PARAMS_DIR / f"{get_profile(profile).parameters_name}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path} is missing: give an existing parameters file (params/ holds "
                          "one per profile)")
    return path


def load_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The sections of a parameters file: ``common`` and one per notebook."""
    try:
        table = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML{where}: {problem}. Fix it; the files in "
                          "params/ show the layout (a 'common' section, then one per notebook)"
                          ) from None
    if not isinstance(table, dict) or not all(isinstance(v, (dict, type(None)))
                                              for v in table.values()):
        raise ConfigError(f"{path}: expected sections ('common' and notebook names), each a "
                          "mapping of parameter names to values")
    return table


def parameters_for(notebook: Path, profile: str, table: dict[str, dict[str, Any]],
                   source: str = "parameters") -> dict[str, Any]:
    """Common and per-notebook values for ``notebook``, validated against its parameters cell
    (and its device against this machine)."""
    sections = set(table) - {"common"} - {nb.stem for nb in list_notebooks()} - {"summary"}
    if sections:
        raise ConfigError(f"{source}: unknown section(s) {sorted(sections)}; sections are 'common' "
                          "and the notebook names")
    values = {**(table.get("common") or {}), **(table.get(notebook.stem) or {}), "profile": profile}
    defaults = notebook_defaults(notebook)
    validate_parameters(values, defaults, f"{source}, {notebook.stem}")
    try:
        resolve_device(values.get("device", defaults.get("device", "auto")))
    except ConfigError as error:
        raise ConfigError(f"{source}, {notebook.stem}: {error}") from None
    return values


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """A run, checked: which notebooks with which parameters, where the outputs go."""

    profile: str
    notebooks: dict[Path, dict[str, Any]]
    reports: Path
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
    planned = {nb: parameters_for(nb, profile, table, str(source)) for nb in select_notebooks(only)}
    reports = reports_root() / profile
    for folder in (reports, reports / "results", reports / "logs"):
        check_writable(folder)
    return Plan(profile, planned, reports, browser, resume, source)


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
            params: Path | None = None) -> int:
    """Run the plan's notebooks and the summary; 0 if all went well, 1 if a notebook failed."""
    plan = prepare(profile, only, pdf, resume, params)
    warn_if_slow(plan)
    expected = expected_seconds(plan.reports, profile)
    started, stamp = time.perf_counter(), time.strftime("%Y-%m-%d %H:%M:%S %Z")
    names = [nb.stem for nb in plan.notebooks]
    for number, (notebook, parameters) in enumerate(plan.notebooks.items(), start=1):
        left = [expected.get(name) for name in names[number - 1:]]
        announce(f"[{number}/{len(names)}] {notebook.stem} ({profile})", expected.get(notebook.stem),
                 sum(left) if None not in left else None)
        prepare_checkpoints(plan, notebook.stem)
        if not execute(notebook, parameters, plan, expected.get(notebook.stem)):
            return 1
        report_checkpoints(plan, notebook.stem)
    seconds = time.perf_counter() - started
    record = {"profile": profile, "started": stamp, "seconds": round(seconds, 1), "notebooks": names,
              "parameters": str(plan.source), "device": device_name(
                  next(iter(plan.notebooks.values())).get("device", "auto"))}
    if get_profile(profile).rehearsal_batches:
        record["estimated_full_seconds"] = report_estimate(plan.reports, record["device"])
    (plan.reports / RUN_FILE).write_text(json.dumps(record, indent=1))
    print(f"run_all: {len(names)} notebook(s) done in {duration(seconds)}", flush=True)
    if not build_summary(plan):
        return 1
    print(f"run_all: outputs in {plan.reports} ({folder_megabytes(plan.reports):,.0f} MB)",
          flush=True)
    return 0


def report_checkpoints(plan: Plan, notebook: str) -> None:
    """Say how much the notebook's checkpoints hold (the full profile's disk need, when rehearsed)
    and delete them where the profile keeps none."""
    folder = plan.reports / "checkpoints" / notebook
    if not folder.is_dir():
        return
    size = folder_megabytes(folder)
    keep = get_profile(plan.profile).keep_checkpoints
    print(f"run_all: {notebook} checkpoints: {size:,.0f} MB" +
          ("" if keep else f" (deleted: the {plan.profile} profile keeps none)"), flush=True)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)


def announce(what: str, expected: float | None, left: float | None) -> None:
    known = f"; last time {duration(expected)}" if expected else ""
    remaining = f"; about {duration(left)} left for the run" if left else ""
    print(f"run_all: {what}{known}{remaining}", flush=True)


def prepare_checkpoints(plan: Plan, notebook: str) -> None:
    """Each notebook trains from scratch, unless ``--resume`` continues what a run left behind."""
    if not plan.resume:
        shutil.rmtree(plan.reports / "checkpoints" / notebook, ignore_errors=True)
    if get_profile(plan.profile).rehearsal_batches:
        (plan.reports / "passes" / f"{notebook}.csv").unlink(missing_ok=True)


def warn_if_slow(plan: Plan) -> None:
    """The full profile on a CPU takes days: say so at the start, with a rehearsal's estimate."""
    first = next(iter(plan.notebooks.values()), {})
    if get_profile(plan.profile).synthetic or resolve_device(first.get("device", "auto")).type != "cpu":
        return
    print(f"run_all: the {plan.profile} profile trains every model on the real data sets; on a "
          "CPU that takes days, so it is meant for a GPU.", flush=True)
    rehearsal = reports_root() / "rehearsal" / RUN_FILE
    if rehearsal.is_file():
        record = json.loads(rehearsal.read_text())
        if record.get("estimated_full_seconds") and str(record.get("device", "")).startswith("cpu"):
            print(f"run_all: a rehearsal on {record['device']} estimated "
                  f"{duration(record['estimated_full_seconds'])} for it "
                  f"({reports_root() / 'rehearsal' / ESTIMATE_FILE}).", flush=True)
    print("run_all: to run every notebook in minutes on small synthetic data instead: "
          "./run_all.sh --profile smoke", flush=True)


def expected_seconds(reports: Path, profile: str) -> dict[str, float]:
    """How long each notebook took the last time it ran well in this profile; for the full profile
    without such a run, a rehearsal's estimate."""
    timings = reports / "timings.csv"
    if timings.is_file():
        with timings.open() as file:
            return {row["notebook"]: float(row["seconds"]) for row in csv.DictReader(file)
                    if row["status"] == "ok"}
    estimate = reports_root() / "rehearsal" / ESTIMATE_FILE
    if profile == "full" and estimate.is_file():
        with estimate.open() as file:
            return {row["notebook"]: float(row["estimated full seconds"])
                    for row in csv.DictReader(file)}
    return {}


def record_time(reports: Path, notebook: str, seconds: float, status: str) -> None:
    """Keep the latest wall time of each notebook in ``reports/<profile>/timings.csv``."""
    path = reports / "timings.csv"
    rows = {}
    if path.is_file():
        with path.open() as file:
            rows = {row["notebook"]: row for row in csv.DictReader(file)}
    rows[notebook] = {"notebook": notebook, "seconds": f"{seconds:.1f}", "status": status}
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["notebook", "seconds", "status"])
        writer.writeheader()
        writer.writerows(rows[name] for name in sorted(rows))


# --- one notebook -----------------------------------------------------------------------------


class ProgressEcho:
    """While a notebook runs, print the lines its trainings append to their log file, each with
    the notebook's elapsed time (and its expected time, where known)."""

    def __init__(self, log: Path, expected: float | None) -> None:
        self.log, self.expected = log, expected
        self.stop, self.started, self.position = threading.Event(), time.perf_counter(), 0
        self.thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> ProgressEcho:
        self.log.write_text("")
        os.environ[LOG_ENV] = str(self.log)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._echo()
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
            print(f"  [{clock}{of}] {line}", flush=True)


def run_notebook(notebook: Path, parameters: dict[str, Any], reports: Path) -> Path:
    output = reports / notebook.name
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR), progress_bar=False, extra_arguments=KERNEL_ARGUMENTS,
    )
    return output


def execute(notebook: Path, parameters: dict[str, Any], plan: Plan,
            expected: float | None = None) -> bool:
    """Run one notebook, time it and export it (also when it failed); False if it failed."""
    begin = time.perf_counter()
    failure = None
    try:
        with ProgressEcho(plan.reports / "logs" / f"{notebook.stem}.log", expected):
            run_notebook(notebook, parameters, plan.reports)
    except papermill.PapermillExecutionError as error:
        failure = error
    seconds = time.perf_counter() - begin
    record_time(plan.reports, notebook.stem, seconds, "failed" if failure else "ok")
    if plan.browser and (plan.reports / notebook.name).is_file():
        notebook_to_pdf(plan.reports / notebook.name, plan.reports / f"{notebook.stem}.pdf",
                        plan.browser)
        print(f"run_all: wrote {plan.reports / (notebook.stem + '.pdf')}", flush=True)
    if failure:
        print(f"{failure.ename}: {failure.evalue}", file=sys.stderr)
        print(f"run_all: FAILED in notebook {notebook.stem} (see {plan.reports / notebook.name})",
              file=sys.stderr, flush=True)
    else:
        print(f"run_all: {notebook.stem} done in {duration(seconds)}", flush=True)
    return failure is None


def build_summary(plan: Plan) -> bool:
    """The summary of every results file of the profile (this run's and earlier ones); skipped,
    with a line saying so, when no notebook that trains has run yet."""
    results = sorted((plan.reports / "results").glob("[0-9][0-9]_*.csv"))
    if not results:
        print(f"run_all: no results files in {plan.reports / 'results'} yet (notebook 01 trains "
              "nothing), so no summary; it is built once a notebook that trains has run",
              flush=True)
        return True
    print(f"run_all: building the summary from {len(results)} results file(s)", flush=True)
    return execute(SUMMARY, {"profile": plan.profile}, plan)


def report_estimate(reports: Path, device: str) -> float:
    """Print and keep (``estimate.csv``) the full run's estimated time from a rehearsal's passes."""
    table = estimate_full_run(reports)
    table.to_csv(reports / ESTIMATE_FILE, index=False)
    print(describe_estimate(table, device), flush=True)
    return round(float(table.iloc[-1]["estimated full seconds"]), 1)


def folder_megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


# --- the command ------------------------------------------------------------------------------


def help_epilog() -> str:
    profiles = "\n".join(f"  {name:<10} {profile.description}"
                         + (" (the default)" if name == "full" else "")
                         for name, profile in PROFILES.items())
    return (f"profiles:\n{profiles}\n\n"
            "--only runs the notebooks named; the summary is then built from every results file\n"
            "of the profile (those of this run and of earlier runs), and skipped when there is\n"
            "none yet (notebook 01 trains nothing). Outputs go to reports/<profile>/ (or\n"
            "$REPORTS_ROOT/<profile>/); see README.md.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="run_all.sh", description=__doc__.split("\n")[0], epilog=help_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="full", choices=list(PROFILES),
                        help="which profile to run (default: full)")
    parser.add_argument("--only", nargs="+", metavar="NN", help="notebook numbers or names")
    parser.add_argument("--params", type=Path, metavar="FILE",
                        help="run the profile with this parameters file instead of "
                             "params/<profile>.yaml (checked the same way)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF export")
    parser.add_argument("--resume", action="store_true",
                        help="continue interrupted trainings from their checkpoints")
    args = parser.parse_args(argv)
    try:
        return run_all(args.profile, args.only, pdf=not args.no_pdf, resume=args.resume,
                       params=args.params)
    except ConfigError as error:
        print(f"run_all: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
