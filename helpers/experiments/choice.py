"""Choices made on validation: train each option, keep the one with the highest mean validation
accuracy (:func:`choose_on_validation`). A trial only chooses: its trainings are never reused as
evidence (the chosen option's figure among several tried carries the luck of the draw), so the
trainings reported afterwards start afresh."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, NamedTuple

import pandas as pd

from ..core.config import Run
from ..stats.spread import over_seeds
from . import train
from .results import ResultsFile
from .train import Experiment


class Choice(NamedTuple):
    """What :func:`choose_on_validation` chose and the table (validation figures) that chose it."""

    option: str
    table: pd.DataFrame


def choose_on_validation(run: Run, results: ResultsFile, *, label: str,
                         options: Mapping[str, Mapping[str, Any]], seeds: Iterable[int],
                         trainer: Callable[..., Experiment] | None = None,
                         **training: Any) -> Choice:
    """Train ``label`` once per option and random seed with ``trainer`` (default
    :func:`train_model`, looked up at the call; :func:`train_frozen_head` for a frozen backbone's
    head; an option's values replace or add to ``training``'s: a recipe, model options, ...) and
    choose the option with the highest mean validation accuracy (the first listed on a tie).
    Returns it with the table that chose it: validation figures only, so that no choice is ever
    made on a test figure."""
    table, seeds = [], list(seeds)
    for option, values in options.items():
        settings = {**training, **values}
        trained = [(trainer or train.train_model)(run, results, label=f"{label}: {option}",
                                                  seed=seed, **settings) for seed in seeds]
        spread = over_seeds([experiment.row["val_acc"] for experiment in trained])
        table.append({"option": option, "random seeds": len(trained),
                      "validation accuracy (mean)": spread.mean, "std": spread.std})
    frame = pd.DataFrame(table)
    chosen = str(frame.loc[frame["validation accuracy (mean)"].idxmax(), "option"])
    return Choice(chosen, frame.assign(chosen=frame["option"] == chosen))
