"""A finished training kept for reuse (:class:`Fitted`): its weights, history, recipe, random seed and
the settings it was trained with, checked before it stands for another training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import torch
from torch import nn

from ..training.loop import History
from ..training.recipes import Recipe


# A trial's arguments that do not shape its training (the recipe and seed are checked apart).
NOT_TRAINING = ("label", "notes", "reference_key", "recipe", "seed")


@dataclass(frozen=True, eq=False)
class Fitted:
    """A finished training kept for reuse: the trained model's weights (on the CPU) and history,
    the recipe, random seed and other arguments it was trained with, and the label of its row."""

    state: dict[str, torch.Tensor]
    history: History
    recipe: Recipe
    seed: int
    label: str
    settings: dict[str, Any]

    @classmethod
    def of(cls, experiment: Any, seed: int, settings: Mapping[str, Any]) -> Fitted:
        """``experiment`` as trained with random seed ``seed`` and the trainer's ``settings``
        (its keyword arguments: the recipe, model, data, views, ...)."""
        state = {key: value.detach().cpu().clone()
                 for key, value in experiment.model.state_dict().items()}
        return cls(state, experiment.history, settings["recipe"], seed, experiment.row["model"],
                   {key: value for key, value in settings.items() if key not in NOT_TRAINING})

    def check(self, **settings: Any) -> None:
        """Raise ValueError where any of ``settings`` differs from the trial's (objects such as
        data splits and models must be the same objects; plain values equal; a setting the trial
        was not given counts as None)."""
        differing = [key for key, value in settings.items()
                     if not _same(self.settings.get(key), value)]
        if differing:
            raise ValueError(f"{self.label} was trained with other {', '.join(differing)}: it "
                             "cannot stand for that training")

    def restore(self, network: nn.Module, recipe: Recipe, seed: int, **settings: Any) -> History:
        """Load the weights into ``network`` and return the history, after checking that ``recipe``,
        ``seed`` and ``settings`` would have trained it the same way: the recipes may differ only in
        their name and test-time views, which do not touch the training."""
        if self.seed != seed or self.recipe.changed(name=recipe.name, tta=recipe.tta) != recipe:
            raise ValueError(f"{self.label} was trained by another recipe or random seed than "
                             f"{recipe.name!r} with seed {seed}: it cannot stand for that training")
        self.check(**settings)
        network.load_state_dict(self.state)
        print(f"{self.label}: training reused as {recipe.name!r}, random seed {seed} (the same "
              f"training, evaluated with test-time augmentation {recipe.tta!r})", flush=True)
        return self.history


def _same(first: Any, second: Any) -> bool:
    if first is second:
        return True
    try:
        return bool(first == second)
    except (RuntimeError, TypeError, ValueError):  # tensors and the like: only the same object
        return False
