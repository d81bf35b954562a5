"""The compact diagnostics of several trainings, as a notebook shows them: one grid of training
curves, one grid of confusion matrices, per-class accuracy with the models as columns, a
reliability diagram (calibration, with each model's expected calibration error); and the
full classification reports, for the appendix."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd

from . import plots
from ..evaluation.calibration import expected_calibration_error, reliability
from ..evaluation.predictions import (Predictions, confusion, misclassified, per_class_accuracy,
                                      report_frame)
from .formats import percent
from .names import class_name, model_name, recipe_name
from .tables import table


def labelled(trained: Mapping[tuple[str, str], Any]) -> dict[str, Any]:
    """Trainings keyed by (model, recipe) keyed by their names instead ("CNNV2, our recipe")."""
    return {f"{model_name(model)}, {recipe_name(recipe)}": experiment
            for (model, recipe), experiment in trained.items()}


def show_trainings(trained: Mapping[tuple[str, str], Any], class_names: Sequence[str],
                   subject: str) -> None:
    """:func:`show` of experiments keyed by (model, recipe)."""
    show({label: (e.history, e.test) for label, e in labelled(trained).items()}, class_names,
         subject)


def reports_of_trainings(trained: Mapping[tuple[str, str], Any],
                         class_names: Sequence[str]) -> None:
    """:func:`classification_reports` of experiments keyed by (model, recipe)."""
    classification_reports({label: e.test for label, e in labelled(trained).items()},
                           class_names)


def show(trained: Mapping[str, tuple[Any, Predictions]], class_names: Sequence[str],
         subject: str) -> None:
    """The diagnostics of several trainings (label -> its history and test predictions)."""
    class_names = [class_name(name) for name in class_names]
    plots.curves_grid({label: history for label, (history, _) in trained.items()},
                      f"{subject}: accuracy per epoch")
    plt.show()
    plots.confusion_grid({label: confusion(test, len(class_names))
                          for label, (_, test) in trained.items()}, class_names,
                         f"{subject}: confusion matrices (test set)")
    plt.show()
    per_class_table({label: test for label, (_, test) in trained.items()}, class_names,
                    f"{subject}: test accuracy per class")
    plots.reliability_by_recipe(
        {f"{label} (ECE {percent(expected_calibration_error(test))})": reliability(test)
         for label, (_, test) in trained.items()},
        f"{subject}: calibration on the test set")
    plt.show()


MODELS_PER_TABLE = 5  # more columns would shrink the printed table past reading


def per_class_table(predictions: Mapping[str, Predictions], class_names: Sequence[str],
                    caption: str) -> None:
    """Test accuracy of each class (rows) for each model (columns), with the mean; several
    tables of at most :data:`MODELS_PER_TABLE` models where there are more."""
    frame = pd.DataFrame({label: per_class_accuracy(confusion(p, len(class_names)), class_names)
                          for label, p in predictions.items()})
    frame.loc["mean of the classes"] = frame.mean()
    labels = list(predictions)
    parts = range(0, len(labels), MODELS_PER_TABLE)
    for number, start in enumerate(parts, start=1):
        shown = labels[start:start + MODELS_PER_TABLE]
        table(frame[shown].rename_axis("class").reset_index(),
              caption + (f" ({number} of {len(parts)})" if len(parts) > 1 else ""),
              formats={label: "percent" for label in shown})


def classification_report(predictions: Predictions, class_names: Sequence[str], caption: str
                          ) -> None:
    """sklearn's classification report as a table."""
    frame = report_frame(predictions, class_names).rename(
        columns={"f1-score": "F1 score", "support": "test images"},
        index={"macro avg": "mean over the classes", "weighted avg": "mean weighted by images"})
    frame.index = [class_name(name) for name in frame.index]
    table(frame, caption[0].upper() + caption[1:], index=True, formats={
        "precision": "percent", "recall": "percent", "F1 score": "percent", "test images": "count"})


def classification_reports(predictions: Mapping[str, Predictions],
                           class_names: Sequence[str]) -> None:
    """The classification report of each model, for the appendix."""
    for label, outcome in predictions.items():
        classification_report(outcome, class_names, f"{label}: classification report, test set")


def mistakes(images: Any, predictions: Predictions, class_names: Sequence[str], count: int,
             seed: int, title: str) -> None:
    """Up to ``count`` test images the model got wrong, drawn at random, each captioned with its
    true and its predicted class."""
    wrong = misclassified(predictions, count, seed)
    names = [class_name(name) for name in class_names]
    plots.labelled_images(images[wrong], [f"{names[t]}\n→ {names[p]}" for t, p in zip(
        predictions.labels[wrong].tolist(), predictions.predicted[wrong].tolist())],
        columns=8, title=title)
    plt.show()
