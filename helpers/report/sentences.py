"""The sentence layer: conclusions written from the results, never typed. Each function turns
figures into one sentence (or a phrase) whose wording follows the numbers: a gain, a loss, a tie or
no evidence of a difference; met or missed; a range that is one value; a ratio above or below 1;
one or several. A comparison of a thing with itself is never written: it gives "" (and
:func:`report.bullets` leaves empty lines out)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from ..training.recipes import EQUAL_EPOCHS, OUR_INPUT, OURS, SOURCE

TIE_POINTS = 0.05  # differences under 0.05 points print as +0.0: they are ties


def recipe_words(name: str) -> str:
    """A recipe's name as a sentence says it: "our recipe", "the source recipe", ..."""
    return {OURS: "our recipe", SOURCE: "the source recipe",
            EQUAL_EPOCHS: "the source recipe at our epochs",
            OUR_INPUT: "the source recipe with our input"}.get(name, name)


def against(difference: float, other: str) -> str:
    """A difference in words against ``other``: "+1.2 points against X", or "level with X" where
    it is below a tie's size."""
    if abs(100 * difference) < TIE_POINTS:
        return f"level with {other}"
    return f"{points(difference)} against {other}"


def percent(value: float) -> str:
    return f"{value:.1%}"


def points(value: float) -> str:
    return f"{100 * value:+.1f} points"


def unsigned_points(value: float) -> str:
    return f"{100 * abs(value):.1f} point{'' if round(100 * abs(value), 1) == 1 else 's'}"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """"1 seed", "3 seeds", "1,000 test images"."""
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def value_range(low: float, high: float, shown: Callable[[float], str] = "{:,}".format) -> str:
    """"200" where the two ends are one value, else "180 to 220"."""
    return shown(low) if shown(low) == shown(high) else f"{shown(low)} to {shown(high)}"


def how_fast(ratio: float) -> str:
    """A speed ratio (new / old) in words: "1.3 times as fast", "1.4 times slower", "as fast"."""
    if round(ratio, 1) == 1.0:
        return "as fast"
    return f"{ratio:.1f} times as fast" if ratio > 1 else f"{1 / ratio:.1f} times slower"


def speed_range(low: float, high: float) -> str:
    """A range of speed ratios in words, each end said the right way round."""
    if how_fast(low) == how_fast(high):
        return how_fast(low)
    return f"from {how_fast(low)} to {how_fast(high)}"


def compared(subject: str, first: str, first_value: float, second: str, second_value: float,
             p_value: float | None, real: bool | None, test: str) -> str:
    """"<subject>: <first> x % against <second> y %: a gain / a loss of z points (<test> p = q)"
    or "... no evidence that the two differ". "" when ``first`` and ``second`` are the same."""
    if first == second:
        return ""
    difference = first_value - second_value
    evidence = f"{test} p = {p_value:#.2g}" if p_value is not None and not pd.isna(p_value) \
        else test
    head = f"{subject}{': ' if subject else ''}{first} {percent(first_value)} against " \
           f"{second} {percent(second_value)}"
    if abs(100 * difference) < TIE_POINTS:
        return f"{head}: a tie ({evidence})."
    if not real:
        return f"{head} ({points(difference)}): no evidence that the two differ ({evidence})."
    side = "a gain" if difference > 0 else "a loss"
    return f"{head}: {side} of {unsigned_points(difference)} ({evidence})."


def best_of(values: Mapping[str, float], what: str) -> str:
    """Which of several options was best by ``what``: one name, several tied, or all tied."""
    shown = {name: percent(value) for name, value in values.items()}
    top = max(values.values())
    best = [name for name, value in values.items() if shown[name] == percent(top)]
    if len(best) == len(values) and len(values) > 1:
        both = "both" if len(values) == 2 else f"all {len(values)}"
        return f"{both} tied at {percent(top)} {what}"
    if len(best) > 1:
        return f"{', '.join(best[:-1])} and {best[-1]} tied for the best {what} ({percent(top)})"
    return f"{best[0]} had the best {what} ({percent(top)})"


def chosen_among(values: Mapping[str, float], chosen: str, what: str) -> str:
    """:func:`best_of`, and which option the run used where that is not plain from it (a tie,
    broken in favour of the first listed)."""
    top = percent(max(values.values()))
    best = [name for name, value in values.items() if percent(value) == top]
    said = best_of(values, what)
    return said if best == [chosen] else \
        f"{said}; the run used {chosen} (a tie goes to the first listed)"


def recipe_sentences(frame: pd.DataFrame) -> list[str]:
    """One sentence per model of ``significance.compare_recipes``'s table (McNemar's test on the
    shared test images)."""
    return [compared(f"**{row['model']}**", "our recipe", row["ours"], "the source recipe",
                     row["source recipe"], row["p-value"], row["real"], "McNemar")
            for row in frame.to_dict("records")]


def input_and_training_sentences(frame: pd.DataFrame) -> list[str]:
    """One sentence per row of ``significance.input_and_training``: what the input, then what
    the training bought, on the same test images."""
    return [compared(f"{row['model']}, what {row['what changed']} bought", row["after"],
                     row["ours"], row["before"], row["source recipe"], row["p-value"], row["real"],
                     "McNemar")
            for row in frame.to_dict("records")]


def source_figure_sentences(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """For each model and recipe with a source figure: our figure beside the source report's,
    same metric. Rows of several random seeds give their mean, as the findings table does."""
    runs: dict[tuple[str, str, str, float], list[float]] = {}
    for row in rows:
        metric, source = row.get("source_metric"), row.get("source_figure")
        if isinstance(metric, str) and source is not None and not pd.isna(source):
            runs.setdefault((row["model"], row["recipe"], metric, source), []).append(row[metric])
    sentences = []
    for (model, recipe, metric, source), values in runs.items():
        ours = sum(values) / len(values)
        over = f", mean of {count(len(values), 'random seed')}" if len(values) > 1 else ""
        named = metric.replace("_", " ").replace("acc", "accuracy").replace("val ", "validation ")
        sentences.append(f"{model} ({recipe_words(recipe)}{over}): {percent(ours)} {named} "
                         f"against the source report's {percent(source)} ({points(ours - source)}).")
    return sentences


def paired_sentence(row: Mapping[str, Any], seeds: int) -> str:
    """One row of ``spread.recipe_differences`` in words: ahead, behind, a tie or no evidence of
    a difference, over how many random seeds, with Holm's p-value ("" for a thing against
    itself)."""
    if row["first"] == row["second"]:
        return ""
    subject = (f"{row['model']}, " if row.get("model") else "") + \
        f"{recipe_words(row['first'])} against {recipe_words(row['second'])}"
    evidence = f"paired t-test over {count(seeds, 'random seed')}, Holm's p = " \
               f"{row['Holm p-value']:#.2g}"
    if abs(100 * row["difference"]) < TIE_POINTS:
        return f"{subject}: a tie ({evidence})."
    if not row["real"]:
        return (f"{subject}: {points(row['difference'])}, no evidence of a difference "
                f"({evidence}).")
    side = "ahead" if row["difference"] > 0 else "behind"
    return f"{subject}: {side} by {unsigned_points(row['difference'])} ({evidence})."


def recipe_tally(frame: pd.DataFrame) -> str:
    """``significance.compare_recipes``'s table in one sentence: for which models our recipe
    gained, lost, tied (a difference under :data:`TIE_POINTS`) or showed no evidence of a
    difference on the same test images."""
    tied = (100 * frame["difference"]).abs() < TIE_POINTS
    real = (frame["real"] == True) & ~tied  # noqa: E712
    gained = frame[real & (frame["difference"] > 0)]["model"]
    lost = frame[real & (frame["difference"] < 0)]["model"]
    unclear = frame[(frame["real"] != True) & ~tied]["model"]  # noqa: E712
    parts = [f"{what} for {', '.join(models)}" for what, models in
             (("a gain", gained), ("a loss", lost), ("no evidence of a difference", unclear),
              ("a tie", frame[tied]["model"])) if len(models)]
    return ("Our recipe against the source recipe on the same test images (McNemar's test): "
            + "; ".join(parts) + ".") if parts else ""


def calibration_sentence(rows: Iterable[Mapping[str, Any]], model: str) -> str:
    """How well ``model``'s confidence matched its accuracy, by recipe (means over random seeds):
    the expected calibration error on the test set, then after temperature scaling fitted on
    validation ("" when the rows hold no calibration figures)."""
    frame = pd.DataFrame(list(rows))
    if "test_ece" not in frame:
        return ""
    frame = frame[(frame["model"] == model) & frame["recipe"].isin([SOURCE, OURS])]
    if frame.empty:
        return ""
    means = frame.groupby("recipe", sort=False)[["test_ece", "test_ece_tempered",
                                                 "temperature"]].mean()
    recipes = [recipe for recipe in (SOURCE, OURS) if recipe in means.index]
    raw = ", ".join(f"{recipe_words(r)} {percent(means.loc[r, 'test_ece'])}" for r in recipes)
    scaled = ", ".join(f"{recipe_words(r)} {percent(means.loc[r, 'test_ece_tempered'])} "
                       f"(temperature {means.loc[r, 'temperature']:.2f})" for r in recipes)
    runs = frame.groupby("recipe").size().max()
    over = ", the mean over each recipe's random seeds; the reliability diagrams show the " \
        "first" if runs > 1 else ""
    return (f"Calibration of {model} (expected calibration error on the test set{over}; lower is "
            f"better): {raw}; after temperature scaling fitted on validation: {scaled}.")
