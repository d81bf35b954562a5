"""Results files: one row per training, and which test images each training got right.

Every notebook writes ``reports/<profile>/results/<notebook>.csv``: one row per trained model,
recipe ("source": the source report's training, reproduced; "ours": the modern one) and random
seed, with the kept epoch's training and validation figures, the test figures of its weights, the
final epoch's validation and test accuracy, the source report's published figure for that model
(with the epoch it was read at) and, for our recipes, the goal on real data
(``helpers.experiments.references``). Beside it, ``<notebook>.correct.npz`` keeps, for every
training, which test images it got right (at the kept epoch, and at the final epoch where that
differs): the statistics resample them (``helpers.stats``), and the summary reads them to judge
goals by the same rule as the notebooks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..evaluation.predictions import Predictions
from ..training.history import History
from .references import goal, source_figure_of

RESULT_COLUMNS = ["model", "recipe", "dataset", "params", "params_total", "epochs_run",
                  "best_epoch", "train_loss", "train_acc", "val_loss", "val_acc", "test_loss",
                  "test_acc", "test_top5", "val_acc_final_epoch", "test_acc_final_epoch", "tta",
                  "seconds", "seed", "source_figure", "source_metric", "source_epoch",
                  "source_document", "goal", "notes"]
KEPT, FINAL = "kept", "final"  # the epochs whose right answers are kept: kept, and final


class ResultsError(OSError):
    """A results file that cannot be written; the message says what to do."""


def result_row(model: str, dataset: str, params: int, history: History, test: Predictions,
               seed: int, recipe: str = "source", reference_key: str | None = None,
               final_test: Predictions | None = None, **extra: Any) -> dict[str, Any]:
    """One results-file row: the kept epoch's train and validation figures, the test figures of
    its weights, the final epoch's (``final_test``: its test predictions, where the final epoch is
    not the kept one), the source figure for this model (or for ``reference_key``) where it has
    one and, for our recipe, our goal."""
    best, reference = history.best, source_figure_of(reference_key or model)
    row = {
        "model": model, "recipe": recipe, "dataset": dataset, "params": params,
        "epochs_run": history.epochs_run, "best_epoch": history.best_epoch,
        "train_loss": best["train_loss"], "train_acc": best["train_acc"],
        "val_loss": best["val_loss"], "val_acc": best["val_acc"], "test_loss": test.loss(),
        "test_acc": test.accuracy(), "test_top5": test.top_k_accuracy(5),
        "val_acc_final_epoch": history.rows[-1]["val_acc"],
        "test_acc_final_epoch": (final_test or test).accuracy(),
        "seconds": history.seconds, "seed": seed,
        "source_figure": reference.value if reference else None,
        "source_metric": reference.metric if reference else None,
        "source_epoch": reference.epoch if reference else None,
        "source_document": reference.source if reference else None,
        "goal": goal(model, reference_key) if recipe == "ours" else None,
        "reference_key": reference_key,
    }
    row.update({key: value for key, value in best.items()  # other heads' accuracies, if any
                if key.startswith(("train_acc_", "val_acc_"))})
    row.update(extra)
    return row


def right_answers(test: Predictions, final_test: Predictions | None = None
                  ) -> dict[str, np.ndarray]:
    """Which test images a training got right: at the kept epoch and at the final epoch."""
    kept = (test.predicted == test.labels).numpy()
    final = kept if final_test is None else (final_test.predicted == final_test.labels).numpy()
    return {KEPT: kept, FINAL: final}


Key = tuple[str, str, int]  # (model, recipe, seed)


class ResultsFile:
    """A notebook's results file (``run.results_file``): one row per model, recipe and random seed,
    and which test images each got right; both rewritten after every ``add`` so that a run that
    fails later keeps what it has."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.rows: list[dict[str, Any]] = []
        self.correct: dict[Key, dict[str, np.ndarray]] = {}

    @property
    def correct_path(self) -> Path:
        return self.path.with_suffix(".correct.npz")

    def add(self, row: dict[str, Any], correct: Mapping[str, np.ndarray] | None = None) -> None:
        """Add a row (and its right answers), replacing those of the same model, recipe and seed."""
        key = (row["model"], row.get("recipe"), row.get("seed"))
        self.rows = [r for r in self.rows
                     if (r["model"], r.get("recipe"), r.get("seed")) != key] + [row]
        if correct is not None:
            self.correct[key] = dict(correct)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.frame().to_csv(self.path, index=False)
            save_correct(self.correct_path, self.correct)
        except OSError as error:
            raise ResultsError(
                f"cannot write the results file {self.path} ({error.strerror or error}). Make "
                f"{self.path.parent} a writable folder (or set REPORTS_ROOT to one), then run "
                "again with --resume: finished trainings are read back from their checkpoints."
            ) from error

    def add_model(self, model: str, dataset: str, params: int, history: History,
                  test: Predictions, seed: int, final_test: Predictions | None = None,
                  **details: Any) -> dict[str, Any]:
        """Add the row of a model trained outside ``experiments`` (see :func:`result_row`)."""
        row = result_row(model, dataset, params, history, test, seed, final_test=final_test,
                         **details)
        self.add(row, right_answers(test, final_test))
        return row

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows)
        columns = RESULT_COLUMNS + [c for c in frame.columns if c not in RESULT_COLUMNS]
        return frame.reindex(columns=columns)


def save_correct(path: Path, correct: Mapping[Key, Mapping[str, np.ndarray]]) -> None:
    """Right answers as packed bits, one array per training and epoch, with its length."""
    arrays = {}
    for (model, recipe, seed), epochs in correct.items():
        for epoch, answers in epochs.items():
            name = "|".join([model, str(recipe), str(seed), epoch])
            arrays[name] = np.packbits(answers)
            arrays[f"{name}|length"] = np.array(len(answers))
    np.savez_compressed(path, **arrays)


def load_correct(path: Path) -> dict[Key, dict[str, np.ndarray]]:
    """What :func:`save_correct` wrote (empty where there is no file)."""
    if not path.is_file():
        return {}
    stored, correct = np.load(path), {}
    for name in stored.files:
        if name.endswith("|length"):
            continue
        model, recipe, seed, epoch = name.split("|")
        length = int(stored[f"{name}|length"])
        answers = np.unpackbits(stored[name])[:length].astype(bool)
        correct.setdefault((model, recipe, int(seed)), {})[epoch] = answers
    return correct


def reference_of(row: Mapping[str, Any]) -> str:
    """The key of the source figures for a results row: its reference_key, else its model name
    (a missing reference_key reads back from CSV as NaN, not None)."""
    key = row.get("reference_key")
    return key if isinstance(key, str) and key else row["model"]


def source_difference(metric: str, ours: float | None, source: float | None) -> float | None:
    """Ours minus the source report's: in percentage points for accuracies, in the metric's unit
    otherwise; None where either is missing."""
    if ours is None or source is None or pd.isna(ours) or pd.isna(source):
        return None
    return (100 if "acc" in metric else 1) * (ours - source)
