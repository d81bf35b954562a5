"""Calibration: does a model's confidence match how often it is right?

A model that says "90 %" should be right on 90 % of such images. The **expected calibration error**
(ECE) bins the test images by the top class's probability and averages, weighted by the bins'
sizes, the gap between each bin's mean confidence and its accuracy (15 equal-width bins, as in
Guo et al., 2017). **Temperature scaling** divides the logits by one number fitted on the
validation images (the one that minimises their cross-entropy): it changes confidence, never the
predicted class, so accuracy stays as it was. Label smoothing trains a model to be less confident,
test-time augmentation averages views: both move the ECE, and the figures here say which way.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import torch
import torch.nn.functional as F

from .predictions import Predictions

BINS = 15


def reliability(predictions: Predictions, bins: int = BINS) -> pd.DataFrame:
    """One row per non-empty confidence bin: its mean confidence, accuracy and share of images."""
    confidence, predicted = predictions.probabilities.max(dim=1)
    correct = (predicted == predictions.labels).float()
    index = torch.clamp((confidence * bins).long(), max=bins - 1)
    rows = []
    for b in range(bins):
        inside = index == b
        if inside.any():
            rows.append({"bin": b, "confidence": confidence[inside].mean().item(),
                         "accuracy": correct[inside].mean().item(),
                         "share": inside.float().mean().item()})
    return pd.DataFrame(rows, columns=["bin", "confidence", "accuracy", "share"])


def expected_calibration_error(predictions: Predictions, bins: int = BINS) -> float:
    """The bins' gaps between confidence and accuracy, weighted by their shares of the images."""
    table = reliability(predictions, bins)
    return float((table["share"] * (table["confidence"] - table["accuracy"]).abs()).sum())


TEMPERATURES = (0.05, 20.0)  # the range searched: a model that predicts near-uniformly (a few
# epochs on synthetic data) would otherwise drive the temperature to thousands


def fit_temperature(validation: Predictions) -> float:
    """The temperature within :data:`TEMPERATURES` that minimises the validation images'
    cross-entropy (fitted on its logarithm, so that it stays positive)."""
    log_t = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100, line_search_fn="strong_wolfe")
    logits, labels = validation.logits.float(), validation.labels
    low, high = (math.log(end) for end in TEMPERATURES)

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(logits / log_t.clamp(low, high).exp(), labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.detach().clamp(low, high).exp().item())


def tempered(predictions: Predictions, temperature: float) -> Predictions:
    """The same predictions with logits divided by ``temperature`` (the predicted classes stay)."""
    return Predictions(predictions.logits / temperature, predictions.labels)


def calibration_row(validation: Predictions, test: Predictions) -> dict[str, Any]:
    """A results row's calibration columns: the test ECE, the temperature fitted on validation,
    the test ECE and cross-entropy after temperature scaling."""
    temperature = fit_temperature(validation)
    scaled = tempered(test, temperature)
    return {"test_ece": expected_calibration_error(test), "temperature": temperature,
            "test_ece_tempered": expected_calibration_error(scaled),
            "test_loss_tempered": scaled.loss()}
