"""Notebooks 04 and 05's findings."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ...stats.family import Family
from ...experiments.results import ResultsFile
from .. import formats, names, sentences
from ..headline import findings
from .common import HOW_SURE, tested


def transfer(results: ResultsFile, family: Family, side: Mapping[str, int], native: int,
             side_trials: Mapping[str, pd.DataFrame], scale: Mapping[str, str],
             scale_trials: Mapping[str, pd.DataFrame], sizes: pd.DataFrame,
             speeds: list[dict[str, Any]], pretrained_side: int) -> None:
    """Notebook 04: the comparisons, what validation chose (input sides from scratch, the
    fine-tuned backbone's rate), the size study, the fine-tuned networks, caching's saving."""
    validation = "validation accuracy"
    chosen_sides = [
        f"{names.model_name(f'{name}_scratch')}, our recipe's input side, chosen on validation: "
        + sentences.chosen_among(dict(zip(trial["option"], trial["validation accuracy (mean)"])),
                                 f"{side[name]} px", validation)
        + f"; the source recipe trained on the tiles' {native} px, as the source report did"
        + (", and at ours as the input control" if side[name] != native else "") + "."
        for name, trial in side_trials.items()]
    rates = [f"{names.model_name(f'{name}_finetuned')}, the backbone's rate as a fraction of the "
             "head's: " + sentences.chosen_among(dict(zip(trial["option"], trial[
                 "validation accuracy (mean)"])), scale[name], validation) + "."
             for name, trial in scale_trials.items()]
    tuned = [row for row in results.rows if row["model"].endswith("_finetuned")]
    findings(results.rows, results.correct, [
        *tested(family), *chosen_sides, *rates,
        "Fine-tuned whole (our recipe, beyond the source report): " + ", ".join(
            f"{names.model_name(row['model'])} {formats.percent(row['test_acc'])}"
            for row in tuned) + " test accuracy.",
        f"Frozen MobileNetV2's input side: {sentences.best_of(dict(zip(sizes['input side (pixels)'].map('{} px'.format), sizes['validation accuracy'])), validation)}; "
        f"the pretrained runs use {pretrained_side} px.",
        caching_sentence(speeds),
        HOW_SURE,
    ])


def caching_sentence(speeds: list[Mapping[str, Any]]) -> str:
    """What caching the frozen features did to each classifier's training time, the cache's
    computation included, against passing every image through the backbone every epoch."""
    said = [f"{names.model_name(speed['model'])}'s classifier "
            f"{sentences.how_long(speed['speed-up of the training'])}" for speed in speeds]
    return ("Caching the frozen features, the cache's computation included, against passing every "
            f"image through the backbone every epoch: {'; '.join(said)}.")


def fusion(results: ResultsFile, family: Family, trial: pd.DataFrame | None, views: str,
           options: Mapping[str, str], cache: Any, trained: Mapping[tuple[str, str], Any]) -> None:
    """Notebook 05: the fusion beside the source report, the comparisons, the training views
    validation chose, what caching and training cost, calibration."""
    named = {value: name for name, value in options.items()}[views]
    chose = ("Our recipe's training views, chosen on validation: "
             + sentences.chosen_among(dict(zip(trial["option"], trial["validation accuracy (mean)"])),
                                      named, "validation accuracy") + "."
             if trial is not None else f"Our recipe trained on {named}, as the run was set.")
    findings(results.rows, results.correct, [
        *sentences.source_figure_sentences(row for row in results.rows if row["recipe"] == "source"
                                           and row["model"] == "middle_fusion"),
        *tested(family), chose,
        f"The frozen backbones' maps were cached in {formats.seconds(cache.seconds)}; the fused "
        "classifier then trained in "
        f"{formats.seconds(trained['middle_fusion', 'ours'].history.seconds)} by our recipe and "
        f"{formats.seconds(trained['middle_fusion', 'source'].history.seconds)} by the source "
        "recipe (first random seed).",
        sentences.calibration_sentence(results.rows, "middle_fusion"),
        HOW_SURE,
    ])
