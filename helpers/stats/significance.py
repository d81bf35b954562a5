"""Is a difference real? The tests this project compares with (``stats.family`` says which fits
which comparison):

- Runs over a few random seeds that share nothing: Welch's t-test on the two groups' figures. With
  three runs a group, the standard errors come from two degrees of freedom each, and the t
  distribution - not the normal's "two standard errors" - gives the right width.
- Runs that share something seed by seed (a prefix of epochs, frozen features): the paired t-test
  on the per-seed differences (:func:`paired`).
- Two models on the same test images: McNemar's exact test, which looks only at the images on
  which they disagree, with Newcombe's unconditional interval. It says nothing about another seed.
- A family of differences tested at once: Holm's correction (:func:`holm`), so that the chance of
  calling any one of them real by luck stays 5 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
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
    """McNemar's exact test of two classifiers on the same images (boolean "correct" per image),
    the difference in accuracy with Newcombe's 95 % interval for a difference of paired
    proportions (his method 10: Wilson intervals of the two accuracies, joined with the
    correlation of the two models' answers). The interval is unconditional: it does not take the
    number of disagreements as given, which is what an interval inverting the exact test does,
    and so covers the true difference as often as it says also where the two error counts differ
    much. Near the 5 % line the test and the interval may disagree; the verdict reads the test."""
    a = np.asarray(first_correct, dtype=bool)
    b = np.asarray(second_correct, dtype=bool)
    only_first, only_second = int((a & ~b).sum()), int((~a & b).sum())
    count = len(a)
    difference = (only_first - only_second) / count
    if only_first + only_second == 0:
        return Comparison(0.0, 0.0, 0.0, 1.0, "McNemar")
    test = stats.binomtest(only_first, only_first + only_second, 0.5)
    low, high = newcombe_interval(int((a & b).sum()), only_first, only_second,
                                  int((~a & ~b).sum()))
    return Comparison(difference, low, high, float(test.pvalue), "McNemar")


def wilson(successes: int, count: int) -> tuple[float, float]:
    """The Wilson score 95 % interval of a proportion."""
    z = stats.norm.ppf(1 - LEVEL / 2)
    share = successes / count
    centre = (share + z * z / (2 * count)) / (1 + z * z / count)
    half = z / (1 + z * z / count) * np.sqrt(share * (1 - share) / count + z * z / (4 * count ** 2))
    return centre - half, centre + half


def newcombe_interval(both: int, only_first: int, only_second: int, neither: int
                      ) -> tuple[float, float]:
    """Newcombe's (1998, method 10) 95 % interval of the difference of two paired proportions,
    the first model's accuracy minus the second's, from the 2 x 2 table of their answers."""
    count = both + only_first + only_second + neither
    first, second = (both + only_first) / count, (both + only_second) / count
    low1, high1 = wilson(both + only_first, count)
    low2, high2 = wilson(both + only_second, count)
    margins = (both + only_first) * (only_second + neither) * (both + only_second) * \
        (only_first + neither)
    phi = (both * neither - only_first * only_second) / np.sqrt(margins) if margins else 0.0
    below = np.sqrt(max(0.0, (first - low1) ** 2 - 2 * phi * (first - low1) * (high2 - second)
                        + (high2 - second) ** 2))
    above = np.sqrt(max(0.0, (high1 - first) ** 2 - 2 * phi * (high1 - first) * (second - low2)
                        + (second - low2) ** 2))
    difference = first - second
    return float(difference - below), float(difference + above)


def paired(first: Sequence[float], second: Sequence[float]) -> Comparison:
    """The paired t-test of ``first`` minus ``second``, value by value (two recipes trained with the
    same seeds: entry i of each is seed i)."""
    differences = np.asarray(first, dtype=float) - np.asarray(second, dtype=float)
    if len(differences) < 2:
        raise ValueError("a paired t-test needs at least two seeds")
    mean, error = differences.mean(), differences.std(ddof=1) / np.sqrt(len(differences))
    if error == 0:
        return Comparison(mean, mean, mean, 0.0 if mean else 1.0, "paired t")
    half = stats.t.ppf(1 - LEVEL / 2, len(differences) - 1) * error
    p_value = 2 * stats.t.sf(abs(mean) / error, len(differences) - 1)
    return Comparison(mean, mean - half, mean + half, float(p_value), "paired t")


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values, in their order: the k-th smallest of
    m is multiplied by m - k + 1, then each adjusted value is raised to the largest before it, and
    capped at 1. A difference is real when its adjusted p-value is below :data:`LEVEL`."""
    values = [float(p) for p in p_values]
    order = np.argsort(values, kind="stable")
    count, adjusted, running = len(order), np.empty(len(order)), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (count - rank) * values[index]))
        adjusted[index] = running
    return adjusted.tolist()
