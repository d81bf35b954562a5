"""The sentence layer: conclusions written from the results, never typed. Each function turns
figures into one sentence (or a phrase) whose wording follows the numbers: ahead, behind, a tie
or a difference that is not significant; met, missed or undecided; a range that is one value; a
ratio above or below 1; one or several. A comparison of a thing with itself is never written: it gives "" (and
:func:`report.bullets` leaves empty lines out). Figures are written as ``report.formats`` writes
them, models and recipes by their names (``report.names``)."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from ..training.recipes import EQUAL_EPOCHS, OUR_INPUT, OURS, SOURCE
from .formats import p_equals, percent, points, points_interval, unsigned_points
from .names import model_name

TIE_POINTS = 0.05  # differences under 0.05 points print as 0.0: they are ties


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


def over_seeds(counts: Iterable[int]) -> str:
    """What a chart's figure is, from the random seeds of each of its trainings: "one random
    seed", "mean over random seeds", or "mean over its random seeds, one or several"."""
    counts = set(counts)
    if counts == {1}:
        return "one random seed"
    return "mean over random seeds" if 1 not in counts else \
        "mean over its random seeds, one or several"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """"1 random seed", "3 random seeds", "1,000 test images"."""
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def value_range(low: float, high: float, shown: Callable[[float], str] = "{:,}".format) -> str:
    """"200" where the two ends are one value, else "180 to 220"."""
    return shown(low) if shown(low) == shown(high) else f"{shown(low)} to {shown(high)}"


def how_long(speed_up: float) -> str:
    """A speed-up (old time / new time) in words, the right way round: "was 1.3 times as fast",
    "took 1.4 times as long", "took as long" (within 5%)."""
    if speed_up >= 1.05:
        return f"was {speed_up:.1f} times as fast"
    if speed_up <= 1 / 1.05:
        return f"took {1 / speed_up:.1f} times as long"
    return "took as long"


def _option(name: str) -> str:
    """An option's name, in quotes where its own commas or "and"s would blur a list."""
    return f"“{name}”" if re.search(r",| and | or ", name) else name


def best_of(values: Mapping[str, float], what: str) -> str:
    """Which of several options was best by ``what``: one name, several tied, or all tied."""
    top = max(values.values())
    best = [_option(name) for name, value in values.items() if percent(value) == percent(top)]
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
    said = best_of(values, what)  # names as given: the comparison below is of the options
    return said if best == [chosen] else \
        f"{said}; the run used {_option(chosen)} (a tie goes to the first listed)"


def _subject(row: Mapping[str, Any]) -> str:
    first = f"{model_name(row['model'])}, {recipe_words(row['first'])}"
    if row["second model"] == row["model"]:
        said = f"{first} against {recipe_words(row['second'])}"
    else:
        said = f"{first} against {model_name(row['second model'])}, {recipe_words(row['second'])}"
    return said[0].upper() + said[1:]


def family_sentence(row: Mapping[str, Any]) -> str:
    """One tested comparison (a row of ``stats.Family.frame``) in words: ahead, behind, a tie or
    not significant, with its interval, test and Holm's p-value."""
    if row["model"] == row["second model"] and row["first"] == row["second"]:
        return ""
    evidence = (f"95% interval {points_interval(row['95% low'], row['95% high'])} points; "
                f"{row['test']}, {p_equals(row['Holm p-value'], 'Holm' + chr(39) + 's p')}")
    if abs(100 * row["difference"]) < TIE_POINTS:
        return f"{_subject(row)}: a tie ({evidence})."
    if not row["real"]:
        caveat = _why_the_interval_leaves_out_zero(row)
        return (f"{_subject(row)}: {points(row['difference'])}, not significant "
                f"({evidence}){caveat}.")
    side = "ahead" if row["difference"] > 0 else "behind"
    return f"{_subject(row)}: {side} by {unsigned_points(row['difference'])} ({evidence})."


def leaves_out_zero(low: float, high: float) -> bool:
    """Whether an interval leaves out zero as printed (to 0.1 points)."""
    return round(100 * low, 1) > 0 or round(100 * high, 1) < 0


def _why_the_interval_leaves_out_zero(row: Mapping[str, Any]) -> str:
    """Where a difference that is not significant has an interval (as printed) without zero:
    why both hold, by the kind of interval the test took."""
    if not leaves_out_zero(row["95% low"], row["95% high"]):
        return ""
    if re.match(r"(Welch's t-test, |paired t-test over)", row["test"]):
        return ("; the interval leaves out zero, but it is a bootstrap over few random seeds, "
                "which runs narrow")
    return ("; the interval leaves out zero, but unlike Holm's p it is not corrected for the "
            "family's other tests")


def family_sentences(frame: pd.DataFrame) -> list[str]:
    """Every comparison of a family in words, then what to make of a seed test and McNemar's test
    of the same pair that disagree."""
    if frame.empty:
        return []
    return [family_sentence(row) for row in frame.to_dict("records")] + disagreements(frame)


def disagreements(frame: pd.DataFrame) -> list[str]:
    """For each pair compared both over random seeds and on one seed's test images with different
    verdicts: which test found a difference, and why both can hold."""
    sentences = []
    for _, pair in frame.groupby(["model", "first", "second model", "second"], sort=False):
        seeds = pair[~pair["test"].str.startswith("McNemar")]
        images = pair[pair["test"].str.startswith("McNemar")]
        if seeds.empty or images.empty or seeds["real"].iloc[0] == images["real"].iloc[0]:
            continue
        subject = _subject(pair.iloc[0].to_dict())
        if images["real"].iloc[0]:
            sentences.append(
                f"{subject}: McNemar's test finds a difference between the two models of one "
                "random seed on these test images, the test over random seeds does not: with "
                f"{_seed_counts(seeds['test'].iloc[0])} its few degrees of freedom, and Holm's "
                "correction over the family, ask for a larger difference before they say that "
                "another seed would differ too.")
        else:
            sentences.append(
                f"{subject}: the test over random seeds finds a difference that McNemar's test on "
                "one seed's pair of models does not: that pair disagrees on too few test images "
                "for one pair alone to show it.")
    return sentences


def _seed_counts(test: str) -> str:
    """"2 and 2 random seeds" from a test's description ("Welch's t-test, 2 and 2 random
    seeds"); "its random seeds" where the description names none."""
    counted = test.split(", ", 1)[1] if ", " in test else ""
    return counted.split(" (")[0] if "random seed" in counted else "its random seeds"


def source_figure_sentences(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """For each model and recipe with a source figure: our figure beside the source report's,
    same metric and epoch rule. Rows of several random seeds give their mean."""
    runs: dict[tuple[str, str, str, float], list[float]] = {}
    for row in rows:
        metric, source = row.get("source_metric"), row.get("source_figure")
        if isinstance(metric, str) and source is not None and not pd.isna(source):
            column = f"{metric}_final_epoch" if row.get("source_epoch") == "final" and \
                f"{metric}_final_epoch" in row and row["recipe"] == SOURCE else metric
            runs.setdefault((row["model"], row["recipe"], metric, source), []).append(row[column])
    sentences = []
    for (model, recipe, metric, source), values in runs.items():
        ours = sum(values) / len(values)
        over = f", mean of {count(len(values), 'random seed')}" if len(values) > 1 else ""
        named = {"test_acc": "test accuracy", "val_acc": "validation accuracy"}.get(metric, metric)
        said = (f"{model_name(model)} ({recipe_words(recipe)}{over}): {percent(ours)} "
                f"{named} against the source report's {percent(source)} "
                f"({points(ours - source)}).")
        sentences.append(said[0].upper() + said[1:])
    return sentences


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
    runs = frame.groupby("recipe").size().max()
    temperature = "mean temperature" if runs > 1 else "temperature"  # each seed fits its own
    scaled = ", ".join(f"{recipe_words(r)} {percent(means.loc[r, 'test_ece_tempered'])} "
                       f"({temperature} {means.loc[r, 'temperature']:.2f})" for r in recipes)
    over = ", the mean over each recipe's random seeds; the reliability diagrams show the " \
        "first" if runs > 1 else ""
    named = model_name(model)
    worse = [recipe_words(r) for r in recipes
             if round(100 * means.loc[r, "test_ece_tempered"], 1)
             > round(100 * means.loc[r, "test_ece"], 1)]
    caveat = (f" Scaling raised the error of {' and '.join(worse)}: the temperature minimises the "
              "validation images' cross-entropy, not the calibration error, and does not always "
              "carry over to the test set." if worse else "")
    return (f"{named[0].upper() + named[1:]}'s calibration (expected calibration error on the "
            f"test set{over}; lower is better): {raw}; after temperature scaling fitted on "
            f"validation: {scaled}.{caveat}")
