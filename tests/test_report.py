"""The report layer: column formats, tables as the reader sees them, and the generated sentences."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import report


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
    assert report.goal_sentence(row) == ("cnn_v2 (ours) reached 81.2% test accuracy: the goal of "
                                         "82.0% is missed by 0.8 points.")
    assert report.goal_sentence({**row, "test_acc": 0.83}).endswith("the goal of 82.0% is met.")
    assert report.goal_sentence({**row, "goal": math.nan}) == \
        "cnn_v2 (ours) reached 81.2% test accuracy."


def test_recipe_sentences_call_a_difference_real_only_when_the_test_says_so() -> None:
    frame = pd.DataFrame({"model": ["a", "b"], "seed recipe": [0.70, 0.70], "ours": [0.75, 0.71],
                          "difference": [0.05, 0.01], "p-value": [0.001, 0.4],
                          "real": [True, False]})
    real, unclear = report.recipe_sentences(frame)
    assert "+5.0 points, McNemar p = 0.001: a real difference" in real
    assert "+1.0 points, McNemar p = 0.4" in unclear and "a real difference" not in unclear


def test_seed_figure_sentences_skip_rows_without_a_figure() -> None:
    rows = [{"model": "baseline_cnn", "recipe": "seed", "seed_metric": "test_acc",
             "seed_reference": 0.58, "test_acc": 0.61},
            {"model": "ours_1k", "recipe": "ours", "seed_metric": math.nan,
             "seed_reference": math.nan, "test_acc": 0.1}]
    assert report.seed_figure_sentences(rows) == [
        "baseline_cnn (seed): 61.0% test acc against the seed document's 58.0% (+3.0 points)."]
