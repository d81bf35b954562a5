"""What the summary shows besides its findings: accuracy against size and against training
compute, calibration, and what the run cost and where it was made."""

from __future__ import annotations

from typing import Any, Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..core.paths import PROJECT_ROOT
from ..experiments.references import BUDGET_TABLE
from ..training.recipes import OURS, SOURCE, recipe_label
from . import plots
from .headline import METRIC_NAMES
from .names import notebook_name, training_name
from .notebook import text
from .run_summary import calibration_table, environment, estimate_table, notebooks_rerun
from .tables import table


def by_recipe(models: pd.DataFrame) -> pd.DataFrame:
    """The trainings by the source recipe and ours, each recipe by its name."""
    shown = models[models["recipe"].isin([SOURCE, OURS])]
    return shown.assign(recipe=shown["recipe"].map(recipe_label))


def accuracy_by_size(models: pd.DataFrame) -> None:
    """Test accuracy against trainable parameters, a panel per data set, a colour per recipe."""
    plots.accuracy_by_parameters_by_dataset(
        by_recipe(models), {"CIFAR-100": {count: values[0] for count, values in
                                          BUDGET_TABLE.items()}},
        "Test accuracy against trainable parameters (every training)")
    plt.show()


def accuracy_by_compute(models: pd.DataFrame) -> None:
    """Test accuracy against the training's multiply-adds (a rehearsal counts none per row)."""
    with_compute = by_recipe(models).dropna(subset=["train_multiply_adds"])
    if with_compute.empty:
        text("No training compute in these results files: a rehearsal counts its work pass by "
             "pass instead (the estimate below).")
        return
    plots.accuracy_against_by_dataset(with_compute, "train_multiply_adds",
                                      "training multiply-adds (log scale)", {},
                                      "Test accuracy against training compute (every training)")
    plt.show()


def calibration(results: pd.DataFrame) -> None:
    """Each headline model's expected calibration error by both recipes (means over seeds)."""
    frame = calibration_table(results)
    if frame.empty:
        text("No calibration figures in these results files.")
        return
    table(frame, "Expected calibration error on the test set (means over random seeds)",
          formats={"temperature (ours)": "ratio",
                   **{column: "percent" for column in frame if column.startswith("ECE")}})


def costs(run: Any, timings: pd.DataFrame, record: Mapping[str, Any], device: str) -> None:
    """Each notebook's wall time, a rehearsal's estimate of the full run, and where the run was
    made (profile, start, parameters, device, libraries, commit)."""
    table(timings, "Wall time of each notebook, its latest run")
    estimate = estimate_table(run.layout) if run.profile.rehearsal_batches else None
    if estimate is not None:
        text("A rehearsal cuts every pass over the data to a few batches and times them. Below, "
             "each notebook's rehearsal time with every cut pass replaced by the time of the "
             "whole pass, every training's epoch counted as often as the full profile plans it: "
             "the full run's time on this device, an upper bound where early stopping ends "
             "trainings sooner. The work (multiply-adds of the full run) is the same on any "
             "device.")
        table(estimate.assign(**{"estimated full hours": estimate["estimated full seconds"]
                                 / 3600, "peak reached in": estimate["peak reached in"].fillna(
                                     "").map(training_name)}),
              "Estimated time of the full run, from this rehearsal",
              formats={"estimated full hours": "ratio", "multiply-adds (T)": "count",
                       "peak memory (MiB)": "count"})
    source = str(record.get("parameters", ""))
    own = source.removeprefix(f"{PROJECT_ROOT}/") == f"params/{run.profile.parameters_name}.yaml"
    rerun = ", ".join(map(notebook_name, notebooks_rerun(record, timings)))
    facts = {"profile": f"{run.profile.name} ({run.profile.description})",
             "latest run started": record.get("started", "unknown (notebooks run by hand)")
             + (f", running {rerun} only" if rerun else ""),
             "parameters": ("the profile's own" if own else "a file of the person who ran it")
             if source else "the notebooks' own",
             **environment(device)}
    table(pd.DataFrame(facts.items(), columns=["", "value"]), "Where and how this run was made")


def every_training(models: pd.DataFrame) -> None:
    """The appendix: every training with its figure beside the source figure, a table per
    notebook (a single table of them all would be printed too small to read)."""
    models = models.assign(metric=models["metric"].map(lambda m: METRIC_NAMES.get(m, m)))
    text(f"**Every training**: {len(models)} from {models['notebook'].nunique()} notebooks, each "
         "notebook's in a table. The source figure is in its own metric (test or validation "
         "accuracy), and the difference is this run's figure in that metric minus it.")
    for notebook, trainings in models.groupby("notebook", sort=False):
        table(trainings.drop(columns=["notebook"]).rename(
            columns={"source": "source figure", "metric": "source figure's metric",
                     "ours": "this run, in that metric",
                     "difference": "difference (points)",
                     "test_acc": "test accuracy", "seed": "random seed",
                     "params": "trainable parameters", "seconds": "training seconds",
                     "train_multiply_adds": "training multiply-adds"}),
            f"{notebook_name(notebook)}: {len(trainings)} trainings",
            formats={"source figure": "percent", "this run, in that metric": "percent"})
