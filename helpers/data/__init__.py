"""Data: download and verify, load to uint8 tensors, split, write synthetic stand-ins, and serve
augmented batches from the device. ``load_dataset(name, run)`` is the entry point of a notebook."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..core.config import Run
from .eurosat import load_eurosat
from .fashion import load_fashion_mnist
from .loader import (CROP_FLIP, DIHEDRAL, NO_AUGMENT, Augment, DeviceLoader, batch_colour_jitter,
                     batch_crop, batch_cutout, batch_flip, batch_quarter_turns, batch_resize,
                     make_loaders, pad_reflect, plain_loaders)
from .sources import (EUROSAT_CLASS_COUNTS, SPECS, DatasetError, load_cifar10, load_cifar100,
                      read_cifar_pickle)
from .splits import (SPLIT_SEED, ImageData, ImageSplit, Splits, channel_stats, make_splits,
                     stratified_split, superclass_subset)
from .describe import class_counts, hierarchy_table, samples_per_class, stats_table
from .synthetic import CIFAR100_HIERARCHY, ensure_synthetic

DATASETS = {"cifar10": load_cifar10, "cifar100": load_cifar100, "eurosat": load_eurosat}

# Validation (and for EuroSAT test) shares: CIFAR-10 45,000 / 5,000 / 10,000 (official test);
# CIFAR-100 40,000 / 10,000 / 10,000; EuroSAT 18,900 / 2,700 / 5,400; Fashion-MNIST
# 54,000 / 6,000 / 10,000 (official test).
SPLIT_FRACTIONS = {
    "cifar10": {"val_fraction": 0.1},
    "fashion_mnist": {"val_fraction": 0.1},
    "cifar100": {"val_fraction": 0.2},
    "eurosat": {"val_fraction": 0.1, "test_fraction": 0.2},
}


def load_dataset(name: str, run: Run, download: bool = True) -> ImageData:
    """The data set ``name`` for this run: real data in the full profile (downloaded if missing),
    the profile's synthetic stand-in (written if missing) otherwise. Both go through the same loader."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}: choose one of {', '.join(DATASETS)}")
    with one_writer(run.data_root, name):  # notebooks side by side write each data set once
        if run.synthetic:
            ensure_synthetic(name, run.data_root, run.profile.synthetic_sizes[name])
        return DATASETS[name](run.data_root, synthetic=run.synthetic, download=download)


@contextmanager
def one_writer(root: Path, name: str) -> Iterator[None]:
    """Hold the data set's lock in ``root`` while it is written, downloaded or cached, so that two
    notebooks that need it at once (``run_all.sh --jobs``) neither write it twice nor read it half
    written."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def standard_splits(name: str, data: ImageData) -> Splits:
    """The project's fixed train / validation / test split of a data set loaded by name."""
    return make_splits(data, **SPLIT_FRACTIONS[name])


__all__ = [
    "Augment", "CIFAR100_HIERARCHY", "CROP_FLIP", "DATASETS", "DIHEDRAL", "DatasetError",
    "DeviceLoader", "EUROSAT_CLASS_COUNTS", "ImageData", "ImageSplit", "NO_AUGMENT", "SPECS",
    "SPLIT_FRACTIONS", "SPLIT_SEED", "Splits", "batch_colour_jitter", "batch_crop", "batch_cutout",
    "batch_flip", "batch_quarter_turns", "batch_resize", "load_fashion_mnist", "channel_stats",
    "class_counts", "hierarchy_table", "samples_per_class", "stats_table", "ensure_synthetic",
    "load_cifar10", "load_cifar100",
    "load_dataset", "load_eurosat", "make_loaders", "make_splits", "pad_reflect", "plain_loaders",
    "read_cifar_pickle", "standard_splits", "stratified_split", "superclass_subset",
]
