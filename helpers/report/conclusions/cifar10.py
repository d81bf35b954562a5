"""Notebooks 02 and 03's findings."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ...evaluation.predictions import fit_diagnosis
from ...stats.family import Family
from ...training.history import History
from ...experiments.results import ResultsFile
from .. import formats, sentences
from ..headline import findings
from .common import HOW_SURE, device_words, tested


def baseline(results: ResultsFile, family: Family, source_history: History,
             inference: Mapping[str, Any], device: Any) -> None:
    """Notebook 02: how the source recipe trained, what the recipes' comparisons say, the
    reproduction beside the source report, the inference speed and calibration."""
    diagnosis = fit_diagnosis(source_history)
    findings(results.rows, results.correct, [
        f"With the source recipe (first random seed), {diagnosis['verdict']}.",
        *tested(family),
        *sentences.source_figure_sentences(row for row in results.rows
                                           if row["recipe"] == "source"),
        f"Inference runs at {formats.count(inference['images_per_s'])} test images a second on "
        f"{device_words(device)}.",
        sentences.calibration_sentence(results.rows, "baseline_cnn"),
        HOW_SURE,
    ])


def regularised(results: ResultsFile, family: Family, ladder: pd.DataFrame,
                study: Mapping[str, list[float]], dropout: str, trial: pd.DataFrame) -> None:
    """Notebook 03: the recipes' comparisons, what each change bought, the study's best
    configuration, the dropout validation chose, the reproductions and calibration."""
    steps = ladder.iloc[1:]
    largest = steps.loc[steps["change (points)"].idxmax()]
    means = {name: sum(values) / len(values) for name, values in study.items()}
    rows = [row for row in results.rows if row["model"] in ("cnn_v2", "cnn_v3")]
    findings(rows, results.correct, [
        *tested(family),
        ("From the source recipe to ours, the largest single gain came from the step "
         f"\"{largest['step'].removeprefix('+ ')}\" "
         f"({formats.points(largest['change (points)'] / 100)})"
         if round(largest["change (points)"], 1) > 0 else
         "From the source recipe to ours, no single step gained")
        + "; all changes together moved the "
        f"model from {formats.percent(ladder['test_acc'].iloc[0])} to "
        f"{formats.percent(ladder['test_acc'].iloc[-1])} (one random seed).",
        f"In the CNNV3 study, {sentences.best_of(means, 'mean validation accuracy')}.",
        "CNNV3's dropout in our recipe, chosen on validation: "
        + sentences.chosen_among(dict(zip(trial["option"], trial["validation accuracy (mean)"])),
                                 dropout, "validation accuracy") + ".",
        *sentences.source_figure_sentences(row for row in rows if row["recipe"] == "source"),
        sentences.calibration_sentence(rows, "cnn_v2"),
        sentences.calibration_sentence(rows, "cnn_v3"),
        HOW_SURE,
    ])
