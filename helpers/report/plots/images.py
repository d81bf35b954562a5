"""Plots of the data: image grids, class counts and pixel statistics (notebook 01, galleries)."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from matplotlib.axes import Axes
from torchvision.utils import make_grid

from ..names import class_name
from .style import axis


def _mosaic(images: torch.Tensor, columns: int, padding: int = 2) -> np.ndarray:
    grid = make_grid(images, nrow=columns, padding=padding, pad_value=255)
    return grid.permute(1, 2, 0).numpy()


def image_grid(images: torch.Tensor, row_labels: Sequence[str], columns: int,
               title: str = "", ax: Axes | None = None) -> Axes:
    """uint8 images in rows of ``columns``, each row labelled (e.g. one row per class)."""
    rows = len(row_labels)
    tile = images.shape[-1] + 2
    ax = axis(ax, figsize=(min(1.0 * columns + 2.5, 12), 0.95 * rows + 0.6))
    ax.imshow(_mosaic(images, columns), interpolation="nearest")
    ax.set_yticks([2 + tile * (r + 0.5) for r in range(rows)],
                  labels=[class_name(label) for label in row_labels])
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


def class_counts(counts: pd.DataFrame, title: str, ax: Axes | None = None) -> Axes:
    """Grouped bars: ``counts`` has one row per class and one column per split."""
    ax = axis(ax, figsize=(9, 3.8))
    long = counts.rename_axis("class").reset_index().melt(id_vars="class", var_name="split",
                                                          value_name="images")
    sns.barplot(data=long, x="class", y="images", hue="split", ax=ax)
    ax.set_xlabel("class")
    ax.set_ylabel("images")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=40)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.legend(title="split", loc="upper left", bbox_to_anchor=(1.01, 1))  # off the bars
    return ax


def channel_histograms(images: torch.Tensor, title: str, ax: Axes | None = None) -> Axes:
    """Histogram of the 0-255 values of each RGB channel."""
    ax = axis(ax, figsize=(7, 3.2))
    for channel, (colour, line) in enumerate((("tab:red", "-"), ("tab:green", "--"),
                                              ("tab:blue", ":"))):  # dashes: none hides another
        counts = torch.bincount(images[:, channel].flatten().long(), minlength=256)
        share = (counts / counts.sum()).numpy()
        ax.plot(np.arange(256), share, color=colour, linestyle=line, label="RGB"[channel])
    ax.set_xlabel("pixel value (0-255)")
    ax.set_ylabel("share of pixels")
    ax.set_xlim(0, 255)
    ax.legend(title="channel", loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title)
    return ax
