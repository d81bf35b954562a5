"""Is a difference real? Two tests that fit the numbers this project compares.

- Runs repeated over a few seeds (the hyperparameter study): Welch's t-test on the two groups'
  accuracies. With three runs a group, the standard errors come from two degrees of freedom each,
  and the t distribution - not the normal's "two standard errors" - gives the right width.
- Two models on the same test images (a recipe against another): McNemar's exact test, which looks
  only at the images on which they disagree. The images are shared, so the two accuracies are not
  independent samples, and an unpaired test would waste that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any, Sequence

import numpy as np
import pandas as pd
import torch
from scipy import stats

LEVEL = 0.05  # a difference is called real when its p-value is below this


@dataclass(frozen=True)
class Comparison:
    """``first`` minus ``second``: the difference, its 95 % interval, the p-value and the verdict."""

    difference: float
    low: float
    high: float
    p_value: float
    test: str

    @property
    def real(self) -> bool:
        return bool(self.p_value < LEVEL)


def welch(first: Sequence[float], second: Sequence[float]) -> Comparison:
    """Welch's t-test of two groups' means (at least two values in each)."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if min(len(a), len(b)) < 2:
        raise ValueError("a t-test needs at least two runs in each group")
    variance_a, variance_b = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    error = np.sqrt(variance_a + variance_b)
    difference = a.mean() - b.mean()
    if error == 0:
        return Comparison(difference, difference, difference, 0.0 if difference else 1.0, "Welch t")
    freedom = (variance_a + variance_b) ** 2 / (variance_a ** 2 / (len(a) - 1) +
                                                variance_b ** 2 / (len(b) - 1))
    half = stats.t.ppf(1 - LEVEL / 2, freedom) * error
    p_value = 2 * stats.t.sf(abs(difference) / error, freedom)
    return Comparison(difference, difference - half, difference + half, float(p_value), "Welch t")


def mcnemar(first_correct: torch.Tensor | np.ndarray, second_correct: torch.Tensor | np.ndarray
            ) -> Comparison:
    """McNemar's exact test of two classifiers on the same images (boolean "correct" per image).
    The difference is in accuracy; its interval is the normal one of paired proportions."""
    a = np.asarray(first_correct, dtype=bool)
    b = np.asarray(second_correct, dtype=bool)
    only_first, only_second = int((a & ~b).sum()), int((~a & b).sum())
    count = len(a)
    difference = (only_first - only_second) / count
    disagreements = only_first + only_second
    p_value = 1.0 if disagreements == 0 else stats.binomtest(
        only_first, disagreements, 0.5).pvalue
    spread = np.sqrt(max(disagreements / count - difference ** 2, 0.0) / count)
    half = stats.norm.ppf(1 - LEVEL / 2) * spread
    return Comparison(difference, difference - half, difference + half, float(p_value), "McNemar")


def pairwise_welch(frame: pd.DataFrame, by: str, metric: str) -> pd.DataFrame:
    """Welch's t-test for every pair of groups of ``frame`` (one row per run), on ``metric``;
    groups of a single run get no verdict."""
    groups = {name: values[metric].to_numpy() for name, values in frame.groupby(by, sort=False)}
    rows = []
    for (first, a), (second, b) in combinations(groups.items(), 2):
        row = {"first": first, "second": second, "difference": a.mean() - b.mean()}
        if min(len(a), len(b)) >= 2:
            result = welch(a, b)
            row.update({"95% interval": (result.low, result.high), "p-value": result.p_value,
                        "real": result.real})
        else:
            row.update({"95% interval": None, "p-value": None, "real": None})
        rows.append(row)
    return pd.DataFrame(rows)


def spread_summary(frame: pd.DataFrame, by: str | list[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Mean, standard deviation and number of runs of each metric per group."""
    summary = frame.groupby(by, sort=False)[list(metrics)].agg(["mean", "std", "count"])
    summary.columns = [f"{metric} {stat}" for metric, stat in summary.columns]
    return summary


def on_shared_images(model: str, seed: Any, ours: Any) -> tuple[Any, Any]:
    """The two recipes' test predictions on the images both saw. The test set is served in a fixed
    order, so both cover the same images, unless a rehearsal cut their passes at different batch
    sizes: then both start with the same images and are compared on those."""
    shared = min(len(seed.labels), len(ours.labels))
    seed, ours = (replace(p, logits=p.logits[:shared], labels=p.labels[:shared])
                  for p in (seed, ours))
    if not torch.equal(seed.labels, ours.labels):
        raise ValueError(f"{model}: the two recipes were tested on different images")
    return seed, ours


def compare_recipes(pairs: dict[str, tuple[Any, Any]]) -> pd.DataFrame:
    """For each model, the seed recipe's and our recipe's test predictions (on the same images):
    both accuracies, the difference with its 95 % interval, McNemar's p-value and the verdict."""
    rows = []
    for model, pair in pairs.items():
        seed, ours = on_shared_images(model, *pair)
        result = mcnemar(ours.predicted == ours.labels, seed.predicted == seed.labels)
        rows.append({"model": model, "seed recipe": seed.accuracy(), "ours": ours.accuracy(),
                     "difference": result.difference, "interval": (result.low, result.high),
                     "p-value": result.p_value, "real": result.real})
    return pd.DataFrame(rows)
