"""Charts built from results rows, agreeing with the tables beside them: one metric per axis, and
"this run" always the mean over a training's random seeds."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..training.recipes import OURS, SOURCE
from . import plots
from .names import model_name
from .sentences import over_seeds


def recipes_chart(rows: Iterable[Mapping[str, Any]], title: str) -> None:
    """Test accuracy per model with each recipe (the mean over its random seeds), beside the
    source report's figure where that is a test accuracy, and our goal."""
    frame = pd.DataFrame(list(rows))
    frame = frame[frame["recipe"].isin([SOURCE, OURS])]
    models = list(dict.fromkeys(frame["model"]))
    means = frame.pivot_table(index="model", columns="recipe", values="test_acc",
                              aggfunc="mean").reindex(models)
    first = frame.groupby("model", sort=False).first().reindex(models)
    test_figure = first["source_figure"].where(first["source_metric"] == "test_acc")
    chart = pd.DataFrame({"model": [model_name(model) for model in models],
                          "source recipe": means.get(SOURCE, pd.Series(index=models)).to_numpy(),
                          "our recipe": means.get(OURS, pd.Series(index=models)).to_numpy(),
                          "source figure": test_figure.to_numpy(),
                          "goal": frame[frame["recipe"] == OURS].groupby("model")["goal"].first()
                          .reindex(models).to_numpy()})
    plots.recipes_against_source(chart, title, seeds=over_seeds(
        frame.groupby(["model", "recipe"]).size()))
    plt.show()
