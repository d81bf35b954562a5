"""The report layer: what a notebook shows, so that each cell reads as what it shows.

- :func:`start`: a notebook's preamble in one call (set-up, where it runs, notices, results file);
- :func:`table`: any table, each column formatted by a named format chosen from its name;
- :func:`results_table`, :func:`recipe_comparison`, :func:`seeds_table`: the standard tables;
- :func:`findings`: the table that opens a PDF (``diagnostics``: the compact diagnostics);
- :func:`bullets` and the sentence builders: conclusions written from the results, never typed;
- :func:`show_source`: the real code of a function, as the notebook's reader should see it.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Code, Markdown, display

from . import plots
from .config import Run, setup
from .findings import MIXED_SEEDS, findings_frame
from .results import ResultsFile

REPORTED_EPOCH = ("**Which epoch is reported.** Every model in this project is reported by one "
                  "rule: training stops early once the validation loss has not improved for the "
                  "recipe's patience (the source recipes; ours run their whole schedule), and the "
                  "weights kept - evaluated on the test set - are those of the epoch with the "
                  "highest validation accuracy.")

# --- the preamble -----------------------------------------------------------------------------


def start(notebook: str, *, profile: str, device: str, seed: int, data_root: str,
          trains: bool = True, pretrained: bool = False, resume: bool = False
          ) -> tuple[Run, ResultsFile]:
    """Set the notebook up (``config.setup``), say where it runs, show the profile's data notice,
    its weights notice where the notebook uses ``pretrained`` models and, for a notebook that
    trains, the reporting rule; return the run and the notebook's results file. ``resume``: its
    trainings continue from (or read back) their checkpoints instead of training again."""
    run = setup(profile=profile, device=device, seed=seed, data_root=data_root, notebook=notebook,
                resume=resume)
    print(run.describe())
    notices = [run.data_notice(), run.weights_notice() if pretrained else "",
               REPORTED_EPOCH if trains else ""]
    display(Markdown("\n\n".join(notice for notice in notices if notice)))
    return run, ResultsFile(run.results_file)


# --- tables -----------------------------------------------------------------------------------

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
    plots.recipes_against_seed(chart, title)
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


# --- text -----------------------------------------------------------------------------------


def bullets(lines: Iterable[str]) -> None:
    """Show a Markdown list (the conclusion of a notebook)."""
    display(Markdown("\n".join(f"- {line}" for line in lines if line)))


def text(markdown: str) -> None:
    display(Markdown(markdown))


# --- code and findings ---------------------------------------------------------------------


def model_summary(model: Any, input_size: Sequence[int], device: Any) -> None:
    """torchinfo's layer table of ``model`` (output shape and parameters of every layer). torchinfo
    1.8 prints its unit as "Units.MEGABYTES" on Python 3.11+; the table says "M"."""
    from torchinfo import Units, summary

    text = str(summary(model, input_size=tuple(input_size), device=device, verbose=0,
                       col_names=("output_size", "num_params")))
    for unit in Units:
        text = text.replace(f"({unit.__class__.__name__}.{unit.name})", f"({unit.value})")
    print(text)


def show_source(*functions: Callable) -> None:
    """The source code of each function, exactly as the package runs it."""
    for function in functions:
        display(Code(inspect.getsource(function), language="python"))


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
