"""Experiments: build a model by name under a seed, train it by a recipe, evaluate it on the test
set and write its results row - the one-call training of a notebook - and the source recipe read
from its equal-epochs control, which trains the same epochs first (:func:`train_with_control`)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import torch
from torch import nn

from ..core.config import Run, seed_everything
from ..core.passes import EVERY_BATCH
from ..data import Splits, make_loaders
from ..evaluation.calibration import calibration_row
from ..evaluation.predictions import Predictions, multiply_adds_per_image, predict_heads
from ..models import BackboneAndHead, build_model, count_parameters
from ..training.history import History
from ..training.loop import Milestone, fit
from ..training.optim import make_optimizer, make_scheduler
from ..training.recipes import Recipe
from .results import ResultsFile, result_row, right_answers

# A training step's multiply-adds in forward passes: the forward, and a backward pass of about two.
TRAINING_STEP_COST = 3


@dataclass
class Experiment:
    model: nn.Module
    history: History
    test: Predictions                # the first head's test predictions (with the recipe's TTA)
    row: dict[str, Any]
    heads: dict[str, Predictions] = field(default_factory=dict)  # every head's, by name


@dataclass
class Built:
    """A model built under a random seed, with its loaders and the recipe sized to its data."""

    network: nn.Module
    loaders: tuple
    recipe: Recipe
    seed: int


def build(run: Run, *, model: str, splits: Splits, recipe: Recipe, seed: int | None = None,
          resize: int | None = None, stats: tuple[Sequence[float], Sequence[float]] | None = None,
          **model_options: Any) -> Built:
    """Seed (``seed``, default the run's), build ``model`` with ``model_options`` on the run's
    device and make its loaders from ``splits`` by the recipe's batch size and augmentation
    (inputs resized to ``resize`` and normalised by ``stats``, default the training split's)."""
    seed = run.seed if seed is None else seed
    seed_everything(seed)
    network = build_model(model, device=run.device, **model_options)
    recipe = recipe.sized_for(len(splits.train))
    loaders = make_loaders(splits, run, batch_size=recipe.batch_size, augment=recipe.augment,
                           resize=resize, stats=stats)
    return Built(network, loaders, recipe, seed)


def train_model(run: Run, results: ResultsFile, *, label: str, dataset: str,
                reference_key: str | None = None, notes: dict[str, Any] | None = None,
                **building: Any) -> Experiment:
    """:func:`build` a model and :func:`train_built` it: the training of one results row."""
    built = build(run, **building)
    return train_built(run, results, label=label, model=built.network, loaders=built.loaders,
                       recipe=built.recipe, dataset=dataset, seed=built.seed,
                       reference_key=reference_key, notes=notes)


def train_over_seeds(run: Run, results: ResultsFile, *, seeds: Iterable[int],
                     trainer: Any = None, **training: Any) -> list[Experiment]:
    """``trainer`` (default :func:`train_model`; a frozen backbone's head:
    ``experiments.train_head_on_features`` or ``train_frozen_head``) once per random seed of
    ``seeds`` (each row records its seed)."""
    return [(trainer or train_model)(run, results, seed=seed, **training) for seed in seeds]


def train_built(run: Run, results: ResultsFile, *, label: str, model: nn.Module,
                loaders: Sequence[Iterable], recipe: Recipe, dataset: str, seed: int,
                reference_key: str | None = None, notes: dict[str, Any] | None = None,
                milestones: Mapping[int, Milestone] | None = None) -> Experiment:
    """Fit ``model`` by ``recipe`` (the training loader drawing its order and augmentation from
    ``seed``), predict the test set and add the results row ``label`` / ``recipe.name``; the source
    report's figure beside it is that of ``reference_key`` (default: ``label``). ``loaders`` may
    serve images or cached features; ``milestones`` are passed to ``fit``."""
    final: dict[str, Predictions] = {}

    def last_epoch(history: History) -> None:
        if history.best_epoch != history.epochs_run:  # else the kept epoch is the final one
            final["test"] = predict_heads(model, loaders[2], recipe.tta)[0]

    history = _fit_by_recipe(run, label, model, loaders, recipe, seed, milestones, last_epoch)
    return record(run, results, label=label, model=model, loaders=loaders, recipe=recipe,
                  dataset=dataset, seed=seed, history=history, final_test=final.get("test"),
                  reference_key=reference_key, notes=notes)


def record(run: Run, results: ResultsFile, *, label: str, model: nn.Module,
           loaders: Sequence[Iterable], recipe: Recipe, dataset: str, seed: int,
           history: History, final_test: Predictions | None = None,
           reference_key: str | None = None, notes: dict[str, Any] | None = None) -> Experiment:
    """Predict the test set with ``model``'s weights (the kept epoch's) and add the results row of
    the training ``history`` describes, with which test images it got right."""
    _, val_loader, test_loader = loaders
    heads = dict(zip(getattr(model, "head_names", ["main"]),
                     predict_heads(model, test_loader, recipe.tta)))
    test = next(iter(heads.values()))
    validation = predict_heads(model, val_loader, recipe.tta)[0]
    extra = {"tta": recipe.tta, **recipe.settings(), **calibration_row(validation, test),
             **(notes or {})}
    if recipe.tta != "none":
        extra["test_acc_no_tta"] = predict_heads(model, test_loader)[0].accuracy()
    for name, other in list(heads.items())[1:]:
        extra.update({f"test_acc_{name}": other.accuracy(), f"test_top5_{name}":
                      other.top_k_accuracy(5), f"test_loss_{name}": other.loss()})
    extra.setdefault("params_total", count_parameters(model, trainable_only=False))
    if run.passes is EVERY_BATCH:  # a rehearsal counts its own work, pass by pass
        extra["train_multiply_adds"] = training_multiply_adds_per_image(
            model, val_loader) * loaders[0].num_images * history.epochs_run
    row = result_row(label, dataset, count_parameters(model), history, test, seed,
                     recipe=recipe.name, reference_key=reference_key, final_test=final_test,
                     **extra)
    results.add(row, right_answers(test, final_test))
    return Experiment(model, history, test, row, heads)


def train_with_control(run: Run, results: ResultsFile, *, label: str, dataset: str,
                       source: Recipe, control: Recipe, seed: int | None = None,
                       notes: dict[str, Any] | None = None, **building: Any
                       ) -> tuple[Experiment, Experiment]:
    """The source recipe and its equal-epochs control, from one training where the control is the
    source recipe trained longer (``control.shares_epochs_with(source)``): the control trains, and
    at the source recipe's last epoch the source recipe's row is written as its own training would
    have written it (the kept epoch among its epochs, its final epoch), then the control goes on.
    Elsewhere, and when resuming (each training resumes from its own checkpoints), two trainings."""
    if not control.shares_epochs_with(source) or run.resume:
        return tuple(train_model(run, results, label=label, dataset=dataset, recipe=recipe,
                                 seed=seed, notes=notes, **building) for recipe in (source, control))
    built, shorter = build(run, recipe=control, seed=seed, **building), {}

    def at_source_end(history: History, best: dict) -> None:
        model, now = built.network, copy.deepcopy(built.network.state_dict())
        final = predict_heads(model, built.loaders[2], source.tta)[0]
        model.load_state_dict(best)
        shorter["source"] = record(
            run, results, label=label, model=copy.deepcopy(model), loaders=built.loaders,
            recipe=source.sized_for(len(building["splits"].train)), dataset=dataset,
            seed=built.seed, history=history, notes=notes,
            final_test=None if history.best_epoch == history.epochs_run else final)
        model.load_state_dict(now)

    longer = train_built(run, results, label=label, model=built.network, loaders=built.loaders,
                         recipe=built.recipe, dataset=dataset, seed=built.seed, notes=notes,
                         milestones={source.epochs: at_source_end})
    return shorter["source"], longer


def _fit_by_recipe(run: Run, label: str, model: nn.Module, loaders: Sequence[Any],
                   recipe: Recipe, seed: int, milestones: Mapping[int, Milestone] | None,
                   before_best: Any) -> History:
    train_loader, val_loader = loaders[:2]
    optimizer = make_optimizer(model, recipe.optimizer, recipe.lr, recipe.weight_decay,
                               lr_scales=recipe.lr_scales,
                               decay_norm_and_bias=recipe.decay_norm_and_bias)
    scheduler = make_scheduler(optimizer, recipe.schedule, recipe.epochs, len(train_loader),
                               recipe.warmup_epochs)
    return fit(model, train_loader.with_seed(seed), val_loader, epochs=recipe.epochs,
               optimizer=optimizer, scheduler=scheduler, patience=recipe.patience,
               label_smoothing=recipe.label_smoothing, grad_clip=recipe.grad_clip,
               checkpoint_dir=run.checkpoint_dir(re.sub(
                   r"[^\w.-]+", "_", f"{label}-{recipe.name}-{seed}").strip("_")),
               description=f"{label} ({recipe.name}"
                           + (f", random seed {seed})" if seed != run.seed else ")"),
               milestones=milestones, before_best=before_best,
               compile_model=recipe.compile_model, passes=run.passes, resume=run.resume)


def training_multiply_adds_per_image(model: nn.Module, loader: Iterable) -> float:
    """The multiply-adds of one training step per image: forward and backward (about three
    forward passes), except that a frozen backbone runs forward only."""
    whole = multiply_adds_per_image(model, loader)
    if not (isinstance(model, BackboneAndHead) and model.frozen):
        return TRAINING_STEP_COST * whole
    images, labels = next(iter(loader))
    with torch.no_grad():
        features = model.backbone(images[:1])
    return whole + (TRAINING_STEP_COST - 1) * multiply_adds_per_image(model.head,
                                                                       [(features, labels)])
