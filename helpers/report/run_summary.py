"""The summary report: every trained model of a run, from the results files alone.

``run_all.sh`` ends with ``notebooks/summary.ipynb``, which calls these functions on
``reports/<profile>/``: nothing is retrained and no figure is typed in.
"""

from __future__ import annotations

import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from ..core.config import resolve_device
from .headline import findings_frame
from ..experiments.results import load_correct
from ..core.device import device_name
from ..core.paths import PROJECT_ROOT, ReportPaths
from ..experiments.results import reference_of, source_difference
from ..training.recipes import OURS, SOURCE
from ..experiments.references import SOURCE_FIGURES

LIBRARIES = ("torch", "torchvision", "numpy", "pandas", "scikit-learn", "matplotlib", "papermill")


def collect_results(layout: ReportPaths) -> pd.DataFrame:
    """All results files of a run in one table, with the notebook each row comes from."""
    frames = [frame.assign(notebook=path.stem) for path in layout.results_files()
              if {"model", "test_acc"} <= set((frame := pd.read_csv(path)).columns)]
    if not frames:
        raise FileNotFoundError(f"no results files in {layout.results}: run the notebooks first "
                                "(./run_all.sh --profile ...)")
    return pd.concat(frames, ignore_index=True)


def collect_correct(layout: ReportPaths) -> dict[str, dict]:
    """Each notebook's right answers (``results/<notebook>.correct.npz``), by notebook."""
    return {path.stem: load_correct(path.with_suffix(".correct.npz"))
            for path in layout.results_files()}


def model_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per training: where it comes from, its size, our figure beside the source report's
    (the metric compared is the source report's first figure for the model or its reference_key,
    else test accuracy; the difference in points for accuracies) and, for our recipes, the goal,
    judged in the findings on the mean over random seeds."""
    rows = []
    for row in results.to_dict("records"):
        figures = SOURCE_FIGURES.get(reference_of(row), [])
        metric = figures[0].metric if figures else "test_acc"
        ours, source = row.get(metric), figures[0].value if figures else None
        goal = row.get("goal")
        rows.append({
            "notebook": row["notebook"], "model": row["model"], "recipe": row.get("recipe"),
            "seed": row.get("seed"), "dataset": row["dataset"], "params": row["params"],
            "test_acc": row["test_acc"], "metric": metric, "ours": ours, "source": source,
            "difference": source_difference(metric, ours, source),
            "goal": goal if goal is not None and not pd.isna(goal) else None,
            "seconds": row["seconds"], "train_multiply_adds": row.get("train_multiply_adds")})
    return pd.DataFrame(rows)


def calibration_table(results: pd.DataFrame) -> pd.DataFrame:
    """For each model of the headline (a source figure or a goal) trained by both recipes, the
    means over random seeds of the test set's expected calibration error by the source recipe and
    by ours, and ours after temperature scaling with its temperature."""
    if "test_ece" not in results:
        return pd.DataFrame()
    marked = results[[column for column in ("goal", "source_figure") if column in results]]
    headline = set(zip(results.loc[marked.notna().any(axis=1), "notebook"],
                       results.loc[marked.notna().any(axis=1), "model"]))
    rows = []
    calibrated = results.dropna(subset=["test_ece"])  # files written before calibration: none
    for (notebook, model), group in calibrated.groupby(["notebook", "model"], sort=False):
        by_recipe = group.groupby("recipe")[["test_ece", "test_ece_tempered",
                                             "temperature"]].mean()
        if (notebook, model) not in headline or not {SOURCE, OURS} <= set(by_recipe.index):
            continue
        rows.append({"notebook": notebook, "model": model,
                     "ECE, source recipe": by_recipe.loc[SOURCE, "test_ece"],
                     "ECE, our recipe": by_recipe.loc[OURS, "test_ece"],
                     "ECE, ours after temperature scaling": by_recipe.loc[OURS,
                                                                          "test_ece_tempered"],
                     "temperature (ours)": by_recipe.loc[OURS, "temperature"]})
    return pd.DataFrame(rows)


def headline_table(results: pd.DataFrame, correct: dict[str, dict]) -> pd.DataFrame:
    """One row per notebook and model that has a source figure or a goal: the findings table of
    each notebook (``headline.findings_frame``, with the same intervals and verdicts), with the
    notebook it comes from."""
    frames = [findings_frame(group.to_dict("records"), correct.get(notebook, {}))
              .assign(notebook=notebook) for notebook, group in results.groupby("notebook", sort=True)]
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    return frame[["notebook", *[c for c in frame.columns if c != "notebook"]]]


def environment(device: str = "auto") -> dict[str, str]:
    """Device, library versions and git commit of the machine building the summary."""
    info = {"device": device_name(resolve_device(device)), "python": platform.python_version()}
    for library in LIBRARIES:
        try:
            info[library] = version(library)
        except PackageNotFoundError:
            info[library] = "not installed"
    info["git commit"] = git_commit()
    return info


def notebooks_rerun(record: dict, timings: pd.DataFrame) -> list[str]:
    """The notebooks of the latest run (``record``: the run record) where it ran only some of
    those timed; empty where it ran them all or the record does not say."""
    ran = list(record.get("notebooks", []))
    return [] if set(timings["notebook"]) <= set(ran) else ran


def estimate_table(layout: ReportPaths) -> pd.DataFrame | None:
    """The full run's estimated time per notebook, written after a rehearsal (else None)."""
    return pd.read_csv(layout.estimate) if layout.estimate.is_file() else None


def git_commit() -> str:
    """The commit the project is at, marked "with uncommitted changes" when the working tree differs from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit}, with uncommitted changes" if dirty else commit
