"""The sentence layer, case by case: ahead, behind, a tie, not significant, a thing compared with
itself, tests that disagree, counts, ranges, ratios above and below 1, singular and plural."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.report import formats, sentences


def a_row(difference: float, real: bool, **changed) -> dict:
    return {"model": "cnn_v2", "first": "ours", "second": "source", "second model": "cnn_v2",
            "test": "Welch's t-test, 3 and 3 random seeds", "difference": difference,
            "95% low": difference - 0.01, "95% high": difference + 0.01, "p-value": 0.004,
            "Holm p-value": 0.0123, "real": real, **changed}


@pytest.mark.parametrize("difference, real, ending", [
    (0.021, True, ": ahead by 2.1 points (95% interval +1.1 to +3.1 points; Welch's t-test, 3 and "
                  "3 random seeds, Holm's p = 0.01)."),
    (-0.139, True, ": behind by 13.9 points (95% interval -14.9 to -12.9 points; Welch's t-test, "
                   "3 and 3 random seeds, Holm's p = 0.01)."),
    (0.004, False, ": +0.4 points, not significant (95% interval -0.6 to +1.4 points; "
                   "Welch's t-test, 3 and 3 random seeds, Holm's p = 0.01)."),
    (0.061, False, ": +6.1 points, not significant (95% interval +5.1 to +7.1 points; Welch's "
                   "t-test, 3 and 3 random seeds, Holm's p = 0.01); the interval leaves out "
                   "zero, but it is a bootstrap over few random seeds, which runs narrow."),
    (0.0001, False, ": a tie (95% interval -1.0 to +1.0 points; Welch's t-test, 3 and 3 random "
                    "seeds, Holm's p = 0.01)."),
])
def test_a_tested_difference_reads_as_ahead_behind_a_tie_or_no_evidence(difference, real,
                                                                         ending) -> None:
    assert sentences.family_sentence(a_row(difference, real)) == \
        "CNNV2, our recipe against the source recipe" + ending


def test_an_interval_that_leaves_out_zero_beside_no_significance_says_why() -> None:
    mcnemar = a_row(0.021, False, test="McNemar's test, random seed 0, 500 test images")
    assert sentences.family_sentence(mcnemar).endswith(
        "the interval leaves out zero, but unlike Holm's p it is not corrected for the family's "
        "other tests.")
    touching = a_row(0.019, False, **{"95% low": 0.0001})  # printed "0.0 to ...": holds zero
    assert sentences.family_sentence(touching).endswith("Holm's p = 0.01).")


def test_another_model_is_named_and_a_thing_against_itself_is_never_written() -> None:
    row = a_row(0.02, True, **{"second model": "alexnet_only", "second": "ours",
                                "model": "middle_fusion"})
    assert sentences.family_sentence(row).startswith(
        "Middle fusion, our recipe against AlexNet's maps alone, our recipe: ahead by 2.0 points")
    assert sentences.family_sentence(a_row(0.0, False, second="ours")) == ""


def test_a_p_value_below_a_thousandth_is_said_as_such() -> None:
    assert sentences.family_sentence(a_row(0.05, True, **{"Holm p-value": 1e-9})).endswith(
        "Holm's p < 0.001).")


def test_a_seed_test_and_mcnemars_test_that_disagree_are_explained() -> None:
    frame = pd.DataFrame([a_row(0.02, False), a_row(0.03, True, test="McNemar's test, random "
                                                       "seed 0, 500 test images")])
    said = sentences.family_sentences(frame)
    assert len(said) == 3
    assert "McNemar's test finds a difference" in said[2] and "with 3 and 3 random seeds its few " \
        "degrees of freedom" in said[2]
    frame.loc[1, "real"] = False  # they agree: nothing to explain
    assert len(sentences.family_sentences(frame)) == 2


@pytest.mark.parametrize("number, expected", [(1, "1 fine class"), (5, "5 fine classes"),
                                              (1000, "1,000 fine classes")])
def test_counts_are_singular_or_plural(number, expected) -> None:
    assert sentences.count(number, "fine class", "fine classes") == expected


def test_a_range_of_one_value_is_said_once() -> None:
    assert sentences.value_range(200, 200) == "200"
    assert sentences.value_range(180, 5_000) == "180 to 5,000"
    assert sentences.value_range(0.1231, 0.1234, formats.percent) == "12.3%"


@pytest.mark.parametrize("speed_up, expected", [(1.3, "was 1.3 times as fast"),
                                                (0.7, "took 1.4 times as long"),
                                                (1.02, "took as long")])
def test_a_speed_up_is_said_the_right_way_round(speed_up, expected) -> None:
    assert sentences.how_long(speed_up) == expected


def test_the_best_of_several_options_names_one_several_or_all_tied() -> None:
    assert sentences.best_of({"a": 0.5, "b": 0.6}, "validation accuracy") == \
        "b had the best validation accuracy (60.0%)"
    assert sentences.best_of({"a": 0.6, "b": 0.6, "c": 0.2}, "validation accuracy") == \
        "a and b tied for the best validation accuracy (60.0%)"
    assert sentences.best_of({"a": 0.01, "b": 0.01, "c": 0.01}, "validation accuracy") == \
        "all 3 tied at 1.0% validation accuracy"
    assert sentences.best_of({"a": 0.4, "b": 0.4}, "validation accuracy") == \
        "both tied at 40.0% validation accuracy"


def test_the_chosen_option_is_named_again_only_where_a_tie_hides_it() -> None:
    assert sentences.chosen_among({"a": 0.5, "b": 0.6}, "b", "validation accuracy") == \
        "b had the best validation accuracy (60.0%)"
    assert sentences.chosen_among({"a": 0.6, "b": 0.6}, "a", "validation accuracy") == \
        "both tied at 60.0% validation accuracy; the run used a (a tie goes to the first listed)"


def test_source_figure_sentences_read_the_source_recipe_by_the_reports_epoch() -> None:
    rows = [{"model": "cnn_v2", "recipe": "source", "source_metric": "val_acc",
             "source_figure": 0.7504, "source_epoch": "final", "val_acc": 0.80,
             "val_acc_final_epoch": 0.78},
            {"model": "ours_1k", "recipe": "ours", "source_metric": math.nan,
             "source_figure": math.nan, "test_acc": 0.1}]
    assert sentences.source_figure_sentences(rows) == [
        "CNNV2 (the source recipe): 78.0% validation accuracy against the source report's 75.0% "
        "(+3.0 points)."]
    second_seed = {**rows[0], "val_acc_final_epoch": 0.88}
    assert sentences.source_figure_sentences([rows[0], second_seed]) == [
        "CNNV2 (the source recipe, mean of 2 random seeds): 83.0% validation accuracy against "
        "the source report's 75.0% (+8.0 points)."]
    kept = {**rows[0], "source_epoch": "kept"}
    assert "80.0% validation accuracy" in sentences.source_figure_sentences([kept])[0]
    baseline = {**rows[0], "model": "baseline_cnn"}  # a sentence starts with a capital
    assert sentences.source_figure_sentences([baseline])[0].startswith("Baseline CNN (")


def test_a_difference_against_another_reads_as_level_when_it_is_a_tie() -> None:
    assert sentences.against(0.0, "the coarse20 model") == "level with the coarse20 model"
    assert sentences.against(0.012, "the coarse20 model") == "+1.2 points against the coarse20 model"
    assert sentences.against(-0.03, "X") == "-3.0 points against X"


def test_one_format_per_kind_of_figure() -> None:
    assert formats.percent(0.5812) == "58.1%" and formats.points(-0.0001) == "0.0 points"
    assert formats.p_value(0.04321) == "0.04" and formats.p_value(0.0042) == "0.004"
    assert formats.p_value(2e-23) == "< 0.001" and formats.p_equals(0.5) == "p = 0.50"
    assert formats.p_value(0.047) == "0.047" and formats.p_value(0.052) == "0.052"  # by 0.05
    assert formats.points_interval(-0.0001, 0.0351) == "0.0 to +3.5"
    # a t-interval over two random seeds can pass 100 points: clipped, and said so
    assert formats.points_interval(0.062, 1.083) == "+6.2 to +100.0 (clipped from +108.3)"
    assert formats.percent_interval(0.841, 0.882) == "84.1% to 88.2%"
    assert formats.times(1.83) == "1.8 times" and formats.count(12345) == "12,345"
    assert formats.large(18_191_692_800) == "18.2 billion" and formats.large(950) == "950"


def test_a_chart_says_whether_its_figures_are_means_over_seeds_or_one_seed() -> None:
    assert sentences.over_seeds([1, 1]) == "one random seed"
    assert sentences.over_seeds([3, 2]) == "mean over random seeds"
    assert sentences.over_seeds([3, 1]) == "mean over its random seeds, one or several"
