"""Tables as a notebook shows them: :func:`table` formats each column by a named format chosen from
its name; :func:`results_table`, :func:`recipe_comparison`, :func:`seeds_table` and the others are
the standard tables of the project's results."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from . import plots

FORMATS = {
    "percent": "{:.1%}", "count": "{:,.0f}", "seconds": "{:.1f}", "points": "{:+.1f}",
    "loss": "{:.3f}", "p-value": "{:#.2g}", "ratio": "{:.2f}", "fraction": "{:.4f}",
    "times": "{:.1f}x", "scientific": "{:.2e}", "text": "{}",
}
_RULES: list[tuple[tuple[str, ...], str]] = [  # the first rule whose word is in the name wins
    (("p-value",), "p-value"),
    (("multiply_adds",), "scientific"),
    (("difference", "points", "gain"), "points"),
    (("speed-up",), "times"),
    (("seconds", "(s)"), "seconds"),
    (("loss", "cross-entropy"), "loss"),
    (("acc", "top-1", "top-5", "goal", "precision", "recall", "f1", "share", "source figure",
      "per class"), "percent"),
    (("params", "parameters", "trainable", "images", "budget", "support", "mib", "epochs run"),
     "count"),
]


def column_format(name: str) -> str | None:
    """The named format of a column, from its name (None: as pandas shows it)."""
    lowered = f"{name} ".lower()
    for words, format_name in _RULES:
        if any(word in lowered for word in words):
            return format_name
    return None


def table(frame: pd.DataFrame, caption: str, formats: Mapping[str, str] | None = None,
          index: bool = False) -> None:
    """Show ``frame`` with a caption, each numeric column in its named format (from its name, or
    ``formats``: column -> a name of :data:`FORMATS`), empty cells blank. A column with one value
    in every row of several is said once, in the caption, instead of repeated."""
    frame = frame.assign(**{column: frame[column].map({True: "yes", False: "no"})
                            for column in frame.columns if _is_yes_no(frame[column])}
                         ).rename(columns={"real": "significant"})
    frame, caption = _constants_in_caption(frame, caption, formats or {})
    chosen = {column: FORMATS[(formats or {}).get(column) or column_format(str(column)) or "text"]
              for column in frame.columns if pd.api.types.is_numeric_dtype(frame[column])}
    styled = frame.style.format({c: f for c, f in chosen.items() if f != "{}"}, na_rep="")
    display(styled.set_caption(caption) if index else styled.hide(axis="index").set_caption(caption))


def _is_yes_no(column: pd.Series) -> bool:
    present = column.dropna()
    return len(present) > 0 and all(isinstance(v, (bool, np.bool_)) for v in present)


def _constants_in_caption(frame: pd.DataFrame, caption: str, formats: Mapping[str, str]
                          ) -> tuple[pd.DataFrame, str]:
    if len(frame) < 2:
        return frame, caption
    constant = [column for column in frame.columns[1:]
                if frame[column].nunique(dropna=False) == 1
                and (formats.get(column) or column_format(str(column))) != "percent"]  # results stay
    said = []
    for column in constant:
        value = frame[column].iloc[0]
        if pd.isna(value) or value == "":
            continue
        named = formats.get(column) or column_format(str(column)) or "text"
        if isinstance(value, (bool, np.bool_)):
            shown = "yes" if value else "no"
        else:
            shown = FORMATS[named].format(value) if pd.api.types.is_number(value) else value
        said.append(f"{column}: {shown}")
    caption = caption + (f" ({'; '.join(said)} in every row)" if said else "")
    return frame.drop(columns=constant), caption


RESULT_VIEW = {"model": "model", "recipe": "recipe", "seed": "random seed",
               "params": "trainable params",
               "epochs_run": "epochs run", "best_epoch": "kept epoch", "val_acc": "val acc",
               "test_acc": "test acc", "test_acc_no_tta": "test acc without TTA",
               "seconds": "seconds"}  # the source figures and goals are in the findings table


def results_table(rows: Iterable[Mapping[str, Any]], caption: str,
                  extra: Mapping[str, str] | None = None) -> None:
    """The standard results table of the given rows (``extra``: more columns, name -> heading)."""
    frame = pd.DataFrame(list(rows))
    view = {**RESULT_VIEW, **(extra or {})}
    shown = frame.reindex(columns=list(view)).rename(columns=view).dropna(axis=1, how="all")
    table(shown, caption)


def recipe_comparison(frame: pd.DataFrame, caption: str = "The source recipe against ours, on "
                      "the same test images (McNemar's test)",
                      names: tuple[str, str] = ("source recipe", "ours")) -> None:
    """The table of ``significance.compare_recipes``, the difference in percentage points;
    ``names`` head the two accuracy columns."""
    shown = frame.assign(difference=100 * frame["difference"], **{
        "95% interval (points)": [_interval(low, high, points=True)
                                  for low, high in frame["interval"]]})
    shown = shown.drop(columns=["interval"]).rename(columns=dict(zip(("source recipe", "ours"),
                                                                     names)))
    table(shown, caption, formats={name: "percent" for name in names})


def recipes_chart(rows: Iterable[Mapping[str, Any]], title: str) -> None:
    """Test accuracy per model with each recipe, beside the source report's figure and our goal
    (from the results rows' ``source_figure`` and ``goal``)."""
    frame = pd.DataFrame(list(rows))
    models = list(dict.fromkeys(frame["model"]))
    by_recipe = frame.pivot_table(index="model", columns="recipe", values="test_acc",
                                  aggfunc="first").reindex(models)
    first = frame.groupby("model", sort=False).first().reindex(models)
    ours = frame[frame["recipe"] == "ours"].groupby("model").first().reindex(models)
    chart = pd.DataFrame({"model": models,
                          "source recipe": by_recipe.get("source", pd.Series(index=models)).to_numpy(),
                          "ours": by_recipe.get("ours", pd.Series(index=models)).to_numpy(),
                          "source figure": first["source_figure"].to_numpy(),
                          "goal": ours["goal"].to_numpy()})
    plots.recipes_against_source(chart, title)
    plt.show()


def trials_table(trials: Mapping[Any, pd.DataFrame], key: str, option: str, caption: str) -> None:
    """Several choices made by :func:`experiments.choose_on_validation` in one table: a row per
    option, ``key`` naming what each choice was for (its keys in ``trials``) and ``option`` what
    its options are; validation figures only."""
    frame = pd.concat([trial.assign(**{key: name}) for name, trial in trials.items()],
                      ignore_index=True)
    table(frame[[key, "option", "validation accuracy (mean)", "chosen"]].rename(
        columns={"option": option, "validation accuracy (mean)": "val acc"}), caption)


def seeds_table(frame: pd.DataFrame, caption: str) -> None:
    """The table of ``spread.spread_by_recipe``: mean, standard deviation and the 95 % interval of
    each model and recipe over its seeds, the goal and the verdict."""
    shown = frame.assign(**{"95% interval": [_interval(low, high) for low, high in
                                              zip(frame["95% low"], frame["95% high"])]})
    empty = [column for column in ("goal", "verdict")
             if shown[column].replace("", None).isna().all()]  # no goal among these models
    table(shown.drop(columns=["95% low", "95% high", *empty]), caption,
          formats={"mean": "percent", "std": "percent", "seeds": "count"})


def differences_table(frame: pd.DataFrame, caption: str) -> None:
    """The table of ``spread.recipe_differences``: differences and intervals in points."""
    shown = frame.assign(difference=100 * frame["difference"], **{
        "95% interval (points)": [_interval(low, high, points=True) for low, high in
                                  zip(frame["95% low"], frame["95% high"])]})
    if "Holm p-value" in shown:  # the verdict reads Holm's; the raw one is named as such
        shown = shown.rename(columns={"p-value": "p-value before Holm"})
    table(shown.drop(columns=["95% low", "95% high"]), caption)


def _interval(low: float, high: float, points: bool = False) -> str:
    """An interval in points, or of an accuracy in percent (clipped to 0-100 %, where a wide
    t-interval of few seeds would reach past them)."""
    if pd.isna(low):
        return ""
    ends = (f"{max(100 * low, -100):+.1f}", f"{min(100 * high, 100):+.1f}") if points else \
        (f"{max(low, 0.0):.1%}", f"{min(high, 1.0):.1%}")  # a few runs give wide intervals
    return ends[0] if ends[0] == ends[1] else f"{ends[0]} to {ends[1]}"


def welch_table(frame: pd.DataFrame, caption: str) -> None:
    """The table of ``significance.pairwise_welch``, differences in percentage points."""
    shown = frame.assign(difference=100 * frame["difference"], **{
        "95% interval (points)": [_interval(*i, points=True) if isinstance(i, tuple) else ""
                                  for i in frame["95% interval"]]})
    table(shown.drop(columns=["95% interval"]), caption)
