"""Results files and the seeds' figures beside ours.

Every notebook writes ``reports/<profile>/results/<notebook>.csv``: one row per trained model and
recipe ("source": the source report's training, reproduced; "ours": the modern one), with the kept
epoch's training and validation figures, the test figures, the source report's published figure for that
model and, for our recipes, the goal on real data (``helpers.experiments.references``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..evaluation.predictions import Predictions
from .references import goal, source_figure_of
from ..training.loop import History

RESULT_COLUMNS = ["model", "recipe", "dataset", "params", "params_total", "epochs_run",
                  "best_epoch", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss",
                  "test_acc", "test_top5", "tta", "seconds", "seed", "source_figure",
                  "source_metric", "source_document", "goal", "notes"]


class ResultsError(OSError):
    """A results file that cannot be written; the message says what to do."""


def result_row(model: str, dataset: str, params: int, history: History, test: Predictions,
               seed: int, recipe: str = "source", reference_key: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """One results-file row: the kept epoch's train and validation figures, the test figures of
    its weights, the source figure for this model (or for ``reference_key``) where it has one and,
    for our recipe, our goal."""
    best = history.best
    reference = source_figure_of(reference_key or model)
    row = {
        "model": model, "recipe": recipe, "dataset": dataset, "params": params,
        "epochs_run": history.epochs_run, "best_epoch": history.best_epoch,
        "train_loss": best["train_loss"], "train_acc": best["train_acc"],
        "val_loss": best["val_loss"], "val_acc": best["val_acc"], "test_loss": test.loss(),
        "test_acc": test.accuracy(), "test_top5": test.top_k_accuracy(5),
        "seconds": history.seconds, "seed": seed,
        "source_figure": reference.value if reference else None,
        "source_metric": reference.metric if reference else None,
        "source_document": reference.source if reference else None,
        "goal": goal(model, reference_key) if recipe == "ours" else None,
        "reference_key": reference_key,
    }
    row.update({key: value for key, value in best.items()  # other heads' accuracies, if any
                if key.startswith(("train_acc_", "val_acc_"))})
    row.update(extra)
    return row


class ResultsFile:
    """A notebook's results file (``run.results_file``): one row per model, recipe and random seed,
    rewritten after every ``add`` so that a run that fails later keeps the rows it has."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.rows: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        """Add a row, replacing the row of the same model, recipe and random seed."""
        key = (row["model"], row.get("recipe"), row.get("seed"))
        self.rows = [r for r in self.rows
                     if (r["model"], r.get("recipe"), r.get("seed")) != key] + [row]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.frame().to_csv(self.path, index=False)
        except OSError as error:
            raise ResultsError(
                f"cannot write the results file {self.path} ({error.strerror or error}). Make "
                f"{self.path.parent} a writable folder (or set REPORTS_ROOT to one), then run "
                "again with --resume: finished trainings are read back from their checkpoints."
            ) from error

    def add_model(self, model: str, dataset: str, params: int, history: History,
                  test: Predictions, seed: int, **details: Any) -> dict[str, Any]:
        """Add the row of a model trained outside ``experiments`` (see :func:`result_row`)."""
        row = result_row(model, dataset, params, history, test, seed, **details)
        self.add(row)
        return row

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows)
        columns = RESULT_COLUMNS + [c for c in frame.columns if c not in RESULT_COLUMNS]
        return frame.reindex(columns=columns)



def reference_of(row: dict[str, Any]) -> str:
    """The key of the seed figures for a results row: its reference_key, else its model name
    (a missing reference_key reads back from CSV as NaN, not None)."""
    key = row.get("reference_key")
    return key if isinstance(key, str) and key else row["model"]


def source_difference(metric: str, ours: float | None, seed: float | None) -> float | None:
    """Ours minus the source report's: in percentage points for accuracies, in the metric's unit otherwise;
    None where either is missing."""
    if ours is None or seed is None or pd.isna(ours) or pd.isna(seed):
        return None
    return (100 if "acc" in metric else 1) * (ours - seed)
