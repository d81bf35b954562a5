"""Notebook 06's mechanics, so that each of its studies reads as a few calls: the inputs and the
augmentation levels validation chooses among, the four models of the CIFAR-100 hierarchy by both
recipes, how bad the mistakes are, and the fine-to-coarse mappings chosen on validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

from ..core.config import Run
from ..data import CROP_FLIP, NO_AUGMENT, Augment, make_loaders
from ..evaluation import superclasses
from ..evaluation.superclasses import MAPPING_NAMES
from ..evaluation.predictions import Predictions, confusion, per_class_accuracy, predict
from ..models import IMAGENET_MEAN, IMAGENET_STD
from ..training.recipes import OURS, SOURCE, Recipe
from .results import ResultsFile
from .train import Experiment, train_model

NATIVE = "native 32, ImageNet strides"  # the source report's input, which its recipe keeps


@dataclass(frozen=True)
class Input:
    """One way to give MobileNetV3-Small a 32 x 32 image: the stem's strides, a resize, weights."""

    stem: str = "imagenet"
    resize: int | None = None
    weights: str | None = None

    def loading(self) -> dict[str, Any]:
        """The loaders' arguments for this input: its resize, and ImageNet's normalisation where
        the weights are ImageNet's."""
        return {"resize": self.resize,
                "stats": (IMAGENET_MEAN, IMAGENET_STD) if self.weights else None}

    def training(self, recipe: Recipe, backbone_scale: float) -> dict[str, Any]:
        """The arguments of ``train_model`` for this input: ImageNet's normalisation and a slower
        backbone where the weights are ImageNet's."""
        return {"stem": self.stem, "resize": self.resize, "weights": self.weights,
                "stats": (IMAGENET_MEAN, IMAGENET_STD) if self.weights else None,
                "recipe": recipe.changed(lr_scales={"backbone": backbone_scale}
                                         if self.weights else {})}


def input_options(upsample: int, large_upsample: int, weights: str) -> dict[str, Input]:
    """The inputs the ablation compares, by their names."""
    return {NATIVE: Input(), f"upsampled to {upsample}": Input(resize=upsample),
            "CIFAR stem (strides 1)": Input(stem="cifar"),
            f"ImageNet weights, upsampled to {upsample}": Input(resize=upsample, weights=weights),
            f"ImageNet weights, upsampled to {large_upsample}": Input(resize=large_upsample,
                                                                      weights=weights)}


def augmentation_levels(cutout: int, jitter: float) -> dict[str, Augment]:
    """The augmentation levels source reports 003 and 004 planned, by their names."""
    return {"none": NO_AUGMENT, "crop + flip": CROP_FLIP,
            "crop + flip + cutout + colour jitter": Augment(crop_padding=4, flip=True,
                                                            cutout=cutout, jitter=jitter)}


def four_models(splits: Any, subset_splits: Any) -> dict[str, tuple[Any, dict[str, int]]]:
    """The four models by name: their splits (with the targets of their heads) and heads."""
    subset = subset_splits.with_targets("both")
    return {"coarse20": (splits.with_targets("coarse"), {"coarse": 20}),
            "fine100": (splits.with_targets("fine"), {"fine": 100}),
            "multihead": (splits.with_targets("both"), {"fine": 100, "coarse": 20}),
            "multihead_subset": (subset, {"fine": len(subset.classes),
                                          "coarse": len(subset.coarse_classes)})}


def train_four(run: Run, results: ResultsFile, plans: Mapping[str, tuple[Any, dict[str, int]]],
               source: Recipe, ours: Recipe, our_input: Input, input_name: str,
               backbone_scale: float) -> dict[tuple[str, str], Experiment]:
    """Each of the four models by the source recipe (at the source report's input) and by ours
    (at ``our_input``)."""
    trained = {}
    for label, (model_splits, heads) in plans.items():
        for recipe, chosen, name in ((source, Input(), NATIVE), (ours, our_input, input_name)):
            trained[label, recipe.name] = train_model(
                run, results, label=label, model="mobilenet_v3_small", splits=model_splits,
                dataset="CIFAR-100", notes={"input": name}, heads=heads,
                **chosen.training(recipe, backbone_scale))
    return trained


def mistakes_inside(trained: Mapping[tuple[str, str], Experiment], fine_to_coarse: torch.Tensor,
                    subset_fine_to_coarse: torch.Tensor, results: ResultsFile) -> pd.DataFrame:
    """How bad the mistakes are: for each fine-class model and recipe, the share of its wrong
    answers inside the true class's superclass, beside a random mistake's; each results row gets
    the share (``test_errors_in_superclass``)."""
    rows = []
    for label, head in [("fine100", "main"), ("multihead", "fine"), ("multihead_subset", "fine")]:
        mapping = subset_fine_to_coarse if label == "multihead_subset" else fine_to_coarse
        for recipe in (SOURCE, OURS):
            experiment = trained[label, recipe]
            predictions = experiment.heads.get(head, experiment.test)
            inside = superclasses.errors_inside_superclass(predictions, mapping)
            results.add({**experiment.row, "test_errors_in_superclass": inside},
                        results.correct.get((label, recipe, experiment.row["seed"])))
            rows.append({"model": label, "recipe": recipe,
                         "fine-class accuracy": predictions.accuracy(),
                         "mistakes inside the true superclass": inside,
                         "by chance": superclasses.chance_inside_superclass(mapping)})
    return pd.DataFrame(rows)


def mapping_study(run: Run, fine100: Experiment, splits: Any, fine_to_coarse: torch.Tensor,
                  recipe: Recipe, classes: list[str], **inputs: Any
                  ) -> tuple[pd.DataFrame, dict[str, Predictions]]:
    """Source report 004's question: four ways from fine100's probabilities to a superclass. The
    validation images are halved: one half gives the validation weighting its per-class weights,
    the other chooses the mapping, so that no choice reads a test figure. Returns the table (the
    validation and test accuracy of each mapping) and each mapping's test predictions."""
    loader = make_loaders(splits, run, batch_size=recipe.batch_size, **inputs)[1]
    validation = predict(fine100.model, loader, recipe.tta)
    weighting, choosing = (Predictions(validation.logits[half::2], validation.labels[half::2])
                           for half in (0, 1))
    weights = torch.tensor(per_class_accuracy(confusion(weighting, len(classes)), classes)
                           .to_numpy(), dtype=torch.float32)
    tested = {name: superclasses.coarse_predictions(fine100.test, fine_to_coarse, name, weights)
              for name in superclasses.MAPPINGS}
    table = pd.DataFrame([{"mapping": name, "how": how,
                           "validation accuracy": superclasses.coarse_predictions(
                               choosing, fine_to_coarse, name, weights).accuracy(),
                           "test accuracy": tested[name].accuracy()}
                          for name, how in superclasses.MAPPINGS.items()])
    return table, tested


def right(predictions: Predictions) -> np.ndarray:
    """Which images ``predictions`` got right."""
    return (predictions.predicted == predictions.labels).numpy()


def add_mapping_tests(family: Any, mapped: Mapping[str, Predictions], chosen: str,
                      coarse20: Experiment) -> None:
    """The chosen mapping against mapping the argmax and against the coarse20 model, on the same
    test images (McNemar's test), into the notebook's ``family``."""
    subject, named = "superclasses from fine100", f"the {MAPPING_NAMES[chosen]} mapping"
    if chosen != "argmax":
        family.on_answers(subject, named, "the argmax mapping", right(mapped[chosen]),
                          right(mapped["argmax"]))
    family.on_answers(subject, named, "the coarse20 model", right(mapped[chosen]),
                      right(coarse20.test))


def best_on_validation(mappings: pd.DataFrame) -> str:
    """The mapping of :func:`mapping_study` with the best validation accuracy (the first listed
    on a tie)."""
    return str(mappings.loc[mappings["validation accuracy"].idxmax(), "mapping"])
