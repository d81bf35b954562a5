"""The findings of a notebook: the table that opens its PDF.

One row per model that has a figure in the source reports or a goal of ours: the source report's
figure and its metric, the source recipe's and our recipe's test accuracy in this run (the mean
over the random seeds each was trained with), the goal and whether the mean met it.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import pandas as pd

from .recipes import OURS, SOURCE
from .spread import over_seeds

METRIC_NAMES = {"test_acc": "test accuracy", "val_acc": "validation accuracy",
                "test_top5": "test top-5 accuracy"}
MARKS = {"met with confidence": "✓ met, with confidence", "met": "✓ met"}


def verdict_mark(values: Iterable[float], goal: float | None) -> str:
    """"✓ met, with confidence" (the 95 % interval's lower end reaches the goal), "✓ met" (the
    mean does), "✗ missed by x points", or "" without a goal."""
    spread = over_seeds(list(values))
    if goal is None or math.isnan(goal) or not spread.values:
        return ""
    verdict = spread.verdict(goal)
    return MARKS.get(verdict) or f"✗ missed by {100 * (goal - spread.mean):.1f} points"


def findings_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The findings table of results ``rows`` (one per training): models without a source figure
    and without a goal are left out; a recipe not trained is blank."""
    frame = pd.DataFrame(list(rows))
    table = []
    for model, group in frame.groupby("model", sort=False):
        figure = _first(group, "source_figure")
        goal = _first(group, "goal")
        if figure is None and goal is None:
            continue
        source = group.loc[group["recipe"] == SOURCE, "test_acc"]
        ours = group.loc[group["recipe"] == OURS, "test_acc"]
        metric = _first(group, "source_metric")
        table.append({
            "model": model,
            "source report": math.nan if figure is None else figure,
            "its metric": METRIC_NAMES.get(metric, metric) if figure is not None else "",
            "source recipe, this run": source.mean() if len(source) else math.nan,
            "our recipe, this run": ours.mean() if len(ours) else math.nan,
            "random seeds": max(len(source), len(ours)),
            "goal": math.nan if goal is None else goal,
            "goal met": verdict_mark(ours, goal),
        })
    frame = pd.DataFrame(table)
    if not frame.empty and (frame["goal met"] == "").all():
        frame = frame.drop(columns=["goal met"])
    return frame


def _first(group: pd.DataFrame, column: str) -> Any:
    if column not in group:
        return None
    present = group[column].dropna()
    return present.iloc[0] if len(present) else None
