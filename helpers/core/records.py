"""How long things took: each notebook's wall time (``timings.csv``) and the record of the last
run (``run.json``), written by the pipeline and read by the pipeline (the time left), the
rehearsal (its estimate) and the summary. Paths come from the run's :class:`~helpers.core.paths.ReportPaths`.
"""

from __future__ import annotations

import csv
import json
import re
import threading
from typing import Any

import pandas as pd

from .paths import PROJECT_ROOT, ReportPaths

COLUMNS = ["notebook", "seconds", "status"]


WRITING = threading.Lock()  # notebooks run side by side finish in threads of one process


def record_time(layout: ReportPaths, notebook: str, seconds: float, status: str) -> None:
    """Keep the latest wall time of each notebook, with "ok" or "failed"."""
    with WRITING:
        _record_time(layout, notebook, seconds, status)


def _record_time(layout: ReportPaths, notebook: str, seconds: float, status: str) -> None:
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


EXPECTED_TIMES = PROJECT_ROOT / "benchmarks" / "expected-times.csv"  # tools/expected_times.py


def expected_seconds(notebook: str, profile: str, device: Any) -> tuple[float, str, str] | None:
    """A notebook's expected wall time in a profile on a kind of device - seconds, the device the
    figure is for ("a 2-core CPU", "an NVIDIA H100") and how it was made - from the committed
    table ``EXPECTED_TIMES`` (columns notebook, profile, kind, device, seconds, basis). A CPU gets
    the CPU's row; a GPU the row of its model ("NVIDIA H100 80GB HBM3"), else the first GPU row,
    which names the GPU it assumes. None where the table has no row."""
    if not EXPECTED_TIMES.is_file():
        return None
    table = pd.read_csv(EXPECTED_TIMES)
    kind = "gpu" if getattr(device, "type", str(device)) == "cuda" else "cpu"
    rows = table[(table["notebook"] == notebook) & (table["profile"] == profile)
                 & (table["kind"] == kind)]
    if kind == "gpu":
        name = _words(_gpu_name(device))
        matching = rows[[_words(model) == name for model in rows["device"]]]
        rows = matching if len(matching) else rows
    if rows.empty:
        return None
    row = rows.iloc[0]
    article = "an" if row["device"][0].upper() in "AEIOUN" and kind == "gpu" else "a"
    return float(row["seconds"]), f"{article} {row['device']}", str(row["basis"])


def _words(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))


def _gpu_name(device: Any) -> str:
    import torch

    return torch.cuda.get_device_name(device) if torch.cuda.is_available() else ""
