"""Descriptions of a data set for exploration: class counts, samples per class, the class hierarchy."""

from __future__ import annotations

import pandas as pd
import torch

from .splits import ImageData, ImageSplit


def class_counts(splits: dict[str, ImageSplit], classes: list[str]) -> pd.DataFrame:
    """Images per class (rows) in each named split (columns)."""
    columns = {name: torch.bincount(split.labels, minlength=len(classes)).tolist()
               for name, split in splits.items()}
    return pd.DataFrame(columns, index=pd.Index(classes, name="class"))


def samples_per_class(split: ImageSplit, per_class: int, seed: int = 0,
                      labels: torch.Tensor | None = None) -> torch.Tensor:
    """``per_class`` random images of each class, class after class (``labels`` defaults to the
    split's fine labels; pass coarse labels to sample by superclass)."""
    labels = split.labels if labels is None else labels
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for cls in range(int(labels.max()) + 1):
        members = torch.nonzero(labels == cls).flatten()
        chosen.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return split.images[torch.cat(chosen)]


def hierarchy_table(data: ImageData) -> pd.DataFrame:
    """Each superclass with its fine classes, read from the labels (not from a typed list)."""
    pairs = torch.unique(torch.stack([data.train.coarse_labels, data.train.labels], dim=1), dim=0)
    rows = []
    for coarse, name in enumerate(data.coarse_classes):
        fine = pairs[pairs[:, 0] == coarse, 1].tolist()
        rows.append({"superclass": name, "classes": len(fine),
                     "fine classes": ", ".join(data.classes[f] for f in fine)})
    return pd.DataFrame(rows, index=pd.RangeIndex(len(rows), name="id"))


def stats_table(mean: list[float], std: list[float]) -> pd.DataFrame:
    """Per-channel mean and standard deviation (0-1 scale) as a table."""
    return pd.DataFrame({"mean": mean, "std": std}, index=pd.Index(["R", "G", "B"], name="channel"))
