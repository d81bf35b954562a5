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
from ..evaluation.predictions import Predictions, confusion, per_class_accuracy, report_frame
from .tables import table


def show(trained: Mapping[str, tuple[Any, Predictions]], class_names: Sequence[str],
         subject: str) -> None:
    """The diagnostics of several trainings (label -> its history and test predictions)."""
    plots.curves_grid({label: history for label, (history, _) in trained.items()},
                      f"{subject}: accuracy per epoch")
    plt.show()
    plots.confusion_grid({label: confusion(test, len(class_names))
                          for label, (_, test) in trained.items()}, class_names,
                         f"{subject}: confusion matrices (test set)")
    plt.show()
    per_class_table({label: test for label, (_, test) in trained.items()}, class_names,
                    f"{subject}: test accuracy per class")
    plots.reliability_diagram(
        {f"{label} (ECE {100 * expected_calibration_error(test):.1f} %)": reliability(test)
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
    table(report_frame(predictions, class_names), caption,
          formats={"precision": "ratio", "recall": "ratio", "f1-score": "ratio",
                   "support": "count"}, index=True)


def classification_reports(predictions: Mapping[str, Predictions],
                           class_names: Sequence[str]) -> None:
    """The classification report of each model, for the appendix."""
    for label, outcome in predictions.items():
        classification_report(outcome, class_names, f"{label}: classification report, test set")
