"""The mechanics of the notebooks' studies, so that a notebook cell says what it studies in a few
lines: the CNNV3 hyperparameter study (03), the results of another notebook read back (03 reads
02's), the four models of the CIFAR-100 hierarchy (06)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..core.config import Run
from ..data import make_loaders, plain_loaders
from ..models import IMAGENET_MEAN, IMAGENET_STD, SOURCE_BUDGET_LAYERS, build_model
from ..training.features import cache_features, time_uncached_epoch
from ..training.recipes import Recipe, source_recipe
from .choice import choose_on_validation
from .frozen import (CACHED_VIEWS, VIEWS_ON_THE_FLY, train_frozen_head,
                     train_head_on_features)
from .references import BUDGET_PAIRS, CNN_V3_STUDY
from .results import ResultsFile
from .train import Experiment, train_model


def results_of(run: Run, notebook: str) -> pd.DataFrame:
    """Another notebook's results file of this profile, or a FileNotFoundError saying which
    notebook to run first."""
    path = run.layout.results_file(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run notebook {notebook} first "
                                f"(./run_all.sh --only {notebook[:2]})")
    return pd.read_csv(path)


def cnn_v3_study(run: Run, results: ResultsFile, *, splits: Any, seeds: int, epochs: int,
                 batch_size: int) -> list[Experiment]:
    """Source report 002's four CNNV3 configurations (learning rate, dropout of the deepest block
    and the classifier, weight decay), each trained by the source recipe with random seeds
    0 .. ``seeds`` - 1; each row names its configuration."""
    trained = []
    for number, (lr, dropout, decay) in CNN_V3_STUDY.items():
        recipe = source_recipe(epochs, lr=lr, batch_size=batch_size, weight_decay=decay)
        for seed in range(seeds):
            trained.append(train_model(
                run, results, label=f"cnn_v3_study_{number}", model="cnn_v3", splits=splits,
                recipe=recipe, dataset="CIFAR-10", seed=seed, dropout_end=dropout,
                reference_key=f"cnn_v3_study_{number}",
                notes={"config": number, "lr": lr, "dropout": dropout, "weight_decay": decay}))
    return trained


def study_groups(trained: list[Experiment]) -> dict[str, list[float]]:
    """The study's validation accuracies by configuration ("configuration 1" -> one per seed)."""
    groups: dict[str, list[float]] = {}
    for experiment in trained:
        groups.setdefault(f"configuration {experiment.row['config']}", []).append(
            experiment.row["val_acc"])
    return groups


def input_sizes(run: Run, results: ResultsFile, *, splits: Any, sides: list[int], recipe: Any,
                views: int) -> pd.DataFrame:
    """Notebook 04's study of the pretrained input size: frozen MobileNetV2 with a new classifier
    trained by ``recipe`` on features cached at each side of ``sides``; validation accuracy (the
    study chooses nothing on test) and the seconds the cache took."""
    rows = []
    for side in sides:
        model = build_model("mobilenet_v2", device=run.device, num_classes=10,
                            weights=run.pretrained_weights, frozen=True)
        cache = cache_features(model.backbone, plain_loaders(
            splits, run, batch_size=2 * recipe.batch_size, resize=side,
            stats=(IMAGENET_MEAN, IMAGENET_STD)), views)
        trained = train_head_on_features(
            run, results, label=f"mobilenet_v2_frozen_{side}px", model=model, features=cache,
            recipe=recipe.changed(name="size study"), dataset="EuroSAT",
            notes={"study": "input size", "input": side})
        rows.append({"input side (pixels)": side, "validation accuracy": trained.row["val_acc"],
                     "seconds to cache the features": cache.seconds})
    return pd.DataFrame(rows)


def caching_saves(run: Run, experiment: Experiment, cache: Any, splits: Any, *, resize: int,
                  stats: Any, batch_size: int) -> dict[str, Any]:
    """What training a frozen model's head on cached features saved against passing every image
    through the backbone every epoch: one uncached epoch is timed on a copy of the model."""
    loaders = make_loaders(splits, run, batch_size=batch_size, resize=resize, stats=stats)
    uncached = time_uncached_epoch(experiment.model, loaders[0], loaders[1])
    history = experiment.history
    cached = history.seconds / history.epochs_run
    return {"model": experiment.row["model"], "feature cache (MiB)": cache.megabytes,
            "seconds to cache": cache.seconds, "uncached epoch (s)": uncached,
            "cached epoch (s)": cached, "speed-up per epoch": uncached / cached,
            "speed-up of the training": history.epochs_run * uncached
            / (cache.seconds + history.seconds)}


def view_options(cache: Any, chosen: str) -> dict[str, str]:
    """Notebook 05's ways for our recipe to see the training tiles, by their names in words: the
    cached views and every view drawn on the fly, both where ``chosen`` is "choose", else the one
    it names (a ValueError for anything else)."""
    options = {f"{cache.train.num_views} cached views": CACHED_VIEWS,
               "all 8 views on the fly": VIEWS_ON_THE_FLY}
    if chosen == "choose":
        return options
    if chosen not in options.values():
        raise ValueError(f"our_views is {chosen!r}: give 'choose', {CACHED_VIEWS!r} or "
                         f"{VIEWS_ON_THE_FLY!r}")
    return {name: views for name, views in options.items() if views == chosen}


def choose_views(run: Run, results: ResultsFile, options: dict[str, str], *, seed: int,
                 **training: Any) -> tuple[str, pd.DataFrame | None]:
    """The training views of notebook 05's classifiers: the only option where one is given, else
    the one a trial of each (``training``: its model, recipe, data) chooses on validation; with
    the trial's table (None without a trial)."""
    if len(options) == 1:
        return next(iter(options.values())), None
    chosen, trial = choose_on_validation(
        run, results, label="middle_fusion trial", trainer=train_frozen_head, seeds=[seed],
        options={name: {"views": views} for name, views in options.items()}, **training)
    return options[chosen], trial


def family_label(budget: int) -> str:
    """Our family's model at a budget: "ours_1k", ..., "ours_1m"."""
    return f"ours_{budget // 1000}k" if budget < 1_000_000 else f"ours_{budget // 1_000_000}m"


def budget_plans(budgets: list[int], source: Recipe, variants: dict[str, Recipe],
                 chosen: dict[int, str], *, seeds: int, seeds_up_to: int
                 ) -> dict[tuple[str, str], tuple[int, dict[str, Any]]]:
    """Notebook 07's trainings by (label, recipe): how many random seeds each trains with (those
    up to ``seeds_up_to`` parameters: ``seeds``, by their own family's recipe; the rest one) and
    its arguments of ``train_model``: the source models by both recipes, our family's by our
    recipe's chosen variant."""
    plans = {}
    for count in SOURCE_BUDGET_LAYERS:
        for recipe in (source, variants["our recipe"]):
            repeats = seeds if count <= seeds_up_to and recipe is source else 1
            plans[f"source_{count}", recipe.name] = (repeats, dict(
                label=f"source_{count}", model="source_budget", recipe=recipe,
                notes={"family": "source 001"}, params=count))
    for budget in budgets:
        variant = chosen.get(budget, "our recipe")
        plans[family_label(budget), "ours"] = (seeds if budget <= seeds_up_to else 1, dict(
            label=family_label(budget), model="compact_budget", recipe=variants[variant],
            reference_key=f"source_{BUDGET_PAIRS[budget]}", budget=budget,
            notes={"family": "ours", "budget": budget, "recipe variant": variant}))
    return plans
