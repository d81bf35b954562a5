"""Tables as a notebook shows them: :func:`table` formats each column by a named format chosen from
its name (``report.formats``: one format per kind of figure) and shows models, recipes and
classes by their readable names (``report.names``); the standard tables of the project's results
follow it."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import torch
from IPython.display import display
from torch import nn

from . import formats, names
from .sentences import TIE_POINTS, leaves_out_zero

VERDICTS = {"met": "✓ met", "missed": "✗ missed", "undecided": "undecided"}

FORMATS: dict[str, Callable[[Any], str]] = {
    "percent": formats.percent, "count": formats.count,
    "seconds": lambda value: f"{value:.2f}" if value < 1 else f"{value:.1f}",
    "points": lambda value: f"{value:+.1f}", "loss": "{:.3f}".format, "p-value": formats.p_value,
    "ratio": "{:.2f}".format, "fraction": "{:.4f}".format, "times": "{:.2f}".format,
    "large": formats.large, "text": str,
}
_RULES: list[tuple[tuple[str, ...], str]] = [  # the first rule whose word is in the name wins
    (("p-value",), "p-value"),
    (("multiply-adds", "multiply_adds"), "large"),
    (("difference", "points", "gain", "change"), "points"),
    (("speed-up", "times"), "times"),  # the header says "times": the cell is the figure
    (("seconds", "(s)"), "seconds"),
    (("loss", "cross-entropy", "temperature"), "loss"),
    (("params", "parameters", "input side", "budget"), "count"),
    (("acc", "top-1", "top-5", "goal", "precision", "recall", "f1", "share", "source",
      "per class", "ece", "mean", "std", "this run", "mistakes", "chance"), "percent"),
    (("images", "support", "mib", "epochs", "seeds"), "count"),
]
SHOWN_BY_NAME = {"model": names.model_name, "recipe": names.recipe_name,
                 "class": names.class_name, "superclass": names.class_name,
                 "fine classes": names.class_name, "notebook": names.notebook_name}


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
    ``formats``: column -> a name of :data:`FORMATS`), models, recipes and classes by name, empty
    cells blank. A column with one value in every row of several is said once, in the caption."""
    frame = frame.assign(**{column: frame[column].map({True: "yes", False: "no"})
                            for column in frame.columns if _is_yes_no(frame[column])})
    frame = frame.assign(**{column: frame[column].map(name) for column, name in
                            SHOWN_BY_NAME.items() if column in frame})
    frame, caption = _constants_in_caption(frame, caption, formats or {})
    chosen = {column: FORMATS[(formats or {}).get(column) or column_format(str(column)) or "text"]
              for column in frame.columns if pd.api.types.is_numeric_dtype(frame[column])}
    styled = frame.style.format({c: f for c, f in chosen.items() if f is not str}, na_rep="")
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
        shown = FORMATS[named](value) if pd.api.types.is_number(value) else value
        said.append(f"{column}: {shown}")
    caption = caption + (f" ({'; '.join(said)} in every row)" if said else "")
    return frame.drop(columns=constant), caption


RESULT_VIEW = {"model": "model", "recipe": "recipe", "seed": "random seed",
               "params": "trainable parameters", "epochs_run": "epochs run",
               "best_epoch": "kept epoch", "val_acc": "validation accuracy",
               "test_acc": "test accuracy",
               "test_acc_no_tta": "test accuracy, no test-time views",
               "seconds": "training seconds"}  # the source figures and goals: the findings table


def results_table(rows: Iterable[Mapping[str, Any]], caption: str,
                  extra: Mapping[str, str] | None = None) -> None:
    """The standard results table of the given rows (``extra``: more columns, name -> heading)."""
    frame = in_reading_order(pd.DataFrame(list(rows)))
    view = {**RESULT_VIEW, **(extra or {})}
    table(frame.reindex(columns=list(view)).rename(columns=view).dropna(axis=1, how="all"),
          caption)


def in_reading_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by model and recipe (each in the order it first appears), then by random seed."""
    keys = [key for key in ("model", "recipe") if key in frame]
    order = {key: {value: rank for rank, value in enumerate(frame[key].unique())} for key in keys}
    by = [*keys, "seed"] if "seed" in frame else keys
    return frame.sort_values(by, key=lambda column: column.map(order[column.name])
                             if column.name in order else column, kind="stable")


def family_table(frame: pd.DataFrame, caption: str) -> None:
    """The table of a notebook's tested comparisons (``stats.Family.frame``): what against what,
    the test, the difference in points with its 95 % interval, the p-value before and after
    Holm's correction over the whole family, and the verdict."""
    if frame.empty:
        return
    both = [f"{names.model_name(first_model)}, {names.recipe_name(first)} against "
            + (names.recipe_name(second) if first_model == second_model
               else f"{names.model_name(second_model)}, {names.recipe_name(second)}")
            for first_model, first, second_model, second in
            frame[["model", "first", "second model", "second"]].itertuples(index=False)]
    shown = pd.DataFrame({
        "comparison": both, "test": frame["test"],
        "difference (points)": 100 * frame["difference"],
        "95% interval (points)": [formats.points_interval(low, high)
                                  for low, high in zip(frame["95% low"], frame["95% high"])],
        "p-value before Holm": frame["p-value"], "Holm's p-value": frame["Holm p-value"],
        "verdict": [verdict(row) for row in frame.to_dict("records")]})
    apart = [verdict(row) == "not significant" and leaves_out_zero(row["95% low"], row["95% high"])
             for row in frame.to_dict("records")]
    table(shown, caption + ("; where an interval leaves out zero beside \"not significant\", "
                            "the test decides (the interval is not corrected for the family, "
                            "and a bootstrap over few random seeds runs narrow)" if any(apart)
                            else ""))


def verdict(row: Mapping[str, Any]) -> str:
    """A tested comparison's verdict in the words of the findings: a tie, significant or not."""
    if abs(100 * row["difference"]) < TIE_POINTS:
        return "a tie"
    return "significant" if row["real"] else "not significant"


def trials_table(trials: Mapping[Any, pd.DataFrame], key: str, option: str, caption: str) -> None:
    """Several choices made by :func:`experiments.choose_on_validation` in one table: a row per
    option, ``key`` naming what each choice was for (its keys in ``trials``) and ``option`` what
    its options are; validation figures only."""
    frame = pd.concat([trial.assign(**{key: name}) for name, trial in trials.items()],
                      ignore_index=True)
    table(frame[[key, "option", "validation accuracy (mean)", "chosen"]].rename(
        columns={"option": option, "validation accuracy (mean)": "validation accuracy"}),
        caption)


def seeds_table(frame: pd.DataFrame, caption: str) -> None:
    """The table of ``spread.spread_by_recipe``: each model and recipe over its random seeds -
    mean, standard deviation, the 95 % interval over seeds and test images, goal and verdict."""
    shown = frame.assign(**{"95% interval": [formats.percent_interval(low, high) for low, high
                                             in zip(frame["95% low"], frame["95% high"])],
                            "verdict": frame["verdict"].map(lambda v: VERDICTS.get(v, v))})
    shown = shown[["model", "recipe", "seeds", "mean", "std", "95% interval", "goal", "verdict"]]
    empty = [column for column in ("goal", "verdict")
             if shown[column].replace("", None).isna().all()]  # no goal among these models
    table(shown.drop(columns=empty).rename(
        columns={"seeds": "random seeds", "verdict": "goal verdict"}), caption,
        formats={"random seeds": "count"})


def recipes_table(recipes: Mapping[str, Any], caption: str, images: int | None = None,
                  run: Any = None) -> None:
    """Recipes side by side (name -> ``recipes.Recipe``), one row per setting in words; with
    ``images`` (this run's training images), the batch sizes this run trains with; with ``run``,
    the epochs it runs where it cuts trainings short (a rehearsal)."""
    settings = {name: recipe.in_words(images) for name, recipe in recipes.items()}
    for name, recipe in recipes.items():
        ran = run.passes.epochs(recipe.epochs) if run is not None else recipe.epochs
        if ran < recipe.epochs:
            settings[name]["epochs"] += f" (this {run.profile.name} runs {ran:,})"
    table(pd.DataFrame(settings).rename_axis("setting").reset_index(), caption)


def layers_table(model: nn.Module, input_size: tuple[int, ...], caption: str) -> None:
    """The layers of ``model`` that hold parameters or change the shape, each with its output
    shape and parameters, as one image of ``input_size`` passes through."""
    rows: list[dict[str, Any]] = []

    def note(layer: nn.Module, _: Any, output: torch.Tensor) -> None:
        weights = sum(p.numel() for p in layer.parameters(recurse=False))
        if weights or isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)):
            rows.append({"layer": type(layer).__name__,
                         "output shape": " x ".join(map(str, output.shape[1:])),
                         "parameters": weights})

    hooks = [layer.register_forward_hook(note) for layer in model.modules()
             if not list(layer.children())]
    device = next(model.parameters()).device
    with torch.no_grad():
        model.eval()(torch.zeros(1, *input_size, device=device))
    for hook in hooks:
        hook.remove()
    frame = pd.DataFrame(rows)
    total = pd.DataFrame([{"layer": "all layers", "output shape": "",
                           "parameters": frame["parameters"].sum()}])
    table(pd.concat([frame, total], ignore_index=True), caption)


def split_sizes(splits: Any, dataset: str) -> str:
    """"The CIFAR-10 split: 45,000 training, 5,000 validation and 10,000 test images."""
    sizes = splits.sizes()
    return (f"The {dataset} split: {sizes['train']:,} training, {sizes['val']:,} validation and "
            f"{sizes['test']:,} test images.")
