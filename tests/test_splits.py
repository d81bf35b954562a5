"""Splits: stratified, seeded, disjoint, the same every run, with the sizes the project promises."""

from __future__ import annotations

import torch

from helpers.data import (EUROSAT_CLASS_COUNTS, ImageData, ImageSplit, channel_stats, make_splits,
                          stratified_split, superclass_subset)


def fake_data(class_sizes: list[int], test_per_class: int | None = None, coarse_of=None,
              name: str = "fake") -> ImageData:
    def split(sizes: list[int]) -> ImageSplit:
        labels = torch.cat([torch.full((n,), c) for c, n in enumerate(sizes)])
        labels = labels[torch.randperm(len(labels), generator=torch.Generator().manual_seed(1))]
        images = torch.zeros(len(labels), 3, 2, 2, dtype=torch.uint8)
        images[:, 0, 0, 0] = torch.arange(len(labels)) % 251  # something to tell images apart
        coarse = None if coarse_of is None else torch.tensor(coarse_of)[labels]
        return ImageSplit(images, labels, coarse)

    test = None if test_per_class is None else split([test_per_class] * len(class_sizes))
    coarse_names = None if coarse_of is None else [f"super{c}" for c in range(max(coarse_of) + 1)]
    return ImageData(name, split(class_sizes), test, [f"c{c}" for c in range(len(class_sizes))],
                     coarse_names)


def test_split_is_stratified_disjoint_and_complete() -> None:
    labels = torch.cat([torch.full((n,), c) for c, n in enumerate([300, 200, 100])])
    rest, held = stratified_split(labels, [0.2])
    assert torch.bincount(labels[held]).tolist() == [60, 40, 20]
    assert len(set(rest.tolist()) & set(held.tolist())) == 0
    assert sorted(rest.tolist() + held.tolist()) == list(range(len(labels)))


def test_split_is_deterministic_and_depends_on_the_seed() -> None:
    labels = torch.arange(1000) % 10
    assert all(torch.equal(a, b) for a, b in zip(stratified_split(labels, [0.1]),
                                                 stratified_split(labels, [0.1])))
    assert not torch.equal(stratified_split(labels, [0.1])[1],
                           stratified_split(labels, [0.1], seed=1)[1])


def test_cifar_sized_splits() -> None:
    cifar10 = make_splits(fake_data([5000] * 10, test_per_class=1000), val_fraction=0.1)
    assert cifar10.sizes() == {"train": 45000, "val": 5000, "test": 10000}
    cifar100 = make_splits(fake_data([500] * 100, test_per_class=100), val_fraction=0.2)
    assert cifar100.sizes() == {"train": 40000, "val": 10000, "test": 10000}


def test_eurosat_sized_split_has_5400_test_images() -> None:
    splits = make_splits(fake_data(list(EUROSAT_CLASS_COUNTS.values())), val_fraction=0.1,
                         test_fraction=0.2)
    assert splits.sizes() == {"train": 18900, "val": 2700, "test": 5400}
    assert torch.bincount(splits.test.labels).tolist() == [n // 5 for n in EUROSAT_CLASS_COUNTS.values()]
    seen = torch.cat([splits.train.images, splits.val.images, splits.test.images])[:, 0, 0, 0]
    assert len(seen) == 27000


def test_superclass_subset_renumbers_and_keeps_sizes() -> None:
    coarse_of = [c // 5 for c in range(100)]
    data = fake_data([500] * 100, test_per_class=100, coarse_of=coarse_of)
    subset = superclass_subset(data, range(10))
    assert len(subset.classes) == 50 and len(subset.coarse_classes) == 10
    assert subset.train.labels.max() == 49 and subset.train.coarse_labels.max() == 9
    assert torch.equal(subset.train.coarse_labels, subset.train.labels // 5)
    splits = make_splits(subset, val_fraction=0.2)
    assert splits.sizes() == {"train": 20000, "val": 5000, "test": 5000}


def test_targets_for_coarse_and_two_head_models() -> None:
    data = fake_data([4, 4], coarse_of=[0, 1])
    both = data.train.with_targets("both")
    assert both.labels.shape == (8, 2) and torch.equal(both.labels[:, 1], data.train.coarse_labels)
    assert torch.equal(data.train.with_targets("coarse").labels, data.train.coarse_labels)


def test_channel_stats_match_a_direct_computation() -> None:
    images = torch.randint(0, 256, (50, 3, 8, 8), dtype=torch.uint8)
    mean, std = channel_stats(images, chunk=7)
    scaled = images.double() / 255
    assert torch.allclose(torch.tensor(mean, dtype=torch.float64), scaled.mean(dim=(0, 2, 3)))
    assert torch.allclose(torch.tensor(std, dtype=torch.float64),
                          scaled.permute(1, 0, 2, 3).reshape(3, -1).std(dim=1, unbiased=False))
