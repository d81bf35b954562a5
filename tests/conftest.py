"""Shared fixtures: small synthetic data sets in the real formats, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.data import synthetic

SIZES = {"cifar10": {"train_per_class": 20, "test_per_class": 5},
         "cifar100": {"train_per_class": 5, "test_per_class": 2},
         "eurosat": {"divisor": 250}}


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    for name, sizes in SIZES.items():
        synthetic.ensure_synthetic(name, root, sizes)
    return root
