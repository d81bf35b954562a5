"""Data sets in memory (uint8 image tensors with labels) and their seeded, stratified splits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import torch

# Splits never depend on the training seed: every run, every seed and every notebook sees the same
# train / validation / test images.
SPLIT_SEED = 20241029


@dataclass(frozen=True)
class ImageSplit:
    """Images as uint8 N x 3 x H x W, labels as int64 N (fine labels; coarse ones where they exist)."""

    images: torch.Tensor
    labels: torch.Tensor
    coarse_labels: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.ndim != 4 or self.images.shape[1] != 3:
            raise ValueError(f"images must be uint8 N x 3 x H x W, got {self.images.dtype} "
                             f"{tuple(self.images.shape)}")
        if len(self.labels) != len(self.images):
            raise ValueError(f"{len(self.images)} images but {len(self.labels)} labels")

    def __len__(self) -> int:
        return len(self.images)

    def subset(self, index: torch.Tensor) -> ImageSplit:
        coarse = None if self.coarse_labels is None else self.coarse_labels[index]
        return ImageSplit(self.images[index], self.labels[index], coarse)

    def with_targets(self, targets: str) -> ImageSplit:
        """The same images with ``labels`` set to the "fine", "coarse" or "both" targets.

        "both" stacks fine and coarse labels into an N x 2 tensor, the targets of a two-head model.
        """
        if targets == "fine":
            return self
        if self.coarse_labels is None:
            raise ValueError("this split has no coarse labels")
        if targets == "coarse":
            return ImageSplit(self.images, self.coarse_labels, self.coarse_labels)
        if targets == "both":
            both = torch.stack([self.labels, self.coarse_labels], dim=1)
            return ImageSplit(self.images, both, self.coarse_labels)
        raise ValueError(f"targets must be 'fine', 'coarse' or 'both', got {targets!r}")


@dataclass(frozen=True)
class ImageData:
    """A whole data set as loaded from disk: the official train (and test, where there is one)."""

    name: str
    train: ImageSplit
    test: ImageSplit | None
    classes: list[str]
    coarse_classes: list[str] | None = None
    synthetic: bool = False


@dataclass(frozen=True)
class Splits:
    train: ImageSplit
    val: ImageSplit
    test: ImageSplit
    classes: list[str]
    coarse_classes: list[str] | None = None

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}

    def with_targets(self, targets: str) -> Splits:
        """All three splits with "fine", "coarse" or "both" targets (see ImageSplit.with_targets)."""
        return replace(self, train=self.train.with_targets(targets),
                       val=self.val.with_targets(targets), test=self.test.with_targets(targets))

    def fine_to_coarse(self) -> torch.Tensor:
        """The superclass of each fine class (a vector indexed by fine label), from the labels."""
        if self.train.coarse_labels is None:
            raise ValueError("these splits have no coarse labels")
        table = torch.full((len(self.classes),), -1, dtype=torch.long)
        table[self.train.labels] = self.train.coarse_labels
        if (table < 0).any():
            raise ValueError("some fine classes have no training images")
        return table


def stratified_split(
    labels: torch.Tensor, fractions: Sequence[float], seed: int = SPLIT_SEED
) -> list[torch.Tensor]:
    """Split indices class by class: one part per fraction, then the rest as the first part.

    Each class contributes ``round(fraction * class_size)`` images to each held-out part, so the
    parts keep the class proportions; the result is the same for the same labels and seed.
    """
    generator = torch.Generator().manual_seed(seed)
    parts: list[list[torch.Tensor]] = [[] for _ in range(len(fractions) + 1)]
    for cls in torch.unique(labels):
        members = torch.nonzero(labels == cls).flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        start = 0
        for part, fraction in enumerate(fractions, start=1):
            count = round(fraction * len(members))
            parts[part].append(members[start:start + count])
            start += count
        parts[0].append(members[start:])
    return [torch.sort(torch.cat(chunks)).values for chunks in parts]


def make_splits(
    data: ImageData, val_fraction: float, test_fraction: float | None = None,
    seed: int = SPLIT_SEED,
) -> Splits:
    """Train / validation / test splits, stratified by (fine) label.

    Data sets with an official test set keep it and take validation from the training images; the
    others (EuroSAT) take ``test_fraction`` of all images as the test set first.
    """
    if data.test is not None:
        if test_fraction is not None:
            raise ValueError(f"{data.name} has an official test set: leave test_fraction unset")
        train_index, val_index = stratified_split(data.train.labels, [val_fraction], seed)
        test = data.test
    else:
        if test_fraction is None:
            raise ValueError(f"{data.name} has no official test set: give test_fraction")
        val_share = val_fraction / (1 - test_fraction)
        rest_index, test_index = stratified_split(data.train.labels, [test_fraction], seed)
        rest = data.train.subset(rest_index)
        test = data.train.subset(test_index)
        train_index, val_index = stratified_split(rest.labels, [val_share], seed + 1)
        data = replace(data, train=rest)
    return Splits(data.train.subset(train_index), data.train.subset(val_index), test,
                  data.classes, data.coarse_classes)


def superclass_subset(data: ImageData, superclasses: Sequence[int]) -> ImageData:
    """Only the images of the given superclasses, with fine and coarse labels renumbered from 0.

    The fine classes keep their relative order, so fine label k of the subset is the k-th fine class
    (alphabetically) among the kept ones.
    """
    if data.coarse_classes is None:
        raise ValueError(f"{data.name} has no superclasses")
    keep = torch.tensor(sorted(superclasses))
    kept_fine = torch.unique(data.train.labels[torch.isin(data.train.coarse_labels, keep)])
    fine_map = torch.full((len(data.classes),), -1, dtype=torch.long)
    fine_map[kept_fine] = torch.arange(len(kept_fine))
    coarse_map = torch.full((len(data.coarse_classes),), -1, dtype=torch.long)
    coarse_map[keep] = torch.arange(len(keep))

    def select(split: ImageSplit) -> ImageSplit:
        mask = torch.isin(split.coarse_labels, keep)
        return ImageSplit(split.images[mask], fine_map[split.labels[mask]],
                          coarse_map[split.coarse_labels[mask]])

    return ImageData(
        name=f"{data.name} superclasses {keep[0].item()}-{keep[-1].item()}",
        train=select(data.train),
        test=None if data.test is None else select(data.test),
        classes=[data.classes[i] for i in kept_fine.tolist()],
        coarse_classes=[data.coarse_classes[i] for i in keep.tolist()],
        synthetic=data.synthetic,
    )


def channel_stats(images: torch.Tensor, chunk: int = 4096) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of uint8 images, on the 0-1 scale."""
    total = torch.zeros(3, dtype=torch.float64)
    squares = torch.zeros(3, dtype=torch.float64)
    for start in range(0, len(images), chunk):
        block = images[start:start + chunk].to(torch.float64) / 255
        total += block.sum(dim=(0, 2, 3))
        squares += (block * block).sum(dim=(0, 2, 3))
    count = len(images) * images.shape[2] * images.shape[3]
    mean = total / count
    std = (squares / count - mean * mean).sqrt()
    return mean.tolist(), std.tolist()
