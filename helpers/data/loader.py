"""A device loader in the spirit of airbench: the split stays a uint8 tensor on the device and
whole batches are augmented with tensor operations, with no per-image Python and no PIL.

Random draws for an epoch (order, crop offsets, flips, quarter turns, cutout squares, jitter
factors) come from a CPU generator seeded by (seed, epoch), so an epoch is the same on every device
and after a resume; they reach the device in one copy an epoch (on a GPU from pinned memory,
without a wait), so that no batch waits for the host. Each pass goes through the run's :class:`~helpers.core.passes.Passes` (every batch,
or a rehearsal's few timed ones).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator, Sequence, TypeVar

import torch
import torch.nn.functional as F

from ..core.config import Run
from ..core.device import batch_layout, to_device
from ..core.passes import EVERY_BATCH, Passes
from .splits import ImageSplit, Splits, channel_stats


@dataclass(frozen=True)
class Augment:
    """Batched training augmentation; the defaults switch everything off."""

    crop_padding: int = 0   # random crop after reflect padding by this many pixels
    flip: bool = False      # random horizontal flip with probability 1/2
    quarter_turns: bool = False  # random rotation by 0, 90, 180 or 270 degrees (overhead images)
    cutout: int = 0         # side in pixels of a square set to the mean (0 = off)
    jitter: float = 0.0     # brightness, contrast and saturation factors drawn from 1 +- jitter

    def describe(self) -> str:
        """In words, for results files and tables ("none" when nothing is on)."""
        parts = [f"crop (padding {self.crop_padding})" if self.crop_padding else "",
                 "flip" if self.flip else "", "quarter turns" if self.quarter_turns else "",
                 f"cutout {self.cutout}" if self.cutout else "",
                 f"colour jitter {self.jitter:g}" if self.jitter else ""]
        return " + ".join(part for part in parts if part) or "none"


NO_AUGMENT = Augment()
CROP_FLIP = Augment(crop_padding=4, flip=True)
# Flips and quarter turns together draw any of the square's eight symmetries: a satellite tile has
# no "up", so each of them is as likely a picture of the same ground.
DIHEDRAL = Augment(flip=True, quarter_turns=True)


# --- batched operations -----------------------------------------------------------------------


def pad_reflect(images: torch.Tensor, padding: int, chunk: int = 8192) -> torch.Tensor:
    """Reflect-pad uint8 images once, chunk by chunk (reflect padding needs floats)."""
    blocks = [F.pad(images[start:start + chunk].float(), [padding] * 4, mode="reflect")
              for start in range(0, len(images), chunk)]
    return torch.cat(blocks).to(torch.uint8)


def batch_crop(padded: torch.Tensor, top: torch.Tensor, left: torch.Tensor, size: int) -> torch.Tensor:
    """Crop ``size`` x ``size`` windows at per-image offsets from a padded batch (one gather)."""
    steps = torch.arange(size, device=padded.device)
    rows = (top[:, None] + steps)[:, None, :, None]
    cols = (left[:, None] + steps)[:, None, None, :]
    batch = torch.arange(len(padded), device=padded.device)[:, None, None, None]
    channels = torch.arange(padded.shape[1], device=padded.device)[None, :, None, None]
    return padded[batch, channels, rows, cols]


def batch_flip(images: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """Mirror left-right the images whose ``flip`` entry is True."""
    return torch.where(flip[:, None, None, None], images.flip(3), images)


def batch_quarter_turns(images: torch.Tensor, turns: torch.Tensor) -> torch.Tensor:
    """Rotate each square image by ``turns`` (0-3) quarter turns counter-clockwise."""
    rotated = images.clone()
    for k in (1, 2, 3):
        chosen = turns == k
        if chosen.any():
            rotated[chosen] = images[chosen].rot90(k, dims=(2, 3))
    return rotated


def batch_cutout(images: torch.Tensor, centre_y: torch.Tensor, centre_x: torch.Tensor,
                 size: int) -> torch.Tensor:
    """Zero a ``size`` x ``size`` square around each centre (zero is the mean after normalising)."""
    height, width = images.shape[2:]
    ys = torch.arange(height, device=images.device)[None, :, None]
    xs = torch.arange(width, device=images.device)[None, None, :]
    low = size // 2
    inside = ((ys >= centre_y[:, None, None] - low) & (ys < centre_y[:, None, None] - low + size)
              & (xs >= centre_x[:, None, None] - low) & (xs < centre_x[:, None, None] - low + size))
    return images.masked_fill(inside[:, None], 0.0)


def batch_colour_jitter(images: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Brightness, contrast and saturation per image; ``factors`` is B x 3, images are 0-1."""
    brightness, contrast, saturation = (factors[:, i, None, None, None] for i in range(3))
    images = images * brightness
    grey = (0.299 * images[:, 0] + 0.587 * images[:, 1] + 0.114 * images[:, 2])[:, None]
    images = (images - grey.mean(dim=(2, 3), keepdim=True)) * contrast + grey.mean(
        dim=(2, 3), keepdim=True)
    grey = (0.299 * images[:, 0] + 0.587 * images[:, 1] + 0.114 * images[:, 2])[:, None]
    return ((images - grey) * saturation + grey).clamp(0, 1)


def batch_resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize of a float batch to ``size`` x ``size`` (the ImageNet models' input)."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False,
                         antialias=size < images.shape[-1])


# --- the loader -------------------------------------------------------------------------------

Reseedable = TypeVar("Reseedable", bound="SeededEpochs")


class SeededEpochs:
    """What the loaders share: each epoch's order and augmentation are drawn from (seed, epoch),
    so a training can be repeated or resumed at any epoch and each seed of a study draws its own."""

    seed: int
    epoch: int = 0

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration draw the order and augmentation of ``epoch``."""
        self.epoch = epoch

    def with_seed(self: Reseedable, seed: int) -> Reseedable:
        """The same loader (sharing its tensors) drawing from ``seed``, from epoch 0; the caller's
        loader is unchanged."""
        reseeded = copy.copy(self)
        reseeded.seed, reseeded.epoch = seed, 0
        return reseeded


class DeviceLoader(SeededEpochs):
    """Yields (normalised float images, labels) batches from a split held on ``device``."""

    def __init__(self, split: ImageSplit, *, batch_size: int, mean: Sequence[float],
                 std: Sequence[float], device: torch.device | str = "cpu", shuffle: bool = False,
                 augment: Augment = NO_AUGMENT, resize: int | None = None, seed: int = 0,
                 drop_last: bool = False, passes: Passes = EVERY_BATCH) -> None:
        self.device = torch.device(device)
        self.images = split.images.to(self.device)
        self.labels = split.labels.to(self.device)
        self.padded = pad_reflect(self.images, augment.crop_padding) if augment.crop_padding else None
        self.batch_size, self.shuffle, self.augment = batch_size, shuffle, augment
        self.resize, self.seed, self.drop_last, self.passes = resize, seed, drop_last, passes
        self.mean = torch.tensor(mean, device=self.device).view(1, 3, 1, 1)
        self.std = torch.tensor(std, device=self.device).view(1, 3, 1, 1)
        self.epoch = 0

    def __len__(self) -> int:
        full, rest = divmod(len(self.images), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    @property
    def num_images(self) -> int:
        return len(self.images)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        count = len(self.images)
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        order = torch.randperm(count, generator=generator) if self.shuffle else torch.arange(count)
        order = to_device(order, self.device)
        draws = {name: to_device(d, self.device) for name, d in self._draw(generator, count).items()}
        self.epoch += 1
        return self.passes.take(self._batches(order, draws), len(self), self.num_images,
                                self.device)

    def _batches(self, order: torch.Tensor, draws: dict[str, torch.Tensor]
                 ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for number in range(len(self)):
            window = slice(number * self.batch_size, (number + 1) * self.batch_size)
            yield self._batch(order[window], {name: d[window] for name, d in draws.items()})

    def _draw(self, generator: torch.Generator, count: int) -> dict[str, torch.Tensor]:
        """All of an epoch's random augmentation parameters, in batch order."""
        aug, size = self.augment, self.images.shape[-1]
        draws: dict[str, torch.Tensor] = {}
        if aug.crop_padding:
            draws["crop"] = torch.randint(0, 2 * aug.crop_padding + 1, (count, 2), generator=generator)
        if aug.flip:
            draws["flip"] = torch.rand(count, generator=generator) < 0.5
        if aug.quarter_turns:
            draws["turns"] = torch.randint(0, 4, (count,), generator=generator)
        if aug.cutout:
            draws["cutout"] = torch.randint(0, size, (count, 2), generator=generator)
        if aug.jitter:
            draws["jitter"] = 1 + aug.jitter * (2 * torch.rand(count, 3, generator=generator) - 1)
        return draws

    def _batch(self, index: torch.Tensor, draws: dict[str, torch.Tensor]
               ) -> tuple[torch.Tensor, torch.Tensor]:
        if "crop" in draws:
            crop = draws["crop"]
            images = batch_crop(self.padded[index], crop[:, 0], crop[:, 1], self.images.shape[-1])
        else:
            images = self.images[index]
        if "flip" in draws:
            images = batch_flip(images, draws["flip"])
        if "turns" in draws:
            images = batch_quarter_turns(images, draws["turns"])
        images = images.float().div_(255)
        if "jitter" in draws:
            images = batch_colour_jitter(images, draws["jitter"])
        images = (images - self.mean) / self.std
        if "cutout" in draws:
            images = batch_cutout(images, draws["cutout"][:, 0], draws["cutout"][:, 1],
                                  self.augment.cutout)
        if self.resize:
            images = batch_resize(images, self.resize)
        return batch_layout(images), self.labels[index]


def make_loaders(splits: Splits, run: Run, *, batch_size: int, augment: Augment = NO_AUGMENT,
                 resize: int | None = None, eval_batch_size: int | None = None,
                 stats: tuple[Sequence[float], Sequence[float]] | None = None,
                 ) -> tuple[DeviceLoader, DeviceLoader, DeviceLoader]:
    """Train (shuffled, augmented, seeded by the run), validation and test loaders on the run's
    device, normalised by the training split's channel statistics (or the given ``stats``, e.g.
    ImageNet's for pretrained models), their passes those of the run."""
    mean, std = stats or channel_stats(splits.train.images)
    common = dict(mean=mean, std=std, device=run.device, resize=resize, passes=run.passes)
    evaluation = eval_batch_size or 2 * batch_size
    return (
        DeviceLoader(splits.train, batch_size=batch_size, shuffle=True, augment=augment,
                     seed=run.seed, **common),
        DeviceLoader(splits.val, batch_size=evaluation, **common),
        DeviceLoader(splits.test, batch_size=evaluation, **common),
    )


def plain_loaders(splits: Splits, run: Run, *, batch_size: int, resize: int | None = None,
                  stats: tuple[Sequence[float], Sequence[float]] | None = None,
                  ) -> tuple[DeviceLoader, DeviceLoader, DeviceLoader]:
    """Train, validation and test loaders in a fixed order and without augmentation: the input of
    a feature cache (``helpers.training.features``)."""
    mean, std = stats or channel_stats(splits.train.images)
    return tuple(DeviceLoader(split, batch_size=batch_size, mean=mean, std=std, device=run.device,
                              resize=resize, passes=run.passes)
                 for split in (splits.train, splits.val, splits.test))
