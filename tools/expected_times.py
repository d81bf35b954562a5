"""Write ``benchmarks/expected-times.csv``, the table each notebook reads its expected time from
(``helpers.core.records.expected_seconds``), from measured runs only:

- the smoke profile's times, as a run of ``run_all.sh --profile smoke`` measured them
  (``reports/smoke/timings.csv``);
- the rehearsal's times and its estimate of the full run on the same device
  (``reports/rehearsal/estimate.csv``, from ``run_all.sh --profile rehearsal``);
- a GPU's, once the GPU check has measured them (``benchmarks/gpu/<device>.csv``, see
  docs/cost.md): the uncut notebook's measured seconds where it ran, else the estimate.

    .venv/bin/python tools/expected_times.py --cpu "2-core CPU"

A row a run did not measure keeps its value from the table already committed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from any folder
from helpers.core.paths import PROJECT_ROOT, reports_root
from helpers.core.records import EXPECTED_TIMES

COLUMNS = ["notebook", "profile", "kind", "device", "seconds", "basis"]
GPU_FOLDER = PROJECT_ROOT / "benchmarks" / "gpu"


def smoke_rows(timings: Path, cpu: str) -> list[dict]:
    """The smoke run's measured wall times."""
    table = pd.read_csv(timings)
    return [row("smoke", "cpu", cpu, name, seconds,
                "measured in a smoke run of every notebook")
            for name, seconds in zip(table["notebook"], table["seconds"])]


def rehearsal_rows(estimate: Path, cpu: str) -> list[dict]:
    """The rehearsal's measured wall times, and its estimate of the full profile on this CPU."""
    table = pd.read_csv(estimate)
    table = table[table["notebook"] != "all notebooks"]
    return [row("rehearsal", "cpu", cpu, name, seconds, "measured in a rehearsal of every "
                "notebook") for name, seconds in zip(table["notebook"], table["rehearsal seconds"])
            ] + [row("full", "cpu", cpu, name, seconds, "the rehearsal's timed batches scaled to "
                     "the full passes") for name, seconds in
                 zip(table["notebook"], table["estimated full seconds"])]


def gpu_rows(folder: Path) -> list[dict]:
    """The GPU check's figures, one file per GPU model (``NVIDIA H100 80GB HBM3.csv`` and so on)."""
    rows = []
    for file in sorted(folder.glob("*.csv")):
        if file.name == "steps.csv":
            continue
        table = pd.read_csv(file)
        device = file.stem.replace("-", " ").upper()  # gpu_check writes nvidia-h100-80gb-hbm3.csv
        for _, line in table.iterrows():
            measured = line.get("measured seconds")
            whole = pd.notna(measured) and measured > 0
            rows.append(row("full", "gpu", device, line["notebook"],
                            measured if whole else line["estimated seconds"],
                            "measured by the GPU check" if whole else
                            "the GPU check's rehearsal, scaled to the full passes"))
    return rows


def row(profile: str, kind: str, device: str, notebook: str, seconds: float, basis: str) -> dict:
    return {"notebook": notebook, "profile": profile, "kind": kind, "device": device,
            "seconds": round(float(seconds), 1), "basis": basis}


def merged(old: pd.DataFrame, new: list[dict]) -> pd.DataFrame:
    """The committed rows, each replaced by a newly measured row of the same notebook, profile,
    kind and device."""
    key = ["notebook", "profile", "kind", "device"]
    table = pd.concat([old, pd.DataFrame(new, columns=COLUMNS)], ignore_index=True)
    return table.drop_duplicates(key, keep="last").sort_values(
        ["kind", "profile", "device", "notebook"]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu", default=f"{os.cpu_count()}-core CPU",
                        help="the CPU the smoke and rehearsal runs ran on, in words")
    parser.add_argument("--reports", type=Path, default=reports_root())
    parser.add_argument("--out", type=Path, default=EXPECTED_TIMES)
    args = parser.parse_args(argv)
    new: list[dict] = []
    if (args.reports / "smoke" / "timings.csv").is_file():
        new += smoke_rows(args.reports / "smoke" / "timings.csv", args.cpu)
    if (args.reports / "rehearsal" / "estimate.csv").is_file():
        new += rehearsal_rows(args.reports / "rehearsal" / "estimate.csv", args.cpu)
    new += gpu_rows(GPU_FOLDER)
    old = pd.read_csv(args.out) if args.out.is_file() else pd.DataFrame(columns=COLUMNS)
    table = merged(old, new)
    table.to_csv(args.out, index=False)
    print(f"{args.out}: {len(table)} rows ({len(new)} measured now)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
