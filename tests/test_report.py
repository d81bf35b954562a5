"""The report layer: column formats, tables as the reader sees them, and the generated sentences."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import report, sentences


@pytest.fixture
def shown(monkeypatch) -> list:
    """What the report layer displays, in order (instead of a notebook's output)."""
    displayed: list = []
    monkeypatch.setattr(report, "display", displayed.append)
    return displayed


@pytest.mark.parametrize("name, expected", [
    ("test acc", "percent"), ("seed's figure", "percent"), ("p-value", "p-value"),
    ("difference", "points"), ("gain (points)", "points"), ("trainable params", "count"),
    ("seconds", "seconds"), ("speed-up", "times"), ("val loss", "loss"), ("model", None)])
def test_a_column_format_follows_from_its_name(name, expected) -> None:
    assert report.column_format(name) == expected


def test_a_table_formats_each_column_by_its_name_and_leaves_empty_cells_blank(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn", "big"], "test acc": [0.81234, math.nan],
                          "trainable params": [1_234_567, 99], "p-value": [0.000123, 0.5]})
    report.table(frame, "Two models")
    html = shown[0].to_html()
    assert "Two models" in html
    for text in ("81.23%", "1,234,567", "0.00012", "0.5"):
        assert text in html, text
    assert "nan" not in html.lower()
    assert 'class="row_heading' not in html  # no DataFrame index column


def test_the_results_table_names_its_columns_for_the_reader_and_drops_empty_ones(shown) -> None:
    rows = [{"model": "cnn_v2", "recipe": "ours", "params": 100, "test_acc": 0.8, "goal": None,
             "seconds": 3.0, "internal": "x"}]
    table = report.results_table(rows, "Results")
    assert list(table.columns) == ["model", "recipe", "trainable params", "test acc", "seconds"]
    assert "80.00%" in shown[0].to_html()


def test_the_recipe_comparison_shows_differences_and_intervals_in_points(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn"], "seed recipe": [0.70], "ours": [0.75],
                          "difference": [0.05], "interval": [(0.02, 0.08)], "p-value": [0.01],
                          "real": [True]})
    report.recipe_comparison(frame)
    html = shown[0].to_html()
    assert "+5.0" in html and "+2.0 to +8.0" in html and "75.00%" in html


def test_the_goal_sentence_says_met_or_by_how_much_it_was_missed() -> None:
    row = {"model": "cnn_v2", "recipe": "ours", "test_acc": 0.812, "goal": 0.82}
    assert sentences.goal_sentence(row) == ("cnn_v2 (ours) reached 81.2% test accuracy: the goal of "
                                         "82.0% is missed by 0.8 points.")
    assert sentences.goal_sentence({**row, "test_acc": 0.83}).endswith("the goal of 82.0% is met.")
    assert sentences.goal_sentence({**row, "goal": math.nan}) == \
        "cnn_v2 (ours) reached 81.2% test accuracy."


def test_recipe_sentences_call_a_difference_real_only_when_the_test_says_so() -> None:
    frame = pd.DataFrame({"model": ["a", "b"], "seed recipe": [0.70, 0.70], "ours": [0.75, 0.71],
                          "difference": [0.05, 0.01], "p-value": [0.001, 0.4],
                          "real": [True, False]})
    real, unclear = sentences.recipe_sentences(frame)
    assert "+5.0 points, McNemar p = 0.001: a real difference on these test images" in real
    assert "+1.0 points, McNemar p = 0.4: no evidence that the two differ" in unclear
    assert "a real difference" not in unclear


def test_seed_figure_sentences_skip_rows_without_a_figure() -> None:
    rows = [{"model": "baseline_cnn", "recipe": "seed", "seed_metric": "test_acc",
             "seed_reference": 0.58, "test_acc": 0.61},
            {"model": "ours_1k", "recipe": "ours", "seed_metric": math.nan,
             "seed_reference": math.nan, "test_acc": 0.1}]
    assert sentences.seed_figure_sentences(rows) == [
        "baseline_cnn (seed): 61.0% test acc against the seed document's 58.0% (+3.0 points)."]


@pytest.mark.parametrize("difference, real, expected", [
    (0.021, True, "*ours* against *seed*: ahead by 2.1 points (paired t-test over 3 seeds, "
                  "Holm's p = 0.012)."),
    (-0.139, True, "*ours* against *seed*: behind by 13.9 points (paired t-test over 3 seeds, "
                   "Holm's p = 0.012)."),
    (0.004, False, "*ours* against *seed*: +0.4 points, no evidence of a difference (paired "
                   "t-test over 3 seeds, Holm's p = 0.012)."),
])
def test_a_paired_difference_reads_as_a_gain_a_loss_or_no_evidence(difference, real,
                                                                    expected) -> None:
    row = {"first": "ours", "second": "seed", "difference": difference, "Holm p-value": 0.0123,
           "real": real}
    assert sentences.paired_sentence(row, 3) == expected
    assert "over 1 seed," in sentences.paired_sentence(row, 1)
    assert sentences.paired_sentence({**row, "model": "cnn_v2"}, 3).startswith(
        "cnn_v2, *ours* against *seed*: ")


def test_seeds_table_shows_the_interval_in_percent_and_none_for_one_seed(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn", "cnn"], "recipe": ["seed", "ours"], "seeds": [1, 3],
                          "mean": [0.6, 0.7], "std": [math.nan, 0.01], "95% low": [math.nan, 0.675],
                          "95% high": [math.nan, 0.725], "goal": [None, 0.65],
                          "verdict": ["", "met with confidence"]})
    report.seeds_table(frame, "Over seeds")
    html = shown[0].to_html()
    assert "67.5% to 72.5%" in html and "70.00%" in html and "met with confidence" in html
    assert "nan" not in html.lower()


@pytest.mark.parametrize("mean, low, verdict, ending", [
    (0.84, 0.83, "met with confidence", "the goal of 82.0% is met with confidence."),
    (0.83, 0.80, "met", "the goal of 82.0% is met."),
    (0.81, 0.79, "missed", "the goal of 82.0% is missed by 1.0 points."),
])
def test_a_goal_over_seeds_is_met_with_confidence_met_or_missed(mean, low, verdict,
                                                                 ending) -> None:
    row = {"model": "cnn_v2", "recipe": "ours", "seeds": 3, "mean": mean, "95% low": low,
           "95% high": 2 * mean - low, "goal": 0.82, "verdict": verdict}
    sentence = sentences.spread_goal_sentence(row)
    assert sentence.startswith(f"cnn_v2 (ours) over 3 seeds: mean test accuracy {mean:.1%} (95 %")
    assert sentence.endswith(ending)
    one = sentences.spread_goal_sentence({**row, "seeds": 1, "95% low": math.nan})
    assert "over 1 seed: " in one and "interval" not in one


def test_seeds_table_leaves_out_the_goal_columns_where_no_model_has_a_goal(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn"], "recipe": ["seed"], "seeds": [2], "mean": [0.6],
                          "std": [0.01], "95% low": [0.5], "95% high": [0.7], "goal": [None],
                          "verdict": [""]})
    report.seeds_table(frame, "No goal")
    html = shown[0].to_html()
    assert "verdict" not in html and ">goal<" not in html and "50.0% to 70.0%" in html
