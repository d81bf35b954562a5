"""The findings of a notebook: the table that opens its PDF.

One row per model and metric that has a figure in the source reports or a goal of ours: the
source report's figure, the source recipe's and our recipe's figure in this run in the same metric
(the mean over the random seeds each was trained with; where our recipe uses test-time
augmentation, also its figure without it, so that what TTA bought is its own step), and, for test
accuracy, our goal and whether the mean met it. A model whose source figure is a validation
accuracy but whose goal is on test accuracy gets a row for each, so that no row sets figures of
two metrics side by side.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import pandas as pd
from IPython.display import Markdown, display

from ..training.recipes import OURS, SOURCE
from .sentences import unsigned_points
from ..stats.spread import over_seeds
from .notebook import bullets
from .tables import table

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
    return MARKS.get(verdict) or f"✗ missed by {unsigned_points(goal - spread.mean)}"


def findings_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The findings table of results ``rows`` (one per training): models without a source figure
    and without a goal are left out; a recipe not trained is blank."""
    frame = pd.DataFrame(list(rows))
    table = []
    for model, group in frame.groupby("model", sort=False):
        figure, goal = _first(group, "source_figure"), _first(group, "goal")
        figure_metric = _first(group, "source_metric") if figure is not None else None
        metrics = [figure_metric] if figure_metric else []
        if goal is not None and "test_acc" not in metrics:
            metrics.append("test_acc")
        for metric in metrics:
            source = group.loc[group["recipe"] == SOURCE, metric]
            ours = group.loc[group["recipe"] == OURS, metric]
            judged = goal is not None and metric == "test_acc"
            without_tta = group.loc[group["recipe"] == OURS, "test_acc_no_tta"].dropna() \
                if metric == "test_acc" and "test_acc_no_tta" in group else pd.Series(dtype=float)
            table.append({
                "model": model, "metric": METRIC_NAMES.get(metric, metric),
                "source report": figure if metric == figure_metric else math.nan,
                "source recipe, this run": source.mean() if len(source) else math.nan,
                "our recipe, without TTA": without_tta.mean() if len(without_tta) else math.nan,
                "our recipe, this run": ours.mean() if len(ours) else math.nan,
                "random seeds": seed_counts(len(source), len(ours)),
                "goal": goal if judged else math.nan,
                "goal met": verdict_mark(ours, goal) if judged else "",
            })
    frame = pd.DataFrame(table)
    if not frame.empty and (frame["goal met"] == "").all():
        frame = frame.drop(columns=["goal met"])
    if not frame.empty and frame["random seeds"].map(lambda seeds: isinstance(seeds, str)).any():
        frame = frame.rename(columns={"random seeds": MIXED_SEEDS})
    return frame


MIXED_SEEDS = "random seeds (source / ours)"  # the column's name where some rows differ


def seed_counts(source: int, ours: int) -> int | str:
    """The random seeds behind a findings row: one number where both recipes ran as many (or one
    ran alone), else both ("2 / 1", the column then named :data:`MIXED_SEEDS`), so that a mean is
    never read as a single run."""
    if source == ours or not (source and ours):
        return max(source, ours)
    return f"{source} / {ours}"


def _first(group: pd.DataFrame, column: str) -> Any:
    if column not in group:
        return None
    present = group[column].dropna()
    return present.iloc[0] if len(present) else None


def findings(rows: Iterable[Mapping[str, Any]], conclusions: Iterable[str],
             caption: str = "Each model against the source reports and our goals") -> None:
    """The findings that open the notebook's PDF: the findings table of ``rows``
    (:func:`findings.findings_frame`, test accuracy in this run, the mean over its random seeds)
    and the conclusions, written from the results."""
    findings_table(findings_frame(rows), conclusions, caption)


def findings_table(frame: pd.DataFrame, conclusions: Iterable[str], caption: str,
                   conclusions_first: bool = False) -> None:
    """The "Findings" heading, a findings table (see :func:`findings`) and the conclusions (before
    the table where it is long: the summary's)."""
    display(Markdown("## Findings"))
    if conclusions_first:
        bullets(conclusions)
    if not frame.empty:
        table(frame.dropna(axis=1, how="all"), caption, formats={
            "source report": "percent", "source recipe, this run": "percent",
            "our recipe, without TTA": "percent", "our recipe, this run": "percent",
            "goal": "percent", "random seeds": "text", MIXED_SEEDS: "text"})
    if not conclusions_first:
        bullets(conclusions)
