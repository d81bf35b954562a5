"""Experiments: build a model by name under a seed, fit it, evaluate it on the test set and write its
results row - the three-line training of a notebook - and summaries of repeated runs over seeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Iterable, Sequence

import pandas as pd
import torch
from torch import nn

from .config import Run, seed_everything
from .evaluation import Predictions, ResultsFile, predict_heads, result_row
from .features import FeatureSplits
from .models import BackboneAndHead, build_model, count_parameters
from .training import History, fit, make_optimizer, make_scheduler


@dataclass
class Experiment:
    model: nn.Module
    history: History
    test: Predictions                # the first head's test predictions
    row: dict[str, Any]
    heads: dict[str, Predictions] = field(default_factory=dict)  # every head's, by name


@dataclass(frozen=True)
class Recipe:
    """How to train: optimiser, learning rate, weight decay, schedule, epochs, regularisers."""

    epochs: int
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    scheduler: str | None = None
    warmup_epochs: int = 0
    patience: int | None = None
    label_smoothing: float = 0.0
    grad_clip: float | None = None
    lr_scales: dict[str, float] = field(default_factory=dict)  # e.g. {"backbone": 0.1}
    compile_model: bool = False  # torch.compile for training (measure before switching it on)
    notes: dict[str, Any] = field(default_factory=dict)


def train_model(run: Run, results: ResultsFile, label: str, model_name: str,
                loaders: Sequence[Iterable], recipe: Recipe, dataset: str, seed: int,
                reference_key: str | None = None, **model_options: Any) -> Experiment:
    """Seed, build ``model_name`` and :func:`train_built` it."""
    seed_everything(seed)
    model = build_model(model_name, **model_options).to(run.device)
    return train_built(run, results, label, model, loaders, recipe, dataset, seed, reference_key)


def train_built(run: Run, results: ResultsFile, label: str, model: nn.Module,
                loaders: Sequence[Iterable], recipe: Recipe, dataset: str, seed: int,
                reference_key: str | None = None, **notes: Any) -> Experiment:
    """Fit ``model`` by ``recipe``, predict the test set and add the results row called ``label``
    (checkpoints under the notebook's folder, in ``label``). The seed's figure beside it is that of
    ``reference_key`` (default: ``label``). ``loaders`` may serve images or cached features."""
    train_loader, val_loader, test_loader = loaders
    if next(model.parameters()).device.type == "cuda":
        model.to(memory_format=torch.channels_last)  # matches the device loader's batches
    optimizer = make_optimizer(model, recipe.optimizer, recipe.lr, recipe.weight_decay,
                               lr_scales=recipe.lr_scales)
    scheduler = make_scheduler(optimizer, recipe.scheduler, recipe.epochs, recipe.warmup_epochs)
    train_loader.seed = seed  # each seed of a study also draws its own batch order and augmentation
    history = fit(model, train_loader, val_loader, epochs=recipe.epochs, optimizer=optimizer,
                  scheduler=scheduler, patience=recipe.patience,
                  label_smoothing=recipe.label_smoothing, grad_clip=recipe.grad_clip,
                  checkpoint_dir=run.checkpoint_dir(results.path.stem, label), description=label,
                  compile_model=recipe.compile_model)
    heads = dict(zip(getattr(model, "head_names", ["main"]), predict_heads(model, test_loader)))
    test = next(iter(heads.values()))
    for name, other in list(heads.items())[1:]:
        notes.update({f"test_acc_{name}": other.accuracy(), f"test_top5_{name}":
                      other.top_k_accuracy(5), f"test_loss_{name}": other.loss()})
    notes.setdefault("params_total", count_parameters(model, trainable_only=False))
    row = result_row(label, dataset, count_parameters(model), history, test, seed,
                     reference_key=reference_key, **recipe.notes, **notes)
    results.add(row)
    return Experiment(model, history, test, row, heads)


def train_head_on_features(run: Run, results: ResultsFile, label: str, model: BackboneAndHead,
                           features: FeatureSplits, recipe: Recipe, dataset: str, seed: int,
                           batch_size: int, channels: slice | None = None,
                           reference_key: str | None = None, **notes: Any) -> Experiment:
    """Train the head of a frozen-backbone ``model`` on cached ``features`` (optionally some of
    their channels). The row counts the head's parameters as trainable and the whole model's as
    total; the returned experiment holds the whole model, ready for images."""
    if not model.frozen:
        raise ValueError(f"{label}: only a frozen backbone's features can be cached")
    seed_everything(seed)
    experiment = train_built(run, results, label, model.head, features.loaders(batch_size, seed,
                             channels), recipe, dataset, seed, reference_key,
                             params_total=count_parameters(model, trainable_only=False), **notes)
    experiment.model = model
    return experiment


def spread_summary(frame: pd.DataFrame, by: str | list[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Mean, standard deviation and number of runs of each metric per group."""
    summary = frame.groupby(by, sort=False)[list(metrics)].agg(["mean", "std", "count"])
    summary.columns = [f"{metric} {stat}" for metric, stat in summary.columns]
    return summary


def pairwise_differences(frame: pd.DataFrame, by: str, metric: str) -> pd.DataFrame:
    """For every pair of groups: the difference of the mean ``metric`` and whether it is larger than
    the spread, i.e. than twice the standard error of the difference (about a 95 % interval)."""
    groups = {name: values[metric] for name, values in frame.groupby(by, sort=False)}
    rows = []
    for (first, a), (second, b) in combinations(groups.items(), 2):
        difference = a.mean() - b.mean()
        error = (a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)) ** 0.5 if min(len(a), len(b)) > 1 \
            else float("nan")
        rows.append({"first": first, "second": second, "difference": difference,
                     "2 x standard error": 2 * error,
                     "larger than the spread": bool(abs(difference) > 2 * error)
                     if error == error else None})
    return pd.DataFrame(rows)
