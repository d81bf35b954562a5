"""From classes to superclasses (source report 004): four ways to turn a fine model's probabilities into a
superclass prediction, each returned as ordinary :class:`~helpers.evaluation.Predictions` so that
accuracy, reports and confusion matrices work on it as on any model's."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .predictions import Predictions


def coarse_scores(probabilities: torch.Tensor, fine_to_coarse: torch.Tensor, method: str,
                  fine_weights: torch.Tensor | None = None) -> torch.Tensor:
    """Superclass scores (N x superclasses) from a fine model's probabilities (N x fine classes).

    ``fine_to_coarse[f]`` is the superclass of fine class f. Methods:

    - ``"argmax"``: the superclass of the most probable fine class (one-hot scores);
    - ``"soft"``: the probability mass of each superclass, the sum over its fine classes;
    - ``"confidence"``: per image, a blend of the two weighted by the prediction's confidence,
      ``w = 1 - entropy / log(fine classes)``: a confident image keeps its argmax superclass, an
      uncertain one is decided by where its probability mass lies;
    - ``"validation"``: the mass per superclass with each fine class's probability weighted by
      ``fine_weights``, its accuracy on the validation set (classes the model gets right count more).
    """
    num_coarse = int(fine_to_coarse.max()) + 1
    soft = torch.zeros(len(probabilities), num_coarse, dtype=probabilities.dtype)
    soft.index_add_(1, fine_to_coarse, probabilities)
    argmax = F.one_hot(fine_to_coarse[probabilities.argmax(1)], num_coarse).to(probabilities.dtype)
    if method == "argmax":
        return argmax
    if method == "soft":
        return soft
    if method == "confidence":
        entropy = -(probabilities * probabilities.clamp_min(1e-12).log()).sum(1, keepdim=True)
        confidence = 1 - entropy / math.log(probabilities.shape[1])
        return confidence * argmax + (1 - confidence) * soft
    if method == "validation":
        if fine_weights is None:
            raise ValueError("the validation method needs fine_weights (validation accuracy per "
                             "fine class)")
        weighted = torch.zeros_like(soft)
        weighted.index_add_(1, fine_to_coarse, probabilities * fine_weights.to(probabilities.dtype))
        return weighted
    raise ValueError(f"unknown mapping {method!r}: choose one of {', '.join(MAPPINGS)}")


MAPPING_NAMES = {"argmax": "argmax", "confidence": "confidence-blended", "soft": "soft",
                 "validation": "validation-weighted"}  # as sentences and tables name them
MAPPINGS = {
    "argmax": "argmax of the fine prediction, mapped to its superclass",
    "confidence": "argmax and probability mass blended by confidence (1 - normalised entropy)",
    "soft": "probability mass per superclass (sum of its fine probabilities)",
    "validation": "probability mass weighted by each fine class's validation accuracy",
}


def coarse_predictions(fine: Predictions, fine_to_coarse: torch.Tensor, method: str,
                       fine_weights: torch.Tensor | None = None) -> Predictions:
    """Superclass predictions derived from a fine model's predictions, as a :class:`Predictions`
    whose logits are log-scores (so accuracy, reports and confusion matrices work as usual). The
    true superclass of each image is that of its true class."""
    scores = coarse_scores(fine.probabilities, fine_to_coarse, method, fine_weights)
    return Predictions(scores.clamp_min(1e-12).log(), fine_to_coarse[fine.labels])


def errors_inside_superclass(fine: Predictions, fine_to_coarse: torch.Tensor) -> float:
    """How bad the mistakes are: the share of wrong fine-class predictions whose predicted class
    belongs to the true class's superclass (a maple for an oak, not a maple for a lorry); nan
    without a mistake."""
    wrong = fine.predicted != fine.labels
    if not wrong.any():
        return float("nan")
    inside = fine_to_coarse[fine.predicted[wrong]] == fine_to_coarse[fine.labels[wrong]]
    return inside.float().mean().item()


def chance_inside_superclass(fine_to_coarse: torch.Tensor) -> float:
    """The same share for a mistake drawn at random among the other classes (4 of 99 on
    CIFAR-100): what a model that knew nothing of the hierarchy would score."""
    sizes = torch.bincount(fine_to_coarse)[fine_to_coarse].float()
    return ((sizes - 1) / (len(fine_to_coarse) - 1)).mean().item()
