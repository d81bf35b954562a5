"""Models. ``build_model(name, **options)`` makes any of them and records the options on the model
(``model.config``), so a checkpoint says how to rebuild the model it holds.

- ``cnn``: the CIFAR-10 CNNs of source report 002 (notebooks 02 and 03).
- ``transfer`` and ``weights``: torchvision's AlexNet and MobileNetV2 as backbone + head, ImageNet
  weights through torchvision's cache, and the middle-fusion model (notebooks 04 and 05).
- ``hierarchy``: MobileNetV3-Small with one or several heads for CIFAR-100 (notebook 06).
- ``budget``: source report 001's seven parameter-budget models and our compact family (notebook 07).
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from ..core.device import place

from .cnn import CNNV2, CNNV3, BaselineCNN, conv_block, rising
from .budget import (SOURCE_BUDGET_LAYERS, CompactNet, SeparableBlock, blocks_for_budget,
                     compact_for_budget, compact_size, source_budget_model, stage_widths,
                     width_for_budget)
from .hierarchy import MultiHeadMobileNet, mobilenet_v3_small, output_side
from .transfer import (BackboneAndHead, FusionBackbone, FusionBranch, MapHead, alexnet,
                       calibrate_batch_norm, fusion_branch, fusion_side, middle_fusion,
                       mobilenet_v2, torchvision_model)
from .weights import (IMAGENET, IMAGENET_MEAN, IMAGENET_STD, STAND_IN, WeightsError,
                      describe_source, imagenet_state_dict, weights_file)

MODELS: dict[str, Callable[..., nn.Module]] = {
    "baseline_cnn": BaselineCNN,
    "cnn_v2": CNNV2,
    "cnn_v3": CNNV3,
    "alexnet": alexnet,
    "mobilenet_v2": mobilenet_v2,
    "middle_fusion": middle_fusion,
    "mobilenet_v3_small": mobilenet_v3_small,
    "source_budget": source_budget_model,
    "compact": CompactNet,
    "compact_budget": compact_for_budget,
}


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def build_model(name: str, *, device: torch.device | str | None = None, **options: Any
                ) -> nn.Module:
    """A model from the registry, with ``model.config = {"name": name, "options": options}``;
    with ``device``, on that device in the memory layout of its batches (``device.place``)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(sorted(MODELS))}")
    model = MODELS[name](**options)
    model.config = {"name": name, "options": dict(options)}
    return place(model, torch.device(device)) if device is not None else model


def rebuild_model(config: dict[str, Any]) -> nn.Module:
    """The model described by a checkpoint's ``model_config`` (weights not loaded)."""
    return build_model(config["name"], **config["options"])


__all__ = [
    "SOURCE_BUDGET_LAYERS", "CompactNet", "SeparableBlock", "blocks_for_budget",
    "compact_for_budget", "compact_size", "source_budget_model", "stage_widths", "width_for_budget",
    "BackboneAndHead", "BaselineCNN", "CNNV2", "CNNV3", "FusionBackbone", "FusionBranch",
    "IMAGENET", "calibrate_batch_norm", "fusion_branch",
    "IMAGENET_MEAN", "IMAGENET_STD", "MODELS", "MapHead", "MultiHeadMobileNet",
    "mobilenet_v3_small", "output_side", "STAND_IN", "WeightsError", "alexnet",
    "build_model", "conv_block", "count_parameters", "describe_source", "fusion_side",
    "imagenet_state_dict", "middle_fusion", "mobilenet_v2", "rebuild_model", "rising",
    "torchvision_model", "weights_file",
]
