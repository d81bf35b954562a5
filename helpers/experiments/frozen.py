"""Heads of frozen backbones: trained on cached features or on the images, every batch through the
frozen backbone (notebooks 04 and 05)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from ..core.config import Run, seed_everything
from ..data import NO_AUGMENT, Splits, make_loaders
from ..models import BackboneAndHead, count_parameters
from ..training.features import FeatureSplits
from ..training.recipes import Recipe
from .results import ResultsFile
from .train import Experiment, train_built


def train_head_on_features(run: Run, results: ResultsFile, *, label: str, model: BackboneAndHead,
                           features: FeatureSplits, recipe: Recipe, dataset: str,
                           seed: int | None = None, channels: slice | None = None,
                           reference_key: str | None = None, notes: dict[str, Any] | None = None) -> Experiment:
    """Train the head of a frozen-backbone ``model`` on cached ``features`` (optionally some of
    their channels) by ``recipe``: a recipe without augmentation trains on the images as they are,
    one with augmentation on every cached view. The row counts the head's parameters as trainable
    and the whole model's as total; the returned experiment holds the whole model, ready for
    images. Test-time augmentation does not apply to features."""
    if not model.frozen:
        raise ValueError(f"{label}: only a frozen backbone's features can be cached")
    seed = run.seed if seed is None else seed
    seed_everything(seed)
    model.restart_head()  # new layers drawn from the random seed, not left by an earlier training
    views = 1 if recipe.augment == NO_AUGMENT else None
    recipe = replace(recipe, tta="none").sized_for(len(features.train))
    experiment = train_built(
        run, results, label=label, model=model.head,
        loaders=features.loaders(recipe.batch_size, seed, channels, views),
        recipe=recipe, dataset=dataset, seed=seed, reference_key=reference_key,
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
                         reference_key: str | None = None, notes: dict[str, Any] | None = None) -> Experiment:
    """Train the head of a frozen-backbone ``model`` on the images, every batch through the frozen
    backbone (forward only): a backbone pass per image and epoch dearer than cached features, but
    the recipe's augmentation draws a fresh view of every image in every epoch (a cache holds only
    a few) and its test-time augmentation applies."""
    if not model.frozen:
        raise ValueError(f"{label}: only a frozen backbone's head trains on its own")
    seed = run.seed if seed is None else seed
    seed_everything(seed)
    model.restart_head()  # new layers drawn from the random seed, not left by an earlier training
    recipe = recipe.sized_for(len(splits.train))
    loaders = make_loaders(splits, run, batch_size=recipe.batch_size, augment=recipe.augment,
                           resize=resize, stats=stats)
    return train_built(run, results, label=label, model=model, loaders=loaders, recipe=recipe,
                       dataset=dataset, seed=seed, reference_key=reference_key,
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
    branch model's backbone makes its own)."""
    if views == CACHED_VIEWS:
        return train_head_on_features(run, results, features=features, channels=channels,
                                      **training)
    if views == VIEWS_ON_THE_FLY:
        return train_head_on_images(run, results, splits=splits, resize=resize, stats=stats,
                                    **training)
    raise ValueError(f"unknown views {views!r}: choose {CACHED_VIEWS!r} or {VIEWS_ON_THE_FLY!r}")
