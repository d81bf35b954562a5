"""Choices made on validation: train each option, keep the one with the highest mean validation
accuracy (:func:`choose_on_validation`)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, NamedTuple

import pandas as pd

from ..core.config import Run
from ..stats.spread import over_seeds
from . import train
from .fitted import Fitted
from .results import ResultsFile
from .train import Experiment


class Choice(NamedTuple):
    """What :func:`choose_on_validation` chose, the table that chose it and, where asked for,
    the chosen option's training of the first random seed (None otherwise)."""

    option: str
    table: pd.DataFrame
    fitted: Fitted | None = None


def choose_on_validation(run: Run, results: ResultsFile, *, label: str,
                         options: Mapping[str, Mapping[str, Any]], seeds: Iterable[int],
                         trainer: Callable[..., Experiment] | None = None, keep: bool = False,
                         **training: Any) -> Choice:
    """Train ``label`` once per option and random seed with ``trainer`` (default
    :func:`train_model`, looked up at the call; :func:`train_frozen_head` for a frozen backbone's
    head; an option's values replace or add to ``training``'s: a recipe, model
    options, ...) and choose the option with the highest mean validation accuracy (the first
    listed on a tie). Returns it with the table that chose it: validation figures only, so that no
    choice is ever made on a test figure. ``keep``: also return the chosen option's training of the
    first random seed, so that a notebook whose final training would repeat it (same recipe but
    for the test-time views) evaluates it instead."""
    table, seeds, kept = [], list(seeds), {}
    for option, values in options.items():
        settings = {**training, **values}
        trained = [(trainer or train.train_model)(run, results, label=f"{label}: {option}", seed=seed,
                                            **settings) for seed in seeds]
        if keep:
            kept[option] = Fitted.of(trained[0], seeds[0], settings)
        spread = over_seeds([experiment.row["val_acc"] for experiment in trained])
        table.append({"option": option, "random seeds": len(trained),
                      "validation accuracy (mean)": spread.mean, "std": spread.std})
    frame = pd.DataFrame(table)
    chosen = str(frame.loc[frame["validation accuracy (mean)"].idxmax(), "option"])
    return Choice(chosen, frame.assign(chosen=frame["option"] == chosen), kept.get(chosen))
