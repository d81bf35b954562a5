"""Notebooks 06 and 07's findings."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ...evaluation.superclasses import MAPPING_NAMES
from ...stats.family import Family
from ...experiments.results import ResultsFile
from ...experiments.studies import family_label
from .. import formats, names, sentences
from ..headline import findings, findings_frame
from .common import HOW_SURE, tested


def hierarchy(results: ResultsFile, family: Family, input_trial: pd.DataFrame | None, chosen: str,
              level_trial: pd.DataFrame | None, level: str, mappings: pd.DataFrame,
              mapping: str, severity: pd.DataFrame, trained: Mapping[tuple[str, str], Any]
              ) -> None:
    """Notebook 06: what validation chose (input, augmentation, mapping), the comparisons, one
    head or two, how bad fine100's mistakes are."""
    validation = "validation accuracy"
    chose = [(f"Our recipe's {what}, chosen on validation: " + sentences.chosen_among(
        dict(zip(trial["option"], trial["validation accuracy (mean)"])), option, validation) + "."
              if trial is not None else f"Our recipe's {what}: {option}, as the run was set.")
             for what, trial, option in (("input", input_trial, chosen),
                                         ("augmentation", level_trial, level))]
    ours = {label: trained[label, "ours"].row for label in ("fine100", "coarse20", "multihead")}
    fine = severity[severity["model"] == "fine100"]
    findings(results.rows, results.correct, [
        *chose, *tested(family),
        "Two heads or one (our recipe): on all 100 + 20 classes the two-head model's fine head "
        f"reached {formats.percent(ours['multihead']['test_acc'])} (fine100: "
        f"{formats.percent(ours['fine100']['test_acc'])}) and its coarse head "
        f"{formats.percent(ours['multihead']['test_acc_coarse'])} (coarse20: "
        f"{formats.percent(ours['coarse20']['test_acc'])}), with one backbone instead of two.",
        "Fine to coarse, on the validation images not used for its weights: "
        + sentences.chosen_among({f"the {MAPPING_NAMES[m]} mapping": accuracy for m, accuracy in
                                  zip(mappings["mapping"], mappings["validation accuracy"])},
                                 f"the {MAPPING_NAMES[mapping]} mapping", validation) + ".",
        "How bad fine100's mistakes are: of its wrong answers, " + " and ".join(
            f"{formats.percent(share)} with {sentences.recipe_words(recipe)}" for recipe, share
            in zip(fine["recipe"], fine["mistakes inside the true superclass"]))
        + " stay inside the true superclass (a mistake drawn at random: "
        f"{formats.percent(fine['by chance'].iloc[0])}).",
        HOW_SURE,
    ])


def budget(results: ResultsFile, family: Family, trials: Mapping[int, pd.DataFrame],
           chosen: Mapping[int, str], trained: Mapping[tuple[str, str], Any]) -> None:
    """Notebook 07: our family against the published figures and its goals, what the recipe alone
    did to the source models, the smallest budget, the variants chosen, when models peak."""
    frame = findings_frame(results.rows, results.correct).set_index("model")
    ours = frame[frame.index.str.startswith("ours_") & frame["goal"].notna()]
    verdicts = ours["goal verdict"].map(lambda v: v.split()[-1]).value_counts()
    source_runs = sorted((key for key in trained if key[1] == "source"),
                         key=lambda key: trained[key].row["params"])
    kept = [trained[key].row["best_epoch"] for key in source_runs]
    small, large = sum(kept[:3]) / 3, sum(kept[-2:]) / 2
    findings(results.rows, results.correct, [
        *tested(family),
        "Our family's goals (each judged on its interval over random seeds and test images): "
        + ", ".join(f"{count} {verdict}" for verdict, count in verdicts.items()) + ".",
        *[f"Our recipe's variant for {names.model_name(family_label(b))}: "
          + sentences.chosen_among(dict(zip(trial["option"], trial["validation accuracy (mean)"])),
                                   chosen[b], "validation accuracy") + "."
          for b, trial in trials.items()],
        (f"When do models peak? By the source recipe, its three smallest models kept epoch "
         f"{small:.1f} on average, its two largest epoch {large:.1f}: "
         + ("as the source report found, the large models peak earlier."
            if large < small else "unlike the source report's finding, the large models did not "
            "peak earlier than the small ones.")) if max(kept) > 1 else "",
        HOW_SURE,
    ])
