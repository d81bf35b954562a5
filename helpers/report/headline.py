"""The findings of a notebook: the table that opens its PDF, and the conclusions beside it.

One row per model and metric that has a figure in the source reports or a goal of ours: the
source report's figure; the source recipe's figure in this run, read at the epoch the report read
its own (its final epoch, unless the report kept its best checkpoint); our recipe's (the kept
epoch) with its 95 % interval over random seeds and test images; and, for test accuracy, our goal
and its verdict, read from that interval - met, missed or undecided (``stats.spread``). Figures of
several random seeds are their means. A model whose source figure is a validation accuracy but
whose goal is on test accuracy gets a row for each, so that no row sets two metrics side by side.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from ..stats import bootstrap
from ..stats.spread import mean_with_interval
from ..training.recipes import OURS, SOURCE
from . import formats
from .notebook import bullets
from .tables import VERDICTS, table

METRIC_NAMES = {"test_acc": "test accuracy", "val_acc": "validation accuracy",
                "test_top5": "test top-5 accuracy", "test_acc_coarse": "coarse head accuracy"}
MIXED_SEEDS = "random seeds (source / ours)"  # the column's name where some rows differ
Correct = Mapping[tuple, Mapping[str, np.ndarray]]


def findings_frame(rows: Iterable[Mapping[str, Any]], correct: Correct | None = None
                   ) -> pd.DataFrame:
    """The findings table of results ``rows`` (one per training) and their right answers
    (``correct``: the intervals and verdicts; without them, none): models without a source figure
    and without a goal are left out; a recipe not trained is blank."""
    frame, table_rows = pd.DataFrame(list(rows)), []
    for model, group in frame.groupby("model", sort=False):
        figure, goal = _first(group, "source_figure"), _first(group, "goal")
        figure_metric = _first(group, "source_metric") if figure is not None else None
        metrics = [figure_metric] if figure_metric else []
        if goal is not None and "test_acc" not in metrics:
            metrics.append("test_acc")
        for metric in metrics:
            table_rows.append(_row(model, group, metric, figure if metric == figure_metric
                                   else math.nan, goal if metric == "test_acc" else None,
                                   correct or {}))
    table = pd.DataFrame(table_rows)
    if not table.empty and (table["goal verdict"] == "").all():
        table = table.drop(columns=["goal verdict"])
    if not table.empty and table["random seeds"].map(lambda seeds: isinstance(seeds, str)).any():
        table = table.rename(columns={"random seeds": MIXED_SEEDS})
    return table


def _row(model: str, group: pd.DataFrame, metric: str, figure: float, goal: float | None,
         correct: Correct) -> dict[str, Any]:
    final = _first(group, "source_epoch") == "final" and f"{metric}_final_epoch" in group
    source = group.loc[group["recipe"] == SOURCE, f"{metric}_final_epoch" if final else metric]
    ours = group.loc[group["recipe"] == OURS, metric]
    interval = mean_with_interval(correct, model, OURS) if metric == "test_acc" else None
    verdict = bootstrap.goal_verdict(interval, goal) if interval and goal is not None else ""
    return {"model": model, "metric": METRIC_NAMES.get(metric, metric),
            "source report": figure,
            "source recipe, this run": source.mean() if len(source) else math.nan,
            "our recipe, this run": ours.mean() if len(ours) else math.nan,
            "95% interval (ours)": formats.percent_interval(interval.low, interval.high)
            if interval else "",
            "random seeds": seed_counts(len(source), len(ours)),
            "goal": goal if goal is not None else math.nan,
            "goal verdict": VERDICTS.get(verdict, "")}


def one_seeds_column(frame: pd.DataFrame) -> pd.DataFrame:
    """The random seeds in one column of words ("3", "2 / 1"), where findings of several
    notebooks were put together (the summary's: some with one count, some with both)."""
    columns = [column for column in ("random seeds", MIXED_SEEDS) if column in frame]
    if not columns:
        return frame
    counts = frame[columns].bfill(axis=1).iloc[:, 0].map(
        lambda seeds: seeds if isinstance(seeds, str) else f"{seeds:.0f}")
    name = MIXED_SEEDS if MIXED_SEEDS in columns else "random seeds"
    at = list(frame.columns).index(columns[0])
    frame = frame.drop(columns=columns)
    frame.insert(at, name, counts)
    return frame


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


def epoch_rule(rows: Iterable[Mapping[str, Any]]) -> str:
    """The caption's words on which epoch the source recipe is read at, from the rows' source
    figures."""
    epochs = {row.get("source_epoch") for row in rows if isinstance(row.get("source_epoch"), str)}
    if epochs == {"kept"}:
        return "the source recipe at its kept epoch, as the source report kept its best checkpoint"
    if epochs == {"final"}:
        return "the source recipe at its final epoch, as the source report read its figures"
    return "the source recipe at the epoch its source report read"


def findings(rows: Iterable[Mapping[str, Any]], correct: Correct, conclusions: Iterable[str],
             caption: str = "Each model against the source reports and our goals") -> None:
    """The findings that open the notebook's PDF: the findings table of ``rows`` and their right
    answers (means over random seeds, our recipe's interval and goal verdict) and the
    conclusions, written from the results."""
    rows = list(rows)
    frame = findings_frame(rows, correct)
    several = not frame.empty and any(str(seeds) != "1" for seeds in frame.filter(
        like="random seeds").iloc[:, 0])
    over = ("means over random seeds; " if several else "one random seed each; ") + \
        epoch_rule(rows) + ("; the interval over random seeds and test images" if several
                            else "; the interval over test images")
    findings_table(frame, conclusions, f"{caption}: {over}")


def findings_table(frame: pd.DataFrame, conclusions: Iterable[str], caption: str,
                   conclusions_first: bool = False) -> None:
    """The "Findings" heading, a findings table (see :func:`findings`) and the conclusions (before
    the table where it is long: the summary's)."""
    display(Markdown("## Findings"))
    if conclusions_first:
        bullets(conclusions)
    if not frame.empty:
        table(one_seeds_column(frame.dropna(axis=1, how="all")), caption, formats={
            "source report": "percent", "source recipe, this run": "percent",
            "our recipe, this run": "percent", "goal": "percent", "random seeds": "text",
            MIXED_SEEDS: "text"})
    if not conclusions_first:
        bullets(conclusions)
