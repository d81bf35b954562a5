"""The optimiser and learning-rate schedule a recipe names, built for ``training.fit``."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("none", "cosine", "plateau")


def make_optimizer(model: nn.Module, name: str = "adam", lr: float = 1e-3,
                   weight_decay: float = 0.0, momentum: float = 0.9,
                   lr_scales: dict[str, float] | None = None,
                   decay_norm_and_bias: bool = True) -> torch.optim.Optimizer:
    """Adam, AdamW or SGD (with Nesterov momentum) over the trainable parameters.

    ``lr_scales`` maps a submodule name to a factor of ``lr`` for its parameters, e.g.
    ``{"backbone": 0.1}`` to fine-tune a pretrained backbone ten times slower than its new head.
    ``decay_norm_and_bias=False`` keeps weight decay off batch-norm scales and biases (every
    parameter of one dimension): shrinking them only fights the normalisation.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}: choose {', '.join(OPTIMIZERS)}")
    groups = _parameter_groups(model, lr, weight_decay, lr_scales or {}, decay_norm_and_bias)
    fused = fused_on(next(model.parameters()).device)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr, **fused)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr, **fused)
    return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=True, **fused)


def fused_on(device: torch.device) -> dict[str, bool]:
    """On a GPU, the optimiser's step as one fused kernel: fewer launches, and the fp16 gradient
    scaler hands it its overflow flag on the device instead of reading it back every step."""
    return {"fused": True} if device.type == "cuda" else {}


def _parameter_groups(model: nn.Module, lr: float, weight_decay: float,
                      lr_scales: dict[str, float], decay_norm_and_bias: bool
                      ) -> list[dict[str, Any]]:
    """One group per scaled submodule and one for the rest, each split in two where weight decay
    spares one-dimensional parameters; trainable parameters only, the base group last."""
    children = dict(model.named_children())
    unknown = set(lr_scales) - set(children)
    if unknown:
        raise ValueError(f"lr_scales names {sorted(unknown)}, but the model's submodules are "
                         f"{sorted(children)}")
    scaled = {id(p) for child in lr_scales for p in children[child].parameters()}
    blocks = [(list(children[child].parameters()), lr * factor) for child, factor in lr_scales.items()]
    blocks.append(([p for p in model.parameters() if id(p) not in scaled], lr))
    groups = []
    for parameters, block_lr in blocks:
        trainable = [p for p in parameters if p.requires_grad]
        spared = [] if decay_norm_and_bias else [p for p in trainable if p.ndim <= 1]
        decayed = [p for p in trainable if all(p is not q for q in spared)]
        groups += [{"params": spared, "lr": block_lr, "weight_decay": 0.0},
                   {"params": decayed, "lr": block_lr, "weight_decay": weight_decay}]
    return [group for group in groups if group["params"]]


def make_scheduler(optimizer: torch.optim.Optimizer, name: str | None, epochs: int,
                   steps_per_epoch: int, warmup_epochs: float = 0.0, plateau_factor: float = 0.1,
                   plateau_patience: int = 3) -> torch.optim.lr_scheduler.LRScheduler | None:
    """The learning-rate schedule: None; "cosine", stepped after every batch (a linear warm-up
    over ``warmup_epochs``, then a cosine decay to zero at the end of the last epoch); or
    "plateau", stepped after every epoch (the rate times ``plateau_factor`` whenever the
    validation loss has stalled for ``plateau_patience`` epochs)."""
    if name is None or name == "none":
        return None
    if name == "cosine":
        total, warmup = epochs * steps_per_epoch, warmup_epochs * steps_per_epoch

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / (warmup + 1)
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))
        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=plateau_factor,
                                                          patience=plateau_patience)
    raise ValueError(f"unknown schedule {name!r}: choose {', '.join(SCHEDULES)}")


def per_epoch(scheduler: Any) -> bool:
    """Whether ``scheduler`` steps once per epoch on the validation loss (else once per batch)."""
    return isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
