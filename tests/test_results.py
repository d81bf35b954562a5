"""Results files: their columns, one row per model and recipe, the seeds' figures and goals."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from helpers import evaluation, references, results
from helpers.training import History

PREDICTIONS = evaluation.Predictions(torch.tensor([[3.0, 0.0], [0.0, 1.0], [2.0, 0.0],
                                                   [1.0, 0.0]]), torch.tensor([0, 1, 1, 1]))
HISTORY = History([
    {"epoch": 1, "train_loss": 1.0, "train_acc": 0.4, "val_loss": 0.9, "val_acc": 0.5,
     "lr": 1e-3, "seconds": 2.0},
    {"epoch": 2, "train_loss": 0.8, "train_acc": 0.6, "val_loss": 1.1, "val_acc": 0.45,
     "lr": 1e-3, "seconds": 3.0}])


def test_results_file_has_the_promised_columns(tmp_path) -> None:
    file = results.ResultsFile(tmp_path / "02_baseline_cnn.csv")
    file.add_model("baseline_cnn", "CIFAR-10", 24282, HISTORY, PREDICTIONS, 0)
    file.add_model("baseline_cnn", "CIFAR-10", 24282, HISTORY, PREDICTIONS, 0, recipe="ours")
    file.add_model("cnn_v2", "CIFAR-10", 10, HISTORY, PREDICTIONS, 0, recipe="ours")
    file.add_model("mystery", "CIFAR-10", 10, HISTORY, PREDICTIONS, 0)
    written = pd.read_csv(tmp_path / "02_baseline_cnn.csv")
    assert list(written.columns[:len(results.RESULT_COLUMNS)]) == results.RESULT_COLUMNS
    assert list(zip(written["model"], written["recipe"])) == [
        ("baseline_cnn", "seed"), ("baseline_cnn", "ours"), ("cnn_v2", "ours"), ("mystery", "seed")]
    seed_row = written.iloc[0]
    assert seed_row["best_epoch"] == 1 and seed_row["train_acc"] == 0.4
    assert seed_row["seconds"] == 5 and seed_row["test_acc"] == 0.5
    assert seed_row["seed_reference"] == 0.58 and seed_row["seed_source"].startswith("002_")
    assert np.isnan(seed_row["goal"])  # goals are for our recipe only
    assert written.iloc[2]["goal"] == references.GOALS["cnn_v2"]
    assert np.isnan(written.iloc[1]["goal"])  # the baseline has no goal
    assert np.isnan(written.iloc[3]["seed_reference"])


def test_a_model_trained_again_replaces_its_row(tmp_path) -> None:
    file = results.ResultsFile(tmp_path / "07_test.csv")
    file.add_model("cnn", "CIFAR-100", 10, HISTORY, PREDICTIONS, 0, notes="first")
    file.add_model("cnn", "CIFAR-100", 10, HISTORY, PREDICTIONS, 0, notes="second")
    assert pd.read_csv(tmp_path / "07_test.csv")["notes"].tolist() == ["second"]


def test_an_unwritable_results_file_says_what_to_do(tmp_path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("a file where the folder should be")
    file = results.ResultsFile(blocker / "03_regularised_cnns.csv")
    with pytest.raises(results.ResultsError, match="Make .*results a writable folder"):
        file.add_model("cnn_v2", "CIFAR-10", 10, HISTORY, PREDICTIONS, 0)


def test_seed_comparison_in_points_for_accuracies(tmp_path) -> None:
    file = results.ResultsFile(tmp_path / "02_baseline_cnn.csv")
    file.add_model("baseline_cnn", "CIFAR-10", 24282, HISTORY, PREDICTIONS, 0)
    comparison = results.seed_comparison(file.rows)
    row = comparison[comparison.metric == "test_acc"].iloc[0]
    assert row["difference"] == pytest.approx(-8.0) and row["unit"] == "points"
    # rows read back from the CSV (reference_key NaN) still find their seed figures
    read_back = results.seed_comparison(pd.read_csv(file.path).to_dict("records"))
    assert set(read_back["model"]) == {"baseline_cnn"} and len(read_back) == len(comparison)


def test_seed_figures_follow_the_reference_key_and_keep_their_units() -> None:
    frame = pd.DataFrame({"model": ["ours_5k", "seed_4850", "mystery"],
                          "reference_key": ["seed_4850", np.nan, np.nan],
                          "test_acc": [0.30, 0.20, 0.1], "test_loss": [3.0, 3.5, 4.0]})
    figures = results.with_seed_figures(frame, ["test_acc", "best_epoch"])
    assert figures["seed test_acc"].tolist()[:2] == [0.1914, 0.1914]
    assert figures["seed best_epoch"].tolist()[:2] == [15, 15]
    assert pd.isna(figures["seed test_acc"].iloc[2])
    comparison = results.seed_comparison(frame.to_dict("records")).set_index(["model", "metric"])
    assert comparison.loc[("ours_5k", "test_acc"), "difference"] == pytest.approx(10.86)
    assert comparison.loc[("ours_5k", "test_loss"), "difference"] == pytest.approx(-0.45)
    assert comparison.loc[("ours_5k", "test_loss"), "unit"] == ""


def test_budget_goals_are_the_paired_seed_model_plus_five_points() -> None:
    assert references.goal("ours_5k", "seed_4850") == pytest.approx(0.1914 + 0.05)
    # the 1K budget: fewer than half the parameters of the seed's 2,250-parameter model, whose
    # published top-1 is the goal
    assert references.goal("ours_1k", "seed_2250") == pytest.approx(0.1167)
    assert references.budget_goal(1_000) == pytest.approx(0.1167)
    assert references.goal("cnn_v3") == 0.90
    assert references.goal("ours_5k") is None and references.goal("mystery") is None


def test_the_readme_states_the_goals_of_references_py() -> None:
    """One source of goals: every goal in the README's table is one of helpers/references.py."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("Goals on the real data", 1)[1].split("\n\n", 2)[1]
    stated = {float(value) / (100 if unit else 1)
              for value, unit in re.findall(r">= (\d+\.?\d*) ?(%?)", section)}
    known = set(references.GOALS.values()) | {references.budget_goal(1_000)}
    assert stated and all(any(abs(goal - value) < 1e-9 for value in known) for goal in stated), \
        stated
