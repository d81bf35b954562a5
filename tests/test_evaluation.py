"""Evaluation functions on inputs with known answers, and the results file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from helpers import evaluation, models
from helpers.data import DeviceLoader, ImageSplit
from helpers.training import History

LOGITS = torch.tensor([[3.0, 2.0, 1.0, 0.0],    # predicts 0, true 0
                       [0.0, 3.0, 2.0, 1.0],    # predicts 1, true 2 (second best)
                       [1.0, 0.0, 3.0, 2.0],    # predicts 2, true 2
                       [0.0, 1.0, 2.0, 3.0]])   # predicts 3, true 0 (worst)
LABELS = torch.tensor([0, 2, 2, 0])
PREDICTIONS = evaluation.Predictions(LOGITS, LABELS)
NAMES = ["a", "b", "c", "d"]


def test_accuracy_and_top_k() -> None:
    assert PREDICTIONS.accuracy() == 0.5
    assert PREDICTIONS.top_k_accuracy(2) == 0.75
    assert PREDICTIONS.top_k_accuracy(4) == 1.0
    assert PREDICTIONS.top_k_accuracy(5) == 1.0  # k larger than the classes: all of them
    assert PREDICTIONS.probabilities.sum(dim=1).allclose(torch.ones(4))


def test_confusion_and_per_class_statistics() -> None:
    matrix = evaluation.confusion(PREDICTIONS, 4)
    assert matrix.tolist() == [[1, 0, 0, 1], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    accuracy = evaluation.per_class_accuracy(matrix, NAMES)
    assert accuracy.tolist() == [0.5, 0.0, 0.5, 0.0]
    summary = evaluation.per_class_summary(accuracy.loc[["a", "c"]], extremes=1)
    assert summary["mean"] == 0.5 and summary["std"] == 0.0 and summary["worst"] == ["a"]


def test_report_frame_matches_the_definitions() -> None:
    report = evaluation.report_frame(PREDICTIONS, NAMES)
    assert report.loc["a", "precision"] == 1.0 and report.loc["a", "recall"] == 0.5
    assert report.loc["c", "precision"] == 1.0 and report.loc["c", "recall"] == 0.5
    assert report.loc["d", "precision"] == 0.0 and report.loc["c", "support"] == 2
    assert report.loc["accuracy", "f1-score"] == 0.5
    assert report.loc["accuracy", "support"] == 4
    assert list(report.index[-2:]) == ["macro avg", "weighted avg"]


def test_misclassified_picks_only_wrong_predictions() -> None:
    assert evaluation.misclassified(PREDICTIONS, 10).tolist() == [1, 3]
    assert len(evaluation.misclassified(PREDICTIONS, 1)) == 1


def test_predict_keeps_loader_order_and_throughput_counts_images() -> None:
    torch.manual_seed(0)
    model = models.build_model("baseline_cnn")
    split = ImageSplit(torch.randint(0, 256, (20, 3, 32, 32), dtype=torch.uint8), torch.arange(20) % 10)
    loader = DeviceLoader(split, batch_size=8, mean=[0.5] * 3, std=[0.2] * 3)
    predictions = evaluation.predict(model, loader)
    assert torch.equal(predictions.labels, split.labels)
    assert predictions.logits.shape == (20, 10) and predictions.logits.dtype == torch.float32
    speed = evaluation.throughput(model, loader, max_batches=2, warmup=1)
    assert speed["images_per_s"] > 0 and "peak_memory_mib" not in speed


def test_results_file_has_the_promised_columns(tmp_path) -> None:
    history = History([
        {"epoch": 1, "train_loss": 1.0, "train_acc": 0.4, "val_loss": 0.9, "val_acc": 0.5,
         "lr": 1e-3, "seconds": 2.0},
        {"epoch": 2, "train_loss": 0.8, "train_acc": 0.6, "val_loss": 1.1, "val_acc": 0.45,
         "lr": 1e-3, "seconds": 3.0}])
    results = evaluation.ResultsFile(tmp_path, "02_baseline_cnn")
    results.add(evaluation.result_row("baseline_cnn", "CIFAR-10", 24282, history, PREDICTIONS, 0))
    results.add(evaluation.result_row("mystery", "CIFAR-10", 10, history, PREDICTIONS, 0))
    written = pd.read_csv(tmp_path / "02_baseline_cnn.csv")
    assert list(written.columns[:16]) == [
        "model", "dataset", "params", "params_total", "epochs_run", "best_epoch", "train_loss",
        "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", "test_top5", "seconds", "seed",
        "seed_reference"]
    baseline = written.iloc[0]
    assert baseline["best_epoch"] == 1 and baseline["train_acc"] == 0.4 and baseline["seconds"] == 5
    assert baseline["test_acc"] == 0.5 and baseline["seed_reference"] == 0.58
    assert baseline["seed_source"] == "002_bcdc717c342e605c.txt"
    assert np.isnan(written.iloc[1]["seed_reference"])
    comparison = evaluation.seed_comparison(results.rows)
    row = comparison[comparison.metric == "test_acc"].iloc[0]
    assert row["difference"] == pytest.approx(-8.0) and row["unit"] == "points"
    # rows read back from the CSV (reference_key NaN) still find their seed figures
    read_back = evaluation.seed_comparison(written.to_dict("records"))
    assert set(read_back["model"]) == {"baseline_cnn"} and len(read_back) == 3


def test_seed_figures_follow_the_reference_key_and_keep_their_units() -> None:
    frame = pd.DataFrame({"model": ["ours_5k", "seed_4850", "mystery"],
                          "reference_key": ["seed_4850", np.nan, np.nan],
                          "test_acc": [0.30, 0.20, 0.1], "test_loss": [3.0, 3.5, 4.0]})
    figures = evaluation.with_seed_figures(frame, ["test_acc", "best_epoch"])
    assert figures["seed test_acc"].tolist()[:2] == [0.1914, 0.1914]
    assert figures["seed best_epoch"].tolist()[:2] == [15, 15]
    assert pd.isna(figures["seed test_acc"].iloc[2])
    comparison = evaluation.seed_comparison(frame.to_dict("records")).set_index(["model", "metric"])
    assert comparison.loc[("ours_5k", "test_acc"), "difference"] == pytest.approx(10.86)
    assert comparison.loc[("ours_5k", "test_loss"), "difference"] == pytest.approx(-0.45)
    assert comparison.loc[("ours_5k", "test_loss"), "unit"] == ""
