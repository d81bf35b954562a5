"""CIFAR-100 classifiers under a parameter budget: source report 001's seven models and our compact family.

Seed 001's models are rebuilt from its slides, layer by layer, with its trainable parameter counts as
the authority (``SOURCE_BUDGET_LAYERS`` says how each slide was read). Our family, :class:`CompactNet`,
is one design with a width knob: depthwise-separable residual blocks in three stages (32, 16 and 8
pixels) and global average pooling - the three things the source report did not use.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

# --- source report 001 ---------------------------------------------------------------------------------


def _source_stage(c_in: int, c_out: int, pool: int, padding: int = 0) -> list[nn.Module]:
    """The source report's usual block: Conv 3 x 3 -> ReLU -> MaxPool -> BatchNorm."""
    return [nn.Conv2d(c_in, c_out, 3, padding=padding), nn.ReLU(inplace=True), nn.MaxPool2d(pool),
            nn.BatchNorm2d(c_out)]


class SourceResidual(nn.Module):
    """The 500K slide's Res(64, 64): two 3 x 3 convolutions (padding 1) with batch norm, the input
    added back, ReLU."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True), nn.Conv2d(channels, channels, 3, padding=1),
            nn.BatchNorm2d(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + x)


def _source_2k() -> list[nn.Module]:
    return [nn.MaxPool2d(3), *_source_stage(3, 5, 3), nn.Flatten(), nn.Linear(20, 100)]


def _source_5k() -> list[nn.Module]:
    return [*_source_stage(3, 6, 3), *_source_stage(6, 10, 3), nn.Flatten(), nn.Linear(40, 100)]


def _source_mlp_head(channels: tuple[int, int, int], flat: int, hidden: int,
                   padding: int = 0) -> list[nn.Module]:
    a, b, c = channels
    return [*_source_stage(3, a, 2, padding), *_source_stage(a, b, 2, padding),
            *_source_stage(b, c, 2, padding), nn.Flatten(), nn.Linear(flat, hidden),
            nn.ReLU(inplace=True), nn.Linear(hidden, 100)]


def _source_500k() -> list[nn.Module]:
    return [nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.MaxPool2d(2), SourceResidual(64), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(4096, 100)]


# parameters → (builder of the layer list, the layers as we read them from the slide)
SOURCE_BUDGET_LAYERS: dict[int, tuple[Callable[[], list[nn.Module]], str]] = {
    2_250: (_source_2k, "MaxPool(3) → Conv(3, 5, 3) → ReLU → MaxPool(3) → BN(5) → Linear(20, 100)"
                      "; unpadded convolutions, as everywhere up to 100K"),
    4_850: (_source_5k, "2 x [Conv 3 x 3 → ReLU → MaxPool(3) → BN], 6 and 10 filters → "
                      "Linear(40, 100)"),
    10_161: (lambda: _source_mlp_head((6, 10, 12), 48, 55),
             "3 x [Conv 3 x 3 → ReLU → MaxPool(2) → BN], 6, 10, 12 filters → Linear(48, 55) → "
             "ReLU → Linear(55, 100)"),
    49_525: (lambda: _source_mlp_head((8, 16, 32), 128, 189),
             "3 x [Conv → ReLU → MaxPool(2) → BN], 8, 16, 32 filters → Linear(128, 189) → "
             "ReLU → Linear(189, 100)"),
    99_949: (lambda: _source_mlp_head((16, 32, 64), 256, 213),
             "3 x [Conv → ReLU → MaxPool(2) → BN], 16, 32, 64 filters → Linear(256, 213) → "
             "ReLU → Linear(213, 100)"),
    503_396: (_source_500k,
              "Conv(3, 32) → BN → ReLU → Conv(32, 64) → BN → ReLU → MaxPool(2) → Res(64, 64) "
              "→ MaxPool(2) → Linear(4096, 100); padding 1 (that is what gives 4,096 inputs); "
              "Res = two Conv 3 x 3 + BN with a skip; the slide's Linear(4096, 194) contradicts its "
              "own count, which Linear(4096, 100) meets exactly"),
    1_001_362: (lambda: _source_mlp_head((64, 128, 256), 4096, 150, padding=1),
                "3 x [Conv → ReLU → MaxPool(2) → BN], 64, 128, 256 filters, padding 1 → "
                "Linear(4096, 150) → ReLU → Linear(150, 100)"),
}


def source_budget_model(params: int) -> nn.Sequential:
    """Source report 001's model with ``params`` trainable parameters (one of SOURCE_BUDGET_LAYERS)."""
    if params not in SOURCE_BUDGET_LAYERS:
        raise ValueError(f"source report 001 has no model of {params:,} parameters: choose one of "
                         f"{', '.join(f'{p:,}' for p in SOURCE_BUDGET_LAYERS)}")
    return nn.Sequential(*SOURCE_BUDGET_LAYERS[params][0]())


# --- our family -------------------------------------------------------------------------------


class SeparableBlock(nn.Module):
    """Depthwise 3 x 3 convolution (with ``stride``), batch norm, ReLU, pointwise 1 x 1 to
    ``c_out``, batch norm; the input is added back where the shapes match; ReLU. About 9c + c x c'
    parameters where a full 3 x 3 convolution has 9 c x c'."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False), nn.BatchNorm2d(c_in),
            nn.ReLU(inplace=True), nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return torch.relu(out + x if self.residual else out)


def stage_widths(width: float) -> tuple[int, int, int]:
    """Channels of the three stages: ``width``, twice and four times it (at least 1 each)."""
    return tuple(max(1, round(width * factor)) for factor in (1, 2, 4))  # type: ignore[return-value]


class CompactNet(nn.Module):
    """Our budget family: a 3 x 3 stem, three stages of ``blocks`` separable blocks at 32, 16 and 8
    pixels (the first block of stages 2 and 3 halves the resolution), global average pooling and
    one linear layer. ``width`` sets the channels (width, 2 x width, 4 x width)."""

    def __init__(self, width: float, blocks: int = 1, num_classes: int = 100) -> None:
        super().__init__()
        c1, c2, c3 = stage_widths(width)
        layers: list[nn.Module] = [nn.Conv2d(3, c1, 3, padding=1, bias=False), nn.BatchNorm2d(c1),
                                   nn.ReLU(inplace=True)]
        for c_in, c_out, stride in ((c1, c1, 1), (c1, c2, 2), (c2, c3, 2)):
            layers.append(SeparableBlock(c_in, c_out, stride))
            layers += [SeparableBlock(c_out, c_out) for _ in range(blocks - 1)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                        nn.Linear(c3, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def blocks_for_budget(budget: int) -> int:
    """Depth grows with the budget: 1 block per stage up to 10K parameters, 2 up to 100K, then 3."""
    return 1 if budget <= 10_000 else 2 if budget <= 100_000 else 3


def compact_size(width: float, blocks: int, num_classes: int = 100) -> int:
    """Parameters of a CompactNet, counted on the meta device (nothing is allocated)."""
    with torch.device("meta"):
        model = CompactNet(width, blocks, num_classes)
    return sum(p.numel() for p in model.parameters())


def width_for_budget(budget: int, num_classes: int = 100) -> float:
    """The largest width (to 0.01) whose CompactNet stays within ``budget`` parameters. The count
    never decreases with the width, so bisection finds it."""
    blocks = blocks_for_budget(budget)
    low, high = 0.5, 1024.0
    if compact_size(low, blocks, num_classes) > budget:
        raise ValueError(f"no CompactNet fits in {budget:,} parameters")
    while high - low > 0.01:
        middle = (low + high) / 2
        low, high = (middle, high) if compact_size(middle, blocks, num_classes) <= budget \
            else (low, middle)
    return round(low, 2) if compact_size(round(low, 2), blocks, num_classes) <= budget else low


def compact_for_budget(budget: int, num_classes: int = 100) -> CompactNet:
    """The widest CompactNet within ``budget`` parameters (the registry's "compact_budget")."""
    return CompactNet(width_for_budget(budget, num_classes), blocks_for_budget(budget), num_classes)
