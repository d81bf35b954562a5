"""Significance tests against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from helpers import evaluation

from helpers.training import recipes

from helpers.report import sentences

from helpers.stats import significance

from helpers.stats import spread


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


@pytest.mark.parametrize("won, lost", [(5, 0), (15, 5), (14, 6), (30, 18), (9, 9), (0, 7)])
def test_mcnemars_interval_leaves_zero_out_exactly_when_its_p_value_is_below_5_percent(
        won: int, lost: int) -> None:
    """Five disagreements all one way: p = 0.0625, and a normal interval would leave zero out
    (+1.1 to +12.6 points on 73 images, as a smoke run printed); the exact one does not."""
    first = np.array([True] * won + [False] * lost + [True] * 50 + [False] * 10)
    second = np.array([False] * won + [True] * lost + [True] * 50 + [False] * 10)
    result = significance.mcnemar(first, second)
    assert result.difference == pytest.approx((won - lost) / len(first))
    assert result.low <= result.difference <= result.high
    assert (result.low > 0 or result.high < 0) == result.real


def test_compare_recipes_needs_the_same_images() -> None:
    labels = torch.tensor([0, 1, 0, 1])
    seed = evaluation.Predictions(torch.tensor([[1.0, 0], [1, 0], [1, 0], [1, 0]]), labels)
    ours = evaluation.Predictions(torch.tensor([[1.0, 0], [0, 1], [1, 0], [0, 1]]), labels)
    frame = significance.compare_recipes({"m": (seed, ours)}).iloc[0]
    assert (frame["source recipe"], frame["ours"], frame["difference"]) == (0.5, 1.0, 0.5)
    other = evaluation.Predictions(ours.logits, torch.tensor([1, 1, 0, 1]))
    with pytest.raises(ValueError, match="m: the two recipes were tested on different images"):
        significance.compare_recipes({"m": (seed, other)})


def test_input_and_training_splits_the_difference_in_two_steps() -> None:
    """Source 1 of 4 right, the input control 2, ours 4: the input bought a quarter, the training
    half; a model with no control is left out, and no model with one gives an empty table."""
    labels = torch.tensor([0, 1, 0, 1])
    right_first = lambda hits: evaluation.Predictions(  # noqa: E731
        torch.nn.functional.one_hot(torch.where(torch.arange(4) < hits, labels, 1 - labels), 2)
        .float(), labels)
    tests = {"net": {recipes.SOURCE: right_first(1), recipes.OUR_INPUT: right_first(2),
                     recipes.OURS: right_first(4)},
             "other": {recipes.SOURCE: right_first(1), recipes.OURS: right_first(4)}}
    frame = significance.input_and_training(tests)
    assert frame["model"].tolist() == ["net", "net"]
    assert frame["what changed"].tolist() == ["the input", "the training"]
    assert significance.input_and_training(tests, {"net": "32 to 64 px"})[
        "what changed"].tolist() == ["the input (32 to 64 px)", "the training"]
    assert frame["before"].tolist() == ["source recipe", "source recipe, our input"]
    assert frame["after"].tolist() == ["source recipe, our input", "our recipe"]
    assert frame["source recipe"].tolist() == [0.25, 0.5] and frame["ours"].tolist() == [0.5, 1.0]
    assert frame["difference"].tolist() == [0.25, 0.5]
    words = sentences.input_and_training_sentences(frame)
    assert words[0].startswith("net, what the input bought: source recipe, our input 50.0% "
                               "against source recipe 25.0%")
    assert "no evidence that the two differ" in words[1]  # 2 disagreements of 4: p = 0.5
    assert significance.input_and_training({"other": tests["other"]}).empty
    assert sentences.input_and_training_sentences(
        significance.input_and_training({"other": tests["other"]})) == []


def test_cut_passes_compare_on_the_images_both_saw() -> None:
    """A rehearsal cuts the test pass after a few batches of each recipe's size: both cover the
    start of the same fixed order."""
    labels = torch.tensor([0, 1, 0, 1, 1, 0])
    seed = evaluation.Predictions(torch.tensor([[1.0, 0], [1, 0], [1, 0], [1, 0]]), labels[:4])
    ours = evaluation.Predictions(torch.tensor([[1.0, 0], [0, 1]] * 3), labels)
    frame = significance.compare_recipes({"m": (seed, ours)}).iloc[0]
    assert (frame["source recipe"], frame["ours"]) == (0.5, 1.0)
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


def test_holm_adjusts_a_worked_example() -> None:
    """Four p-values 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03;
    0.03 x 2 = 0.06; 0.04 x 1 = 0.04, raised to 0.06 (never below an earlier one). Unadjusted, all
    four pass 5 %; adjusted, only the two smallest do."""
    adjusted = significance.holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert significance.holm([0.6, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert significance.holm([]) == []


def test_pairwise_differences_are_called_real_after_holm_only() -> None:
    frame = pd.DataFrame({"group": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
                          "acc": [0.80, 0.81, 0.805, 0.788, 0.798, 0.793, 0.776, 0.786, 0.781]})
    pairs = significance.pairwise_welch(frame, "group", "acc").set_index(["first", "second"])
    assert pairs["Holm p-value"].tolist() == pytest.approx(significance.holm(pairs["p-value"]))
    assert pairs.loc[("a", "b"), "p-value"] < 0.05 and not pairs.loc[("a", "b"), "real"]
    assert pairs.loc[("b", "c"), "p-value"] < 0.05 and not pairs.loc[("b", "c"), "real"]
    assert pairs.loc[("a", "c"), "real"]  # the one difference that holds within the family


def test_a_paired_test_over_seeds_sees_a_steady_gain_that_welch_misses() -> None:
    # ours beats the source recipe by about 1 point with every seed, while seeds vary by 3 points
    seed = [0.70, 0.73, 0.76]
    ours = [0.711, 0.739, 0.772]
    assert significance.paired(ours, seed).p_value < 0.05
    assert significance.welch(ours, seed).p_value > 0.5
    with pytest.raises(ValueError, match="at least two seeds"):
        significance.paired([0.7], [0.6])


def test_over_seeds_gives_mean_spread_interval_and_the_goal_verdict() -> None:
    result = spread.over_seeds([0.80, 0.82, 0.84])
    assert result.mean == pytest.approx(0.82) and result.std == pytest.approx(0.02)
    low, high = result.interval  # t(0.975, 2) = 4.303; 4.303 x 0.02 / sqrt(3) = 0.0497
    assert (low, high) == pytest.approx((0.82 - 0.0497, 0.82 + 0.0497), abs=1e-4)
    assert result.verdict(0.82) == "met"
    assert result.verdict(0.77) == "met with confidence"
    assert result.verdict(0.83) == "missed" and result.verdict(None) == ""
    single = spread.over_seeds([0.9])
    assert math.isnan(single.std) and single.verdict(0.8) == "met"


def results_rows() -> list[dict]:
    """Three seeds of two recipes and the equal-epochs control, as a notebook's results rows."""
    accuracy = {"source": [0.60, 0.63, 0.61], "source, our epochs": [0.62, 0.65, 0.63],
                "ours": [0.66, 0.69, 0.671]}
    return [{"model": "baseline_cnn", "recipe": recipe, "seed": seed, "test_acc": value,
             "goal": 0.65 if recipe == "ours" else None}
            for recipe, values in accuracy.items() for seed, value in enumerate(values)]


def test_spread_by_recipe_gives_each_recipe_its_mean_interval_and_verdict() -> None:
    table = spread.spread_by_recipe(results_rows()).set_index("recipe")
    assert table.loc["ours", "seeds"] == 3
    assert table.loc["ours", "mean"] == pytest.approx((0.66 + 0.69 + 0.671) / 3)
    assert table.loc["ours", "95% low"] < 0.65 < table.loc["ours", "mean"]
    assert table.loc["ours", "verdict"] == "met"  # the mean reaches 65 %, the interval does not
    assert table.loc["source", "verdict"] == ""  # no goal for the source recipe


def test_recipes_are_compared_seed_by_seed_as_a_family() -> None:
    family = spread.recipe_differences(results_rows(), "baseline_cnn", [
        ("ours", "source"), ("ours", "source, our epochs"), ("source, our epochs", "source")])
    assert family["difference"].tolist() == pytest.approx([(0.06 + 0.06 + 0.061) / 3,
                                                           (0.04 + 0.04 + 0.041) / 3, 0.02])
    assert family["Holm p-value"].tolist() == pytest.approx(significance.holm(family["p-value"]))
    assert family["real"].tolist() == [p < 0.05 for p in family["Holm p-value"]]


def test_two_models_are_compared_on_the_random_seeds_both_trained() -> None:
    """A fusion against a single backbone: paired on the shared seeds only (seed 2 of the other
    model is missing), the two trainings named by model and recipe."""
    rows = [{"model": "fusion", "recipe": "ours", "seed": s, "test_acc": a}
            for s, a in enumerate([0.90, 0.92, 0.95])]
    rows += [{"model": "alexnet_only", "recipe": "ours", "seed": s, "test_acc": a}
             for s, a in enumerate([0.88, 0.89])]
    family = spread.differences(rows, [(("fusion", "ours"), ("alexnet_only", "ours"))])
    row = family.iloc[0]
    assert row["difference"] == pytest.approx((0.02 + 0.03) / 2)
    assert (row["model"], row["first"], row["second"]) == (
        "", "fusion (our recipe)", "alexnet_only (our recipe)")
    assert row["p-value"] == pytest.approx(significance.paired([0.90, 0.92], [0.88, 0.89]).p_value)
