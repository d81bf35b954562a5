"""Evaluation: predictions, accuracy and top-k, reports, confusion matrices, per-class statistics,
throughput, and the results files every notebook writes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.metrics import classification_report, confusion_matrix
from torch import nn

from .references import SEED_FIGURES, seed_figure
from .training import History, amp_dtype, heads_of, targets_of

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


@torch.no_grad()
def predict_heads(model: nn.Module, loader: Iterable) -> list[Predictions]:
    """Predictions of every head of ``model`` on every batch of ``loader``, in loader order."""
    device = next(model.parameters()).device
    dtype = amp_dtype(device)
    model.eval()
    logits: list[list[torch.Tensor]] = []
    labels: list[list[torch.Tensor]] = []
    for images, targets in loader:
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            heads = heads_of(model(images))
        columns = targets_of(targets, len(heads))
        if not logits:
            logits, labels = [[] for _ in heads], [[] for _ in heads]
        for i, (head, column) in enumerate(zip(heads, columns)):
            logits[i].append(head.float().cpu())
            labels[i].append(column.cpu())
    return [Predictions(torch.cat(l), torch.cat(y)) for l, y in zip(logits, labels)]


def predict(model: nn.Module, loader: Iterable) -> Predictions:
    """Predictions of a one-head model (use :func:`predict_heads` for several heads)."""
    heads = predict_heads(model, loader)
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


def report_table(predictions: Predictions, class_names: Sequence[str], caption: str):
    """The classification report formatted for display (a pandas Styler)."""
    return report_frame(predictions, class_names).style.format(
        {"precision": "{:.3f}", "recall": "{:.3f}", "f1-score": "{:.3f}"}, na_rep="",
    ).set_caption(caption)


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
                   f"{rise:.3f} while training accuracy kept ahead by {100 * gap_last:.1f} points")
    elif gap_last > 0.05:
        verdict = (f"it starts to overfit: training accuracy is {100 * gap_last:.1f} points above "
                   "validation, but the validation loss has not risen yet")
    else:
        verdict = (f"it does not overfit: train and validation accuracy are within "
                   f"{100 * abs(gap_last):.1f} points, so the model is limited by its capacity "
                   "or its training time rather than by overfitting")
    return {"gap_best": gap_best, "gap_last": gap_last, "val_loss_rise": rise, "verdict": verdict}


# --- fine to coarse (seed 004) ------------------------------------------------------------------


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


# --- speed ------------------------------------------------------------------------------------


@torch.no_grad()
def throughput(model: nn.Module, loader: Iterable, max_batches: int = 20,
               warmup: int = 2) -> dict[str, float]:
    """Inference speed in images per second over up to ``max_batches`` batches (after ``warmup``),
    and on GPU the peak memory in MiB."""
    device = next(model.parameters()).device
    dtype = amp_dtype(device)
    model.eval()
    batches = list(loader)[:max_batches + warmup]
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    images = 0
    start = time.perf_counter()
    for number, (x, _) in enumerate(batches):
        if number == warmup:
            _synchronise(device)
            start, images = time.perf_counter(), 0
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            model(x)
        images += len(x)
    _synchronise(device)
    result = {"images_per_s": images / (time.perf_counter() - start)}
    if device.type == "cuda":
        result["peak_memory_mib"] = torch.cuda.max_memory_allocated(device) / 2**20
    return result


def _synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# --- results files ----------------------------------------------------------------------------

RESULT_COLUMNS = ["model", "dataset", "params", "params_total", "epochs_run", "best_epoch", "train_loss",
                  "train_acc", "val_loss", "val_acc", "test_loss", "test_acc", "test_top5",
                  "seconds", "seed", "seed_reference", "seed_metric", "seed_source", "notes"]


def result_row(model: str, dataset: str, params: int, history: History, test: Predictions,
               seed: int, reference_key: str | None = None, **extra: Any) -> dict[str, Any]:
    """One results-file row: the best epoch's train and validation figures, the test figures of
    the restored best weights, and the seed's figure for this model (or for ``reference_key``)
    where it has one."""
    best = history.best
    reference = seed_figure(reference_key or model)
    row = {
        "model": model, "dataset": dataset, "params": params, "epochs_run": history.epochs_run,
        "best_epoch": history.best_epoch, "train_loss": best["train_loss"],
        "train_acc": best["train_acc"], "val_loss": best["val_loss"], "val_acc": best["val_acc"],
        "test_loss": test.loss(), "test_acc": test.accuracy(), "test_top5": test.top_k_accuracy(5),
        "seconds": history.seconds, "seed": seed,
        "seed_reference": reference.value if reference else None,
        "seed_metric": reference.metric if reference else None,
        "seed_source": reference.source if reference else None,
        "reference_key": reference_key,
    }
    row.update({key: value for key, value in best.items()  # other heads' accuracies, if any
                if key.startswith(("train_acc_", "val_acc_"))})
    row.update(extra)
    return row


class ResultsFile:
    """``reports/<profile>/results/<notebook>.csv``: one row per trained model, rewritten after
    every ``add`` so that a run that fails later keeps the rows it has."""

    def __init__(self, folder: Path, notebook: str) -> None:
        self.path = Path(folder) / f"{notebook}.csv"
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.rows = [r for r in self.rows if r["model"] != row["model"]] + [row]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.frame().to_csv(self.path, index=False)

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows)
        columns = RESULT_COLUMNS + [c for c in frame.columns if c not in RESULT_COLUMNS]
        return frame.reindex(columns=columns)


def reference_of(row: dict[str, Any]) -> str:
    """The key of the seed figures for a results row: its reference_key, else its model name
    (a missing reference_key reads back from CSV as NaN, not None)."""
    key = row.get("reference_key")
    return key if isinstance(key, str) and key else row["model"]


def with_seed_figures(frame: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """``frame`` with a ``seed <metric>`` column per metric: the seed's figure for each row's model
    (or reference_key), empty where the seed has none."""
    frame = frame.copy()
    for metric in metrics:
        frame[f"seed {metric}"] = [getattr(seed_figure(reference_of(row), metric), "value", None)
                                   for row in frame.to_dict("records")]
    return frame


def seed_difference(metric: str, ours: float | None, seed: float | None) -> float | None:
    """Ours minus the seed's: in percentage points for accuracies, in the metric's unit otherwise;
    None where either is missing."""
    if ours is None or seed is None or pd.isna(ours) or pd.isna(seed):
        return None
    return (100 if "acc" in metric else 1) * (ours - seed)


def seed_comparison(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Every seed figure of the given models beside ours for the same metric, with the difference
    (in percentage points for accuracies, in the metric's own unit otherwise)."""
    records = []
    for row in rows:
        for figure in SEED_FIGURES.get(reference_of(row), []):
            ours = row.get(figure.metric)
            records.append({"model": row["model"], "metric": figure.metric, "ours": ours,
                            "seed": figure.value,
                            "difference": seed_difference(figure.metric, ours, figure.value),
                            "unit": "points" if "acc" in figure.metric else "",
                            "seed note": figure.note, "seed file": figure.source})
    return pd.DataFrame(records)
