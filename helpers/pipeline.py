"""Run the notebooks in order with papermill and export each to PDF (what ``run_all.sh`` calls).

``python -m helpers.pipeline [--profile smoke|full|rehearsal] [--only NN ...] [--no-pdf] [--resume]``

Parameters come from ``params/<profile>.yaml`` (a ``common`` section, then one section per notebook)
and are checked against each notebook's parameters cell before anything runs. Executed notebooks,
their HTML and PDF, results and timings go to ``reports/<profile>/``. A failing notebook still gets
its partial notebook and PDF written; the run then stops with exit status 1 and names it. After the
notebooks, ``notebooks/summary.ipynb`` builds ``summary.pdf`` from the results files of the run.
A rehearsal (``--profile rehearsal``) also prints the full run's estimated time and keeps it in
``estimate.csv`` (see ``helpers.rehearsal``).

Each notebook trains from scratch: its checkpoints are deleted first, unless ``--resume`` asks to
continue the trainings an interrupted run left behind (``fit`` resumes those whose settings match).
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import papermill
import yaml

from .config import PROFILES, PROJECT_ROOT, ConfigError, get_profile, validate_parameters
from .export import INSTALL_HINT, find_browser, notebook_to_pdf
from .progress import PROGRESS_ENV
from .rehearsal import FOLDER as REHEARSAL_FOLDER
from .rehearsal import NOTEBOOK_ENV, describe_estimate, estimate_full_run
from .summary import ESTIMATE_FILE, RUN_FILE, device_name

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
SUMMARY = NOTEBOOKS_DIR / "summary.ipynb"


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


def notebook_defaults(notebook: Path) -> dict[str, Any]:
    """The values of a notebook's parameters cell."""
    found = papermill.inspect_notebook(str(notebook))
    if not found:
        raise ConfigError(f"{notebook.name} has no cell tagged 'parameters'")
    return {name: ast.literal_eval(spec["default"]) for name, spec in found.items()}


def load_parameters(profile: str) -> dict[str, dict[str, Any]]:
    """The parameters table of ``profile`` (a rehearsal runs with those of the full profile)."""
    path = PARAMS_DIR / f"{get_profile(profile).parameters_name}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path} is missing: every profile needs its parameters file")
    return yaml.safe_load(path.read_text()) or {}


def parameters_for(notebook: Path, profile: str, table: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Common and per-notebook values for ``notebook``, validated against its parameters cell."""
    source = f"params/{get_profile(profile).parameters_name}.yaml"
    sections = set(table) - {"common"} - {nb.stem for nb in list_notebooks()}
    if sections:
        raise ConfigError(f"{source}: unknown section(s) {sorted(sections)}; sections are 'common' "
                          "and the notebook names")
    values = {**(table.get("common") or {}), **(table.get(notebook.stem) or {}), "profile": profile}
    validate_parameters(values, notebook_defaults(notebook), f"{source}, {notebook.stem}")
    return values


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


def run_notebook(notebook: Path, parameters: dict[str, Any], reports: Path) -> Path:
    output = reports / notebook.name
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR), log_output=True, progress_bar=False,
    )
    return output


def run_all(profile: str, only: list[str] | None, pdf: bool, resume: bool = False) -> int:
    get_profile(profile)
    browser = find_browser() if pdf else None
    if pdf and browser is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    notebooks = select_notebooks(only)
    table = load_parameters(profile)
    planned = {nb: parameters_for(nb, profile, table) for nb in notebooks}  # all checked up front
    reports = PROJECT_ROOT / "reports" / profile
    reports.mkdir(parents=True, exist_ok=True)
    os.environ[PROGRESS_ENV] = "log"
    started, stamp = time.perf_counter(), time.strftime("%Y-%m-%d %H:%M:%S %Z")
    for notebook, parameters in planned.items():
        print(f"run_all: {notebook.stem} ({profile})", flush=True)
        if not resume:
            shutil.rmtree(reports / "checkpoints" / notebook.stem, ignore_errors=True)
        (reports / REHEARSAL_FOLDER / f"{notebook.stem}.csv").unlink(missing_ok=True)
        os.environ[NOTEBOOK_ENV] = notebook.stem
        if not execute(notebook, parameters, reports, browser):
            return 1
    seconds = time.perf_counter() - started
    record = {"profile": profile, "started": stamp, "seconds": round(seconds, 1),
              "notebooks": [nb.stem for nb in planned]}
    if get_profile(profile).rehearsal_batches:
        record["estimated_full_seconds"] = report_estimate(reports, planned[notebooks[0]])
    (reports / RUN_FILE).write_text(json.dumps(record, indent=1))
    print(f"run_all: {len(planned)} notebook(s) done in {seconds:.0f} s; building the summary",
          flush=True)
    if not execute(SUMMARY, {"profile": profile}, reports, browser):
        return 1
    print(f"run_all: outputs in {reports}", flush=True)
    return 0


def report_estimate(reports: Path, parameters: dict[str, Any]) -> float:
    """Print and keep (``estimate.csv``) the full run's estimated time from a rehearsal's passes."""
    table = estimate_full_run(reports)
    table.to_csv(reports / ESTIMATE_FILE, index=False)
    print(describe_estimate(table, device_name(parameters.get("device", "auto"))), flush=True)
    return round(float(table.iloc[-1]["estimated full seconds"]), 1)


def execute(notebook: Path, parameters: dict[str, Any], reports: Path, browser: str | None
            ) -> bool:
    """Run one notebook, time it and export it (also when it failed); False if it failed."""
    begin = time.perf_counter()
    failure = None
    try:
        run_notebook(notebook, parameters, reports)
    except papermill.PapermillExecutionError as error:
        failure = error
    record_time(reports, notebook.stem, time.perf_counter() - begin, "failed" if failure else "ok")
    if browser and (reports / notebook.name).is_file():
        notebook_to_pdf(reports / notebook.name, reports / f"{notebook.stem}.pdf", browser)
        print(f"run_all: wrote {reports / (notebook.stem + '.pdf')}", flush=True)
    if failure:
        print(f"{failure.ename}: {failure.evalue}", file=sys.stderr)
        print(f"run_all: FAILED in notebook {notebook.stem} (see {reports / notebook.name})",
              file=sys.stderr, flush=True)
    return failure is None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_all.sh", description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="full", choices=sorted(PROFILES))
    parser.add_argument("--only", nargs="+", metavar="NN", help="notebook numbers or names")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF export")
    parser.add_argument("--resume", action="store_true",
                        help="continue interrupted trainings from their checkpoints")
    args = parser.parse_args(argv)
    try:
        return run_all(args.profile, args.only, pdf=not args.no_pdf, resume=args.resume)
    except ConfigError as error:
        print(f"run_all: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
