"""Recipes: how a model is trained, as one value - the source report's, reproduced, and ours.

Wherever a source report trained a model, the notebooks train it twice: with **the source recipe**
(its optimiser, learning rate, epochs and augmentation, as the document gives them) and with **our
recipe** - the same architecture with modern training: random crops and flips (flips and quarter
turns for overhead tiles), SGD with Nesterov momentum and a cosine schedule after a linear warm-up,
label smoothing, weight decay kept off batch-norm and bias parameters, a batch size chosen for
speed on a GPU, and test-time augmentation. :func:`ladder` adds the changes one at a time, so that a
notebook can say what each bought.

``python -m helpers.commands.fashion_mnist`` trains both recipes of the three CIFAR-10 CNNs on real images.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import pandas as pd

from ..data import CROP_FLIP, DIHEDRAL, NO_AUGMENT, Augment

SOURCE, OURS = "source", "ours"
MIN_BATCH = 32  # the smallest batch :meth:`Recipe.batch_for` halves to
OUR_MIN_STEPS = 500  # the optimiser steps our recipe takes at the least (see Recipe.batch_for)
EQUAL_EPOCHS = "source, our epochs"  # the source recipe trained as long as ours: the control
OUR_INPUT = "source, our input"  # the source recipe on our recipe's input and weights (06's control)


@dataclass(frozen=True)
class Recipe:
    """Everything about how a model is trained and evaluated, except the model and the data."""

    name: str                      # "source", "ours", or a step of a ladder
    epochs: int
    batch_size: int = 64           # images per training step
    optimizer: str = "adam"        # adam | adamw | sgd (Nesterov momentum 0.9)
    lr: float = 1e-3               # peak learning rate
    weight_decay: float = 0.0
    decay_norm_and_bias: bool = True  # False: weight decay spares batch-norm scales and biases
    schedule: str | None = None    # None | "cosine" (per batch, after warm-up) | "plateau"
    warmup_epochs: float = 0.0
    label_smoothing: float = 0.0
    augment: Augment = NO_AUGMENT  # training augmentation, on the device
    tta: str = "none"              # test-time augmentation: none | flip | dihedral
    patience: int | None = None    # early stopping on the validation loss (None: never)
    grad_clip: float | None = None  # the gradients' norm is clipped to this (None: never)
    min_steps: int | None = None   # the batch halves, to MIN_BATCH at the least, until a run has these
    lr_scales: dict[str, float] = field(default_factory=dict)  # e.g. {"backbone": 0.1}
    compile_model: bool = False    # torch.compile for training (measure before switching it on)

    def batch_for(self, images: int) -> int:
        """The batch size of a run on ``images`` training images: the recipe's, halved (to
        :data:`MIN_BATCH` at the least) while the run would take fewer than ``min_steps`` steps.
        SGD's warm-up and cosine are counted in epochs, and on a small data set an epoch of a
        handful of steps leaves it too few updates to learn (on scikit-learn's 1,200 digits our
        recipe at batch 256 took 75 steps in 15 epochs, and trailed the source recipe by 20 points;
        at batch 32 it takes 570)."""
        batch = self.batch_size
        while self.min_steps and batch > MIN_BATCH and \
                self.epochs * -(-images // batch) < self.min_steps:
            batch //= 2
        return max(batch, min(MIN_BATCH, self.batch_size))

    def sized_for(self, images: int) -> Recipe:
        """This recipe with the batch size of a run on ``images`` training images
        (:meth:`batch_for`)."""
        return self.changed(batch_size=self.batch_for(images))

    def shares_epochs_with(self, shorter: Recipe) -> bool:
        """Whether ``shorter`` is this recipe stopped earlier, epoch for epoch: the same but for its
        name and length, with a learning rate that does not depend on the length (no schedule) and
        no early stopping, so that one training to this length gives both."""
        return (self.changed(name=shorter.name, epochs=shorter.epochs) == shorter
                and shorter.epochs <= self.epochs and self.schedule is None
                and self.patience is None)

    def describe(self) -> str:
        """The recipe in one line, for tables and results files."""
        warmup = f"{self.warmup_epochs:g} warm-up epoch{'' if self.warmup_epochs == 1 else 's'}"
        schedule = {None: "constant rate", "cosine": f"cosine after {warmup}",
                    "plateau": "rate cut on plateaus"}[self.schedule]
        parts = [f"{self.optimizer} lr {self.lr:g}", schedule, f"batch {self.batch_size}",
                 f"{self.epochs} epoch{'' if self.epochs == 1 else 's'}",
                 f"augmentation: {self.augment.describe()}"]
        if self.weight_decay:
            parts.append(f"weight decay {self.weight_decay:g}"
                         + ("" if self.decay_norm_and_bias else " (not on norms and biases)"))
        if self.label_smoothing:
            parts.append(f"label smoothing {self.label_smoothing:g}")
        if self.lr_scales:
            parts.append(", ".join(f"{name} lr x {scale:g}" for name, scale in self.lr_scales.items()))
        if self.tta != "none":
            parts.append(f"test-time {self.tta}")
        return "; ".join(parts)

    def in_words(self, images: int | None = None) -> dict[str, str]:
        """The recipe setting by setting, in words, for a table a reader reads; with ``images``
        (the training images of this run), the batch size this run trains with."""
        optimiser = {"adam": "Adam", "adamw": "AdamW",
                     "sgd": "SGD with Nesterov momentum 0.9"}[self.optimizer]
        rate = f"{self.lr:g}" + "".join(f"; the {part} at {scale:g} of it"
                                        for part, scale in self.lr_scales.items())
        warmup = f"{self.warmup_epochs:g} epoch{'' if self.warmup_epochs == 1 else 's'}"
        schedule = {None: "constant", "plateau": "cut tenfold when the validation loss stalls",
                    "cosine": f"linear warm-up over {warmup}, then cosine to zero"}[self.schedule]
        decay = "none" if not self.weight_decay else f"{self.weight_decay:g}" + (
            " on every parameter" if self.decay_norm_and_bias else ", not on norms and biases")
        batch = self._batch_in_words(images)
        views = {"none": "none", "flip": "mean over the image and its mirror",
                 "dihedral": "mean over the tile's 8 symmetries"}[self.tta]
        stop = "none" if self.patience is None else \
            f"after {self.patience} epochs without a lower validation loss"
        return {"optimiser": optimiser, "learning rate": rate, "schedule": schedule,
                "batch size": batch, "epochs": f"{self.epochs:,}", "early stopping": stop,
                "augmentation": self.augment.describe(), "weight decay": decay,
                "label smoothing": f"{self.label_smoothing:g}" if self.label_smoothing else "none",
                "gradient clipping": f"norm {self.grad_clip:g}" if self.grad_clip else "none",
                "test-time augmentation": views}

    def _batch_in_words(self, images: int | None) -> str:
        if not self.min_steps:
            return f"{self.batch_size:,}"
        rule = (f"halved, to {MIN_BATCH} at the least, while a run would take fewer than "
                f"{self.min_steps:,} steps")
        if images is None:
            return f"{self.batch_size:,} ({rule})"
        used = self.batch_for(images)
        if used == self.batch_size:
            return f"{used:,}"
        return (f"{used:,} on these {images:,} training images (the recipe's "
                f"{self.batch_size:,}, {rule})")

    def changed(self, **values: Any) -> Recipe:
        """The same recipe with some values changed (a name, a learning-rate scale, ...)."""
        return replace(self, **values)

    def settings(self) -> dict[str, Any]:
        """The recipe's values for a results file (the augmentation in words)."""
        return {"recipe_detail": self.describe(), "augmentation": self.augment.describe()}


# CNNV3's dropout (first block rising to the last block and the classifier), the options our
# recipe chooses from on validation: the source report's, and a lighter one - our recipe's
# augmentation and label smoothing regularise too, and the source's dropout keeps CNNV3 underfitted.
CNN_V3_DROPOUT_OPTIONS: dict[str, dict[str, float]] = {
    "0.2 to 0.5 (source)": {"dropout_start": 0.2, "dropout_end": 0.5},
    "0.1 to 0.3": {"dropout_start": 0.1, "dropout_end": 0.3},
}


def source_recipe(epochs: int, *, lr: float = 1e-3, weight_decay: float = 0.0, batch_size: int = 64,
                schedule: str | None = None, augment: Augment = NO_AUGMENT,
                patience: int | None = None) -> Recipe:
    """A source report's training: Adam at a constant rate (unless the report names a schedule),
    weight decay on every parameter where the report used it, its augmentation (none by default)."""
    return Recipe(SOURCE, epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay,
                  schedule=schedule, augment=augment, patience=patience)


def our_recipe(epochs: int, *, lr: float = 0.05, batch_size: int = 256, weight_decay: float = 5e-4,
               label_smoothing: float = 0.1, warmup_epochs: float = 1.0, optimizer: str = "sgd",
               augment: Augment = CROP_FLIP, tta: str = "flip", patience: int | None = None,
               lr_scales: dict[str, float] | None = None) -> Recipe:
    """Our training: SGD with Nesterov momentum (or AdamW), a cosine schedule after a linear
    warm-up, label smoothing, weight decay off norms and biases, gradients clipped to norm 1 (as
    source report 003 trains), at least :data:`OUR_MIN_STEPS` steps (:meth:`Recipe.batch_for`),
    augmentation on the device and test-time augmentation. Early stopping is off by default: with a
    schedule that decays to zero, the last epochs are the best ones."""
    return Recipe(OURS, epochs, batch_size=batch_size, optimizer=optimizer, lr=lr,
                  weight_decay=weight_decay, decay_norm_and_bias=False, schedule="cosine",
                  warmup_epochs=warmup_epochs, label_smoothing=label_smoothing, augment=augment,
                  tta=tta, patience=patience, grad_clip=1.0, min_steps=OUR_MIN_STEPS,
                  lr_scales=dict(lr_scales or {}))


def small_model_variants(ours: Recipe) -> dict[str, Recipe]:
    """Our recipe and two lighter variants of it, for the smallest models to choose among on
    validation: a network of a few thousand parameters underfits, so label smoothing and weight
    decay (both regularisers) may cost it more than they give, and it may want more epochs."""
    light = ours.changed(label_smoothing=0.0, weight_decay=0.0)
    return {"our recipe": ours, "without smoothing or weight decay": light,
            f"without smoothing or weight decay, {2 * ours.epochs} epochs":
                light.changed(epochs=2 * ours.epochs)}


def equal_epochs(source: Recipe, ours: Recipe) -> Recipe:
    """The source recipe trained for as many epochs as ours (and, like ours, to the end): the
    control that tells what more epochs bought from what a better recipe bought."""
    return replace(source, name=EQUAL_EPOCHS, epochs=ours.epochs, patience=ours.patience)


def with_tile_symmetries(recipe: Recipe) -> Recipe:
    """The recipe for overhead imagery (EuroSAT): flips and quarter turns in training and as the
    eight views of test-time augmentation, instead of crops and left-right flips."""
    return replace(recipe, augment=DIHEDRAL if recipe.augment != NO_AUGMENT else NO_AUGMENT,
                   tta="dihedral" if recipe.tta != "none" else "none")


# The steps from the source recipe to ours, each named by what it changes and changing exactly the
# fields listed (a test checks it); the last one ends at our recipe without test-time
# augmentation, which is ours as trained, so it needs no training of its own.
LADDER_STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("+ augmentation", ("augment",)),
    ("+ our batch size and length", ("batch_size", "epochs", "patience", "min_steps")),
    ("+ SGD, warm-up, cosine schedule, clipping", ("optimizer", "lr", "schedule", "warmup_epochs",
                                                   "grad_clip")),
    ("+ label smoothing", ("label_smoothing",)),
    ("+ our weight decay, off norms and biases", ("weight_decay", "decay_norm_and_bias")),
]


def ladder(source: Recipe, ours: Recipe) -> list[Recipe]:
    """The recipes to train between the source report's and ours, one :data:`LADDER_STEPS` change at a time
    (all but the last step, which is our recipe itself). A notebook that trains the source recipe,
    these steps and ours can say what each change bought, test-time augmentation last."""
    steps, current = [], source
    for name, changed in LADDER_STEPS[:-1]:
        current = replace(current, name=name, **{field: getattr(ours, field) for field in changed})
        steps.append(current)
    return steps


def ladder_table(source_row: Mapping[str, Any], step_rows: Sequence[Mapping[str, Any]],
                 our_row: Mapping[str, Any]) -> pd.DataFrame:
    """Test accuracy after each step from the source recipe to ours and the gain of each step:
    the source report's, the :func:`ladder` steps, ours without and with test-time augmentation."""
    steps = [("source recipe", source_row["test_acc"])]
    steps += [(row["recipe"], row["test_acc"]) for row in step_rows]
    steps += [(LADDER_STEPS[-1][0], our_row.get("test_acc_no_tta", our_row["test_acc"])),
              ("+ test-time augmentation (ours)", our_row["test_acc"])]
    frame = pd.DataFrame(steps, columns=["step", "test_acc"])
    frame["change (points)"] = 100 * frame["test_acc"].diff()
    return frame


def recipe_label(name: str) -> str:
    """A recipe's name as a panel title or a column says it: "source recipe", "our recipe"."""
    return {SOURCE: "source recipe", OURS: "our recipe", EQUAL_EPOCHS: "source recipe, our epochs",
            OUR_INPUT: "source recipe, our input"}.get(name, name)
