"""Several random seeds of one training: mean, standard deviation, the bootstrap's 95 % interval
over seeds and test images (``stats.bootstrap``), and the goal's verdict read from that interval:
**met** when all of it reaches the goal, **missed** when all of it stays below, **undecided**
when it holds the goal. The notebooks' findings, their seeds tables and the summary all judge
goals by this one rule."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import bootstrap
from .family import answers_by_seed


@dataclass(frozen=True)
class Spread:
    """One figure over seeds: mean and standard deviation (a single run has no spread)."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def std(self) -> float:
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else math.nan


def over_seeds(values: Sequence[float]) -> Spread:
    """The spread of one figure over seeds."""
    return Spread(tuple(float(v) for v in values))


def mean_with_interval(correct: Mapping[tuple, Mapping[str, np.ndarray]], model: str,
                       recipe: str) -> bootstrap.Interval | None:
    """The mean test accuracy of ``model`` by ``recipe`` over its seeds, with its interval (None
    where no right answers were kept)."""
    answers = list(answers_by_seed(correct, model, recipe).values())
    return bootstrap.mean_interval(answers) if answers else None


def spread_by_recipe(rows: Iterable[Mapping[str, Any]],
                     correct: Mapping[tuple, Mapping[str, np.ndarray]]) -> pd.DataFrame:
    """One row per model and recipe of results ``rows`` (one row per training): how many random
    seeds, the mean and standard deviation of the test accuracy, its 95 % interval over seeds and
    test images, the goal and its verdict."""
    frame = pd.DataFrame(list(rows))
    table = []
    for (model, recipe), group in frame.groupby(["model", "recipe"], sort=False):
        spread = over_seeds(group["test_acc"])
        interval = mean_with_interval(correct, model, recipe)
        goal = group["goal"].dropna().iloc[0] if "goal" in group and group["goal"].notna().any() \
            else None
        table.append({"model": model, "recipe": recipe, "seeds": len(group), "mean": spread.mean,
                      "std": spread.std, "95% low": interval.low if interval else math.nan,
                      "95% high": interval.high if interval else math.nan, "goal": goal,
                      "verdict": bootstrap.goal_verdict(interval, goal) if interval else ""})
    return pd.DataFrame(table)
