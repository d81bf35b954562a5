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


# One colour per recipe in every figure: the names as figures label them.
RECIPE_COLOURS = {"source recipe": "#8c8c8c", "our recipe": "#0173b2",
                  "source recipe, our epochs": "#de8f05", "source recipe, our input": "#029e73"}


def axis(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax``, or the axis of a new figure of ``figsize``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def whole_epochs(ax: Axes) -> None:
    """Epochs are counted: ticks on whole numbers only."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


MARKERS, LINESTYLES = "osD^v", ("-", "--", ":", "-.", (0, (5, 1, 1, 1)))


def recipe_colour(label: str) -> str | None:
    """The colour of the recipe a series' label names (the longest name it holds), or None."""
    named = [recipe for recipe in RECIPE_COLOURS if recipe in label]
    return RECIPE_COLOURS[max(named, key=len)] if named else None


def series_styles(labels: list[str]) -> dict[str, dict]:
    """Line keywords for each series: the colour of its recipe (the palette's where none is
    named), and, where several series share a colour, a marker and a line style for each."""
    palette = iter(sns.color_palette("colorblind")[3:] * 3)
    colours = {label: recipe_colour(label) or next(palette) for label in labels}
    styles, seen = {}, {}
    for label, colour in colours.items():
        order = seen[colour] = seen.get(colour, -1) + 1
        styles[label] = {"color": colour, "marker": MARKERS[order % len(MARKERS)],
                         "linestyle": LINESTYLES[order % len(LINESTYLES)]}
    return styles
