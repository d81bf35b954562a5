"""Evaluation functions on inputs with known answers, and the results file."""

from __future__ import annotations

import pytest
import torch

from helpers import evaluation

from helpers import models
from helpers.data import DeviceLoader, ImageSplit

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


def test_flip_tta_averages_the_logits_of_both_views() -> None:
    torch.manual_seed(0)
    model = models.build_model("baseline_cnn")
    split = ImageSplit(torch.randint(0, 256, (12, 3, 32, 32), dtype=torch.uint8), torch.arange(12) % 10)
    loader = DeviceLoader(split, batch_size=5, mean=[0.5] * 3, std=[0.2] * 3)
    plain = evaluation.predict(model, loader).logits
    images = torch.cat([x for x, _ in loader])
    with torch.no_grad():
        mirrored = model(images.flip(-1))
    assert torch.allclose(evaluation.predict(model, loader, "flip").logits, (plain + mirrored) / 2,
                          atol=1e-5)
    dihedral = evaluation.predict(model, loader, "dihedral")
    assert dihedral.logits.shape == plain.shape and len(evaluation.TTA_VIEWS["dihedral"]) == 8
    with pytest.raises(ValueError, match="unknown test-time augmentation 'crop'"):
        evaluation.predict(model, loader, "crop")
