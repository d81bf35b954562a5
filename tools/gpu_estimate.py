"""The full profile's expected time on a GPU, before a GPU has measured it: from a rehearsal's
counts (each notebook's optimiser steps and multiply-adds, the same on any device) and stated
per-step costs and throughputs, for one notebook at a time and for ``run_all.sh --jobs``.

    .venv/bin/python tools/gpu_estimate.py benchmarks/cpu/rehearsal-estimate.csv

A notebook's time is its steps times the cost of a step where the step is too small to keep
the GPU busy (launches and the Python around them, a few milliseconds for a small CNN in eager
mode), and its work at a share of the GPU's dense 16-bit peak (the large models'). Side by
side, trainings that leave the GPU idle overlap; the notebooks that depend on each other (03
after 02) stay in order. Every figure is an estimate until the GPU check has measured the GPU.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

CHAIN = ("02_baseline_cnn", "03_regularised_cnns")  # 03 reads 02's results


@dataclass(frozen=True)
class Gpu:
    """A GPU and what is assumed of it: its dense 16-bit tensor-core peak (the maker's data
    sheet), the cost of a launch-bound step of a small CNN in eager mode on the machine it sits
    in, the share of the peak large models' steps reach, and the throughput of ``jobs`` notebooks
    side by side against one (each range low to high)."""

    name: str
    peak_tflops: float
    step_ms: tuple[float, float]
    use_of_peak: tuple[float, float]
    jobs: int
    overlap: tuple[float, float]


GPUS = (
    # Colab's T4: two slow host cores (dearer launches, no room for more than 2 notebooks), a
    # 70 W card that throttles under load
    Gpu("NVIDIA T4 in Colab (fp16)", 65.0, (2.0, 4.0), (0.25, 0.10), 2, (1.6, 1.2)),
    Gpu("NVIDIA H100 SXM (bf16)", 989.0, (1.5, 2.5), (0.35, 0.15), 4, (3.0, 2.0)),
)


def notebook_seconds(steps: float, multiply_adds_t: float, gpu: Gpu) -> tuple[float, float]:
    """The low and high estimate of one notebook's seconds on ``gpu``: low, the larger of its
    launch-bound and compute-bound times at the cheap end of each range; high, their sum at the
    dear end."""
    launches = [steps * ms / 1000 for ms in gpu.step_ms]
    compute = [2 * multiply_adds_t * 1e12 / (gpu.peak_tflops * 1e12 * use)
               for use in gpu.use_of_peak]
    return max(launches[0], compute[0]), launches[1] + compute[1]


def estimate(table: pd.DataFrame, gpu: Gpu) -> pd.DataFrame:
    """Per notebook: its steps, work, and low and high seconds on ``gpu``."""
    rows = table[table["notebook"] != "all notebooks"]
    low, high = zip(*(notebook_seconds(steps, work, gpu) for steps, work in
                      zip(rows["optimiser steps"], rows["multiply-adds (T)"])))
    return pd.DataFrame({"notebook": rows["notebook"], "optimiser steps": rows["optimiser steps"],
                         "multiply-adds (T)": rows["multiply-adds (T)"], "low (s)": low,
                         "high (s)": high})


def side_by_side(per_notebook: pd.DataFrame, gpu: Gpu) -> tuple[float, float]:
    """The run's low and high seconds with ``gpu.jobs`` notebooks at once: the work shared at the
    assumed overlap, but never less than the chain of notebooks that wait for each other."""
    chain = per_notebook[per_notebook["notebook"].isin(CHAIN)]
    return tuple(max(per_notebook[column].sum() / speed_up, chain[column].sum())
                 for column, speed_up in (("low (s)", gpu.overlap[0]),
                                          ("high (s)", gpu.overlap[1])))


def describe(table: pd.DataFrame) -> list[str]:
    notebooks = table[table["notebook"] != "all notebooks"]
    lines = [f"{notebooks['optimiser steps'].sum():,.0f} optimiser steps, "
             f"{notebooks['multiply-adds (T)'].sum():,.0f} T multiply-adds"]
    for gpu in GPUS:
        per_notebook = estimate(notebooks, gpu)
        low, high = per_notebook["low (s)"].sum(), per_notebook["high (s)"].sum()
        together = side_by_side(per_notebook, gpu)
        slowest = per_notebook.loc[per_notebook["high (s)"].idxmax()]
        lines.append(
            f"{gpu.name}: one notebook at a time {low / 60:.0f}-{high / 60:.0f} min; --jobs "
            f"{gpu.jobs} {together[0] / 60:.0f}-{together[1] / 60:.0f} min; slowest "
            f"{slowest['notebook']} ({slowest['low (s)'] / 60:.0f}-{slowest['high (s)'] / 60:.0f} "
            f"min). Assumed: a step {gpu.step_ms[0]:g}-{gpu.step_ms[1]:g} ms where launches bound "
            f"it, the work at {gpu.use_of_peak[1]:.0%}-{gpu.use_of_peak[0]:.0%} of "
            f"{gpu.peak_tflops:g} TFLOPS, {gpu.overlap[1]:g}-{gpu.overlap[0]:g} times the "
            f"throughput with {gpu.jobs} notebooks at once")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("estimate", type=Path, help="a rehearsal's estimate.csv")
    args = parser.parse_args(argv)
    print("\n".join(describe(pd.read_csv(args.estimate))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
