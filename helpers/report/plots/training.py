"""Plots of one training and its errors: curves per epoch, confusion matrices, per-class bars."""

from __future__ import annotations

import textwrap
from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .style import RECIPE_COLOURS, axis, series_styles, whole_epochs


def loss_curves_by_model(histories: dict[str, Any], title: str = "",
                         axes: Sequence[Axes] | None = None) -> Sequence[Axes]:
    """Training and validation cross-entropy per epoch, one line per model (label -> its
    ``History``), side by side (the source report's "training loss / test loss for different models");
    each model's kept epoch is a dot."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    colours = sns.color_palette("viridis", len(histories))
    for colour, (label, history) in zip(colours, histories.items()):
        frame = history.frame().set_index("epoch", drop=False)
        # markers, so that a training of one epoch still shows
        axes[0].plot(frame["epoch"], frame["train_loss"], color=colour, label=label, marker=".")
        axes[1].plot(frame["epoch"], frame["val_loss"], color=colour, label=label, marker=".")
        axes[1].plot(history.best_epoch, frame.loc[history.best_epoch, "val_loss"], "o",
                     color=colour)
    for ax, name in zip(axes, ("training", "validation")):
        ax.set(xlabel="epoch", ylabel="cross-entropy", title=f"{title}: {name} loss".lstrip(": "))
        whole_epochs(ax)
    axes[1].legend(fontsize=7, title="model", title_fontsize=8)
    return axes


def confusion_by_superclass(matrix: np.ndarray, fine_to_coarse: Sequence[int],
                            superclass_names: Sequence[str], title: str = "",
                            ax: Axes | None = None) -> Axes:
    """A fine-class confusion matrix (row-normalised, %) with the classes ordered by superclass, so
    that confusions inside a superclass form the blocks along the diagonal; blocks are outlined and
    labelled with the superclass names."""
    coarse = np.asarray(fine_to_coarse)
    order = np.argsort(coarse, kind="stable")
    ordered = matrix[np.ix_(order, order)]
    rows = ordered.sum(axis=1, keepdims=True)
    share = np.divide(ordered, rows, out=np.zeros_like(ordered, dtype=float), where=rows > 0)
    ax = axis(ax, figsize=(11, 10))
    shown = ax.imshow(share * 100, cmap="Blues", vmin=0, vmax=min(100, max(1, share.max() * 100)))
    plt.colorbar(shown, ax=ax, shrink=0.7, label="% of the true class")
    edges = np.concatenate([[0], np.cumsum(np.bincount(coarse, minlength=len(superclass_names)))])
    for edge in edges[1:-1]:
        ax.axhline(edge - 0.5, color="grey", linewidth=0.4)
        ax.axvline(edge - 0.5, color="grey", linewidth=0.4)
    centres = (edges[:-1] + edges[1:]) / 2 - 0.5
    ax.set_yticks(centres, superclass_names, fontsize=9)
    ax.set_xticks(centres, superclass_names, fontsize=9, rotation=90)
    ax.grid(False)
    ax.set(xlabel="predicted class (grouped by superclass)",
           ylabel="true class (grouped by superclass)", title=title)
    return ax


def _grid(count: int, columns: int, panel: tuple[float, float]) -> tuple[plt.Figure, list[Axes]]:
    """A figure of ``count`` panels in rows of ``columns``; the unused panels removed."""
    rows = max(1, -(-count // max(1, columns)))
    columns = -(-count // rows) if count else 1  # as few empty panels as the rows allow
    figure, axes = plt.subplots(rows, columns, figsize=(panel[0] * columns, panel[1] * rows),
                                squeeze=False)
    flat = list(axes.flat)
    for unused in flat[count:]:
        unused.remove()
    return figure, flat[:count]


def curves_grid(histories: dict[str, Any], title: str, columns: int = 3) -> list[Axes]:
    """One small panel per training (label -> its ``History``): training and validation accuracy
    per epoch, the kept epoch marked; one legend for the figure."""
    figure, axes = _grid(len(histories), columns, (3.6, 2.5))
    for ax, (label, history) in zip(axes, histories.items()):
        frame = history.frame()
        ax.plot(frame["epoch"], 100 * frame["train_acc"], marker="o", ms=3, label="training")
        ax.plot(frame["epoch"], 100 * frame["val_acc"], marker="o", ms=3, label="validation")
        ax.axvline(history.best_epoch, color="grey", linestyle="--", linewidth=1,
                   label="kept epoch")
        ax.set_title(textwrap.fill(label, 34), fontsize=9)
        ax.set_xlabel("epoch", fontsize=9)
        ax.set_ylabel("accuracy (%)", fontsize=9)
        ax.tick_params(labelsize=8)
        whole_epochs(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.suptitle(title, fontweight="bold")
    figure.tight_layout()
    figure.legend(handles, labels, loc="upper center", ncol=3, fontsize=8,
                  bbox_to_anchor=(0.5, 0.0))  # below the panels, away from the title
    return axes


def confusion_grid(matrices: dict[str, np.ndarray], class_names: Sequence[str], title: str,
                   columns: int = 3) -> list[Axes]:
    """Row-normalised confusion matrices (%) side by side, one per model (label -> matrix), on one
    colour scale; class names on the outer axes only. Where many classes have long names, the
    predicted classes are numbered as the true classes' names on the left."""
    grow = 0.13 * max(0, len(class_names) - 10)  # room for the names of many classes
    figure, axes = _grid(len(matrices), columns, (3.4 + grow, 3.2 + grow))
    names = class_names if len(class_names) <= 20 else []
    numbered = len(names) > 10 and max(map(len, names)) > 12
    predicted = [str(k) if k % 2 else "" for k in range(1, len(names) + 1)] if numbered else names
    names = [f"{name} ({k})" for k, name in enumerate(names, 1)] if numbered else names
    shown = None
    for ax, (label, matrix) in zip(axes, matrices.items()):
        rows = matrix.sum(axis=1, keepdims=True)
        share = np.divide(matrix, rows, out=np.zeros_like(matrix, dtype=float), where=rows > 0)
        shown = ax.imshow(100 * share, cmap="Blues", vmin=0, vmax=100)
        ax.grid(False)
        ax.set_title(textwrap.fill(label, 30), fontsize=8)
        first_column = ax.get_subplotspec().is_first_col()
        ax.set_yticks(range(len(names)), names if first_column else [], fontsize=8)
        ax.set_xticks(range(len(names)), predicted, fontsize=8, rotation=0 if numbered else 90)
        ax.set_xlabel("predicted class (numbered as on the left)" if numbered
                      else "predicted class", fontsize=8)
        if first_column:
            ax.set_ylabel("true class", fontsize=8)
    figure.suptitle(title, fontweight="bold")
    figure.tight_layout()
    if shown is not None:
        figure.colorbar(shown, ax=axes, shrink=0.6, label="% of the true class")
    return axes


def reliability_diagram(curves: dict[str, pd.DataFrame], title: str, ax: Axes | None = None
                        ) -> Axes:
    """Accuracy against confidence, one line per model (label -> ``calibration.reliability``'s
    bins), on the diagonal of a perfectly calibrated model: below it, over-confident."""
    ax = axis(ax, (7.5, 3.6))
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1,
            label="perfectly calibrated")
    styles = series_styles(list(curves))
    for label, bins in curves.items():
        ax.plot(100 * bins["confidence"], 100 * bins["accuracy"], ms=5, label=label,
                **styles[label])
    ax.set(xlim=(0, 100), ylim=(0, 102), xlabel="confidence of the predicted class (%)",
           ylabel="accuracy in the bin (%)")
    ax.set_title(title, pad=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=7)  # beside: the data stay seen
    return ax


def reliability_by_recipe(curves: dict[str, pd.DataFrame], title: str,
                          most_in_one: int = 4) -> list[Axes]:
    """:func:`reliability_diagram` of up to ``most_in_one`` models; of more, one panel per recipe
    (the recipe each label names), side by side on one scale, each with its legend below."""
    groups: dict[str, dict[str, pd.DataFrame]] = {}
    for label, bins in curves.items():
        named = [recipe for recipe in RECIPE_COLOURS if recipe in label]
        groups.setdefault(max(named, key=len) if named else "", {})[label] = bins
    if len(curves) <= most_in_one or len(groups) < 2:
        return [reliability_diagram(curves, title)]
    figure, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 4.2), sharey=True)
    for ax, (recipe, group) in zip(axes, groups.items()):
        reliability_diagram(group, recipe, ax)
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7)
        for entry in legend.get_texts():  # the panel's title names the recipe
            entry.set_text(entry.get_text().replace(f", {recipe}", ""))
    figure.suptitle(title, fontweight="bold", y=1.03)
    return list(axes)
