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
    grad_clip: float | None = None
    lr_scales: dict[str, float] = field(default_factory=dict)  # e.g. {"backbone": 0.1}
    compile_model: bool = False    # torch.compile for training (measure before switching it on)

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
    warm-up, label smoothing, weight decay off norms and biases, augmentation on the device and
    test-time augmentation. Early stopping is off by default: with a schedule that decays to zero,
    the last epochs are the best ones."""
    return Recipe(OURS, epochs, batch_size=batch_size, optimizer=optimizer, lr=lr,
                  weight_decay=weight_decay, decay_norm_and_bias=False, schedule="cosine",
                  warmup_epochs=warmup_epochs, label_smoothing=label_smoothing, augment=augment,
                  tta=tta, patience=patience, lr_scales=dict(lr_scales or {}))


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
    ("+ our batch size and length", ("batch_size", "epochs", "patience")),
    ("+ SGD, warm-up and cosine schedule", ("optimizer", "lr", "schedule", "warmup_epochs")),
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
