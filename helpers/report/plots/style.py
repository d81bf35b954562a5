"""The house style of every figure, set once when ``helpers.report.plots`` is imported, and the axis
helper each plot starts from."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
plt.rcParams.update({
    "figure.dpi": 110, "figure.figsize": (8, 4.5), "axes.titlesize": 12, "axes.titleweight": "bold",
    "axes.labelsize": 10, "legend.fontsize": 9, "savefig.bbox": "tight",
})


def axis(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax``, or the axis of a new figure of ``figsize``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def whole_epochs(ax: Axes) -> None:
    """Epochs are counted: ticks on whole numbers only."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
