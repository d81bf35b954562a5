"""MobileNetV3-Small for CIFAR-100: one or several classification heads on one backbone.

torchvision's MobileNetV3-Small halves the resolution five times (stem, then four of its blocks), so
a 32 x 32 image reaches the classifier as a single 1 x 1 position - one reason source report 000's accuracies
are low. Two remedies are built in, to be compared in notebook 06:

- ``stem="cifar"``: the stem convolution and the first block keep stride 1, so the network
  downsamples by 8 and a 32 x 32 image ends as 4 x 4 (the CIFAR adaptation of small ImageNet nets);
- upsampling the input on the device (the loader's ``resize``), which also suits ImageNet weights.
"""

from __future__ import annotations

import torch
from torch import nn

from .transfer import torchvision_model

STEMS = ("imagenet", "cifar")
FEATURES = 576  # channels of MobileNetV3-Small's last feature map


def mobilenet_v3_small_features(stem: str = "imagenet", weights: str | None = None) -> nn.Module:
    """MobileNetV3-Small's feature extractor, global average pool and flatten (576 values)."""
    if stem not in STEMS:
        raise ValueError(f"unknown stem {stem!r}: choose {' or '.join(STEMS)}")
    net = torchvision_model("mobilenet_v3_small", weights)
    if stem == "cifar":
        net.features[0][0].stride = (1, 1)           # the stem convolution
        net.features[1].block[0][0].stride = (1, 1)  # the first block's depthwise convolution
    return nn.Sequential(net.features, net.avgpool, nn.Flatten())


def classifier(num_classes: int, hidden: int = 1024, dropout: float = 0.2) -> nn.Sequential:
    """MobileNetV3-Small's own classifier shape: 576 -> 1,024 (hardswish, dropout) -> classes."""
    return nn.Sequential(nn.Linear(FEATURES, hidden), nn.Hardswish(), nn.Dropout(dropout),
                         nn.Linear(hidden, num_classes))


class MultiHeadMobileNet(nn.Module):
    """One MobileNetV3-Small backbone and one independent classifier per head, all reading the same
    flattened features. With one head the output is a tensor; with several, a tuple in the order of
    ``heads`` (``head_names`` tells ``fit`` and the results which is which)."""

    def __init__(self, heads: dict[str, int], stem: str = "imagenet", weights: str | None = None
                 ) -> None:
        super().__init__()
        if not heads:
            raise ValueError("give at least one head, e.g. {'fine': 100}")
        self.backbone = mobilenet_v3_small_features(stem, weights)
        self.heads = nn.ModuleDict({name: classifier(classes) for name, classes in heads.items()})
        self.head_names = list(heads)
        self.weights = weights

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        features = self.backbone(x)
        outputs = tuple(head(features) for head in self.heads.values())
        return outputs[0] if len(outputs) == 1 else outputs


def mobilenet_v3_small(heads: dict[str, int], stem: str = "imagenet",
                       weights: str | None = None) -> MultiHeadMobileNet:
    """The registry's builder: ``heads`` such as {"coarse": 20} or {"fine": 100, "coarse": 20}."""
    return MultiHeadMobileNet(dict(heads), stem, weights)


def output_side(stem: str, input_size: int) -> int:
    """The side of the last feature map for a square input (before global pooling)."""
    downsampling = 8 if stem == "cifar" else 32
    return max(1, -(-input_size // downsampling))
