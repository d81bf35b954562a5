"""Experiments: build a model by name under a seed, train it by a recipe, evaluate it on the test
set and write its results row - the three-line training of a notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import torch
from torch import nn

from ..evaluation.calibration import calibration_row
from ..core.config import Run, seed_everything
from ..data import Splits, make_loaders
from ..evaluation.predictions import Predictions, multiply_adds_per_image, predict_heads
from ..models import BackboneAndHead, build_model, count_parameters
from ..training.recipes import Recipe
from .fitted import Fitted
from .results import ResultsFile, result_row
from ..training.optim import make_optimizer, make_scheduler
from ..core.passes import EVERY_BATCH
from ..training.loop import History, fit


# A training step's multiply-adds in forward passes: the forward, and a backward pass of about two.
TRAINING_STEP_COST = 3


@dataclass
class Experiment:
    model: nn.Module
    history: History
    test: Predictions                # the first head's test predictions (with the recipe's TTA)
    row: dict[str, Any]
    heads: dict[str, Predictions] = field(default_factory=dict)  # every head's, by name


def tests_by_model(trained: Mapping[tuple[str, str], Experiment]
                   ) -> dict[str, dict[str, Predictions]]:
    """A notebook's trainings keyed by (model, recipe) as test predictions by model, then recipe
    (the shape ``significance.input_and_training`` reads)."""
    tests: dict[str, dict[str, Predictions]] = {}
    for (model, recipe), experiment in trained.items():
        tests.setdefault(model, {})[recipe] = experiment.test
    return tests


def train_model(run: Run, results: ResultsFile, *, label: str, model: str, splits: Splits,
                recipe: Recipe, dataset: str, seed: int | None = None, resize: int | None = None,
                stats: tuple[Sequence[float], Sequence[float]] | None = None,
                reference_key: str | None = None, notes: dict[str, Any] | None = None,
                fitted: Fitted | None = None, **model_options: Any) -> Experiment:
    """Seed (``seed``, default the run's), build ``model`` with ``model_options`` on the run's
    device, make its loaders from ``splits`` by the recipe's batch size and augmentation (inputs
    resized to ``resize`` and normalised by ``stats``, default the training split's) and
    :func:`train_built` it; or, given ``fitted`` (an identical training, a trial's), evaluate
    that instead of training again."""
    seed = run.seed if seed is None else seed
    seed_everything(seed)
    network = build_model(model, device=run.device, **model_options)
    loaders = make_loaders(splits, run, batch_size=recipe.batch_size, augment=recipe.augment,
                           resize=resize, stats=stats)
    history, notes = reused(fitted, network, recipe, seed, notes, model=model, splits=splits,
                             dataset=dataset, resize=resize, stats=stats, **model_options)
    return train_built(run, results, label=label, model=network, loaders=loaders, recipe=recipe,
                       dataset=dataset, seed=seed, reference_key=reference_key, notes=notes,
                       history=history)


def reused(fitted: Fitted | None, network: nn.Module, recipe: Recipe, seed: int,
            notes: dict[str, Any] | None, **settings: Any
            ) -> tuple[History | None, dict[str, Any] | None]:
    """``fitted``'s history, its weights loaded into ``network`` (after :meth:`Fitted.restore`'s
    checks of ``recipe``, ``seed`` and the trainer's ``settings``), and ``notes`` naming the
    training reused; None and ``notes`` as they are without one."""
    if fitted is None:
        return None, notes
    return (fitted.restore(network, recipe, seed, **settings),
            {**(notes or {}), "training reused from": fitted.label})


def train_over_seeds(run: Run, results: ResultsFile, *, seeds: Iterable[int], **training: Any
                     ) -> list[Experiment]:
    """:func:`train_model` once per random seed of ``seeds`` (each row records its seed)."""
    return [train_model(run, results, seed=seed, **training) for seed in seeds]


def train_built(run: Run, results: ResultsFile, *, label: str, model: nn.Module,
                loaders: Sequence[Iterable], recipe: Recipe, dataset: str, seed: int,
                reference_key: str | None = None, notes: dict[str, Any] | None = None,
                history: History | None = None) -> Experiment:
    """Fit ``model`` by ``recipe`` (the training loader drawing its order and augmentation from
    ``seed``), predict the test set and add the results row ``label`` / ``recipe.name``; the source report's
    figure beside it is that of ``reference_key`` (default: ``label``). ``loaders`` may serve images
    or cached features. Given the ``history`` of an identical training whose weights ``model``
    already holds (:meth:`Fitted.restore`), it is not trained again."""
    train_loader, val_loader, test_loader = loaders
    if history is None:
        history = _fit_by_recipe(run, label, model, train_loader, val_loader, recipe, seed)
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
            model, val_loader) * train_loader.num_images * history.epochs_run
    row = result_row(label, dataset, count_parameters(model), history, test, seed,
                     recipe=recipe.name, reference_key=reference_key, **extra)
    results.add(row)
    return Experiment(model, history, test, row, heads)


def _fit_by_recipe(run: Run, label: str, model: nn.Module, train_loader: Any, val_loader: Any,
                   recipe: Recipe, seed: int) -> History:
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
