"""Frozen-backbone features, computed once per split, and a loader that serves them to a head.

A frozen backbone gives the same features for an image in every epoch, so passing every image
through it every epoch is wasted work: the head can train on features computed once. What is lost
is image augmentation; part of it comes back through *views*: the training split's features are also
computed for flipped and rotated copies of each image (valid for overhead imagery, which has no
"up"), and each epoch draws one view per image.

Features are kept in half precision on the run's device (a 224 x 224 EuroSAT image gives 9,216 values
through AlexNet, 1,280 through MobileNetV2, 55,296 through the fusion maps).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import torch
from torch import nn

from ..data.loader import SeededEpochs
from ..core.device import autocast, gradient_scaler, synchronise, to_device
from ..core.passes import EVERY_BATCH, Passes
from .optim import make_optimizer
from .loop import train_epoch, validate

VIEWS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "identity": lambda x: x,
    "flip left-right": lambda x: x.flip(3),
    "flip up-down": lambda x: x.flip(2),
    "rotate 180": lambda x: x.rot90(2, dims=(2, 3)),
    "rotate 90": lambda x: x.rot90(1, dims=(2, 3)),
    "rotate 270": lambda x: x.rot90(3, dims=(2, 3)),
    "transpose": lambda x: x.transpose(2, 3),
    "anti-transpose": lambda x: x.rot90(2, dims=(2, 3)).transpose(2, 3),
}  # the square's eight symmetries: identity, two flips and a half turn first


@dataclass
class FeatureSet:
    """Features of one split: ``features`` is views x N x ... (fp16), ``labels`` is N."""

    features: torch.Tensor
    labels: torch.Tensor

    @property
    def num_views(self) -> int:
        return self.features.shape[0]

    def __len__(self) -> int:
        return len(self.labels)

    def select(self, channels: slice | None = None, views: int | None = None) -> "FeatureSet":
        """The same images with only some channels of a feature map (the fusion ablation) and
        only the first ``views`` views (1: the images as they are)."""
        return FeatureSet(self.features[:views, :, channels or slice(None)], self.labels)

    @property
    def megabytes(self) -> float:
        return self.features.numel() * self.features.element_size() / 2**20


@torch.no_grad()
def extract_features(backbone: nn.Module, loader: Iterable, views: int = 1) -> FeatureSet:
    """Run ``backbone`` (in eval mode) over every batch of an unshuffled, unaugmented ``loader``,
    once per view (the first ``views`` entries of :data:`VIEWS`).

    The set is allocated whole at the first batch and filled in place, so it never needs twice its
    size (as joining per-batch pieces would). In a rehearsal, whose passes stop after a few batches,
    the rest stays zero but the memory is the full run's."""
    if not 1 <= views <= len(VIEWS):
        raise ValueError(f"views must be between 1 and {len(VIEWS)}, got {views}")
    device = next(backbone.parameters()).device
    backbone.eval()
    count = getattr(loader, "num_images", None) or sum(len(targets) for _, targets in loader)
    features, labels = None, torch.zeros(count, dtype=torch.long, device=device)
    for view, name in enumerate(list(VIEWS)[:views]):
        start = 0
        for images, targets in loader:
            with autocast(device):
                batch = backbone(VIEWS[name](images)).half()
            if features is None:
                features = torch.zeros((views, count, *batch.shape[1:]),
                                       dtype=torch.half, device=device)
            features[view, start:start + len(batch)] = batch
            labels[start:start + len(batch)] = targets
            start += len(batch)
    if features is None:
        raise ValueError("extract_features got a loader without batches")
    return FeatureSet(features, labels)


class FeatureLoader(SeededEpochs):
    """Batches of (float features, labels) from a :class:`FeatureSet`, shuffled for training with
    one randomly drawn view per image and epoch; the same seeding and passes as ``DeviceLoader``."""

    def __init__(self, features: FeatureSet, batch_size: int, shuffle: bool = False,
                 seed: int = 0, passes: Passes = EVERY_BATCH) -> None:
        self.data, self.batch_size, self.shuffle, self.seed = features, batch_size, shuffle, seed
        self.passes, self.epoch = passes, 0

    def __len__(self) -> int:
        return -(-len(self.data) // self.batch_size)

    @property
    def num_images(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        count, device = len(self.data), self.data.features.device
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        order = torch.randperm(count, generator=generator) if self.shuffle else torch.arange(count)
        view = (torch.randint(0, self.data.num_views, (count,), generator=generator)
                if self.shuffle else torch.zeros(count, dtype=torch.long))
        order, view = to_device(order, device), to_device(view, device)
        self.epoch += 1
        return self.passes.take(self._batches(order, view), len(self), self.num_images, device)

    def _batches(self, order: torch.Tensor, view: torch.Tensor
                 ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for start in range(0, len(order), self.batch_size):
            index = order[start:start + self.batch_size]
            chosen = view[start:start + self.batch_size]
            yield self.data.features[chosen, index].float(), self.data.labels[index]


@dataclass
class FeatureSplits:
    train: FeatureSet
    val: FeatureSet
    test: FeatureSet
    seconds: float  # time to compute all three
    passes: Passes = EVERY_BATCH  # those of the image loaders they came from

    def loaders(self, batch_size: int, seed: int = 0, channels: slice | None = None,
                views: int | None = None) -> tuple[FeatureLoader, FeatureLoader, FeatureLoader]:
        """Train (shuffled), validation and test loaders, optionally of some channels only and of
        the first ``views`` training views only."""
        sets = [self.train.select(channels, views), self.val.select(channels),
                self.test.select(channels)]
        return (FeatureLoader(sets[0], batch_size, shuffle=True, seed=seed, passes=self.passes),
                FeatureLoader(sets[1], 2 * batch_size, passes=self.passes),
                FeatureLoader(sets[2], 2 * batch_size, passes=self.passes))

    @property
    def megabytes(self) -> float:
        return self.train.megabytes + self.val.megabytes + self.test.megabytes


def cache_features(backbone: nn.Module, loaders: Iterable, train_views: int = 1) -> FeatureSplits:
    """Features of the train (with ``train_views`` views), validation and test splits, timed.
    ``loaders`` are unshuffled, unaugmented image loaders of the three splits."""
    train, val, test = loaders
    start = time.perf_counter()
    sets = (extract_features(backbone, train, train_views), extract_features(backbone, val),
            extract_features(backbone, test))
    synchronise(sets[0].features.device)
    return FeatureSplits(*sets, seconds=time.perf_counter() - start,
                         passes=getattr(train, "passes", EVERY_BATCH))


def time_uncached_epoch(model: nn.Module, train_loader: Iterable, val_loader: Iterable,
                        lr: float = 1e-3) -> float:
    """Seconds of one training epoch of the whole model - every image through the frozen
    backbone, then the head - and its validation pass, on a copy (``model`` is left untouched)."""
    trial = copy.deepcopy(model)
    device = next(trial.parameters()).device
    optimizer = make_optimizer(trial, "adam", lr)
    start = time.perf_counter()
    train_epoch(trial, train_loader, optimizer, scaler=gradient_scaler(device))
    validate(trial, val_loader)
    synchronise(device)
    return time.perf_counter() - start
