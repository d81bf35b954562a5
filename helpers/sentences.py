"""The sentence layer: conclusions written from the results, never typed. Each function turns
figures into one sentence (or one per row) whose wording follows the numbers: met or missed, ahead,
behind or no evidence of a difference, singular or plural."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd


def percent(value: float) -> str:
    return f"{value:.1%}"


def points(value: float) -> str:
    return f"{100 * value:+.1f} points"


def goal_sentence(row: Mapping[str, Any]) -> str:
    """"<model> (ours) reached x % test accuracy: the goal of y % is met / missed by z points"."""
    text = f"{row['model']} ({row['recipe']}) reached {percent(row['test_acc'])} test accuracy"
    goal = row.get("goal")
    if goal is None or pd.isna(goal):
        return text + "."
    verdict = "met" if row["test_acc"] >= goal else f"missed by {points(goal - row['test_acc'])[1:]}"
    return f"{text}: the goal of {goal:.1%} is {verdict}."


def recipe_sentences(frame: pd.DataFrame) -> list[str]:
    """One sentence per model of ``significance.compare_recipes``'s table."""
    return [f"**{row['model']}**: {percent(row['ours'])} with our recipe against "
            f"{percent(row['seed recipe'])} with the seed's ({points(row['difference'])}, "
            f"McNemar p = {row['p-value']:.2g}: "
            + ("a real difference on these test images)." if row["real"]
               else "no evidence that the two differ on these test images).")
            for row in frame.to_dict("records")]


def seed_figure_sentences(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """For each row with a seed figure: our figure beside the seed document's, same metric."""
    sentences = []
    for row in rows:
        metric, seed = row.get("seed_metric"), row.get("seed_reference")
        if not isinstance(metric, str) or seed is None or pd.isna(seed):
            continue
        ours = row[metric]
        sentences.append(f"{row['model']} ({row['recipe']}): {percent(ours)} "
                         f"{metric.replace('_', ' ')} against the seed document's {percent(seed)} "
                         f"({points(ours - seed)}).")
    return sentences


def paired_sentence(row: Mapping[str, Any], seeds: int) -> str:
    """One row of ``spread.recipe_differences`` in words: ahead, behind, or no evidence of a
    difference, over how many seeds, with Holm's p-value."""
    subject = (f"{row['model']}, " if row.get("model") else "") + \
        f"*{row['first']}* against *{row['second']}*"
    evidence = f"paired t-test over {seeds} seed{'s' if seeds != 1 else ''}, Holm's p = " \
               f"{row['Holm p-value']:.2g}"
    if not row["real"]:
        return (f"{subject}: {points(row['difference'])}, no evidence of a difference "
                f"({evidence}).")
    side = "ahead" if row["difference"] > 0 else "behind"
    return f"{subject}: {side} by {points(abs(row['difference']))[1:]} ({evidence})."


def spread_goal_sentence(row: Mapping[str, Any]) -> str:
    """One row of ``spread.spread_by_recipe`` with a goal: the mean over seeds, its interval and
    the verdict (met, met with confidence, missed by so many points)."""
    runs = f"{row['seeds']} seed{'s' if row['seeds'] != 1 else ''}"
    interval = "" if pd.isna(row["95% low"]) else \
        f" (95 % interval {max(row['95% low'], 0):.1%} to {min(row['95% high'], 1):.1%})"
    verdict = row["verdict"] if row["verdict"] != "missed" else \
        f"missed by {points(row['goal'] - row['mean'])[1:]}"
    return (f"{row['model']} ({row['recipe']}) over {runs}: mean test accuracy "
            f"{percent(row['mean'])}{interval}; the goal of {row['goal']:.1%} is {verdict}.")
