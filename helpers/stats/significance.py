"""Is a difference real? The tests that fit the numbers this project compares.

- Runs repeated over a few seeds (the hyperparameter study): Welch's t-test on the two groups'
  accuracies. With three runs a group, the standard errors come from two degrees of freedom each,
  and the t distribution - not the normal's "two standard errors" - gives the right width.
- Two recipes trained with the same random seeds: the paired t-test on the per-seed differences
  (:func:`paired`), which covers the variation between trainings, not only between test images.
- Two models on the same test images (a recipe against another): McNemar's exact test, which looks
  only at the images on which they disagree. The images are shared, so the two accuracies are not
  independent samples, and an unpaired test would waste that. It says nothing about another seed.
- A family of differences tested at once (every pair of a study's configurations): Holm's
  correction (:func:`holm`), so that the chance of calling any one of them real by luck stays 5 %.

``helpers.stats.spread`` summarises one model's runs over seeds with these tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any, Sequence

import numpy as np
import pandas as pd
import torch
from scipy import stats

from ..training.recipes import OUR_INPUT, OURS, SOURCE, recipe_label

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
    The difference is in accuracy. Its interval inverts the same exact test, so that the two never
    disagree (a normal interval can leave zero out while the exact p-value is above 5 %, on a few
    disagreements): the Clopper-Pearson interval of the share of the disagreements that the first
    won, scaled to a difference in accuracy with the number of disagreements as observed."""
    a = np.asarray(first_correct, dtype=bool)
    b = np.asarray(second_correct, dtype=bool)
    only_first, only_second = int((a & ~b).sum()), int((~a & b).sum())
    count = len(a)
    difference = (only_first - only_second) / count
    disagreements = only_first + only_second
    if disagreements == 0:
        return Comparison(0.0, 0.0, 0.0, 1.0, "McNemar")
    test = stats.binomtest(only_first, disagreements, 0.5)
    share = test.proportion_ci(1 - LEVEL, method="exact")
    scale = disagreements / count
    return Comparison(difference, scale * (2 * share.low - 1), scale * (2 * share.high - 1),
                      float(test.pvalue), "McNemar")


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


def pairwise_welch(frame: pd.DataFrame, by: str, metric: str) -> pd.DataFrame:
    """Welch's t-test for every pair of groups of ``frame`` (one row per run), on ``metric``, with
    Holm's correction over the family of pairs; groups of a single run get no verdict."""
    groups = {name: values[metric].to_numpy() for name, values in frame.groupby(by, sort=False)}
    rows = []
    for (first, a), (second, b) in combinations(groups.items(), 2):
        row = {"first": first, "second": second, "difference": a.mean() - b.mean()}
        if min(len(a), len(b)) >= 2:
            result = welch(a, b)
            row.update({"95% interval": (result.low, result.high), "p-value": result.p_value})
        else:
            row.update({"95% interval": None, "p-value": None})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["first", "second", "difference", "95% interval",
                                        "p-value"])
    tested = frame["p-value"].notna()
    frame["Holm p-value"] = None
    frame.loc[tested, "Holm p-value"] = holm(frame.loc[tested, "p-value"].astype(float).tolist())
    frame["real"] = [bool(p < LEVEL) if p is not None and not pd.isna(p) else None
                     for p in frame["Holm p-value"]]
    return frame


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
    """For each model, the source recipe's and our recipe's test predictions (on the same images):
    both accuracies, the difference with its 95 % interval, McNemar's p-value and the verdict."""
    rows = []
    for model, pair in pairs.items():
        seed, ours = on_shared_images(model, *pair)
        result = mcnemar(ours.predicted == ours.labels, seed.predicted == seed.labels)
        rows.append({"model": model, "source recipe": seed.accuracy(), "ours": ours.accuracy(),
                     "difference": result.difference, "interval": (result.low, result.high),
                     "p-value": result.p_value, "real": result.real})
    return pd.DataFrame(rows)


# Our recipe changes the training and the input at once; the input control (the source recipe on
# our input) sits between them, so each step of the way is tested on its own.
INPUT_AND_TRAINING = (("the input", SOURCE, OUR_INPUT), ("the training", OUR_INPUT, OURS))


def input_and_training(tests: dict[str, dict[str, Any]], inputs: dict[str, str] | None = None
                       ) -> pd.DataFrame:
    """What the input and what the training bought, for every model that has an input control.

    ``tests`` maps a model to its test predictions by recipe name; a model without the control
    (``recipes.OUR_INPUT``) is left out. Two rows a model, as :func:`compare_recipes` gives them
    ("source recipe" is the step's before, "ours" its after): the source recipe against the
    control (what the input bought), then the control against our recipe (what the training
    bought; our recipe's test-time views count as its training), with the columns "what changed"
    (the input step naming the change where ``inputs`` describes a model's, e.g. "64 to 80 px"),
    "before" and "after" in front. Empty where no model has a control."""
    steps = [(model, what, before, after) for model, by_recipe in tests.items()
             if OUR_INPUT in by_recipe for what, before, after in INPUT_AND_TRAINING]
    frame = compare_recipes({f"{model}, {what}": (tests[model][before], tests[model][after])
                             for model, what, before, after in steps})
    if frame.empty:
        return frame
    frame["model"] = [model for model, *_ in steps]
    described = [f"{what} ({(inputs or {})[model]})" if what == INPUT_AND_TRAINING[0][0]
                 and model in (inputs or {}) else what for model, what, *_ in steps]
    frame.insert(1, "what changed", described)
    frame.insert(2, "before", [recipe_label(before) for *_, before, _ in steps])
    frame.insert(3, "after", [recipe_label(after) for *_, after in steps])
    return frame
