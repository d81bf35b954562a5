"""Experiments: build a model by name under a seed, train it by a recipe, evaluate it on the test
set and write its results row - the three-line training of a notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

import pandas as pd
import torch
from torch import nn

from .calibration import calibration_row
from .config import Run, seed_everything
from .data import NO_AUGMENT, Splits, make_loaders
from .evaluation import Predictions, multiply_adds_per_image, predict_heads
from .features import FeatureSplits
from .models import BackboneAndHead, build_model, count_parameters
from .recipes import Recipe
from .results import ResultsFile, result_row
from .spread import over_seeds
from .optim import make_optimizer, make_scheduler
from .passes import EVERY_BATCH
from .training import History, fit


# A training step's multiply-adds in forward passes: the forward, and a backward pass of about two.
TRAINING_STEP_COST = 3


@dataclass
class Experiment:
    model: nn.Module
    history: History
    test: Predictions                # the first head's test predictions (with the recipe's TTA)
    row: dict[str, Any]
    heads: dict[str, Predictions] = field(default_factory=dict)  # every head's, by name


# A trial's arguments that do not shape its training (the recipe and seed are checked apart).
NOT_TRAINING = ("label", "notes", "reference_key", "recipe", "seed")


@dataclass(frozen=True, eq=False)
class Fitted:
    """A finished training kept for reuse: the trained model's weights (on the CPU) and history,
    the recipe, random seed and other arguments it was trained with, and the label of its row."""

    state: dict[str, torch.Tensor]
    history: History
    recipe: Recipe
    seed: int
    label: str
    settings: dict[str, Any]

    @classmethod
    def of(cls, experiment: Experiment, seed: int, settings: Mapping[str, Any]) -> Fitted:
        """``experiment`` as trained with random seed ``seed`` and the trainer's ``settings``
        (its keyword arguments: the recipe, model, data, views, ...)."""
        state = {key: value.detach().cpu().clone()
                 for key, value in experiment.model.state_dict().items()}
        return cls(state, experiment.history, settings["recipe"], seed, experiment.row["model"],
                   {key: value for key, value in settings.items() if key not in NOT_TRAINING})

    def check(self, **settings: Any) -> None:
        """Raise ValueError where any of ``settings`` differs from the trial's (objects such as
        data splits and models must be the same objects; plain values equal; a setting the trial
        was not given counts as None)."""
        differing = [key for key, value in settings.items()
                     if not _same(self.settings.get(key), value)]
        if differing:
            raise ValueError(f"{self.label} was trained with other {', '.join(differing)}: it "
                             "cannot stand for that training")

    def restore(self, network: nn.Module, recipe: Recipe, seed: int, **settings: Any) -> History:
        """Load the weights into ``network`` and return the history, after checking that ``recipe``,
        ``seed`` and ``settings`` would have trained it the same way: the recipes may differ only in
        their name and test-time views, which do not touch the training."""
        if self.seed != seed or self.recipe.changed(name=recipe.name, tta=recipe.tta) != recipe:
            raise ValueError(f"{self.label} was trained by another recipe or random seed than "
                             f"{recipe.name!r} with seed {seed}: it cannot stand for that training")
        self.check(**settings)
        network.load_state_dict(self.state)
        print(f"{self.label}: training reused as {recipe.name!r}, random seed {seed} (the same "
              f"training, evaluated with test-time augmentation {recipe.tta!r})", flush=True)
        return self.history


def _same(first: Any, second: Any) -> bool:
    if first is second:
        return True
    try:
        return bool(first == second)
    except (RuntimeError, TypeError, ValueError):  # tensors and the like: only the same object
        return False


class Choice(NamedTuple):
    """What :func:`choose_on_validation` chose, the table that chose it and, where asked for,
    the chosen option's training of the first random seed (None otherwise)."""

    option: str
    table: pd.DataFrame
    fitted: Fitted | None = None


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
    history, notes = _reused(fitted, network, recipe, seed, notes, model=model, splits=splits,
                             dataset=dataset, resize=resize, stats=stats, **model_options)
    return train_built(run, results, label=label, model=network, loaders=loaders, recipe=recipe,
                       dataset=dataset, seed=seed, reference_key=reference_key, notes=notes,
                       history=history)


def _reused(fitted: Fitted | None, network: nn.Module, recipe: Recipe, seed: int,
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


def choose_on_validation(run: Run, results: ResultsFile, *, label: str,
                         options: Mapping[str, Mapping[str, Any]], seeds: Iterable[int],
                         trainer: Callable[..., Experiment] | None = None, keep: bool = False,
                         **training: Any) -> Choice:
    """Train ``label`` once per option and random seed with ``trainer`` (default
    :func:`train_model`, looked up at the call; :func:`train_frozen_head` for a frozen backbone's
    head; an option's values replace or add to ``training``'s: a recipe, model
    options, ...) and choose the option with the highest mean validation accuracy (the first
    listed on a tie). Returns it with the table that chose it: validation figures only, so that no
    choice is ever made on a test figure. ``keep``: also return the chosen option's training of the
    first random seed, so that a notebook whose final training would repeat it (same recipe but
    for the test-time views) evaluates it instead."""
    table, seeds, kept = [], list(seeds), {}
    for option, values in options.items():
        settings = {**training, **values}
        trained = [(trainer or train_model)(run, results, label=f"{label}: {option}", seed=seed,
                                            **settings) for seed in seeds]
        if keep:
            kept[option] = Fitted.of(trained[0], seeds[0], settings)
        spread = over_seeds([experiment.row["val_acc"] for experiment in trained])
        table.append({"option": option, "random seeds": len(trained),
                      "validation accuracy (mean)": spread.mean, "std": spread.std})
    frame = pd.DataFrame(table)
    chosen = str(frame.loc[frame["validation accuracy (mean)"].idxmax(), "option"])
    return Choice(chosen, frame.assign(chosen=frame["option"] == chosen), kept.get(chosen))


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


def train_head_on_features(run: Run, results: ResultsFile, *, label: str, model: BackboneAndHead,
                           features: FeatureSplits, recipe: Recipe, dataset: str,
                           seed: int | None = None, channels: slice | None = None,
                           reference_key: str | None = None, notes: dict[str, Any] | None = None,
                           fitted: Fitted | None = None) -> Experiment:
    """Train the head of a frozen-backbone ``model`` on cached ``features`` (optionally some of
    their channels) by ``recipe``: a recipe without augmentation trains on the images as they are,
    one with augmentation on every cached view. The row counts the head's parameters as trainable
    and the whole model's as total; the returned experiment holds the whole model, ready for
    images. Test-time augmentation does not apply to features. ``fitted``: as in
    :func:`train_model`."""
    if not model.frozen:
        raise ValueError(f"{label}: only a frozen backbone's features can be cached")
    seed = run.seed if seed is None else seed
    seed_everything(seed)
    model.restart_head()  # new layers drawn from the seed, not left by an earlier training
    views = 1 if recipe.augment == NO_AUGMENT else None
    recipe = replace(recipe, tta="none")
    history, notes = _reused(fitted, model, recipe, seed, notes, model=model, features=features,
                             channels=channels, dataset=dataset)
    experiment = train_built(
        run, results, label=label, model=model.head,
        loaders=features.loaders(recipe.batch_size, seed, channels, views),
        recipe=recipe, dataset=dataset, seed=seed, reference_key=reference_key, history=history,
        notes={"params_total": count_parameters(model, trainable_only=False),
               "augmentation": f"{views or features.train.num_views} cached view(s)",
               "new_head_layers": model.describe_new_layers(),
               **(notes or {})})
    experiment.model = model
    return experiment


def train_head_on_images(run: Run, results: ResultsFile, *, label: str, model: BackboneAndHead,
                         splits: Splits, recipe: Recipe, dataset: str, seed: int | None = None,
                         resize: int | None = None,
                         stats: tuple[Sequence[float], Sequence[float]] | None = None,
                         reference_key: str | None = None, notes: dict[str, Any] | None = None,
                         fitted: Fitted | None = None) -> Experiment:
    """Train the head of a frozen-backbone ``model`` on the images, every batch through the frozen
    backbone (forward only): a backbone pass per image and epoch dearer than cached features, but
    the recipe's augmentation draws a fresh view of every image in every epoch (a cache holds only
    a few) and its test-time augmentation applies. ``fitted``: as in :func:`train_model`."""
    if not model.frozen:
        raise ValueError(f"{label}: only a frozen backbone's head trains on its own")
    seed = run.seed if seed is None else seed
    seed_everything(seed)
    model.restart_head()  # new layers drawn from the seed, not left by an earlier training
    loaders = make_loaders(splits, run, batch_size=recipe.batch_size, augment=recipe.augment,
                           resize=resize, stats=stats)
    history, notes = _reused(fitted, model, recipe, seed, notes, model=model, splits=splits,
                             resize=resize, stats=stats, dataset=dataset)
    return train_built(run, results, label=label, model=model, loaders=loaders, recipe=recipe,
                       dataset=dataset, seed=seed, reference_key=reference_key, history=history,
                       notes={"augmentation": f"{recipe.augment.describe()}, drawn on the fly",
                              "new_head_layers": model.describe_new_layers(), **(notes or {})})


# How the head of a frozen backbone sees the training images (notebook 05 chooses on validation).
CACHED_VIEWS, VIEWS_ON_THE_FLY = "cached views", "every view on the fly"


def train_frozen_head(run: Run, results: ResultsFile, *, views: str, features: FeatureSplits,
                      splits: Splits, resize: int | None,
                      stats: tuple[Sequence[float], Sequence[float]] | None,
                      channels: slice | None = None, **training: Any) -> Experiment:
    """:func:`train_head_on_features` on the cached ``features`` (``views`` "cached views",
    optionally some of their ``channels``) or :func:`train_head_on_images` on ``splits``
    resized to ``resize`` (``views`` "every view on the fly", where ``channels`` do not apply: a
    branch model's backbone makes its own). A ``fitted`` training must have had the same views."""
    if training.get("fitted") is not None:
        training["fitted"].check(views=views, splits=splits, features=features, channels=channels)
    if views == CACHED_VIEWS:
        return train_head_on_features(run, results, features=features, channels=channels,
                                      **training)
    if views == VIEWS_ON_THE_FLY:
        return train_head_on_images(run, results, splits=splits, resize=resize, stats=stats,
                                    **training)
    raise ValueError(f"unknown views {views!r}: choose {CACHED_VIEWS!r} or {VIEWS_ON_THE_FLY!r}")
