"""Synthetic stand-ins for CIFAR-10, CIFAR-100 and EuroSAT, written in the real on-disk formats.

They let the smoke profile and the tests run offline through exactly the loading code of the real
data. Every class has its own colour and an oriented stripe pattern (a superclass shares the colour,
its fine classes differ in orientation and frequency), blurred by per-image phase, brightness and
noise: a small CNN learns it far above chance without finding it trivial. Each folder carries
``SYNTHETIC.json`` with the md5 of its files, so it is verified like the real data and can never be
taken for it.
"""

from __future__ import annotations

import colorsys
import hashlib
import json
import os
import pickle
import struct
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping

import numpy as np
from PIL import Image

from .sources import (CIFAR10_SPEC, CIFAR100_SPEC, EUROSAT_CLASS_COUNTS, EUROSAT_SPEC, SPECS,
                      SYNTHETIC_MARKER, ArchiveSpec, DatasetError, remove_dataset)

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                   "truck"]
# The official CIFAR-100 hierarchy: 20 superclasses (in the order of the meta file), 5 classes each.
CIFAR100_HIERARCHY = {
    "aquatic_mammals": ["beaver", "dolphin", "otter", "seal", "whale"],
    "fish": ["aquarium_fish", "flatfish", "ray", "shark", "trout"],
    "flowers": ["orchid", "poppy", "rose", "sunflower", "tulip"],
    "food_containers": ["bottle", "bowl", "can", "cup", "plate"],
    "fruit_and_vegetables": ["apple", "mushroom", "orange", "pear", "sweet_pepper"],
    "household_electrical_devices": ["clock", "keyboard", "lamp", "telephone", "television"],
    "household_furniture": ["bed", "chair", "couch", "table", "wardrobe"],
    "insects": ["bee", "beetle", "butterfly", "caterpillar", "cockroach"],
    "large_carnivores": ["bear", "leopard", "lion", "tiger", "wolf"],
    "large_man-made_outdoor_things": ["bridge", "castle", "house", "road", "skyscraper"],
    "large_natural_outdoor_scenes": ["cloud", "forest", "mountain", "plain", "sea"],
    "large_omnivores_and_herbivores": ["camel", "cattle", "chimpanzee", "elephant", "kangaroo"],
    "medium_mammals": ["fox", "porcupine", "possum", "raccoon", "skunk"],
    "non-insect_invertebrates": ["crab", "lobster", "snail", "spider", "worm"],
    "people": ["baby", "boy", "girl", "man", "woman"],
    "reptiles": ["crocodile", "dinosaur", "lizard", "snake", "turtle"],
    "small_mammals": ["hamster", "mouse", "rabbit", "shrew", "squirrel"],
    "trees": ["maple_tree", "oak_tree", "palm_tree", "pine_tree", "willow_tree"],
    "vehicles_1": ["bicycle", "bus", "motorcycle", "pickup_truck", "train"],
    "vehicles_2": ["lawn_mower", "rocket", "streetcar", "tank", "tractor"],
}


def _class_style(colour_index: int, colours: int, pattern_index: int) -> tuple[float, float, float]:
    """Hue (0-1), stripe orientation (radians) and frequency (cycles per image) of a class."""
    hue = colour_index / colours
    angle = np.pi * ((pattern_index * 0.37) % 1.0)
    frequency = 2.0 + (pattern_index % 3) * 1.5
    return hue, angle, frequency


def draw_images(rng: np.random.Generator, styles: list, labels: np.ndarray, size: int) -> np.ndarray:
    """uint8 N x 3 x size x size images of the given labels (an index into ``styles``).

    Per image, the hue, orientation and frequency are jittered, and one image in five borrows the
    stripes of a random other class: neighbouring classes overlap, so accuracy stays well below 100 %.
    """
    count = len(labels)
    pattern_of = np.where(rng.random(count) < 0.2, rng.integers(0, len(styles), count), labels)
    hues = np.array([styles[k][0] for k in labels]) + rng.normal(0, 0.035, count)
    colours = np.stack([colorsys.hsv_to_rgb(h % 1.0, 0.65, 0.85) for h in hues])
    angles = np.array([styles[k][1] for k in pattern_of]) + rng.normal(0, 0.25, count)
    frequency = np.array([styles[k][2] for k in pattern_of]) * rng.uniform(0.8, 1.2, count)
    phase = rng.uniform(0, 2 * np.pi, count)
    y, x = np.mgrid[0:size, 0:size] / size
    along = x[None] * np.cos(angles)[:, None, None] + y[None] * np.sin(angles)[:, None, None]
    wave = np.sin(2 * np.pi * frequency[:, None, None] * along + phase[:, None, None])
    brightness = rng.uniform(0.6, 1.3, (count, 1, 1, 1))
    shade = colours[:, :, None, None] * (0.55 + 0.35 * wave[:, None]) * brightness
    image = shade + rng.normal(0, 0.2, shade.shape)
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)


def _balanced_labels(rng: np.random.Generator, classes: int, per_class: int) -> np.ndarray:
    return rng.permutation(np.repeat(np.arange(classes), per_class))


# --- Python 2 style pickles -------------------------------------------------------------------


class _Python2Pickler(pickle._Pickler):  # type: ignore[name-defined]
    """Writes bytes as Python 2 ``str`` (SHORT_BINSTRING / BINSTRING) and names numpy.core, as the
    real CIFAR files (pickled by Python 2) do, so that they need ``encoding="latin1"`` to load."""

    dispatch = dict(pickle._Pickler.dispatch)  # type: ignore[attr-defined]

    def save_python2_str(self, obj: bytes) -> None:
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_python2_str

    def save_global(self, obj: Any, name: str | None = None) -> None:
        module = getattr(obj, "__module__", "") or ""
        if module.startswith("numpy._core"):
            module = module.replace("numpy._core", "numpy.core", 1)
            self.write(pickle.GLOBAL + f"{module}\n{name or obj.__name__}\n".encode())
            self.memoize(obj)
            return
        super().save_global(obj, name)


def _as_python2(value: Any) -> Any:
    """Strings (keys and values) become bytes, which the pickler writes as Python 2 str."""
    if isinstance(value, str):
        return value.encode("latin1")
    if isinstance(value, dict):
        return {_as_python2(key): _as_python2(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_python2(item) for item in value]
    return value


def write_python2_pickle(path: Path, content: dict) -> None:
    with open(path, "wb") as file:
        _Python2Pickler(file, protocol=2).dump(_as_python2(content))


# --- writers ----------------------------------------------------------------------------------


def _cifar_batch(label_key: str, batch_label: str, images: np.ndarray, labels: np.ndarray,
                 extra: dict | None = None) -> dict:
    batch = {
        "batch_label": batch_label,
        label_key: [int(label) for label in labels],
        "data": images.reshape(len(images), -1),
        "filenames": [f"synthetic_{i:06d}.png" for i in range(len(images))],
    }
    batch.update(extra or {})
    return batch


def write_cifar10(root: Path, train_per_class: int, test_per_class: int, seed: int = 0) -> Path:
    """``cifar-10-batches-py/`` with five training batches, a test batch and ``batches.meta``."""
    rng = np.random.default_rng(seed)
    styles = [_class_style(k, 10, k) for k in range(10)]
    folder = _fresh_folder(CIFAR10_SPEC, root)
    train_labels = _balanced_labels(rng, 10, train_per_class)
    for number, chunk in enumerate(np.array_split(train_labels, 5), start=1):
        batch = _cifar_batch("labels", f"training batch {number} of 5",
                             draw_images(rng, styles, chunk, 32), chunk)
        write_python2_pickle(folder / f"data_batch_{number}", batch)
    test_labels = _balanced_labels(rng, 10, test_per_class)
    write_python2_pickle(folder / "test_batch", _cifar_batch(
        "labels", "testing batch 1 of 1", draw_images(rng, styles, test_labels, 32), test_labels))
    write_python2_pickle(folder / "batches.meta", {
        "label_names": CIFAR10_CLASSES, "num_cases_per_batch": len(train_labels) // 5,
        "num_vis": 3072})
    return _mark(folder, seed, {"train_per_class": train_per_class, "test_per_class": test_per_class})


def write_cifar100(root: Path, train_per_class: int, test_per_class: int, seed: int = 0) -> Path:
    """``cifar-100-python/`` with ``train``, ``test`` and ``meta`` and the real 20 x 5 hierarchy."""
    rng = np.random.default_rng(seed)
    coarse_names = list(CIFAR100_HIERARCHY)
    fine_names = sorted(name for names in CIFAR100_HIERARCHY.values() for name in names)
    coarse_of = np.array([next(i for i, c in enumerate(coarse_names) if fine in CIFAR100_HIERARCHY[c])
                          for fine in fine_names])
    position = [CIFAR100_HIERARCHY[coarse_names[coarse_of[f]]].index(name)
                for f, name in enumerate(fine_names)]
    styles = [_class_style(coarse_of[f], 20, position[f] + 5 * (coarse_of[f] % 2))
              for f in range(100)]
    folder = _fresh_folder(CIFAR100_SPEC, root)
    for part, per_class, label in (("train", train_per_class, "training batch 1 of 1"),
                                   ("test", test_per_class, "testing batch 1 of 1")):
        fine = _balanced_labels(rng, 100, per_class)
        batch = _cifar_batch("fine_labels", label, draw_images(rng, styles, fine, 32), fine,
                             {"coarse_labels": [int(c) for c in coarse_of[fine]]})
        write_python2_pickle(folder / part, batch)
    write_python2_pickle(folder / "meta", {"fine_label_names": fine_names,
                                           "coarse_label_names": coarse_names})
    return _mark(folder, seed, {"train_per_class": train_per_class, "test_per_class": test_per_class})


def write_eurosat(root: Path, divisor: int, seed: int = 0) -> Path:
    """``eurosat/2750/<Class>/<Class>_<n>.jpg``, 64 x 64, the real class counts divided by ``divisor``."""
    rng = np.random.default_rng(seed)
    classes = list(EUROSAT_CLASS_COUNTS)
    styles = [_class_style(k, 10, 3 * k + 1) for k in range(10)]
    folder = _fresh_folder(EUROSAT_SPEC, root)
    # Drawn in order from one generator (the same images on any machine), encoded by every core
    # (Pillow releases the interpreter lock while it encodes a JPEG).
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        for k, name in enumerate(classes):
            count = max(1, EUROSAT_CLASS_COUNTS[name] // divisor)
            (folder / name).mkdir()
            images = draw_images(rng, styles, np.full(count, k), 64)
            paths = [folder / name / f"{name}_{number}.jpg" for number in range(1, count + 1)]
            list(pool.map(_save_jpeg, images, paths))
    return _mark(folder, seed, {"divisor": divisor}, md5=False)


def _save_jpeg(image: np.ndarray, path: Path) -> None:
    Image.fromarray(image.transpose(1, 2, 0)).save(path, quality=92)


def _fresh_folder(spec: ArchiveSpec, root: Path) -> Path:
    folder = root / spec.folder
    if folder.is_dir() and not (folder / SYNTHETIC_MARKER).is_file():
        raise DatasetError(f"{folder} holds real {spec.name} data: synthetic data needs its own root")
    remove_dataset(spec, root)
    folder.mkdir(parents=True)
    return folder


def _mark(folder: Path, seed: int, sizes: Mapping[str, int], md5: bool = True) -> Path:
    sums = {path.name: hashlib.md5(path.read_bytes()).hexdigest()
            for path in sorted(folder.iterdir())
            if md5 and path.is_file() and path.name != SYNTHETIC_MARKER}
    marker = {"generator": "helpers.data.synthetic", "seed": seed, "sizes": dict(sizes), "md5": sums,
              "note": "Synthetic stand-in in the real format, for offline runs and tests only."}
    (folder / SYNTHETIC_MARKER).write_text(json.dumps(marker, indent=1))
    return folder


WRITERS = {"cifar10": write_cifar10, "cifar100": write_cifar100, "eurosat": write_eurosat}


def write_in_parallel(sizes: Mapping[str, Mapping[str, int]], root: Path) -> None:
    """Every data set of ``sizes`` (a profile's ``synthetic_sizes``) under ``root``, one each."""
    with ProcessPoolExecutor(max_workers=len(sizes)) as pool:
        list(pool.map(ensure_synthetic, sizes, [root] * len(sizes), sizes.values()))


def ensure_synthetic(name: str, root: Path, sizes: Mapping[str, int], seed: int = 0) -> Path:
    """Write the synthetic ``name`` data set under ``root`` unless it is there with these sizes."""
    marker = root / SPECS[name].folder / SYNTHETIC_MARKER
    if marker.is_file():
        written = json.loads(marker.read_text())
        if written["sizes"] == dict(sizes) and written["seed"] == seed:
            return marker.parent
    return WRITERS[name](root, **sizes, seed=seed)
