"""Evaluation: predictions (with optional test-time augmentation), accuracy and top-k,
classification reports, confusion matrices, per-class statistics, fit diagnosis and throughput.

Fine-to-coarse mappings are in ``helpers.evaluation.hierarchy``, results files in ``helpers.experiments.results``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.metrics import classification_report, confusion_matrix
from torch import nn

from ..core.work import counting, multiply_adds
from ..core.device import autocast, peak_memory_mib, reset_peak_memory, synchronise
from ..training.history import History
from ..training.loop import heads_of, targets_of

# --- predictions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Predictions:
    """Logits (N x classes, float32 on the CPU) and true labels of one head on one split."""

    logits: torch.Tensor
    labels: torch.Tensor

    @property
    def probabilities(self) -> torch.Tensor:
        return self.logits.softmax(dim=1)

    @property
    def predicted(self) -> torch.Tensor:
        return self.logits.argmax(dim=1)

    def accuracy(self) -> float:
        return (self.predicted == self.labels).float().mean().item()

    def top_k_accuracy(self, k: int = 5) -> float:
        k = min(k, self.logits.shape[1])
        top = self.logits.topk(k, dim=1).indices
        return (top == self.labels[:, None]).any(dim=1).float().mean().item()

    def loss(self) -> float:
        return F.cross_entropy(self.logits, self.labels).item()

    def summary(self) -> dict[str, float]:
        return {"loss": self.loss(), "acc": self.accuracy(), "top5": self.top_k_accuracy(5)}


# Test-time augmentation: the logits are averaged over these views of each image. "flip" suits
# photographs (a mirrored cat is a cat); "dihedral" - the square's eight symmetries, flips and
# quarter turns - suits overhead tiles, which have no "up".
TTA_VIEWS: dict[str, list[Callable[[torch.Tensor], torch.Tensor]]] = {
    "none": [lambda x: x],
    "flip": [lambda x: x, lambda x: x.flip(3)],
    "dihedral": [lambda x, k=k, f=f: (x.flip(3) if f else x).rot90(k, dims=(2, 3))
                 for k in range(4) for f in (False, True)],
}


@torch.no_grad()
def predict_heads(model: nn.Module, loader: Iterable, tta: str = "none") -> list[Predictions]:
    """Predictions of every head of ``model`` on every batch of ``loader``, in loader order; with
    ``tta`` ("flip" or "dihedral") the logits are the mean over those views of each image."""
    if tta not in TTA_VIEWS:
        raise ValueError(f"unknown test-time augmentation {tta!r}: choose {', '.join(TTA_VIEWS)}")
    device = next(model.parameters()).device
    model.eval()
    logits: list[list[torch.Tensor]] = []
    labels: list[list[torch.Tensor]] = []
    for images, targets in loader:
        with autocast(device):
            views = [heads_of(model(view(images))) for view in TTA_VIEWS[tta]]
        heads = [torch.stack([view[i].float() for view in views]).mean(0)
                 for i in range(len(views[0]))]
        columns = targets_of(targets, len(heads))
        if not logits:
            logits, labels = [[] for _ in heads], [[] for _ in heads]
        for i, (head, column) in enumerate(zip(heads, columns)):
            logits[i].append(head.cpu())
            labels[i].append(column.cpu())
    return [Predictions(torch.cat(l), torch.cat(y)) for l, y in zip(logits, labels)]


def predict(model: nn.Module, loader: Iterable, tta: str = "none") -> Predictions:
    """Predictions of a one-head model (use :func:`predict_heads` for several heads)."""
    heads = predict_heads(model, loader, tta)
    if len(heads) != 1:
        raise ValueError(f"the model has {len(heads)} heads: use predict_heads")
    return heads[0]


# --- reports ----------------------------------------------------------------------------------


def report_frame(predictions: Predictions, class_names: Sequence[str]) -> pd.DataFrame:
    """sklearn's classification report as a table: precision, recall, f1 and support per class,
    then accuracy, macro and weighted averages."""
    report = classification_report(predictions.labels.numpy(), predictions.predicted.numpy(),
                                   labels=list(range(len(class_names))),
                                   target_names=list(class_names), output_dict=True,
                                   zero_division=0)
    frame = pd.DataFrame(report).T
    frame["support"] = frame["support"].astype(int)
    if "accuracy" in frame.index:
        frame.loc["accuracy", ["precision", "recall"]] = np.nan
        frame.loc["accuracy", "support"] = len(predictions.labels)
    return frame


def confusion(predictions: Predictions, num_classes: int) -> np.ndarray:
    """Counts: row = true class, column = predicted class."""
    return confusion_matrix(predictions.labels.numpy(), predictions.predicted.numpy(),
                            labels=list(range(num_classes)))


def per_class_accuracy(matrix: np.ndarray, class_names: Sequence[str]) -> pd.Series:
    """Accuracy (recall) of each true class, from a confusion matrix."""
    totals = matrix.sum(axis=1)
    values = np.divide(np.diag(matrix), totals, out=np.zeros(len(totals)), where=totals > 0)
    return pd.Series(values, index=pd.Index(class_names, name="class"), name="accuracy")


def per_class_summary(accuracy: pd.Series, extremes: int = 3) -> dict[str, Any]:
    """Mean, standard deviation, minimum and maximum of per-class accuracy, and the worst and best
    classes by name."""
    ordered = accuracy.sort_values()
    return {"mean": float(accuracy.mean()), "std": float(accuracy.std(ddof=0)),
            "min": float(ordered.iloc[0]), "max": float(ordered.iloc[-1]),
            "worst": list(ordered.index[:extremes]), "best": list(ordered.index[::-1][:extremes])}


def misclassified(predictions: Predictions, count: int, seed: int = 0) -> torch.Tensor:
    """Indices of up to ``count`` wrongly predicted examples, drawn at random."""
    wrong = torch.nonzero(predictions.predicted != predictions.labels).flatten()
    order = torch.randperm(len(wrong), generator=torch.Generator().manual_seed(seed))
    return wrong[order[:count]].sort().values


def fit_diagnosis(history: History) -> dict[str, Any]:
    """How training went: the train-minus-validation accuracy gap at the best and the last epoch,
    how far the validation loss rose after its minimum, and a one-line verdict."""
    best, last = history.best, history.rows[-1]
    gap_best = best["train_acc"] - best["val_acc"]
    gap_last = last["train_acc"] - last["val_acc"]
    rise = last["val_loss"] - best["val_loss"]
    if gap_last > 0.05 and rise > 0.02 * best["val_loss"]:
        verdict = (f"it overfits: after epoch {history.best_epoch} the validation loss rose by "
                   f"{rise:.3f} while training accuracy kept ahead by {_points(gap_last)}")
    elif gap_last > 0.05:
        verdict = (f"it starts to overfit: training accuracy is {_points(gap_last)} above "
                   "validation, but the validation loss has not risen yet")
    elif gap_last < -0.05:
        verdict = (f"it does not overfit: validation accuracy is {_points(gap_last)} above "
                   "training accuracy (read over each epoch while the weights still changed, "
                   "through any augmentation and dropout), so the model is limited by its capacity "
                   "or its training time rather than by overfitting")
    else:
        verdict = (f"it does not overfit: train and validation accuracy are within "
                   f"{_points(gap_last)}, so the model is limited by its capacity "
                   "or its training time rather than by overfitting")
    return {"gap_best": gap_best, "gap_last": gap_last, "val_loss_rise": rise, "verdict": verdict}


def _points(fraction: float) -> str:
    """"1.2 points", "1.0 point" (as ``report.formats.unsigned_points`` writes it)."""
    value = round(100 * abs(fraction), 1)
    return f"{value:.1f} point{'' if value == 1 else 's'}"


# --- speed and work ---------------------------------------------------------------------------


@torch.no_grad()
def multiply_adds_per_image(model: nn.Module, loader: Iterable) -> float:
    """The multiply-adds of one forward pass of one image (or cached feature map), counted by
    PyTorch's FLOP counter on the first image of ``loader`` (the count grows linearly with the
    batch, and one image is counted in a fraction of the time). A training step costs about three
    times as much (the backward pass about twice the forward)."""
    images, _ = next(iter(loader))
    model.eval()
    with counting() as counter:
        model(images[:1])
    return multiply_adds(counter)


@torch.no_grad()
def throughput(model: nn.Module, loader: Iterable, max_batches: int = 20,
               warmup: int = 2) -> dict[str, float]:
    """Inference speed in images per second over up to ``max_batches`` batches (after ``warmup``),
    and on GPU the peak memory in MiB."""
    device = next(model.parameters()).device
    model.eval()
    batches = list(loader)[:max_batches + warmup]
    reset_peak_memory(device)
    images = 0
    start = time.perf_counter()
    for number, (x, _) in enumerate(batches):
        if number == warmup:
            synchronise(device)
            start, images = time.perf_counter(), 0
        with autocast(device):
            model(x)
        images += len(x)
    synchronise(device)
    result = {"images_per_s": images / (time.perf_counter() - start)}
    if device.type == "cuda":
        result["peak_memory_mib"] = peak_memory_mib(device)
    return result
