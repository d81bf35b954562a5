"""Plots of one training and its errors: curves per epoch, confusion matrices, per-class bars."""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from .style import axis, whole_epochs


def history_curves(history: Any, title: str = "",
                   axes: Sequence[Axes] | None = None) -> Sequence[Axes]:
    """Loss and accuracy per epoch of a training's ``History``, train and validation, the kept
    epoch marked."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    best, history = history.best_epoch, history.frame()
    for ax, metric, label in ((axes[0], "loss", "cross-entropy"), (axes[1], "acc", "accuracy (%)")):
        scale = 100 if metric == "acc" else 1
        ax.plot(history["epoch"], history[f"train_{metric}"] * scale, marker="o", ms=3, label="train")
        ax.plot(history["epoch"], history[f"val_{metric}"] * scale, marker="o", ms=3,
                label="validation")
        ax.axvline(best, color="grey", linestyle="--", linewidth=1, label=f"kept epoch ({best})")
        ax.set_xlabel("epoch")
        whole_epochs(ax)
        ax.set_ylabel(label)
        ax.set_title(f"{title}: {'loss' if metric == 'loss' else 'accuracy'}".lstrip(": "))
        ax.legend()
    return axes


def loss_curves_by_model(histories: dict[str, Any], title: str = "",
                         axes: Sequence[Axes] | None = None) -> Sequence[Axes]:
    """Training and validation cross-entropy per epoch, one line per model (label -> its
    ``History``), side by side (the seed's "training loss / test loss for different models");
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


def confusion_heatmap(matrix: np.ndarray, class_names: Sequence[str], title: str = "",
                      ax: Axes | None = None, annotate: bool | None = None) -> Axes:
    """Row-normalised confusion matrix (each row: where the images of a true class went)."""
    size = len(class_names)
    ax = axis(ax, figsize=(min(0.55 * size + 3, 14), min(0.5 * size + 2.5, 13)))
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros_like(matrix, dtype=float), where=rows > 0)
    annotate = size <= 20 if annotate is None else annotate
    labels = size <= 40
    sns.heatmap(share * 100, annot=annotate, fmt=".0f", cmap="Blues", vmin=0, vmax=100, square=True,
                xticklabels=class_names if labels else False,
                yticklabels=class_names if labels else False,
                cbar_kws={"label": "% of the true class", "shrink": 0.7}, ax=ax,
                annot_kws={"fontsize": 7})
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax


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
    ax.set_yticks(centres, superclass_names, fontsize=7)
    ax.set_xticks(centres, superclass_names, fontsize=7, rotation=90)
    ax.grid(False)
    ax.set(xlabel="predicted class (grouped by superclass)",
           ylabel="true class (grouped by superclass)", title=title)
    return ax


def per_class_bars(accuracy: pd.Series, title: str = "", ax: Axes | None = None) -> Axes:
    """Accuracy of each class (a Series indexed by class name), sorted, with the mean marked."""
    ordered = accuracy.sort_values()
    ax = axis(ax, figsize=(8, max(2.5, 0.22 * len(ordered) + 1)))
    ax.barh(ordered.index, ordered.values * 100, color=sns.color_palette()[0])
    ax.axvline(ordered.mean() * 100, color="black", linestyle="--", linewidth=1,
               label=f"mean {ordered.mean():.1%}")
    ax.set_xlabel("test accuracy (%)")
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right")
    ax.set_title(title)
    return ax
