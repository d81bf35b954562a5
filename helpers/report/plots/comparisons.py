"""Plots that compare models or recipes: spreads over seeds, recipes against the source reports,
the ladder, the superclass mappings, accuracy against size."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from .style import RECIPE_COLOURS, axis, series_styles


LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}  # no grid line through a label


def spread_by_group(frame: pd.DataFrame, group: str, value: str, references: dict[str, float],
                    title: str = "", ax: Axes | None = None) -> Axes:
    """Runs of the source recipe: one dot per run, the mean of each group as a bar (the source
    recipe's colour), and the source report's single figure as a black mark, as in every chart."""
    ax = axis(ax, figsize=(8, 3.8))
    order = list(dict.fromkeys(frame[group]))
    sns.barplot(data=frame, x=group, y=value, order=order, errorbar=None, ax=ax,
                color=RECIPE_COLOURS["source recipe"], label="mean over random seeds")
    sns.stripplot(data=frame, x=group, y=value, order=order, color="black", size=5, jitter=0.15,
                  ax=ax, label="one run (random seed)")
    marks = [(i, references[name]) for i, name in enumerate(order) if name in references]
    if marks:
        ax.scatter(*zip(*marks), marker="_", s=900, linewidths=2.5, color="black", zorder=5,
                   label="source report's figure")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title)
    return ax


def recipes_against_source(table: pd.DataFrame, title: str = "", ax: Axes | None = None,
                           seeds: str = "mean over random seeds") -> Axes:
    """Test accuracy per model with the source recipe and with ours (bars, means over random
    seeds), the source report's figure (black mark) and our goal (red mark); ``table`` has columns
    model, "source recipe", "our recipe" and optionally "source figure" and "goal" (0-1, empty
    where there is none); ``seeds`` says what a bar is."""
    ax = axis(ax, (8, 0.6 * len(table) + 1.4))
    positions = np.arange(len(table))
    for offset, column in ((-0.2, "source recipe"), (0.2, "our recipe")):
        if column in table:
            ax.barh(positions + offset, 100 * table[column].astype(float), height=0.38,
                    color=RECIPE_COLOURS[column], label=f"{column}, {seeds}")
    for column, colour, marker, label, offset in (  # each beside its recipe's bar
            ("source figure", "black", "|", "source report's figure", -0.2),
            ("goal", "tab:red", "d", "our goal on real data", 0.2)):
        if column in table:
            values = table[column].astype(float)
            shown = values.notna().to_numpy()
            ax.scatter(100 * values[shown], positions[shown] + offset, color=colour, marker=marker,
                       s=160, zorder=3, label=label, linewidths=2.5)
    ax.set_yticks(positions, table["model"])
    ax.invert_yaxis()
    ax.set(xlabel="test accuracy (%)", xlim=(0, 100), title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.5 / (len(table) + 3)), ncol=2,
              markerscale=0.6)  # the markers' size on the bars, within the legend's frame
    return ax


def ladder_bars(table: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """Test accuracy after each step from the source recipe to ours (``table``: columns step and
    test_acc, 0-1), each bar labelled with its gain over the step before."""
    ax = axis(ax, (8, 0.5 * len(table) + 1.2))
    values = 100 * table["test_acc"].to_numpy(dtype=float)
    ax.barh(table["step"], values, color=[RECIPE_COLOURS["source recipe"]]  # from the source
            + sns.light_palette(RECIPE_COLOURS["our recipe"], len(table))[1:])  # recipe to ours
    for position, (value, gain) in enumerate(zip(values, np.diff(values, prepend=np.nan))):
        text = f"{value:.1f}%" + ("" if np.isnan(gain) else f" ({gain:+.1f})")
        ax.text(value + 0.5, position, text, va="center", fontsize=8, bbox=LABEL_BOX)
    ax.invert_yaxis()
    low = max(0.0, values.min() - 15)
    starts = f"; the axis starts at {low:.0f}%" if low > 0 else ""
    label_share = 0.18  # of the axis' width: the widest label, "100.0% (+10.0)", inside the frame
    high = (values.max() + 0.5 - label_share * low) / (1 - label_share)
    ax.set(xlabel=f"test accuracy (%{starts})", xlim=(low, high), title=title)
    ax.set_xticks([tick for tick in ax.get_xticks() if low <= tick <= 100])
    return ax


def mapping_bars(table: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """Superclass test accuracy of each way to get it (``table``: columns method, accuracy 0-1)."""
    ordered = table.sort_values("accuracy")
    ax = axis(ax, figsize=(8, 0.45 * len(table) + 1.2))
    ax.barh(ordered["method"], 100 * ordered["accuracy"], color=RECIPE_COLOURS["our recipe"])
    for position, value in enumerate(ordered["accuracy"]):
        ax.text(100 * value + 0.5, position, f"{value:.1%}", va="center", fontsize=8,
                bbox=LABEL_BOX)
    ax.set(xlabel="superclass test accuracy (%)", xlim=(0, 100), title=title)
    return ax


def accuracy_by_parameters(frame: pd.DataFrame, published: dict[int, float], title: str = "",
                           ax: Axes | None = None, lines: bool = True) -> Axes:
    """Test accuracy against trainable parameters (log scale): one series per ``family`` of
    ``frame`` (columns family, params, test_acc), joined by lines where ``lines``, and source report 001's
    published points."""
    ax = axis(ax, (8, 4.8))
    groups = list(frame.sort_values("params").groupby("family", sort=False))
    styles = series_styles([family for family, _ in groups])
    for family, rows in groups:
        ax.plot(rows["params"], 100 * rows["test_acc"], label=f"{family} (this run)",
                **{**styles[family], **({} if lines else {"linestyle": "none"})})
    ax.plot(list(published), [100 * v for v in published.values()], linestyle="none", marker="x",
            markersize=9, color="black", label="source report 001 (published)")
    ax.set_xscale("log")
    ax.set(xlabel="trainable parameters (log scale)", ylabel="top-1 test accuracy (%)", title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=9)  # below, not beside
    return ax


def accuracy_by_parameters_by_dataset(frame: pd.DataFrame, published: dict[str, dict[int, float]],
                                      title: str) -> list[Axes]:
    """Test accuracy against trainable parameters (log scale), one panel per data set of ``frame``
    (columns dataset, recipe, params, test_acc), one colour per recipe, with the source reports'
    published points of each data set (``published``: data set -> parameters -> accuracy)."""
    return accuracy_against_by_dataset(frame, "params", "trainable parameters (log scale)",
                                       published, title)


def accuracy_against_by_dataset(frame: pd.DataFrame, x: str, xlabel: str,
                                published: dict[str, dict[float, float]], title: str
                                ) -> list[Axes]:
    """Test accuracy against column ``x`` of ``frame`` (log scale; parameters, training
    multiply-adds, ...), one panel per data set, one colour per recipe, with published points
    where ``published`` gives them (data set -> x -> accuracy)."""
    frame = frame.dropna(subset=[x])
    datasets = list(dict.fromkeys(frame["dataset"]))
    figure, axes = plt.subplots(1, len(datasets), figsize=(3.9 * len(datasets), 3.6),
                                squeeze=False)
    colours = {**dict(zip(dict.fromkeys(frame["recipe"]), sns.color_palette("colorblind")[3:])),
               **RECIPE_COLOURS}
    for ax, dataset in zip(axes[0], datasets):
        rows = frame[frame["dataset"] == dataset]
        for recipe, group in rows.groupby("recipe", sort=False):
            ax.plot(group[x], 100 * group["test_acc"], marker="o", linestyle="none",
                    color=colours[recipe], label=recipe, alpha=0.8)
        points = published.get(dataset, {})
        if points:
            ax.plot(list(points), [100 * v for v in points.values()], linestyle="none", marker="x",
                    markersize=8, color="black", label="source report (published)")
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())  # decades only: minor labels collide
        ax.set_title(dataset, fontsize=10)
        ax.set(xlabel=xlabel, ylabel="test accuracy (%)")
    handles = {label: handle for ax in axes[0] for handle, label in
               zip(*ax.get_legend_handles_labels())}
    figure.legend(handles.values(), handles.keys(), loc="upper center", ncol=len(handles),
                  fontsize=8, bbox_to_anchor=(0.5, 1.02))
    figure.suptitle(title, y=1.1, fontweight="bold")
    figure.tight_layout()
    return list(axes[0])
