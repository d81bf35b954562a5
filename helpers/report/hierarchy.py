"""What notebook 06 shows of its studies: the input trial with each input's last map, the
diagnostics of the four models, the fine-class summary with its ties named, the fine-to-coarse
mappings beside the models that predict superclasses directly, and the appendix."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd

from ..evaluation.predictions import confusion, per_class_accuracy, report_frame
from ..models import output_side
from ..training.recipes import OURS
from ..evaluation.superclasses import MAPPING_NAMES
from . import formats, plots
from .diagnostics import classification_report
from .names import class_name, model_name, recipe_name
from .notebook import text
from .sentences import chosen_among
from .tables import table


def input_trial(trial: pd.DataFrame | None, inputs: Mapping[str, Any], chosen: str) -> None:
    """The input trial's validation figures with each input's last feature map, and the choice."""
    if trial is None:
        text(f"**Our recipe's input: {chosen}**, as the run was set (no trial).")
        return
    sides = {name: output_side(option.stem, option.resize or 32) for name, option in inputs.items()}
    table(trial.assign(**{"last map": trial["option"].map(lambda o: f"{sides[o]} x {sides[o]}")})
          [["option", "last map", "validation accuracy (mean)", "chosen"]].rename(
              columns={"option": "input", "validation accuracy (mean)": "validation accuracy"}),
          "fine100 by the source recipe, one random seed: validation accuracy by input")
    text("**Our recipe's input**, chosen on validation: "
         + chosen_among(dict(zip(trial["option"], trial["validation accuracy (mean)"])), chosen,
                        "validation accuracy") + ".")


def hierarchy_diagnostics(trained: Mapping[tuple[str, str], Any], cifar100: Any,
                          fine_to_coarse: Any) -> None:
    """Training curves of every model, the superclass confusion matrices of the models that
    predict all 20 superclasses, fine100's confusion matrix ordered by superclass."""
    plots.curves_grid({f"{model_name(label)}, {recipe_name(recipe)}": e.history
                       for (label, recipe), e in trained.items()}, "CIFAR-100: accuracy per epoch")
    plt.show()
    superclasses = [class_name(name) for name in cifar100.coarse_classes]
    plots.confusion_grid({"coarse20": confusion(trained["coarse20", OURS].test, 20),
                          "two heads, coarse head": confusion(
                              trained["multihead", OURS].heads["coarse"], 20)},
                         superclasses, "Superclasses, our recipe: confusion matrices (test set)",
                         columns=2)
    plt.show()
    plots.confusion_by_superclass(confusion(trained["fine100", OURS].test, 100),
                                  fine_to_coarse.tolist(), superclasses,
                                  "fine100, our recipe: confusion matrix (test set, % of the true "
                                  "class), ordered by superclass")
    plt.show()


def extremes(accuracy: pd.Series, worst: bool) -> str:
    """The worst (or best) classes by accuracy, ties named as ties: "apple, bear and lamp" or
    "87 classes tied at 0.0%"."""
    ordered = accuracy.sort_values(ascending=worst)
    edge = formats.percent(ordered.iloc[0])
    tied = [class_name(name) for name, value in ordered.items() if formats.percent(value) == edge]
    if len(tied) > 3:
        return f"{len(tied)} classes tied at {edge}"
    # the classes above (or below) every other: none that ties with the rest of the classes
    rest = formats.percent(ordered.iloc[-1])
    named = [f"{class_name(name)} ({formats.percent(value)})" for name, value in
             ordered.iloc[:3].items() if formats.percent(value) != rest]
    return ", ".join(named) if named else f"all tied at {edge}"


def fine_class_summary(trained: Mapping[tuple[str, str], Any], classes: Sequence[str],
                       subset_classes: Sequence[str], layout: Any) -> None:
    """Each fine head's top-1 and top-5 accuracy and per-class spread (our recipe), its worst and
    best classes; the full per-class reports are written beside the results files."""
    rows = []
    for label, head, names in (("fine100", None, classes), ("multihead", "fine", classes),
                               ("multihead_subset", "fine", subset_classes)):
        experiment = trained[label, OURS]
        predictions = experiment.heads[head] if head else experiment.test
        report_frame(predictions, names).to_csv(_report_file(layout, label))
        accuracy = per_class_accuracy(confusion(predictions, len(names)), names)
        rows.append({"model": label, "top-1": predictions.accuracy(),
                     "top-5": predictions.top_k_accuracy(5), "mean per class": accuracy.mean(),
                     "std per class": accuracy.std(ddof=0),
                     "worst classes": extremes(accuracy, worst=True),
                     "best classes": extremes(accuracy, worst=False)})
    table(pd.DataFrame(rows), "Fine classes, our recipe: accuracy and its spread over the classes "
          "(each class's figure in brackets)")


def _report_file(layout: Any, label: str) -> Any:
    path = layout.classification_report(f"06_{label}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def mapping_table(mappings: pd.DataFrame, trained: Mapping[tuple[str, str], Any]) -> None:
    """The four mappings (validation chose, test reports) beside the two models that predict the
    superclasses directly, as a table and bars."""
    direct = pd.DataFrame([
        {"mapping": "coarse20 model", "how": "trained for the 20 superclasses",
         "test accuracy": trained["coarse20", OURS].test.accuracy()},
        {"mapping": "two heads, coarse head", "how": "second head of the 100 + 20 model",
         "test accuracy": trained["multihead", OURS].heads["coarse"].accuracy()}])
    shown = pd.concat([mappings.assign(mapping=mappings["mapping"].map(
        lambda mapping: f"fine100 → {MAPPING_NAMES[mapping]}")),
                       direct], ignore_index=True)
    table(shown, "Superclass accuracy, six ways (our recipe): the mapping is chosen on the "
          "validation images not used for its weights; the test column reports the outcome")
    plots.mapping_bars(shown.rename(columns={"mapping": "method", "test accuracy": "accuracy"}),
                       "Superclass test accuracy by method")
    plt.show()


def hierarchy_appendix(trained: Mapping[tuple[str, str], Any], cifar100: Any, subset: Any,
                       subset_splits: Any) -> None:
    """The superclass heads' classification reports and the fine heads' confusion matrices."""
    for label, predictions, names in (
            ("coarse20", trained["coarse20", OURS].test, cifar100.coarse_classes),
            ("two heads, coarse head", trained["multihead", OURS].heads["coarse"],
             cifar100.coarse_classes),
            ("two heads on superclasses 0-9, coarse head",
             trained["multihead_subset", OURS].heads["coarse"], subset.coarse_classes)):
        classification_report(predictions, names, f"{label}, our recipe: classification report, test set")
    plots.confusion_by_superclass(
        confusion(trained["multihead_subset", OURS].heads["fine"], len(subset.classes)),
        subset_splits.fine_to_coarse().tolist(), [class_name(n) for n in subset.coarse_classes],
        "Two heads on superclasses 0-9, fine head: confusion matrix (test set, % of the true "
        "class), ordered by superclass")
    plt.show()
