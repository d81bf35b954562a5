"""The sentence layer, case by case: a gain, a loss, a tie, no evidence, a thing compared with
itself, counts, ranges, ratios above and below 1, singular and plural (goals met or missed: the
findings table's marks, tests/test_print_layout.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.report import sentences


def compared(first: float, second: float, real: bool | None, first_name: str = "fusion",
             p: float | None = 0.036) -> str:
    return sentences.compared("EuroSAT", first_name, first, "MobileNetV2 alone", second, p, real,
                              "McNemar")


def test_a_significant_gain_is_a_gain() -> None:
    assert compared(0.97, 0.95, True) == ("EuroSAT: fusion 97.0% against MobileNetV2 alone 95.0%: "
                                         "a gain of 2.0 points (McNemar p = 0.036).")


def test_a_significant_loss_is_a_loss_not_no_gain() -> None:
    sentence = compared(0.81, 0.949, True)
    assert sentence.endswith(": a loss of 13.9 points (McNemar p = 0.036).")
    assert "a gain" not in sentence


def test_an_unclear_difference_says_there_is_no_evidence_either_way() -> None:
    sentence = compared(0.952, 0.95, False, p=1.0)
    assert sentence.endswith("(+0.2 points): no evidence that the two differ (McNemar p = 1.0).")
    assert "chance" not in sentence and "a gain" not in sentence


def test_equal_figures_are_a_tie() -> None:
    assert compared(0.95, 0.95, False).endswith(": a tie (McNemar p = 0.036).")


def test_a_thing_compared_with_itself_is_never_written() -> None:
    assert compared(0.95, 0.95, False, first_name="MobileNetV2 alone") == ""
    row = {"first": "ours", "second": "ours", "difference": 0.0, "Holm p-value": 1.0,
           "real": False}
    assert sentences.paired_sentence(row, 3) == ""


@pytest.mark.parametrize("difference, real, ending", [
    (0.021, True, ": ahead by 2.1 points (paired t-test over 3 random seeds, Holm's p = 0.012)."),
    (-0.139, True, ": behind by 13.9 points (paired t-test over 3 random seeds, Holm's p = 0.012)."),
    (0.004, False, ": +0.4 points, no evidence of a difference (paired t-test over 3 random seeds, "
                   "Holm's p = 0.012)."),
    (0.0001, False, ": a tie (paired t-test over 3 random seeds, Holm's p = 0.012)."),
])
def test_a_paired_difference_reads_as_a_gain_a_loss_a_tie_or_no_evidence(difference, real,
                                                                           ending) -> None:
    row = {"first": "ours", "second": "source", "difference": difference, "Holm p-value": 0.0123,
           "real": real}
    assert sentences.paired_sentence(row, 3) == "our recipe against the source recipe" + ending
    assert "over 1 random seed," in sentences.paired_sentence(row, 1)
    assert sentences.paired_sentence({**row, "model": "cnn_v2"}, 3).startswith("cnn_v2, our recipe")


def test_recipe_sentences_name_the_recipes_and_follow_the_test() -> None:
    frame = pd.DataFrame({"model": ["a", "b", "c"], "source recipe": [0.70, 0.70, 0.80],
                          "ours": [0.75, 0.71, 0.60], "difference": [0.05, 0.01, -0.20],
                          "p-value": [0.001, 0.4, 0.0001], "real": [True, False, True]})
    gain, unclear, loss = sentences.recipe_sentences(frame)
    assert gain == ("**a**: our recipe 75.0% against the source recipe 70.0%: a gain of 5.0 points "
                    "(McNemar p = 0.0010).")
    assert "no evidence that the two differ" in unclear
    assert "a loss of 20.0 points" in loss


@pytest.mark.parametrize("number, expected", [(1, "1 fine class"), (5, "5 fine classes"),
                                              (1000, "1,000 fine classes")])
def test_counts_are_singular_or_plural(number, expected) -> None:
    assert sentences.count(number, "fine class", "fine classes") == expected


def test_a_range_of_one_value_is_said_once() -> None:
    assert sentences.value_range(200, 200) == "200"
    assert sentences.value_range(180, 5_000) == "180 to 5,000"
    assert sentences.value_range(0.1231, 0.1234, sentences.percent) == "12.3%"


@pytest.mark.parametrize("ratio, expected", [(1.3, "1.3 times as fast"), (0.7, "1.4 times slower"),
                                             (1.02, "as fast")])
def test_a_speed_ratio_is_said_the_right_way_round(ratio, expected) -> None:
    assert sentences.how_fast(ratio) == expected


def test_a_range_of_speed_ratios_across_one_says_both_ways() -> None:
    assert sentences.speed_range(0.7, 1.3) == "from 1.4 times slower to 1.3 times as fast"
    assert sentences.speed_range(2.0, 2.04) == "2.0 times as fast"


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


def test_source_figure_sentences_skip_rows_without_a_figure_and_name_the_metric() -> None:
    rows = [{"model": "cnn_v2", "recipe": "source", "source_metric": "val_acc",
             "source_figure": 0.7504, "val_acc": 0.80},
            {"model": "ours_1k", "recipe": "ours", "source_metric": math.nan,
             "source_figure": math.nan, "test_acc": 0.1}]
    assert sentences.source_figure_sentences(rows) == [
        "cnn_v2 (the source recipe): 80.0% validation accuracy against the source report's 75.0% "
        "(+5.0 points)."]
    second_seed = {**rows[0], "val_acc": 0.90}
    assert sentences.source_figure_sentences([rows[0], second_seed]) == [
        "cnn_v2 (the source recipe, mean of 2 random seeds): 85.0% validation accuracy against "
        "the source report's 75.0% (+10.0 points)."]


def test_the_recipe_tally_names_gains_losses_and_the_unclear_and_leaves_out_empty_parts() -> None:
    frame = pd.DataFrame({"model": ["a", "b", "c", "d"], "difference": [0.05, -0.02, 0.01, 0.0],
                          "real": [True, True, False, False]})
    assert sentences.recipe_tally(frame) == (
        "Our recipe against the source recipe on the same test images (McNemar's test): a gain "
        "for a; a loss for b; no evidence of a difference for c; a tie for d.")
    assert "a loss" not in sentences.recipe_tally(frame.iloc[[0, 2]])
    assert sentences.recipe_tally(frame.iloc[[]]) == ""


def test_a_difference_against_another_reads_as_level_when_it_is_a_tie() -> None:
    assert sentences.against(0.0, "the coarse20 model") == "level with the coarse20 model"
    assert sentences.against(0.012, "the coarse20 model") == "+1.2 points against the coarse20 model"
    assert sentences.against(-0.03, "X") == "-3.0 points against X"
