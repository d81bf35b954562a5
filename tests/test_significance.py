"""The statistics: Welch's, the paired and McNemar's tests; Newcombe's interval by simulation;
Holm's correction over a notebook's family, McNemar's tests included; the test chosen by what two
trainings share; the two-level bootstrap against known normal cases; goals met, missed or
undecided."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.stats import bootstrap, significance, spread
from helpers.stats.family import Family, shared_images


def test_welch_matches_scipy_and_uses_the_t_distribution() -> None:
    a, b = [0.80, 0.81, 0.83], [0.78, 0.80, 0.79]
    result = significance.welch(a, b)
    expected = stats.ttest_ind(a, b, equal_var=False)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.difference == pytest.approx(np.mean(a) - np.mean(b))
    error = np.sqrt(np.var(a, ddof=1) / 3 + np.var(b, ddof=1) / 3)
    assert (result.high - result.low) / 2 > 2.5 * error  # far wider than two standard errors
    with pytest.raises(ValueError, match="at least two runs"):
        significance.welch([0.8], [0.7, 0.71])


def test_mcnemar_counts_only_disagreements() -> None:
    first = np.array([True] * 80 + [False] * 20)
    second = first.copy()
    second[:15] = False  # the second model misses 15 images the first got right
    result = significance.mcnemar(first, second)
    assert result.difference == pytest.approx(0.15)
    assert result.p_value == pytest.approx(stats.binomtest(15, 15, 0.5).pvalue)
    assert result.real and result.low < 0.15 < result.high
    same = significance.mcnemar(first, first)
    assert same.p_value == 1.0 and same.difference == 0 and not same.real


def test_newcombes_interval_covers_the_true_difference_as_often_as_it_says() -> None:
    """b = 600, c = 200 disagreements on 10,000 images: over 2,000 simulated tables the 95%
    interval covers the true difference (4 points) at least 94% of the time. The interval that
    takes the number of disagreements as given (Clopper-Pearson on their share) covers it less."""
    rng = np.random.default_rng(0)
    tables = rng.multinomial(10_000, [0.70, 0.06, 0.02, 0.22], size=2000)
    covered = [low <= 0.04 <= high for low, high in
               (significance.newcombe_interval(*table) for table in tables)]
    assert np.mean(covered) >= 0.94

    def conditional(both, won, lost, neither):
        share = stats.binomtest(won, won + lost).proportion_ci(0.95, method="exact")
        scale = (won + lost) / 10_000
        return scale * (2 * share.low - 1), scale * (2 * share.high - 1)

    assert np.mean([low <= 0.04 <= high for low, high in
                    (conditional(*table) for table in tables)]) < 0.93


def test_holm_adjusts_a_worked_example() -> None:
    """Holm (1979): m = 4, sorted p-values multiplied by 4, 3, 2, 1, then made monotone."""
    assert significance.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.03, 0.06, 0.06, 0.02])
    assert significance.holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])  # capped at 1


def right_answers(accuracy: float, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(count) < accuracy


def family_of(source: list[float], ours: list[float], count: int = 2000) -> dict:
    correct = {}
    for recipe, accuracies in (("source", source), ("ours", ours)):
        for seed, accuracy in enumerate(accuracies):
            correct["net", recipe, seed] = {"kept": right_answers(accuracy, count, 10 * seed)}
    return correct


def test_the_test_follows_what_the_two_trainings_share_and_holm_covers_mcnemar() -> None:
    """Unshared seeds: Welch's t-test; shared: the paired t-test, which sees a steady gain with
    a wide spread across seeds that Welch's misses; McNemar's tests join Holm's family."""
    correct = family_of([0.60, 0.70, 0.80], [0.63, 0.73, 0.83])
    family = Family(correct)
    family.over_seeds("net", "ours", "source")
    family.over_seeds("net", "ours", "source", shared="their first epochs")
    family.on_images("net", "ours", "source", seed=0)
    frame = family.frame()
    assert frame["test"].str.split().str[0].tolist() == ["Welch's", "paired", "McNemar's"]
    accuracy = {recipe: [correct["net", recipe, s]["kept"].mean() for s in range(3)]
                for recipe in ("ours", "source")}
    assert frame.loc[0, "p-value"] == pytest.approx(
        stats.ttest_ind(accuracy["ours"], accuracy["source"], equal_var=False).pvalue)
    assert frame.loc[1, "p-value"] == pytest.approx(
        stats.ttest_rel(accuracy["ours"], accuracy["source"]).pvalue)
    assert frame.loc[1, "p-value"] < 0.05 < frame.loc[0, "p-value"]
    assert frame["Holm p-value"].tolist() == pytest.approx(
        significance.holm(frame["p-value"].tolist()))
    assert frame["real"].tolist() == [p < 0.05 for p in frame["Holm p-value"]]


def test_one_run_a_side_has_no_seed_test_and_cut_passes_compare_the_images_both_saw() -> None:
    family = Family(family_of([0.6], [0.7]))
    family.over_seeds("net", "ours", "source")
    assert family.frame().empty
    assert [len(a) for a in shared_images(np.ones(10), np.ones(7))] == [7, 7]
    # a control read off the same training as its source, each test pass cut to its own length:
    # the same answers on the images both saw, so no difference and an interval of none
    same = np.arange(700) % 3 == 0
    correct = {("net", recipe, seed): {"kept": same[:length]} for seed in (0, 1)
               for recipe, length in (("source", 700), ("control", 600))}
    correct["net", "control", 1]["kept"] = np.r_[same[:600], True]  # one image further
    family = Family(correct)
    family.over_seeds("net", "control", "source", shared="the source recipe's epochs")
    family.on_images("net", "control", "source", seed=0)
    row, image_row = family.frame().to_dict("records")
    assert row["difference"] == 0 and row["95% low"] <= 0 <= row["95% high"]
    assert image_row["test"] == "McNemar's test, random seed 0, the 600 test images both saw"


def test_the_bootstrap_matches_known_normal_cases() -> None:
    """One run: the images alone, the binomial's normal interval. Three runs with the same
    answers: no narrower (every seed shares the test set, so one draw of images serves all).
    Many runs whose accuracies spread: about the spread's standard error of the mean."""
    answers = right_answers(0.7, 10_000, 1)
    p = answers.mean()
    normal = 1.96 * np.sqrt(p * (1 - p) / len(answers))
    one = bootstrap.mean_interval([answers])
    assert (one.high - one.low) / 2 == pytest.approx(normal, rel=0.1)
    assert one.low < p < one.high
    three = bootstrap.mean_interval([answers] * 3)
    assert (three.high - three.low) / 2 == pytest.approx(normal, rel=0.1)
    rng = np.random.default_rng(2)
    accuracies = rng.normal(0.7, 0.03, 60)
    runs = [right_answers(a, 4000, 100 + i) for i, a in enumerate(accuracies)]
    spread_of_mean = np.std([r.mean() for r in runs], ddof=1) / np.sqrt(len(runs))
    wide = bootstrap.mean_interval(runs, resamples=1000)
    assert (wide.high - wide.low) / 2 == pytest.approx(1.96 * spread_of_mean, rel=0.15)


def test_a_difference_resamples_the_same_images_for_both_sides() -> None:
    answers = right_answers(0.7, 5000, 3)
    better = answers | (np.arange(5000) % 50 == 0)  # one image in 50 more right: +1.4 points
    interval = bootstrap.difference_interval([better], [answers])
    assert interval.value == pytest.approx(better.mean() - answers.mean())
    assert 0 < interval.low < interval.value < interval.high < 2 * interval.value
    with pytest.raises(ValueError, match="same random seeds"):
        bootstrap.resampled_differences([answers], [answers, answers], paired=True)


@pytest.mark.parametrize("low, high, verdict", [(0.81, 0.84, "met"), (0.70, 0.79, "missed"),
                                                (0.78, 0.83, "undecided")])
def test_a_goal_is_met_missed_or_undecided_by_its_interval(low, high, verdict) -> None:
    assert bootstrap.goal_verdict(bootstrap.Interval(0.8, low, high), 0.80) == verdict
    assert bootstrap.goal_verdict(bootstrap.Interval(0.8, low, high), None) == ""


def test_spread_by_recipe_gives_each_recipe_its_mean_interval_and_verdict() -> None:
    correct = family_of([0.60, 0.62], [0.90, 0.91, 0.92])
    rows = [{"model": "net", "recipe": recipe, "seed": seed,
             "test_acc": answers["kept"].mean(), "goal": 0.5 if recipe == "ours" else None}
            for (_, recipe, seed), answers in correct.items()]
    table = spread.spread_by_recipe(rows, correct).set_index("recipe")
    assert table.loc["ours", "seeds"] == 3 and table.loc["source", "seeds"] == 2
    assert table.loc["ours", "verdict"] == "met" and table.loc["source", "verdict"] == ""
    assert table.loc["ours", "95% low"] < table.loc["ours", "mean"] < table.loc["ours", "95% high"]
    assert pd.isna(spread.over_seeds([0.9]).std)
