"""Significance tests against textbook values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from helpers import evaluation, significance


def test_welch_matches_scipy_and_uses_the_t_distribution() -> None:
    a, b = [0.80, 0.81, 0.83], [0.78, 0.80, 0.79]
    result = significance.welch(a, b)
    expected = stats.ttest_ind(a, b, equal_var=False)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.difference == pytest.approx(np.mean(a) - np.mean(b))
    # with three runs a group, the interval is far wider than two standard errors
    error = np.sqrt(np.var(a, ddof=1) / 3 + np.var(b, ddof=1) / 3)
    assert (result.high - result.low) / 2 > 2.5 * error
    assert result.low < 0 < result.high and not result.real  # 2 of 3 overlap: not shown real
    with pytest.raises(ValueError, match="at least two runs"):
        significance.welch([0.8], [0.7, 0.71])


def test_mcnemar_counts_only_disagreements() -> None:
    first = np.array([True] * 80 + [False] * 20)
    second = first.copy()
    second[:15] = False  # the second model misses 15 images the first got right
    result = significance.mcnemar(first, second)
    assert result.difference == pytest.approx(0.15)
    assert result.p_value == pytest.approx(stats.binomtest(15, 15, 0.5).pvalue)
    assert result.real and result.test == "McNemar"
    same = significance.mcnemar(first, first)
    assert same.p_value == 1.0 and same.difference == 0 and not same.real
    second[80:85] = True  # five images the other way: 15 against 5
    assert significance.mcnemar(first, second).p_value == pytest.approx(
        stats.binomtest(15, 20, 0.5).pvalue)


def test_compare_recipes_needs_the_same_images() -> None:
    labels = torch.tensor([0, 1, 0, 1])
    seed = evaluation.Predictions(torch.tensor([[1.0, 0], [1, 0], [1, 0], [1, 0]]), labels)
    ours = evaluation.Predictions(torch.tensor([[1.0, 0], [0, 1], [1, 0], [0, 1]]), labels)
    frame = significance.compare_recipes({"m": (seed, ours)}).iloc[0]
    assert (frame["seed recipe"], frame["ours"], frame["difference"]) == (0.5, 1.0, 0.5)
    other = evaluation.Predictions(ours.logits, torch.tensor([1, 1, 0, 1]))
    with pytest.raises(ValueError, match="m: the two recipes were tested on different images"):
        significance.compare_recipes({"m": (seed, other)})


def test_cut_passes_compare_on_the_images_both_saw() -> None:
    """A rehearsal cuts the test pass after a few batches of each recipe's size: both cover the
    start of the same fixed order."""
    labels = torch.tensor([0, 1, 0, 1, 1, 0])
    seed = evaluation.Predictions(torch.tensor([[1.0, 0], [1, 0], [1, 0], [1, 0]]), labels[:4])
    ours = evaluation.Predictions(torch.tensor([[1.0, 0], [0, 1]] * 3), labels)
    frame = significance.compare_recipes({"m": (seed, ours)}).iloc[0]
    assert (frame["seed recipe"], frame["ours"]) == (0.5, 1.0)
    shifted = evaluation.Predictions(ours.logits, labels.roll(1))
    with pytest.raises(ValueError, match="different images"):
        significance.compare_recipes({"m": (seed, shifted)})


def test_pairwise_welch_and_spread_summary() -> None:
    frame = pd.DataFrame({"group": ["x"] * 3 + ["y"] * 3 + ["z"] * 3,
                          "acc": [0.80, 0.81, 0.82, 0.70, 0.71, 0.72, 0.805, 0.815, 0.80]})
    summary = significance.spread_summary(frame, "group", ["acc"])
    assert summary.loc["x", "acc mean"] == pytest.approx(0.81)
    assert summary.loc["x", "acc std"] == pytest.approx(0.01)
    assert summary.loc["x", "acc count"] == 3
    pairs = significance.pairwise_welch(frame, "group", "acc").set_index(["first", "second"])
    assert pairs.loc[("x", "y"), "difference"] == pytest.approx(0.10)
    assert pairs.loc[("x", "y"), "real"] and not pairs.loc[("x", "z"), "real"]
    single = significance.pairwise_welch(frame.groupby("group").head(1), "group", "acc")
    assert single["real"].isna().all()  # one run each: no verdict
