"""The rehearsal's estimate: how long the full run would take on the device that rehearsed it.

A rehearsal (``./run_all.sh --profile rehearsal``) runs the full profile's notebooks with their
architectures, sizes, batch sizes, epochs and splits on full-size synthetic data, every pass over the
data cut to a few timed batches and every training to one epoch (``helpers.core.passes.CutPasses``
records each). A notebook's estimate is its rehearsal wall time with every cut pass replaced by its
full-length estimate, as many times as the full run repeats it. Beside the time, a notebook's work
(multiply-adds of the full run, counted) holds on any device: dividing it by a device's measured
throughput gives a first estimate where no rehearsal has run yet.
"""

from __future__ import annotations

import math
from dataclasses import fields

import pandas as pd

from ..core.paths import ReportPaths
from ..core.passes import TimedPart
from ..core.records import notebook_times


def estimate_full_run(layout: ReportPaths) -> pd.DataFrame:
    """Per notebook of the last rehearsal: its wall time, the time of its cut passes, the estimated
    time of the full run on the same device, the full run's work and the peak memory; a last row
    sums them up."""
    timings = notebook_times(layout).set_index("notebook")["seconds"]
    rows = []
    for notebook, wall in timings.items():
        path = layout.passes_file(notebook)
        parts = pd.read_csv(path) if path.is_file() else pd.DataFrame(
            columns=[column.name for column in fields(TimedPart)])
        rows.append({
            "notebook": notebook, "rehearsal seconds": wall,
            "timed seconds": parts["seconds"].sum(),
            "passes": int((parts["part"] == "pass").sum()),
            "estimated full seconds": wall - parts["seconds"].sum() + parts["full_seconds"].sum(),
            "multiply-adds (T)": parts["multiply_adds_full"].sum() / 1e12,
            "optimiser steps": int(parts.get("optimiser_steps_full", pd.Series(dtype=int)).sum()),
            "peak memory (MiB)": parts["peak_memory_mib"].max() if len(parts) else math.nan,
            "peak reached in": peak_reached_in(parts)})
    table = pd.DataFrame(rows)
    highest = table["peak memory (MiB)"].idxmax() if table["peak memory (MiB)"].notna().any() \
        else None
    total = {"notebook": "all notebooks", **{column: table[column].sum() for column in (
        "rehearsal seconds", "timed seconds", "passes", "estimated full seconds",
        "multiply-adds (T)", "optimiser steps")},
        "peak memory (MiB)": table["peak memory (MiB)"].max(),
        "peak reached in": "" if highest is None else table.loc[highest, "notebook"]}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


OUTSIDE_TRAININGS = "outside a training"


def peak_reached_in(parts: pd.DataFrame) -> str:
    """The training during which a notebook's passes first reached their peak memory ("outside a
    training" for a feature cache or a test pass; "" without passes or training names)."""
    if parts.empty or "training" not in parts:
        return ""
    first = parts.loc[parts["peak_memory_mib"].idxmax(), "training"]
    return first if isinstance(first, str) and first else OUTSIDE_TRAININGS


def describe_estimate(table: pd.DataFrame, device: str) -> str:
    """The estimate as lines for the terminal, slowest notebook named."""
    notebooks = table[table["notebook"] != "all notebooks"]
    slowest = notebooks.loc[notebooks["estimated full seconds"].idxmax()]
    total = table.iloc[-1]
    lines = [f"{row['notebook']:<24} {_hours(row['estimated full seconds']):>10}   "
             f"(rehearsed in {row['rehearsal seconds']:.0f} s"
             f"{_memory(row['peak memory (MiB)'], row.get('peak reached in', ''))}, "
             f"{row['multiply-adds (T)']:,.1f} T multiply-adds, "
             f"{row['optimiser steps']:,} optimiser steps)"
             for _, row in notebooks.iterrows()]
    lines.append(f"estimated full run on {device}: {_hours(total['estimated full seconds'])} "
                 f"(an upper bound: early stopping may end trainings sooner); slowest notebook "
                 f"{slowest['notebook']} ({_hours(slowest['estimated full seconds'])})")
    return "\n".join(lines)


def _memory(mebibytes: float, reached_in: str) -> str:
    if math.isnan(mebibytes):
        return ""
    where = {"": "", OUTSIDE_TRAININGS: f" {OUTSIDE_TRAININGS}"}.get(reached_in,
                                                                   f" during {reached_in}")
    return f", peak memory {mebibytes / 1024:.1f} GiB{where}"


def _hours(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.1f} min" if minutes < 90 else f"{minutes / 60:.1f} h"
