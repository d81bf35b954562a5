"""What notebook 07 shows: the source report's seven models and our family, the table by budget,
accuracy against parameters, and the loss curves per model."""

from __future__ import annotations

from typing import Any, Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..experiments.references import BUDGET_GOAL_POINTS, BUDGET_PAIRS, BUDGET_TABLE
from ..experiments.results import ResultsFile
from ..experiments.studies import family_label
from ..models import (SOURCE_BUDGET_LAYERS, blocks_for_budget, build_model, count_parameters,
                      stage_widths, width_for_budget)
from ..stats.spread import mean_with_interval
from ..stats.bootstrap import goal_verdict
from ..training.recipes import OURS, SOURCE, recipe_label
from . import plots
from .names import model_name
from .sentences import over_seeds
from .tables import VERDICTS, table

FAMILY = {"source 001": "source report's models", "ours": "our family"}


def source_budget_models() -> None:
    """The source report's seven models as read from its slides, each with its parameters as built."""
    table(pd.DataFrame([
        {"parameters (ours)": count_parameters(build_model("source_budget", params=count)),
         "parameters (source report)": count, "layers, as we read them": reading}
        for count, (_, reading) in SOURCE_BUDGET_LAYERS.items()]), "Source report 001's models")


def our_family(budgets: list[int]) -> None:
    """Our family's widest network within each budget: width, channels, depth, parameters."""
    table(pd.DataFrame([
        {"budget": budget, "width": width_for_budget(budget),
         "channels": " / ".join(map(str, stage_widths(width_for_budget(budget)))),
         "blocks per stage": blocks_for_budget(budget),
         "parameters": count_parameters(build_model("compact_budget", budget=budget))}
        for budget in budgets]), "Our models: the widest of the family within each budget",
        formats={"width": "ratio"})


def _mean(rows: pd.DataFrame, model: str, recipe: str) -> float:
    found = rows[(rows["model"] == model) & (rows["recipe"] == recipe)]["test_acc"]
    return found.mean() if len(found) else float("nan")


def budget_table(results: ResultsFile, budgets: list[int]) -> None:
    """One row per budget: the source model's published top-1 and its figures by both recipes,
    our family's model, its goal and the goal's verdict (means over random seeds)."""
    rows, frame = [], pd.DataFrame(results.rows)
    for budget in budgets:
        ours, source = family_label(budget), f"source_{BUDGET_PAIRS[budget]}"
        goal = BUDGET_TABLE[BUDGET_PAIRS[budget]][0] + BUDGET_GOAL_POINTS[budget] / 100
        interval = mean_with_interval(results.correct, ours, OURS)
        rows.append({"budget": budget, "source model's parameters": BUDGET_PAIRS[budget],
                     "published top-1": BUDGET_TABLE[BUDGET_PAIRS[budget]][0],
                     "source model, source recipe": _mean(frame, source, SOURCE),
                     "source model, our recipe": _mean(frame, source, OURS),
                     "our family's parameters": _first(frame, ours, "params"),
                     "our family": _mean(frame, ours, OURS), "goal": goal,
                     "goal verdict": VERDICTS.get(goal_verdict(interval, goal), "")
                     if interval else ""})
    table(pd.DataFrame(rows), "CIFAR-100 top-1 test accuracy by budget (means over random seeds). "
          "The 1K budget is compared with the source report's smallest model (2,250 parameters): "
          "its goal is that model's figure", formats={"our family": "percent"})


def _first(frame: pd.DataFrame, model: str, column: str) -> Any:
    found = frame[frame["model"] == model][column]
    return found.iloc[0] if len(found) else None


def accuracy_by_parameters(rows: list[Mapping[str, Any]]) -> None:
    """Test accuracy against parameters: the source models by each recipe and our family (means
    over random seeds), with the source report's published points."""
    frame = pd.DataFrame(rows)
    frame = frame[frame["family"].isin(list(FAMILY)) & frame["recipe"].isin([SOURCE, OURS])]
    means = frame.groupby(["family", "recipe", "model"], sort=False, as_index=False).agg(
        params=("params", "first"), test_acc=("test_acc", "mean"), seeds=("test_acc", "size"))
    said = {key: over_seeds(group["seeds"]) for key, group in means.groupby(["family", "recipe"])}
    means["family"] = [f"{FAMILY[family]}, {recipe_label(recipe)}, {said[family, recipe]}"
                       for family, recipe in zip(means["family"], means["recipe"])]
    plots.accuracy_by_parameters(means, {count: values[0] for count, values in BUDGET_TABLE.items()},
                                 "CIFAR-100: test accuracy against parameters")
    plt.show()


def loss_curves(trained: Mapping[tuple[str, str], Any]) -> None:
    """Training and validation loss per epoch of the source models by the source recipe and of
    our family (first random seed)."""
    for title, keys in (("Source models, source recipe", [k for k in trained if k[1] == SOURCE]),
                        ("Our family, our recipe",
                         [k for k in trained if k[0].startswith("ours_")])):
        plots.loss_curves_by_model({model_name(key[0]): trained[key].history for key in keys},
                                   title)
        plt.show()
