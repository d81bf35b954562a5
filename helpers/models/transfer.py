"""torchvision's AlexNet and MobileNetV2 as a backbone and a head, and the middle-fusion model.

Every model here is a :class:`BackboneAndHead`: ``backbone`` turns images into features, ``head``
classifies them, and ``forward`` is ``head(backbone(x))`` - the same computation as torchvision's
own ``forward``. The split is what lets a frozen backbone's features be computed once and the head
be trained on them (``helpers.training.features``).

Freezing means: the backbone's parameters do not train *and* it stays in eval mode, so that batch
norm uses ImageNet's running statistics instead of re-estimating them from each batch (a frozen
MobileNetV2 left in train mode would silently drift).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torchvision import models as tv

from .weights import IMAGENET, SOURCES, STAND_IN, imagenet_state_dict


class BackboneAndHead(nn.Module):
    """``head(backbone(x))``, with the backbone optionally frozen (no gradients, eval mode)."""

    def __init__(self, backbone: nn.Module, head: nn.Module, frozen: bool = False,
                 weights: str | None = None, new_layers: list[str] | None = None) -> None:
        super().__init__()
        self.backbone, self.head, self.frozen, self.weights = backbone, head, frozen, weights
        if frozen:
            self.backbone.requires_grad_(False)
            self.backbone.eval()
        # the head's layers that no pretrained network gave (None: all of them), by module name
        self.new_layers = [name for name, module in head.named_modules()
                           if hasattr(module, "reset_parameters")] \
            if new_layers is None else list(new_layers)
        # a frozen model's head as built (ImageNet's hidden layers, the new layers), for
        # restart_head; a model trained whole has no use for the copy
        self.initial_head = {k: v.detach().clone() for k, v in head.state_dict().items()} \
            if frozen else {}

    def restart_head(self) -> None:
        """The head back to its pretrained weights, its new layers drawn afresh from the random
        generator (which the caller seeds): a training of the head then starts where it would
        alone, not from what an earlier training left, and each random seed draws its own new
        layers - as it would draw a model's initial weights."""
        self.head.load_state_dict(self.initial_head)
        modules = dict(self.head.named_modules())
        for name in self.new_layers:
            modules[name].reset_parameters()

    def describe_new_layers(self) -> str:
        """The new layers of the head in words, for results files ("6: Linear(4096 -> 10)")."""
        modules = dict(self.head.named_modules())
        return "; ".join(f"{name}: {type(modules[name]).__name__}" + (
            f"({modules[name].in_features} -> {modules[name].out_features})"
            if isinstance(modules[name], nn.Linear) else "") for name in self.new_layers)

    def train(self, mode: bool = True) -> "BackboneAndHead":
        super().train(mode)
        if self.frozen:
            self.backbone.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


def torchvision_model(architecture: str, weights: str | None) -> nn.Module:
    """A torchvision model with ImageNet weights (``"imagenet"``), random stand-in weights for the
    offline profiles (``"stand-in"``), or random weights for training from scratch (None)."""
    if weights is not None and weights not in SOURCES:
        raise ValueError(f"unknown weights {weights!r}: choose None, {' or '.join(SOURCES)}")
    model = getattr(tv, architecture)(weights=None)
    if weights == IMAGENET:
        model.load_state_dict(imagenet_state_dict(architecture))
    elif weights == STAND_IN:
        calibrate_batch_norm(model)
    return model


@torch.no_grad()
def calibrate_batch_norm(model: nn.Module, batches: int = 4, size: int = 64) -> None:
    """Give a randomly initialised model the batch-norm statistics of its own activations on
    random images, as training would have. Without this, a freshly initialised MobileNetV2 in eval
    mode shrinks its features to about 1e-9 (they vanish in half precision), so a stand-in for
    pretrained weights would not exercise the frozen-feature path at all."""
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over the calibration batches
    generator = torch.Generator().manual_seed(0)
    model.train()
    for _ in range(batches):
        model(torch.randn(16, 3, size, size, generator=generator))
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum
    model.eval()


def _check_frozen(weights: str | None, frozen: bool) -> None:
    if frozen and weights is None:
        raise ValueError("a frozen backbone needs weights: 'imagenet' (or 'stand-in' offline)")


def alexnet(num_classes: int = 10, weights: str | None = None, frozen: bool = False
            ) -> BackboneAndHead:
    """torchvision's AlexNet: backbone = features, 6 x 6 average pool and flatten (9,216 values);
    head = its classifier (dropout, 4,096, 4,096) with a new ``num_classes`` output layer."""
    _check_frozen(weights, frozen)
    net = torchvision_model("alexnet", weights)
    net.classifier[-1] = nn.Linear(net.classifier[-1].in_features, num_classes)
    backbone = nn.Sequential(net.features, net.avgpool, nn.Flatten())
    return BackboneAndHead(backbone, net.classifier, frozen, weights,
                           new_layers=[str(len(net.classifier) - 1)] if weights else None)


def mobilenet_v2(num_classes: int = 10, weights: str | None = None, frozen: bool = False
                 ) -> BackboneAndHead:
    """torchvision's MobileNetV2: backbone = features, global average pool and flatten (1,280
    values); head = dropout 0.2 and a new ``num_classes`` linear layer."""
    _check_frozen(weights, frozen)
    net = torchvision_model("mobilenet_v2", weights)
    net.classifier[-1] = nn.Linear(net.classifier[-1].in_features, num_classes)
    backbone = nn.Sequential(net.features, nn.AdaptiveAvgPool2d(1), nn.Flatten())
    return BackboneAndHead(backbone, net.classifier, frozen, weights,
                           new_layers=[str(len(net.classifier) - 1)] if weights else None)


# --- middle fusion ----------------------------------------------------------------------------


class FusionBackbone(nn.Module):
    """AlexNet's and MobileNetV2's feature extractors side by side: MobileNetV2's map (1,280
    channels) is adaptive-average-pooled to the spatial size of AlexNet's (256 channels) and the two
    are concatenated along channels (1,536). At 224 x 224: 256 x 6 x 6 and 1,280 x 7 x 7 -> 6 x 6."""

    # Where each backbone's channels lie in the fused map.
    CHANNELS = {"alexnet": slice(0, 256), "mobilenet_v2": slice(256, 1536)}

    def __init__(self, weights: str) -> None:
        super().__init__()
        self.alexnet = torchvision_model("alexnet", weights).features
        self.mobilenet = torchvision_model("mobilenet_v2", weights).features

    def maps(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The two feature maps, MobileNetV2's already pooled to AlexNet's size."""
        first = self.alexnet(x)
        second = F.adaptive_avg_pool2d(self.mobilenet(x), first.shape[-2:])
        return first, second

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(self.maps(x), dim=1)

    @torch.no_grad()
    def shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        """Feature-map shapes (channels, height, width) of one ``input_size`` image at each step."""
        x = torch.zeros(1, 3, input_size, input_size, device=next(self.parameters()).device)
        was_training = self.training
        self.eval()
        first, raw = self.alexnet(x), self.mobilenet(x)
        pooled = F.adaptive_avg_pool2d(raw, first.shape[-2:])
        self.train(was_training)
        return {"input": tuple(x.shape[1:]), "AlexNet features": tuple(first.shape[1:]),
                "MobileNetV2 features": tuple(raw.shape[1:]),
                "MobileNetV2 pooled to AlexNet's size": tuple(pooled.shape[1:]),
                "fused (concatenated)": (first.shape[1] + pooled.shape[1], *first.shape[2:])}


class FusionBranch(nn.Module):
    """One backbone of a :class:`FusionBackbone` alone (sharing its weights), its map exactly as it
    enters the fusion: AlexNet's as is, MobileNetV2's pooled to AlexNet's size. The ablation's
    backbone."""

    def __init__(self, fusion: FusionBackbone, branch: str) -> None:
        super().__init__()
        if branch not in FusionBackbone.CHANNELS:
            raise ValueError(f"unknown branch {branch!r}: choose "
                             f"{' or '.join(FusionBackbone.CHANNELS)}")
        self.branch = branch
        self.features = fusion.alexnet if branch == "alexnet" else fusion.mobilenet

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.features(x)
        if self.branch == "alexnet":
            return maps
        side = fusion_side(x.shape[-1])
        return F.adaptive_avg_pool2d(maps, (side, side))


class MapHead(nn.Module):
    """The classifier on a (frozen) feature map: a 1 x 1 convolution to ``width`` channels with
    batch norm and ReLU, dropout, then a linear layer over the flattened map. It keeps the spatial
    layout (where in the tile a feature fires) at a fraction of a dense layer's parameters."""

    def __init__(self, in_channels: int, side: int, num_classes: int = 10, width: int = 256,
                 dropout: float = 0.3) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, width, 1, bias=False), nn.BatchNorm2d(width),
            nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Flatten(),
            nn.Linear(width * side * side, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def fusion_side(input_size: int) -> int:
    """The side of AlexNet's feature map (and so of the fused map) for a square input."""
    side = (input_size + 2 * 2 - 11) // 4 + 1   # 11 x 11 convolution, stride 4, padding 2
    for _ in range(3):                          # three 3 x 3 max pools with stride 2
        side = (side - 3) // 2 + 1
    if side < 1:
        raise ValueError(f"input size {input_size} is too small for AlexNet: use at least 63")
    return side


def middle_fusion(num_classes: int = 10, weights: str = IMAGENET, input_size: int = 224,
                  width: int = 256, dropout: float = 0.3) -> BackboneAndHead:
    """Frozen AlexNet + MobileNetV2 feature maps, fused, classified by a :class:`MapHead`."""
    if weights not in (IMAGENET, STAND_IN):
        raise ValueError("middle fusion needs pretrained backbones: weights 'imagenet' or 'stand-in'")
    backbone = FusionBackbone(weights)
    channels = max(part.stop for part in FusionBackbone.CHANNELS.values())
    head = MapHead(channels, fusion_side(input_size), num_classes, width, dropout)
    return BackboneAndHead(backbone, head, frozen=True, weights=weights)


def fusion_branch(fusion: BackboneAndHead, branch: str, input_size: int = 224,
                  num_classes: int = 10, width: int = 256, dropout: float = 0.3
                  ) -> BackboneAndHead:
    """The ablation of a middle-fusion model: one of its two backbones (weights shared) with a new
    head of the same kind, which trains on that backbone's channels of the fused feature cache, or
    on images (its backbone makes just those channels)."""
    channels = FusionBackbone.CHANNELS[branch]
    head = MapHead(channels.stop - channels.start, fusion_side(input_size), num_classes, width,
                   dropout).to(next(fusion.parameters()).device)
    return BackboneAndHead(FusionBranch(fusion.backbone, branch), head, frozen=True,
                           weights=fusion.weights)
