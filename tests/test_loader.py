"""The device loader and its batched augmentations."""

from __future__ import annotations

import pandas as pd
import torch

from helpers.data import (DIHEDRAL, Augment, DeviceLoader, ImageSplit, batch_colour_jitter,
                          batch_crop, batch_cutout, batch_flip, batch_quarter_turns, batch_resize,
                          pad_reflect)
from helpers.core.passes import EVERY_BATCH, CutPasses


def random_images(count: int = 6, size: int = 8) -> torch.Tensor:
    return torch.randint(0, 256, (count, 3, size, size), dtype=torch.uint8,
                         generator=torch.Generator().manual_seed(0))


def test_flip_twice_is_the_identity_and_flips_only_where_asked() -> None:
    images = random_images()
    mask = torch.tensor([True, False, True, False, True, True])
    flipped = batch_flip(images, mask)
    assert torch.equal(batch_flip(flipped, mask), images)
    assert torch.equal(flipped[1], images[1])
    assert torch.equal(flipped[0], images[0].flip(-1))


def test_crop_keeps_the_shape_and_reads_the_right_window() -> None:
    images = random_images()
    padded = pad_reflect(images, 2)
    assert padded.shape == (6, 3, 12, 12)
    centre = batch_crop(padded, torch.full((6,), 2), torch.full((6,), 2), 8)
    assert torch.equal(centre, images)  # offset = padding gives back the original
    top = torch.tensor([0, 4, 1, 3, 2, 0])
    left = torch.tensor([4, 0, 2, 1, 3, 0])
    crops = batch_crop(padded, top, left, 8)
    assert crops.shape == images.shape
    for i in range(6):
        assert torch.equal(crops[i], padded[i, :, top[i]:top[i] + 8, left[i]:left[i] + 8])
    # reflect padding mirrors without repeating the edge: padded row 0 is original row 2
    assert torch.equal(padded[:, :, 0, 2:10], images[:, :, 2])


def test_cutout_zeroes_a_square_of_the_given_size() -> None:
    images = torch.ones(2, 3, 10, 10)
    out = batch_cutout(images, torch.tensor([5, 0]), torch.tensor([5, 9]), 4)
    assert (out[0] == 0).sum() == 3 * 16
    assert torch.equal((out[0, 0] == 0).nonzero().min(0).values, torch.tensor([3, 3]))
    assert (out[1] == 0).sum() == 3 * 2 * 3  # clipped at the corner: rows 0-1, columns 7-9


def test_colour_jitter_with_unit_factors_is_the_identity() -> None:
    images = torch.rand(4, 3, 5, 5)
    assert torch.allclose(batch_colour_jitter(images, torch.ones(4, 3)), images, atol=1e-6)
    darker = batch_colour_jitter(images, torch.tensor([[0.5, 1.0, 1.0]] * 4))
    assert torch.allclose(darker, images * 0.5, atol=1e-6)


def test_resize_changes_only_the_spatial_size() -> None:
    assert batch_resize(torch.rand(2, 3, 32, 32), 224).shape == (2, 3, 224, 224)


def loader(split: ImageSplit, **options) -> DeviceLoader:
    return DeviceLoader(split, batch_size=4, mean=[0.5] * 3, std=[0.25] * 3, **options)


def test_loader_normalises_and_covers_every_image_once() -> None:
    images = random_images(10)
    split = ImageSplit(images, torch.arange(10))
    batches = list(loader(split, shuffle=True, seed=3))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    labels = torch.cat([y for _, y in batches])
    assert sorted(labels.tolist()) == list(range(10))
    x, y = batches[0]
    assert x.dtype == torch.float32
    assert torch.allclose(x, (images[y].float() / 255 - 0.5) / 0.25)


def test_loader_is_deterministic_per_seed_and_epoch() -> None:
    split = ImageSplit(random_images(12), torch.arange(12))
    augment = Augment(crop_padding=2, flip=True, cutout=3, jitter=0.2)
    first = loader(split, shuffle=True, augment=augment, seed=1)
    second = loader(split, shuffle=True, augment=augment, seed=1)
    epoch0 = [x for x, _ in first]
    epoch1 = [x for x, _ in first]
    assert all(torch.equal(a, b) for a, b in zip(epoch0, [x for x, _ in second]))
    assert not torch.equal(epoch0[0], epoch1[0])  # a new epoch draws anew
    second.set_epoch(1)
    assert all(torch.equal(a, b) for a, b in zip(epoch1, [x for x, _ in second]))


def test_drop_last_and_two_column_targets() -> None:
    split = ImageSplit(random_images(10), torch.stack([torch.arange(10), torch.arange(10) // 5], 1))
    batches = list(loader(split, drop_last=True))
    assert len(batches) == 2 and batches[0][1].shape == (4, 2)


def test_with_seed_reseeds_a_copy_and_leaves_the_loader_alone() -> None:
    split = ImageSplit(random_images(12), torch.arange(12))
    base = loader(split, shuffle=True, augment=Augment(flip=True), seed=1)
    reseeded = base.with_seed(2)
    assert base.seed == 1 and reseeded.seed == 2 and reseeded.images is base.images
    orders = [torch.cat([y for _, y in source]) for source in (base, reseeded)]
    assert not torch.equal(*orders)
    assert torch.equal(torch.cat([y for _, y in loader(split, shuffle=True,
                                                       augment=Augment(flip=True), seed=2)]),
                       orders[1])


def test_quarter_turns_rotate_each_image_by_its_own_count() -> None:
    images = random_images(4)
    turns = torch.tensor([0, 1, 2, 3])
    turned = batch_quarter_turns(images, turns)
    for i in range(4):
        assert torch.equal(turned[i], images[i].rot90(i, dims=(1, 2)))
    assert DIHEDRAL.quarter_turns and DIHEDRAL.flip and not DIHEDRAL.crop_padding


def test_cut_passes_stop_early_and_record_what_the_whole_pass_would_take(tmp_path) -> None:
    split = ImageSplit(torch.zeros(50, 3, 8, 8, dtype=torch.uint8), torch.arange(50) % 5)
    record = tmp_path / "passes.csv"
    cut = CutPasses(min_batches=3, record=record, notebook="02_test", min_seconds=0.0)
    served = DeviceLoader(split, batch_size=8, mean=[0.0] * 3, std=[1.0] * 3, passes=cut)
    assert len(served) == 7 and sum(len(y) for _, y in served) == 24
    written = pd.read_csv(record).iloc[0]
    assert (written["part"], written["batches_run"], written["batches_full"]) == ("pass", 3, 7)
    assert written["full_seconds"] >= written["seconds"]
    assert sum(len(y) for _, y in served.with_seed(1)) == 24  # a reseeded copy is cut too
    assert cut.epochs(40) == 1 and EVERY_BATCH.epochs(40) == 40
