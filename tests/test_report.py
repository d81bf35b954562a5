"""The report layer: column formats, tables as the reader sees them, findings and diagnostics."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import report
from helpers.report import headline, notebook, tables


@pytest.fixture
def shown(monkeypatch) -> list:
    """What the report layer displays, in order (instead of a notebook's output)."""
    displayed: list = []
    for module in (headline, notebook, tables):
        monkeypatch.setattr(module, "display", displayed.append)
    return displayed


@pytest.mark.parametrize("name, expected", [
    ("test acc", "percent"), ("source figure", "percent"), ("p-value", "p-value"),
    ("difference", "points"), ("gain (points)", "points"), ("trainable params", "count"),
    ("seconds", "seconds"), ("speed-up", "times"), ("val loss", "loss"), ("model", None),
    ("train_multiply_adds", "scientific")])
def test_a_column_format_follows_from_its_name(name, expected) -> None:
    assert tables.column_format(name) == expected


def test_a_table_formats_each_column_by_its_name_and_leaves_empty_cells_blank(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn", "big"], "test acc": [0.81234, math.nan],
                          "trainable params": [1_234_567, 99], "p-value": [0.000123, 0.5]})
    report.table(frame, "Two models")
    html = shown[0].to_html()
    assert "Two models" in html
    for text in ("81.2%", "1,234,567", "0.00012", "0.5"):
        assert text in html, text
    assert "nan" not in html.lower()
    assert 'class="row_heading' not in html  # no DataFrame index column


def test_the_results_table_names_its_columns_for_the_reader_and_drops_empty_ones(shown) -> None:
    rows = [{"model": "cnn_v2", "recipe": "ours", "params": 100, "test_acc": 0.8, "goal": None,
             "seconds": 3.0, "internal": "x"}]
    assert report.results_table(rows, "Results") is None  # nothing for a notebook to echo
    html = shown[0].to_html()
    for heading in ("model", "recipe", "trainable params", "test acc", "seconds"):
        assert f">{heading}<" in html
    assert "internal" not in html and ">goal<" not in html and "80.0%" in html


def test_the_recipe_comparison_shows_differences_and_intervals_in_points(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn"], "source recipe": [0.70], "ours": [0.75],
                          "difference": [0.05], "interval": [(0.02, 0.08)], "p-value": [0.01],
                          "real": [True]})
    report.recipe_comparison(frame)
    html = shown[0].to_html()
    assert "+5.0" in html and "+2.0 to +8.0" in html and "75.0%" in html


def test_seeds_table_shows_the_interval_in_percent_and_none_for_one_seed(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn", "cnn"], "recipe": ["source", "ours"], "seeds": [1, 3],
                          "mean": [0.6, 0.7], "std": [math.nan, 0.01], "95% low": [math.nan, 0.675],
                          "95% high": [math.nan, 0.725], "goal": [None, 0.65],
                          "verdict": ["", "met with confidence"]})
    report.seeds_table(frame, "Over seeds")
    html = shown[0].to_html()
    assert "67.5% to 72.5%" in html and "70.0%" in html and "met with confidence" in html
    assert "nan" not in html.lower()


def test_trials_table_puts_several_choices_in_one_table_of_validation_figures(shown) -> None:
    def trial(values: list[float]) -> pd.DataFrame:  # as experiments.choose_on_validation returns it
        return pd.DataFrame({"option": ["64 px", "128 px"], "random seeds": [1, 1],
                             "validation accuracy (mean)": values, "std": [math.nan] * 2,
                             "chosen": [values[0] >= values[1], values[0] < values[1]]})
    report.trials_table({"alexnet": trial([0.8, 0.9]), "mobilenet": trial([0.7, 0.6])},
                        "model", "input side", "Trials")
    frame = shown[0].data
    assert list(frame.columns) == ["model", "input side", "val acc", "chosen"]
    assert frame["model"].tolist() == ["alexnet", "alexnet", "mobilenet", "mobilenet"]
    assert frame["chosen"].tolist() == ["no", "yes", "yes", "no"]
    assert "90.0%" in shown[0].to_html()


def test_seeds_table_leaves_out_the_goal_columns_where_no_model_has_a_goal(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn"], "recipe": ["seed"], "seeds": [2], "mean": [0.6],
                          "std": [0.01], "95% low": [0.5], "95% high": [0.7], "goal": [None],
                          "verdict": [""]})
    report.seeds_table(frame, "No goal")
    html = shown[0].to_html()
    assert "verdict" not in html and ">goal<" not in html and "50.0% to 70.0%" in html


def test_the_model_summary_names_its_units_plainly(capsys) -> None:
    from helpers import models

    report.model_summary(models.build_model("baseline_cnn", device="cpu"), (1, 3, 32, 32), "cpu")
    text = capsys.readouterr().out
    assert "Total mult-adds (M): 1.14" in text and "Units." not in text
    assert "Trainable params: 24,282" in text


def test_a_constant_verdict_is_said_in_words_and_an_interval_of_one_value_once(shown) -> None:
    frame = pd.DataFrame({"model": ["a", "b"], "source recipe": [0.70, 0.70],
                          "ours": [0.70, 0.75], "difference": [0.0, 0.05],
                          "interval": [(0.0, 0.0), (0.02, 0.08)], "p-value": [1.0, 0.5],
                          "real": [False, False]})
    report.recipe_comparison(frame)
    html = shown[0].to_html()
    assert "significant: no in every row" in html and "real" not in html
    assert ">+0.0<" in html and "+0.0 to +0.0" not in html and "+2.0 to +8.0" in html
