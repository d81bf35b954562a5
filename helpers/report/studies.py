"""What the notebooks' studies show: tables and charts of the CNNV3 study, the ladder from the
source recipe to ours, the models side by side (03), and of the CIFAR-100 studies (06)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import matplotlib.pyplot as plt
import pandas as pd

from ..experiments.references import CNN_V3_STUDY, source_figure_of
from ..models import build_model, count_parameters
from . import formats, names, plots, sentences
from .tables import split_sizes, table


def cnn_v3_study(groups: Mapping[str, list[float]]) -> None:
    """The study's validation accuracy by configuration over its random seeds, beside the source
    report's single figure, as a table and a chart."""
    reference = {f"configuration {n}": source_figure_of(f"cnn_v3_study_{n}").value
                 for n in CNN_V3_STUDY}
    settings = {f"configuration {n}": f"lr {lr:g}, dropout {d:g}, weight decay {w:g}"
                for n, (lr, d, w) in CNN_V3_STUDY.items()}
    frame = pd.DataFrame([{"configuration": name, "settings": settings[name],
                           "random seeds": len(values), "mean": pd.Series(values).mean(),
                           "std": pd.Series(values).std(), "source report": reference[name]}
                          for name, values in groups.items()])
    table(frame, "CNNV3 study: validation accuracy over random seeds beside the source report's "
          "single figure")
    long = pd.DataFrame([{"configuration": name.removeprefix("configuration "),
                          "validation accuracy (%)": 100 * value}
                         for name, values in groups.items() for value in values])
    plots.spread_by_group(long, "configuration", "validation accuracy (%)",
                          {name.removeprefix("configuration "): 100 * value
                           for name, value in reference.items()},
                          "CNNV3 study: validation accuracy by configuration")
    plt.show()


def ladder(table_frame: pd.DataFrame, model: str) -> None:
    """The ladder's table and bars: test accuracy after each change."""
    table(table_frame.rename(columns={"test_acc": "test accuracy"}),
          f"{model}: test accuracy after each change (one random seed)")
    plots.ladder_bars(table_frame, f"{model}: from the source recipe to ours")
    plt.show()


def side_by_side(rows: Iterable[Mapping[str, Any]], caption: str) -> None:
    """Models and recipes side by side at their kept epoch, with the gap between training and
    validation accuracy (how much a model memorises)."""
    frame = pd.DataFrame(list(rows))
    table(pd.DataFrame({"model": frame["model"], "recipe": frame["recipe"],
                        "trainable parameters": frame["params"],
                        "training accuracy": frame["train_acc"],
                        "validation accuracy": frame["val_acc"],
                        "test accuracy": frame["test_acc"],
                        "gap, points": 100 * (frame["train_acc"] - frame["val_acc"])}), caption)


def transfer_inputs(splits: Any, pretrained_side: int, views: int) -> str:
    """Notebook 04's inputs in one sentence, from this run's settings."""
    native = splits.train.images.shape[-1]
    seen = (f"at their own {native} x {native}" if pretrained_side == native else
            f"resized to {pretrained_side} x {pretrained_side}")
    return (f"The tiles are {native} x {native} pixels; the pretrained networks see them {seen} "
            f"(ImageNet's weights were trained at 224 x 224), and our recipe's classifiers on "
            f"frozen features train on {views} of each training tile's 8 symmetries.")


def transfer_networks(networks: list[str]) -> None:
    """The parameters of each network as built here (10 classes) and with ImageNet's 1,000-class
    head, which the figures usually quoted for these networks count."""
    rows = []
    for name in networks:
        built = build_model(name, num_classes=10)
        ten, frozen = count_parameters(built), count_parameters(built.head)
        imagenet = count_parameters(build_model(name, num_classes=1000))
        rows.append({"network": names.model_name(name), "parameters, 10 classes": ten,
                     "parameters trained when frozen": frozen, "parameters, ImageNet's 1,000 classes":
                         imagenet})
    table(pd.DataFrame(rows), "The two networks as built here (from scratch every parameter "
          "trains; with a frozen backbone only the classifier)")


def caching_table(speeds: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows of ``experiments.studies.caching_saves`` as a table."""
    return pd.DataFrame(speeds).rename(columns={"speed-up per epoch": "speed-up per epoch, times",
                                                "speed-up of the training":
                                                    "speed-up of the training, times"})


def fusion_shapes(fusion: Any, input_size: int) -> None:
    """The fusion's feature maps for one tile, and its parameters."""
    shapes = pd.DataFrame([{"step": step, "shape (channels x height x width)":
                            " x ".join(f"{side:,}" for side in shape)}
                           for step, shape in fusion.backbone.shapes(input_size).items()])
    table(shapes, f"Feature maps of one {input_size} x {input_size} tile; the fusion has "
          f"{count_parameters(fusion, trainable_only=False):,} parameters, of which the "
          f"classifier's {count_parameters(fusion):,} train")


def cache_sentence(cache: Any, device: Any) -> str:
    """What a feature cache holds and cost, in one sentence."""
    tiles = len(cache.train) + len(cache.val) + len(cache.test)
    where = {"cuda": "the GPU", "mps": "the Apple GPU"}.get(getattr(device, "type", device),
                                                           "the CPU")
    return (f"The fused maps of {tiles:,} tiles ({cache.train.num_views} views of each training "
            f"tile) took {cache.seconds:.1f} seconds and hold {cache.megabytes:,.0f} MiB in half "
            f"precision on {where}.")


def _extreme(counts: pd.Series, largest: bool) -> str:
    """"the largest class (Forest, 3,000)" or, on a tie, "the 5 largest classes (40 each)"."""
    edge = counts.max() if largest else counts.min()
    tied = [names.class_name(name) for name, count in counts.items() if count == edge]
    word = "largest" if largest else "smallest"
    if len(tied) == 1:
        return f"the {word} class ({tied[0]}, {edge:,})"
    return f"the {len(tied)} {word} classes ({', '.join(tied)}: {edge:,} each)"


def balance_sentence(counts: pd.DataFrame) -> str:
    """Images per class of each split of ``counts`` (classes x splits), and their balance."""
    ratio = counts.max() / counts.min()
    parts = [f"{sentences.value_range(*counts[split].agg(['min', 'max']))} images in the official "
             f"{split} set" for split in counts]
    return (f"Every class has {' and '.join(parts)} (largest-to-smallest ratio "
            + ", ".join(f"{ratio[split]:.2f} in {split}" for split in counts) + ").")


def hierarchy_sentence(cifar100: Any, hierarchy: pd.DataFrame, splits: Any, subset: Any) -> str:
    """CIFAR-100's classes, superclasses and splits in two sentences."""
    counts = pd.Series(cifar100.train.labels.bincount().tolist())
    per_superclass = sentences.value_range(hierarchy["classes"].min(), hierarchy["classes"].max())
    return (f"Each of the {len(cifar100.classes)} fine classes has "
            f"{sentences.value_range(counts.min(), counts.max())} images in the official training "
            "set, and every "
            f"superclass holds {per_superclass} fine classes. " + split_sizes(splits, "CIFAR-100")
            + " " + split_sizes(subset, f"subset that notebook 06's two-head model trains on "
                                         f"(superclasses 0-9, {len(subset.classes)} fine classes)"))


def eurosat_sentence(eurosat: Any, counts: pd.DataFrame) -> str:
    """EuroSAT's size, its largest and smallest classes (ties named), the test share."""
    total = counts.sum(axis=1)
    height, width = eurosat.train.images.shape[-2:]
    share = counts["test"] / total
    return (f"EuroSAT has **{int(total.sum()):,}** images of {height} x {width} pixels; "
            f"{_extreme(total, True)} {'has' if (total == total.max()).sum() == 1 else 'have'} "
            f"{total.max() / total.min():.1f} times the images of "
            f"{_extreme(total, False)}; stratification keeps the test share of every class at "
            f"{sentences.value_range(share.min(), share.max(), formats.percent)}, "
            f"{counts['test'].sum():,} test images in all.")
