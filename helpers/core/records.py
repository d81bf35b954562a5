"""How long things took: each notebook's wall time (``timings.csv``) and the record of the last
run (``run.json``), written by the pipeline and read by the pipeline (the time left), the
rehearsal (its estimate) and the summary. Paths come from the run's :class:`~helpers.core.paths.ReportPaths`.
"""

from __future__ import annotations

import csv
import json
from typing import Any

import pandas as pd

from .paths import ReportPaths

COLUMNS = ["notebook", "seconds", "status"]


def record_time(layout: ReportPaths, notebook: str, seconds: float, status: str) -> None:
    """Keep the latest wall time of each notebook, with "ok" or "failed"."""
    rows = {}
    if layout.timings.is_file():
        with layout.timings.open() as file:
            rows = {row["notebook"]: row for row in csv.DictReader(file)}
    rows[notebook] = {"notebook": notebook, "seconds": f"{seconds:.1f}", "status": status}
    layout.timings.parent.mkdir(parents=True, exist_ok=True)
    with layout.timings.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows[name] for name in sorted(rows))


def notebook_times(layout: ReportPaths) -> pd.DataFrame:
    """Wall time of each notebook (``notebook``, ``seconds``, ``status``), the summary left out."""
    if not layout.timings.is_file():
        return pd.DataFrame(columns=COLUMNS)
    table = pd.read_csv(layout.timings)
    return table[table["notebook"] != "summary"].reset_index(drop=True)


def seconds_of_finished(layout: ReportPaths) -> dict[str, float]:
    """How long each notebook took the last time it ran well."""
    table = notebook_times(layout)
    return dict(zip(table.loc[table["status"] == "ok", "notebook"],
                    table.loc[table["status"] == "ok", "seconds"].astype(float)))


def write_run_record(layout: ReportPaths, record: dict[str, Any]) -> None:
    layout.run_record.write_text(json.dumps(record, indent=1))


def run_record(layout: ReportPaths) -> dict[str, Any]:
    """What the pipeline wrote about the last run (empty when the notebooks were run by hand)."""
    return json.loads(layout.run_record.read_text()) if layout.run_record.is_file() else {}


def estimated_seconds(layout: ReportPaths) -> dict[str, float]:
    """A rehearsal's estimate of each notebook's full-profile time (empty without one)."""
    if not layout.estimate.is_file():
        return {}
    table = pd.read_csv(layout.estimate)
    return dict(zip(table["notebook"], table["estimated full seconds"].astype(float)))
