"""Plots. Each takes data (never computes a metric), draws on an optional axis and returns it; the
house style is set once, on import (``style``)."""

from .comparisons import (accuracy_against_by_dataset, accuracy_by_parameters,
                          accuracy_by_parameters_by_dataset, ladder_bars,
                          mapping_bars, recipes_against_source, spread_by_group)
from .images import channel_histograms, class_counts, image_grid, labelled_images
from .training import (confusion_by_superclass, confusion_grid, curves_grid,
                       loss_curves_by_model, reliability_by_recipe, reliability_diagram)

__all__ = ["accuracy_against_by_dataset", "accuracy_by_parameters", "accuracy_by_parameters_by_dataset", "channel_histograms",
           "class_counts", "confusion_by_superclass", "confusion_grid",
           "curves_grid", "image_grid", "labelled_images", "ladder_bars",
           "loss_curves_by_model", "mapping_bars", "recipes_against_source", "reliability_by_recipe",
           "reliability_diagram",
           "spread_by_group"]
