"""EuroSAT RGB: the 27,000 JPEG tiles of the extracted archive, decoded once to one uint8 tensor and
cached beside the tree (decoded again whenever the tree's files change)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .sources import EUROSAT_CLASS_COUNTS, EUROSAT_SPEC, DatasetError, decoded_cache, \
    ensure_extracted
from .splits import ImageData, ImageSplit


def load_eurosat(root: Path, *, synthetic: bool = False, download: bool = True) -> ImageData:
    """EuroSAT RGB as one uint8 tensor, decoded once and cached beside the JPEG tree."""
    folder = ensure_extracted(EUROSAT_SPEC, root, synthetic=synthetic, download=download)
    files = sorted(folder.glob("*/*.jpg"))
    classes = sorted(path.name for path in folder.iterdir() if path.is_dir())
    if not synthetic:
        _check_eurosat_counts(folder, files)
    fingerprint = _fingerprint(folder, files)
    cache = decoded_cache(folder)
    cached = torch.load(cache, weights_only=True) if cache.is_file() else None
    if cached is None or cached["fingerprint"] != fingerprint:
        cached = _decode_eurosat(files, classes, fingerprint)
        torch.save(cached, cache)
    return ImageData("EuroSAT", ImageSplit(cached["images"], cached["labels"]), None,
                     list(cached["classes"]), synthetic=synthetic)


def _check_eurosat_counts(folder: Path, files: list[Path]) -> None:
    counts = {name: 0 for name in EUROSAT_CLASS_COUNTS}
    for path in files:
        counts[path.parent.name] = counts.get(path.parent.name, 0) + 1
    if counts != EUROSAT_CLASS_COUNTS:
        raise DatasetError(
            f"{folder} does not hold the 27,000 EuroSAT RGB images ({len(files)} found, per class "
            f"{counts}): delete {folder.parent} and download EuroSAT.zip again"
        )


def _fingerprint(folder: Path, files: list[Path]) -> str:
    digest = hashlib.sha1()
    for path in files:
        digest.update(f"{path.relative_to(folder)}:{path.stat().st_size};".encode())
    return digest.hexdigest()


def _decode_eurosat(files: list[Path], classes: list[str], fingerprint: str) -> dict:
    index = {name: i for i, name in enumerate(classes)}
    # PIL, once: torchvision 0.29 deprecates its JPEG decoding, and this is not the hot path.
    pixels = np.stack([np.asarray(Image.open(path).convert("RGB")) for path in files])
    images = torch.from_numpy(pixels).permute(0, 3, 1, 2).contiguous()
    labels = torch.tensor([index[path.parent.name] for path in files], dtype=torch.long)
    return {"images": images, "labels": labels, "classes": classes, "fingerprint": fingerprint}
