"""Several random seeds of one training: mean, spread, the 95 % t-interval of the mean, whether a
goal is met, and recipes compared seed by seed.

A goal is **met** when the mean over seeds reaches it and **met with confidence** when the lower end
of the interval does. Two recipes trained with the same seeds are compared by the paired t-test on
the per-seed differences (``significance.paired``); a notebook that tests several such differences
at once corrects them with Holm's method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..training.recipes import recipe_label
from .significance import LEVEL, Comparison, holm, paired


@dataclass(frozen=True)
class Spread:
    """One model's figure over seeds: mean, standard deviation and the 95 % t-interval of the mean
    (a single run has no spread: its interval is empty)."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def std(self) -> float:
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        if len(self.values) < 2:
            return math.nan, math.nan
        half = stats.t.ppf(1 - LEVEL / 2, len(self.values) - 1) * self.std / np.sqrt(
            len(self.values))
        return self.mean - half, self.mean + half

    def verdict(self, goal: float | None) -> str:
        """"met with confidence" when the interval's lower end reaches ``goal``, "met" when the
        mean does, else "missed" (empty without a goal)."""
        if goal is None or math.isnan(goal):
            return ""
        if self.interval[0] >= goal:
            return "met with confidence"
        return "met" if self.mean >= goal else "missed"


def over_seeds(values: Sequence[float]) -> Spread:
    """The spread of one figure over seeds."""
    return Spread(tuple(float(v) for v in values))


def spread_by_recipe(rows: Iterable[Mapping[str, Any]], metric: str = "test_acc"
                     ) -> pd.DataFrame:
    """One row per model and recipe of results ``rows`` (one row per training): how many seeds,
    the mean, standard deviation and 95 % interval of ``metric``, the goal and its verdict."""
    frame = pd.DataFrame(list(rows))
    table = []
    for (model, recipe), group in frame.groupby(["model", "recipe"], sort=False):
        spread = over_seeds(group[metric])
        goal = group["goal"].dropna().iloc[0] if "goal" in group and group["goal"].notna().any() \
            else None
        low, high = spread.interval
        table.append({"model": model, "recipe": recipe, "seeds": len(group), "mean": spread.mean,
                      "std": spread.std, "95% low": low, "95% high": high, "goal": goal,
                      "verdict": spread.verdict(goal)})
    models = list(dict.fromkeys(frame["model"]))
    return pd.DataFrame(table).sort_values("model", key=lambda column: column.map(models.index),
                                           kind="stable").reset_index(drop=True)


Training = tuple[str, str]  # (model, recipe) of results rows


def paired_trainings(rows: Iterable[Mapping[str, Any]], first: Training, second: Training,
                     metric: str = "test_acc") -> Comparison:
    """Training ``first`` minus training ``second`` (each a model and a recipe), paired on the
    random seeds both trained."""
    frame = pd.DataFrame(list(rows))
    values = [frame[(frame["model"] == model) & (frame["recipe"] == recipe)]
              .drop_duplicates("seed").set_index("seed")[metric] for model, recipe in (first, second)]
    both = pd.concat(values, axis=1, keys=["first", "second"]).dropna()
    return paired(both["first"].to_numpy(), both["second"].to_numpy())


def paired_by_seed(rows: Iterable[Mapping[str, Any]], model: str, first: str, second: str,
                   metric: str = "test_acc") -> Comparison:
    """Recipe ``first`` minus recipe ``second`` of ``model``, paired on the seeds both trained."""
    return paired_trainings(rows, (model, first), (model, second), metric)


def differences(rows: Iterable[Mapping[str, Any]], pairs: Sequence[tuple[Training, Training]],
                metric: str = "test_acc") -> pd.DataFrame:
    """The paired comparisons of ``pairs`` of trainings, as a family: the difference, its
    interval, the p-value, Holm's p-value and the verdict (real when Holm's p is below 5 %). Two
    recipes of one model are named by their recipes beside the model; two models by both."""
    rows, table = list(rows), []
    for first, second in pairs:
        result = paired_trainings(rows, first, second, metric)
        same = first[0] == second[0]
        names = (first[1], second[1]) if same else tuple(
            f"{model} ({recipe_label(recipe)})" for model, recipe in (first, second))
        table.append({"model": first[0] if same else "", "first": names[0], "second": names[1],
                      "difference": result.difference, "95% low": result.low,
                      "95% high": result.high, "p-value": result.p_value})
    return with_holm(pd.DataFrame(table))


def recipe_differences(rows: Iterable[Mapping[str, Any]], model: str,
                       pairs: Sequence[tuple[str, str]], metric: str = "test_acc"
                       ) -> pd.DataFrame:
    """:func:`differences` of ``pairs`` of recipes of one ``model``."""
    return differences(rows, [((model, first), (model, second)) for first, second in pairs],
                       metric)


def with_holm(family: pd.DataFrame) -> pd.DataFrame:
    """A table of tested differences (column "p-value") with Holm's p-values over all its rows and
    the verdict: real when Holm's p-value is below 5 %."""
    adjusted = holm(family["p-value"].tolist())
    return family.assign(**{"Holm p-value": adjusted, "real": [bool(p < LEVEL) for p in adjusted]})
