"""Calibration: the expected calibration error on worked examples, temperature scaling that
recovers a known over-confidence without changing a prediction, and the sentence that reports
them; the fit diagnosis beside it."""

from __future__ import annotations

import math

import pytest
import torch

from helpers.evaluation import calibration

from helpers.report import sentences
from helpers.evaluation.predictions import Predictions, fit_diagnosis
from helpers.training.history import History


def confident(probability: float, correct: int, count: int) -> Predictions:
    """``count`` two-class predictions of class 0 at ``probability``, ``correct`` of them right."""
    logit = math.log(probability / (1 - probability))
    logits = torch.tensor([[logit, 0.0]] * count)
    labels = torch.tensor([0] * correct + [1] * (count - correct))
    return Predictions(logits, labels)


def test_the_error_is_the_gap_between_confidence_and_accuracy_weighted_by_bin() -> None:
    assert calibration.expected_calibration_error(confident(0.9, 9, 10)) == pytest.approx(0.0,
                                                                                        abs=1e-6)
    assert calibration.expected_calibration_error(confident(0.6, 10, 10)) == pytest.approx(0.4)
    both = confident(0.9, 9, 10)  # calibrated half ...
    over = confident(0.95, 5, 10)  # ... and an over-confident half: gap 0.45 on half the images
    mixed = Predictions(torch.cat([both.logits, over.logits]), torch.cat([both.labels,
                                                                          over.labels]))
    assert calibration.expected_calibration_error(mixed) == pytest.approx(0.225, abs=1e-5)
    bins = calibration.reliability(mixed)
    assert bins["share"].tolist() == pytest.approx([0.5, 0.5])
    assert bins["accuracy"].tolist() == pytest.approx([0.9, 0.5])


def test_temperature_scaling_recovers_an_over_confidence_and_keeps_every_prediction() -> None:
    """Logits drawn so that their probabilities are calibrated, then multiplied by 3: the
    temperature fitted on one half is about 3, and the other half's error falls."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(4000, 5, generator=generator) * 2
    labels = torch.multinomial(logits.softmax(1), 1, generator=generator).squeeze(1)
    validation = Predictions(3 * logits[:2000], labels[:2000])
    test = Predictions(3 * logits[2000:], labels[2000:])
    temperature = calibration.fit_temperature(validation)
    assert temperature == pytest.approx(3.0, rel=0.1)
    scaled = calibration.tempered(test, temperature)
    assert torch.equal(scaled.predicted, test.predicted)
    row = calibration.calibration_row(validation, test)
    assert row["test_ece_tempered"] < row["test_ece"] / 2 and row["temperature"] == temperature
    assert row["test_loss_tempered"] < test.loss()


def test_the_sentence_gives_both_recipes_before_and_after_scaling() -> None:
    rows = [{"model": "cnn_v2", "recipe": "source", "test_ece": 0.10, "test_ece_tempered": 0.02,
             "temperature": 1.5},
            {"model": "cnn_v2", "recipe": "ours", "test_ece": 0.04, "test_ece_tempered": 0.01,
             "temperature": 0.9},
            {"model": "cnn_v2", "recipe": "ours", "test_ece": 0.06, "test_ece_tempered": 0.03,
             "temperature": 0.8}]
    assert sentences.calibration_sentence(rows, "cnn_v2") == (
        "CNNV2's calibration (expected calibration error on the test set, the mean over each "
        "recipe's random seeds; the reliability diagrams show the first; lower is better): "
        "the source recipe 10.0%, our recipe 5.0%; after temperature scaling fitted on "
        "validation: the source recipe 2.0% (mean temperature 1.50), our recipe 2.0% (mean "
        "temperature 0.85).")
    assert sentences.calibration_sentence(rows[:2], "cnn_v2").startswith(
        "CNNV2's calibration (expected calibration error on the test set; lower is better): ")
    assert sentences.calibration_sentence(rows, "other") == ""
    assert sentences.calibration_sentence([{"model": "cnn_v2", "recipe": "ours"}], "cnn_v2") == ""


def test_the_temperature_stays_within_its_range_where_predictions_say_nothing() -> None:
    """Near-uniform logits that are right a tenth of the time: the unbounded fit would drive the
    temperature to thousands; it stops at the top of its range."""
    generator = torch.Generator().manual_seed(0)
    logits = 0.01 * torch.randn(2000, 10, generator=generator)
    labels = torch.randint(0, 10, (2000,), generator=generator)
    assert calibration.fit_temperature(Predictions(logits, labels)) <= calibration.TEMPERATURES[1]


def test_the_fit_diagnosis_names_which_accuracy_is_ahead() -> None:
    def one_epoch(train_acc: float, val_acc: float) -> History:
        return History([{"epoch": 1, "train_loss": 1.0, "val_loss": 1.0, "train_acc": train_acc,
                         "val_acc": val_acc, "lr": 0.1, "seconds": 1.0}])

    assert "within 2.0 points" in fit_diagnosis(one_epoch(0.62, 0.60))["verdict"]
    behind = fit_diagnosis(one_epoch(0.34, 0.62))["verdict"]
    assert "validation accuracy is 28.0 points above training accuracy" in behind
    assert "within" not in behind
    assert fit_diagnosis(one_epoch(0.90, 0.60))["verdict"].startswith("it starts to overfit")
