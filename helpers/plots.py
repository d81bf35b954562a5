"""Plots. Each takes data (never computes a metric), draws on an optional axis and returns it.
House defaults are set once, here, when the module is imported."""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from matplotlib.axes import Axes
from torchvision.utils import make_grid

sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
plt.rcParams.update({
    "figure.dpi": 110, "figure.figsize": (8, 4.5), "axes.titlesize": 12, "axes.titleweight": "bold",
    "axes.labelsize": 10, "legend.fontsize": 9, "savefig.bbox": "tight",
})


def _axis(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- images -----------------------------------------------------------------------------------


def _mosaic(images: torch.Tensor, columns: int, padding: int = 2) -> np.ndarray:
    grid = make_grid(images, nrow=columns, padding=padding, pad_value=255)
    return grid.permute(1, 2, 0).numpy()


def image_grid(images: torch.Tensor, row_labels: Sequence[str], columns: int,
               title: str = "", ax: Axes | None = None) -> Axes:
    """uint8 images in rows of ``columns``, each row labelled (e.g. one row per class)."""
    rows = len(row_labels)
    tile = images.shape[-1] + 2
    ax = _axis(ax, figsize=(min(1.0 * columns + 2.5, 12), 0.95 * rows + 0.6))
    ax.imshow(_mosaic(images, columns), interpolation="nearest")
    ax.set_yticks([2 + tile * (r + 0.5) for r in range(rows)], labels=list(row_labels))
    ax.set_xticks([])
    ax.grid(False)
    ax.set_title(title)
    return ax


def labelled_images(images: torch.Tensor, captions: Sequence[str], columns: int = 8,
                    title: str = "", axes: np.ndarray | None = None) -> np.ndarray:
    """uint8 images, one small axis each, with a caption above each (e.g. "true -> predicted")."""
    rows = -(-len(images) // columns)
    if axes is None:
        figure, axes = plt.subplots(rows, columns, figsize=(1.45 * columns, 1.7 * rows + 0.3),
                                    squeeze=False)
        figure.suptitle(title, fontweight="bold")
    axes = np.asarray(axes).reshape(-1)
    for ax in axes:
        ax.set_axis_off()
    for ax, image, caption in zip(axes, images, captions):
        ax.imshow(image.permute(1, 2, 0).numpy(), interpolation="nearest")
        ax.set_title(caption, fontsize=7)
    return axes


# --- counts and statistics --------------------------------------------------------------------


def class_counts(counts: pd.DataFrame, title: str, ax: Axes | None = None) -> Axes:
    """Grouped bars: ``counts`` has one row per class and one column per split."""
    ax = _axis(ax, figsize=(9, 3.8))
    long = counts.rename_axis("class").reset_index().melt(id_vars="class", var_name="split",
                                                          value_name="images")
    sns.barplot(data=long, x="class", y="images", hue="split", ax=ax)
    ax.set_xlabel("class")
    ax.set_ylabel("images")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=40)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    return ax


def channel_histograms(images: torch.Tensor, title: str, ax: Axes | None = None) -> Axes:
    """Histogram of the 0-255 values of each RGB channel."""
    ax = _axis(ax, figsize=(7, 3.2))
    for channel, colour in enumerate(("tab:red", "tab:green", "tab:blue")):
        counts = torch.bincount(images[:, channel].flatten().long(), minlength=256)
        share = (counts / counts.sum()).numpy()
        ax.plot(np.arange(256), share, color=colour, label="RGB"[channel])
    ax.set_xlabel("pixel value (0-255)")
    ax.set_ylabel("share of pixels")
    ax.set_xlim(0, 255)
    ax.legend(title="channel")
    ax.set_title(title)
    return ax


def kept_epoch(history: pd.DataFrame) -> int:
    """The index of the epoch ``fit`` keeps: highest validation accuracy, then lowest loss."""
    return history.sort_values(["val_acc", "val_loss"], ascending=[False, True]).index[0]


# --- training and evaluation ------------------------------------------------------------------


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
        ax.set_ylabel(label)
        ax.set_title(f"{title}: {'loss' if metric == 'loss' else 'accuracy'}".lstrip(": "))
        ax.legend()
    return axes


def confusion_heatmap(matrix: np.ndarray, class_names: Sequence[str], title: str = "",
                      ax: Axes | None = None, annotate: bool | None = None) -> Axes:
    """Row-normalised confusion matrix (each row: where the images of a true class went)."""
    size = len(class_names)
    ax = _axis(ax, figsize=(min(0.55 * size + 3, 14), min(0.5 * size + 2.5, 13)))
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


def per_class_bars(accuracy: pd.Series, title: str = "", ax: Axes | None = None) -> Axes:
    """Accuracy of each class (a Series indexed by class name), sorted, with the mean marked."""
    ordered = accuracy.sort_values()
    ax = _axis(ax, figsize=(8, max(2.5, 0.22 * len(ordered) + 1)))
    ax.barh(ordered.index, ordered.values * 100, color=sns.color_palette()[0])
    ax.axvline(ordered.mean() * 100, color="black", linestyle="--", linewidth=1,
               label=f"mean {ordered.mean():.1%}")
    ax.set_xlabel("test accuracy (%)")
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right")
    ax.set_title(title)
    return ax


def spread_by_group(frame: pd.DataFrame, group: str, value: str, references: dict[str, float],
                    title: str = "", ax: Axes | None = None) -> Axes:
    """One dot per run, the mean of each group as a bar, and the seed's single figure as a cross."""
    ax = _axis(ax, figsize=(8, 3.8))
    order = list(dict.fromkeys(frame[group]))
    sns.barplot(data=frame, x=group, y=value, order=order, errorbar=None, alpha=0.35, ax=ax)
    sns.stripplot(data=frame, x=group, y=value, order=order, color="black", size=6, jitter=0.15,
                  ax=ax, label="one run (seed)")
    marks = [(i, references[name]) for i, name in enumerate(order) if name in references]
    if marks:
        ax.scatter(*zip(*marks), marker="X", s=110, color="tab:red", zorder=5, label="seed report")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), loc="lower left")
    ax.set_title(title)
    return ax


def recipes_against_seed(table: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """Test accuracy per model with the seed's recipe and with ours (bars), the seed document's
    figure (black mark) and our goal (red mark); ``table`` has columns model, "seed recipe",
    "ours" and optionally "seed's figure" and "goal" (0-1, empty where there is none)."""
    ax = _axis(ax, (8, 0.6 * len(table) + 1.4))
    positions = np.arange(len(table))
    for offset, column, colour in ((-0.2, "seed recipe", sns.color_palette()[7]),
                                   (0.2, "ours", sns.color_palette()[0])):
        if column in table:
            ax.barh(positions + offset, 100 * table[column].astype(float), height=0.38,
                    color=colour, label=f"{column} (this run)")
    for column, colour, marker, label in (("seed's figure", "black", "|", "seed document's figure"),
                                          ("goal", "tab:red", "d", "our goal on real data")):
        if column in table:
            values = table[column].astype(float)
            shown = values.notna().to_numpy()
            ax.scatter(100 * values[shown], positions[shown], color=colour, marker=marker, s=160,
                       zorder=3, label=label, linewidths=2.5)
    ax.set_yticks(positions, table["model"])
    ax.invert_yaxis()
    ax.set(xlabel="test accuracy (%)", xlim=(0, 100), title=title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.5 / (len(table) + 3)), ncol=2)
    return ax


def ladder_bars(table: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """Test accuracy after each step from the seed's recipe to ours (``table``: columns step and
    test_acc, 0-1), each bar labelled with its gain over the step before."""
    ax = _axis(ax, (8, 0.5 * len(table) + 1.2))
    values = 100 * table["test_acc"].to_numpy(dtype=float)
    ax.barh(table["step"], values, color=sns.color_palette("crest", len(table)))
    for position, (value, gain) in enumerate(zip(values, np.diff(values, prepend=np.nan))):
        text = f"{value:.1f} %" + ("" if np.isnan(gain) else f" ({gain:+.1f})")
        ax.text(value + 0.5, position, text, va="center", fontsize=8)
    ax.invert_yaxis()
    low = max(0.0, values.min() - 15)
    ax.set(xlabel="test accuracy (%)", xlim=(low, min(100.0, values.max() + 8)), title=title)
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
    ax = _axis(ax, figsize=(11, 10))
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


def mapping_bars(table: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Axes:
    """Superclass test accuracy of each way to get it (``table``: columns method, accuracy 0-1)."""
    ordered = table.sort_values("accuracy")
    ax = _axis(ax, figsize=(8, 0.45 * len(table) + 1.2))
    ax.barh(ordered["method"], 100 * ordered["accuracy"], color=sns.color_palette()[2])
    for position, value in enumerate(ordered["accuracy"]):
        ax.text(100 * value + 0.5, position, f"{value:.1%}", va="center", fontsize=8)
    ax.set(xlabel="superclass test accuracy (%)", xlim=(0, 100), title=title)
    return ax


def accuracy_by_parameters(frame: pd.DataFrame, published: dict[int, float], title: str = "",
                           ax: Axes | None = None, lines: bool = True) -> Axes:
    """Test accuracy against trainable parameters (log scale): one series per ``family`` of
    ``frame`` (columns family, params, test_acc), joined by lines where ``lines``, and seed 001's
    published points."""
    ax = _axis(ax, (8, 4.8))
    for family, rows in frame.sort_values("params").groupby("family", sort=False):
        ax.plot(rows["params"], 100 * rows["test_acc"], marker="o", label=f"{family} (this run)",
                linestyle="-" if lines else "none")
    ax.plot(list(published), [100 * v for v in published.values()], linestyle="none", marker="x",
            markersize=9, color="black", label="seed 001 (published)")
    ax.set_xscale("log")
    ax.set(xlabel="trainable parameters (log scale)", ylabel="top-1 test accuracy (%)", title=title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return ax


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
        axes[0].plot(frame["epoch"], frame["train_loss"], color=colour, label=label)
        axes[1].plot(frame["epoch"], frame["val_loss"], color=colour, label=label)
        axes[1].plot(history.best_epoch, frame.loc[history.best_epoch, "val_loss"], "o",
                     color=colour)
    for ax, name in zip(axes, ("training", "validation")):
        ax.set(xlabel="epoch", ylabel="cross-entropy", title=f"{title}: {name} loss".lstrip(": "))
    axes[1].legend(fontsize=7, title="model", title_fontsize=8)
    return axes
