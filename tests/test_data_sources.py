"""Loading the data sets from files in the real formats, and the errors users see."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers.core import config
from helpers.data import (CIFAR100_HIERARCHY, SPECS, DatasetError, load_cifar10, load_cifar100,
                          load_dataset, load_eurosat, read_cifar_pickle, synthetic)
from helpers.data.sources import SYNTHETIC_MARKER, ensure_extracted


def test_cifar10_shapes_dtypes_and_labels(synthetic_root: Path) -> None:
    data = load_cifar10(synthetic_root, synthetic=True)
    assert data.train.images.shape == (200, 3, 32, 32) and data.train.images.dtype == torch.uint8
    assert data.test.images.shape == (50, 3, 32, 32)
    assert data.train.labels.dtype == torch.int64
    assert torch.bincount(data.train.labels).tolist() == [20] * 10
    assert data.classes[:3] == ["airplane", "automobile", "bird"]


def test_cifar_files_are_python2_pickles(synthetic_root: Path) -> None:
    path = synthetic_root / "cifar-10-batches-py" / "data_batch_1"
    with open(path, "rb") as file:
        with pytest.raises(UnicodeDecodeError):
            pickle.load(file)  # as with the real files: Python 2 str needs an encoding
    with open(path, "rb") as file:
        raw = pickle.load(file, encoding="bytes")
    assert set(raw) == {b"batch_label", b"labels", b"data", b"filenames"}
    batch = read_cifar_pickle(path)
    assert batch["data"].dtype == np.uint8 and batch["data"].shape == (40, 3072)


def test_channel_order_rows_are_red_then_green_then_blue(tmp_path: Path) -> None:
    folder = synthetic.write_cifar10(tmp_path, train_per_class=1, test_per_class=1)
    row = np.zeros((1, 3072), dtype=np.uint8)
    row[0, :1024], row[0, 1024:2048], row[0, 2048:] = 200, 100, 7  # R block, G block, B block
    row[0, 1] = 255                                                # red, first row, second column
    synthetic.write_python2_pickle(folder / "test_batch", {
        "batch_label": "testing batch 1 of 1", "labels": [3], "data": row, "filenames": ["x.png"]})
    synthetic._mark(folder, 0, {"train_per_class": 1, "test_per_class": 1})
    image = load_cifar10(tmp_path, synthetic=True).test.images[0]
    assert image[0, 0, 0] == 200 and image[1].unique().tolist() == [100]
    assert image[2].unique().tolist() == [7] and image[0, 0, 1] == 255


def test_cifar100_coarse_labels_match_the_hierarchy(synthetic_root: Path) -> None:
    data = load_cifar100(synthetic_root, synthetic=True)
    assert len(data.classes) == 100 and data.classes == sorted(data.classes)
    assert data.coarse_classes == list(CIFAR100_HIERARCHY)
    for split in (data.train, data.test):
        assert split.coarse_labels is not None and len(split.coarse_labels) == len(split.labels)
        for fine, coarse in zip(split.labels.tolist(), split.coarse_labels.tolist()):
            assert data.classes[fine] in CIFAR100_HIERARCHY[data.coarse_classes[coarse]]


def test_eurosat_is_decoded_once_and_cached(synthetic_root: Path) -> None:
    data = load_eurosat(synthetic_root, synthetic=True)
    assert data.train.images.shape[1:] == (3, 64, 64) and data.train.images.dtype == torch.uint8
    assert data.test is None and data.classes[0] == "AnnualCrop"
    cache = synthetic_root / "eurosat" / "2750_uint8.pt"
    assert cache.is_file()
    stamp = cache.stat().st_mtime_ns
    again = load_eurosat(synthetic_root, synthetic=True)
    assert cache.stat().st_mtime_ns == stamp and torch.equal(again.train.images, data.train.images)
    counts = torch.bincount(data.train.labels).tolist()
    assert counts == [12, 12, 12, 10, 10, 8, 10, 12, 10, 12]  # the real proportions / 250


def test_a_corrupted_archive_fails_its_md5_check(tmp_path: Path) -> None:
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"not the real archive")
    with pytest.raises(DatasetError, match="damaged or incomplete.*md5.*Delete it"):
        load_cifar10(tmp_path, download=False)
    assert not (tmp_path / "cifar-10-batches-py").exists()  # nothing was extracted


def test_a_tampered_extracted_file_fails_its_md5_check(tmp_path: Path) -> None:
    folder = synthetic.write_cifar10(tmp_path, 1, 1)
    with open(folder / "data_batch_2", "ab") as file:
        file.write(b"x")
    with pytest.raises(DatasetError, match="data_batch_2 fails its md5 check: delete that folder "
                       "and run again: the synthetic data is written again"):
        load_cifar10(tmp_path, synthetic=True)


def test_missing_data_offline_says_where_to_put_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DATA_MIRROR", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(DatasetError) as caught:
        load_cifar100(tmp_path)
    message = str(caught.value)
    assert "CIFAR-100 is missing" in message and str(tmp_path / "cifar-100-python.tar.gz") in message
    assert "--profile smoke" in message and "http://127.0.0.1:9/cifar-100-python.tar.gz" in message
    assert not (tmp_path / "cifar-100-python.tar.gz").exists()


def test_synthetic_data_is_never_taken_for_real(synthetic_root: Path) -> None:
    with pytest.raises(DatasetError, match="synthetic stand-in"):
        load_cifar10(synthetic_root, synthetic=False)
    with pytest.raises(DatasetError, match="synthetic stand-in"):
        load_eurosat(synthetic_root, synthetic=False)


def test_synthetic_writers_refuse_to_overwrite_real_data(tmp_path: Path) -> None:
    folder = synthetic.write_cifar10(tmp_path, 1, 1)
    (folder / SYNTHETIC_MARKER).unlink()  # now it looks like real data
    with pytest.raises(DatasetError, match="holds real"):
        synthetic.write_cifar10(tmp_path, 1, 1)
    with pytest.raises(DatasetError, match="holds real"):
        ensure_extracted(SPECS["cifar10"], tmp_path, synthetic=True)


def test_synthetic_data_is_deterministic(tmp_path: Path, synthetic_root: Path) -> None:
    synthetic.write_cifar100(tmp_path, 5, 2)
    first = json.loads((tmp_path / "cifar-100-python" / SYNTHETIC_MARKER).read_text())["md5"]
    second = json.loads((synthetic_root / "cifar-100-python" / SYNTHETIC_MARKER).read_text())["md5"]
    assert first == second


def test_real_eurosat_tree_must_be_complete(tmp_path: Path) -> None:
    folder = synthetic.write_eurosat(tmp_path, divisor=500)
    (folder / SYNTHETIC_MARKER).unlink()
    with pytest.raises(DatasetError, match="does not hold the 27,000 EuroSAT"):
        load_eurosat(tmp_path)


def test_load_dataset_writes_the_profile_synthetic_data(tmp_path: Path) -> None:
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path)
    data = load_dataset("cifar10", run)
    assert data.synthetic and len(data.train) == 2000
    shutil.rmtree(tmp_path / "cifar-10-batches-py")
    with pytest.raises(ValueError, match="unknown data set 'mnist'"):
        load_dataset("mnist", run)
