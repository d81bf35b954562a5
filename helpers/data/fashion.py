"""Fashion-MNIST: the project's real images on a machine without internet.

70,000 real 28 x 28 greyscale photographs of clothing in 10 classes (60,000 train, 10,000 test),
from Zalando. Debian and Ubuntu ship them in the package ``dataset-fashion-mnist``
(``/usr/share/datasets/fashion-mnist/``); torchvision downloads the same four idx files. They are
read here as uint8 tensors like every other data set, resized to 32 x 32 with three channels, so
that the CIFAR-10 CNNs train on them unchanged.

Each file is checked by the md5 of its *uncompressed* content: Debian recompressed the official
``.gz`` files, so their bytes differ while the images are the same.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .sources import DatasetError
from .splits import ImageData, ImageSplit

FASHION_MNIST_ENV = "FASHION_MNIST_DIR"
DEBIAN_FOLDER = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]
# md5 of each file's uncompressed content (the official figures, the same for Debian's copies).
CONTENT_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}
INSTALL_HINT = ("install it with `sudo apt-get install dataset-fashion-mnist` (Debian, Ubuntu; "
                "./setup.sh does it), or put the four idx files from "
                "https://github.com/zalandoresearch/fashion-mnist in a folder and set "
                f"${FASHION_MNIST_ENV} to it")


def fashion_mnist_folder() -> Path | None:
    """Where the idx files are: ``$FASHION_MNIST_DIR``, else Debian's folder; None if neither."""
    for folder in (os.environ.get(FASHION_MNIST_ENV), DEBIAN_FOLDER):
        if folder and any(Path(folder).glob("train-images-idx3-ubyte*")):
            return Path(folder)
    return None


def read_idx(path: Path, expected_md5: str | None = None) -> np.ndarray:
    """An idx file (gzipped or not) as an array: a zero word, the element type (0x08: uint8), the
    number of dimensions, each dimension as a big-endian 32-bit integer, then the values."""
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if expected_md5 and hashlib.md5(raw).hexdigest() != expected_md5:
        raise DatasetError(f"{path} is not the official Fashion-MNIST file (md5 of its content "
                           f"differs): delete it and {INSTALL_HINT}")
    if raw[:3] != b"\x00\x00\x08":
        raise DatasetError(f"{path} is not an idx file of unsigned bytes")
    dimensions = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def _file(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise DatasetError(f"{folder} has no {name}(.gz): {INSTALL_HINT}")


def as_cifar_images(images: np.ndarray, size: int = 32) -> torch.Tensor:
    """uint8 N x 28 x 28 greyscale -> uint8 N x 3 x size x size (bilinear resize, grey repeated)."""
    grey = torch.from_numpy(images.copy()).float()[:, None]
    resized = F.interpolate(grey, size=(size, size), mode="bilinear", align_corners=False)
    return resized.round().clamp(0, 255).to(torch.uint8).expand(-1, 3, -1, -1).contiguous()


def load_fashion_mnist(folder: Path | None = None, size: int = 32) -> ImageData:
    """Fashion-MNIST's official train and test sets, checked and resized to ``size``."""
    folder = folder or fashion_mnist_folder()
    if folder is None:
        raise DatasetError(f"Fashion-MNIST is not on this machine: {INSTALL_HINT}")

    def split(prefix: str) -> ImageSplit:
        images = read_idx(_file(folder, f"{prefix}-images-idx3-ubyte"),
                          CONTENT_MD5[f"{prefix}-images-idx3-ubyte"])
        labels = read_idx(_file(folder, f"{prefix}-labels-idx1-ubyte"),
                          CONTENT_MD5[f"{prefix}-labels-idx1-ubyte"])
        return ImageSplit(as_cifar_images(images, size), torch.from_numpy(labels.astype(np.int64)))

    return ImageData("Fashion-MNIST", split("train"), split("t10k"), list(CLASSES))
