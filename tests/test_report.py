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
    ("test accuracy", "percent"), ("source report", "percent"), ("p-value", "p-value"),
    ("difference", "points"), ("gain (points)", "points"), ("trainable parameters", "count"),
    ("seconds", "seconds"), ("speed-up", "times"), ("val loss", "loss"), ("model", None),
    ("train_multiply_adds", "large")])
def test_a_column_format_follows_from_its_name(name, expected) -> None:
    assert tables.column_format(name) == expected


def test_a_table_formats_each_column_and_shows_models_and_classes_by_name(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn_v2", "alexnet_scratch"], "class": ["aquatic_mammals", "x"],
                          "test accuracy": [0.81234, math.nan],
                          "trainable parameters": [1_234_567, 99], "p-value": [0.000123, 0.5]})
    report.table(frame, "Two models")
    html = shown[0].to_html()
    assert "Two models" in html
    for text in ("81.2%", "1,234,567", "< 0.001", "0.50", "CNNV2", "AlexNet, from scratch",
                 "aquatic mammals"):
        assert text in html, text
    assert "nan" not in html.lower() and "cnn_v2" not in html
    assert 'class="row_heading' not in html  # no DataFrame index column


def test_the_results_table_names_its_columns_for_the_reader_and_drops_empty_ones(shown) -> None:
    rows = [{"model": "cnn_v2", "recipe": "ours", "params": 100, "test_acc": 0.8, "goal": None,
             "seconds": 3.0, "internal": "x"}]
    assert report.results_table(rows, "Results") is None  # nothing for a notebook to echo
    html = shown[0].to_html()
    for heading in ("model", "recipe", "trainable parameters", "test accuracy", "training seconds"):
        assert f">{heading}<" in html
    assert "internal" not in html and ">goal<" not in html and "80.0%" in html
    assert ">our recipe<" in html


def test_the_family_table_names_the_test_the_interval_and_both_p_values(shown) -> None:
    frame = pd.DataFrame([{"model": "cnn_v2", "first": "ours", "second": "source",
                           "second model": "cnn_v2", "test": "Welch's t-test, 3 and 3 random seeds",
                           "difference": 0.05, "95% low": 0.02, "95% high": 0.08,
                           "p-value": 0.01, "Holm p-value": 0.03, "real": True}])
    report.family_table(frame, "Comparisons")
    html = shown[0].to_html()
    for text in ("CNNV2, our recipe against source recipe", "+5.0", "+2.0 to +8.0",
                 "p-value before Holm", "0.03", "significant"):
        assert text in html, text
    assert "leaves out zero" not in html  # significant: nothing to explain


def test_the_family_table_names_ties_and_says_why_an_interval_can_leave_out_zero(shown) -> None:
    row = {"model": "cnn_v2", "first": "ours", "second": "source", "second model": "cnn_v2",
           "test": "Welch's t-test, 2 and 2 random seeds", "p-value": 0.01,
           "Holm p-value": 0.5, "real": False}
    report.family_table(pd.DataFrame([
        {**row, "difference": 0.0001, "95% low": -0.01, "95% high": 0.01},
        {**row, "difference": 0.05, "95% low": 0.02, "95% high": 0.08}]), "Comparisons")
    html = shown[0].to_html()
    assert ">a tie<" in html and ">not significant<" in html
    assert "where an interval leaves out zero beside" in html


def test_seeds_table_shows_the_interval_and_the_verdict(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn", "cnn"], "recipe": ["source", "ours"], "seeds": [1, 3],
                          "mean": [0.6, 0.7], "std": [math.nan, 0.01], "95% low": [0.55, 0.675],
                          "95% high": [0.65, 0.725], "goal": [None, 0.65],
                          "verdict": ["", "met"]})
    report.seeds_table(frame, "Over seeds")
    html = shown[0].to_html()
    assert "67.5% to 72.5%" in html and "70.0%" in html and "✓ met" in html
    assert "nan" not in html.lower()


def test_trials_table_puts_several_choices_in_one_table_of_validation_figures(shown) -> None:
    def trial(values: list[float]) -> pd.DataFrame:  # as experiments.choose_on_validation returns it
        return pd.DataFrame({"option": ["64 px", "128 px"], "random seeds": [1, 1],
                             "validation accuracy (mean)": values, "std": [math.nan] * 2,
                             "chosen": [values[0] >= values[1], values[0] < values[1]]})
    report.trials_table({"alexnet": trial([0.8, 0.9]), "mobilenet": trial([0.7, 0.6])},
                        "model", "input side", "Trials")
    frame = shown[0].data
    assert list(frame.columns) == ["model", "input side", "validation accuracy", "chosen"]
    assert frame["chosen"].tolist() == ["no", "yes", "yes", "no"]
    assert "90.0%" in shown[0].to_html()


def test_seeds_table_leaves_out_the_goal_columns_where_no_model_has_a_goal(shown) -> None:
    frame = pd.DataFrame({"model": ["cnn"], "recipe": ["source"], "seeds": [2], "mean": [0.6],
                          "std": [0.01], "95% low": [0.5], "95% high": [0.7], "goal": [None],
                          "verdict": [""]})
    report.seeds_table(frame, "No goal")
    html = shown[0].to_html()
    assert "verdict" not in html and ">goal<" not in html and "50.0% to 70.0%" in html


def test_the_layers_table_is_one_short_table_of_shapes_and_parameters(shown) -> None:
    from helpers import models

    report.layers_table(models.build_model("baseline_cnn", device="cpu"), (3, 32, 32), "Layers")
    frame = shown[0].data
    assert list(frame.columns) == ["layer", "output shape", "parameters"]
    assert frame["layer"].tolist()[:2] == ["Conv2d", "MaxPool2d"]
    assert frame["output shape"].tolist()[:2] == ["8 x 32 x 32", "8 x 16 x 16"]
    assert frame["parameters"].iloc[-1] == 24_282 and len(frame) < 12


def test_the_recipes_table_says_each_setting_in_words(shown) -> None:
    from helpers.training import recipes

    report.recipes_table({"source recipe": recipes.source_recipe(25),
                          "our recipe": recipes.our_recipe(30)}, "Recipes")
    frame = shown[0].data.set_index("setting")
    assert frame.loc["optimiser", "our recipe"] == "SGD with Nesterov momentum 0.9"
    assert frame.loc["gradient clipping", "source recipe"] == "none"
    assert "sgd lr" not in shown[0].to_html()


def test_the_recipes_table_gives_the_batch_this_run_trains_with(shown) -> None:
    from helpers.training import recipes

    ours = recipes.our_recipe(3, batch_size=128)
    report.recipes_table({"our recipe": ours}, "Recipes", images=1_800)
    said = shown[0].data.set_index("setting").loc["batch size", "our recipe"]
    assert said.startswith("32 on these 1,800 training images (the recipe's 128, halved")
    report.recipes_table({"our recipe": ours}, "Recipes", images=45_000)
    assert shown[1].data.set_index("setting").loc["batch size", "our recipe"] == "128"


def test_the_recipes_table_says_the_epochs_a_rehearsal_runs(shown, tmp_path) -> None:
    from types import SimpleNamespace

    from helpers.core.passes import EVERY_BATCH, CutPasses
    from helpers.training import recipes

    def run_of(name: str, passes) -> SimpleNamespace:
        return SimpleNamespace(passes=passes, profile=SimpleNamespace(name=name))

    cut = CutPasses(3, tmp_path / "passes.csv", "02_test")
    report.recipes_table({"our recipe": recipes.our_recipe(30)}, "Recipes", run=run_of("rehearsal", cut))
    assert shown[0].data.set_index("setting").loc["epochs", "our recipe"] == "30 (this rehearsal runs 1)"
    report.recipes_table({"our recipe": recipes.our_recipe(30)}, "Recipes", run=run_of("full", EVERY_BATCH))
    assert shown[1].data.set_index("setting").loc["epochs", "our recipe"] == "30"


def test_a_rehearsals_training_reads_by_the_names_of_its_model_and_recipe() -> None:
    from helpers.report.names import training_name
    assert training_name("baseline_cnn (ours, random seed 2)") == \
        "baseline CNN (our recipe, random seed 2)"
    assert training_name("cnn_v3 (source, our epochs)") == "CNNV3 (source recipe, our epochs)"
    assert training_name("04_transfer_learning") == "04 transfer learning"
    assert training_name("outside a training") == "outside a training"


def test_the_summarys_findings_of_a_run_without_goals_are_written(shown) -> None:
    """A run of notebook 02 alone has no goal: the summary's findings still open its page."""
    from helpers.report.conclusions import overview
    headline = pd.DataFrame([{"notebook": "02_baseline_cnn", "model": "baseline_cnn",
                              "metric": "test accuracy", "source report": 0.58}])
    models = pd.DataFrame([{"notebook": "02_baseline_cnn", "model": "baseline_cnn",
                            "recipe": recipe, "test_acc": accuracy}
                           for recipe, accuracy in (("source", 0.6), ("ours", 0.7))])
    timings = pd.DataFrame([{"notebook": "02_baseline_cnn", "seconds": 30.0}])
    overview.summary(headline, models, timings, {})
    html = "".join(str(getattr(item, "data", item)) for item in shown)
    assert "above the source recipe's for 1 of the 1 models" in html and "goals" not in html


def test_the_summary_says_when_its_latest_run_ran_some_notebooks_only(shown) -> None:
    from helpers.report.conclusions import overview
    headline = pd.DataFrame([{"notebook": "02_baseline_cnn", "model": "baseline_cnn",
                              "metric": "test accuracy", "source report": 0.58}])
    models = pd.DataFrame([{"notebook": "02_baseline_cnn", "model": "baseline_cnn",
                            "recipe": recipe, "test_acc": 0.6} for recipe in ("source", "ours")])
    timings = pd.DataFrame({"notebook": ["01_eda", "02_baseline_cnn"], "seconds": [60.0, 120.0]})
    overview.summary(headline, models, timings, {"seconds": 150.0, "notebooks": ["02_baseline_cnn"]})
    html = "".join(str(getattr(item, "data", item)) for item in shown)
    assert "the notebooks took 3.0 minutes in all" in html
    assert "the latest run, 2.5 minutes with its PDFs, ran 02 baseline CNN only, and the other " \
        "notebooks' times are from earlier runs" in html
    shown.clear()
    overview.summary(headline, models, timings, {"seconds": 200.0,
                                                 "notebooks": ["01_eda", "02_baseline_cnn"]})
    html = "".join(str(getattr(item, "data", item)) for item in shown)
    assert "the run, with its PDFs, 3.3 minutes before this summary" in html
