"""Results files: their columns, one row per model and recipe, the seeds' figures and goals."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from helpers import evaluation

from helpers.experiments import references

from helpers.experiments import results
from helpers.training.history import History

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
        ("baseline_cnn", "source"), ("baseline_cnn", "ours"), ("cnn_v2", "ours"), ("mystery", "source")]
    source_row = written.iloc[0]
    assert source_row["best_epoch"] == 1 and source_row["train_acc"] == 0.4
    assert source_row["seconds"] == 5 and source_row["test_acc"] == 0.5
    assert source_row["source_figure"] == 0.58 and source_row["source_document"].startswith("002_")
    assert np.isnan(source_row["goal"])  # goals are for our recipe only
    assert written.iloc[2]["goal"] == references.GOALS["cnn_v2"]
    assert np.isnan(written.iloc[1]["goal"])  # the baseline has no goal
    assert np.isnan(written.iloc[3]["source_figure"])


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


def test_budget_goals_are_the_paired_source_model_plus_five_points() -> None:
    assert references.goal("ours_5k", "source_4850") == pytest.approx(0.1914 + 0.05)
    # the 1K budget: fewer than half the parameters of the source report's 2,250-parameter model, whose
    # published top-1 is the goal
    assert references.goal("ours_1k", "source_2250") == pytest.approx(0.1167)
    assert references.budget_goal(1_000) == pytest.approx(0.1167)
    assert references.goal("cnn_v3") == 0.90
    assert references.goal("ours_5k") is None and references.goal("mystery") is None


def test_the_docs_state_the_goals_of_references_py() -> None:
    """One source of goals: every goal in docs/recipes.md's table is one of references.py's."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "recipes.md").read_text()
    section = page.split("## Goals", 1)[1].split("\n\n", 3)[2]
    stated = {float(value) / (100 if unit else 1)
              for value, unit in re.findall(r">= (\d+\.?\d*) ?(%?)", section)}
    known = set(references.GOALS.values()) | {references.budget_goal(1_000)}
    assert stated and all(any(abs(goal - value) < 1e-9 for value in known) for goal in stated), \
        stated
