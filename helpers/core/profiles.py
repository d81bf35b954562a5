"""The profiles a run can take: real data or synthetic stand-ins, where they live, how much of
them, and whether passes run whole or cut to a rehearsal's few timed batches. A profile changes
parameter values and data sets, never the code path."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .paths import PROJECT_ROOT


class ConfigError(ValueError):
    """A profile, parameter or device that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Profile:
    """What a profile means: real or synthetic data, where it lives and how much of it."""

    name: str
    description: str
    synthetic: bool
    default_data_root: Path
    # Synthetic data set sizes (images per class); empty for real data.
    synthetic_sizes: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # "imagenet": torchvision's ImageNet weights; "stand-in": random weights, same code path.
    pretrained_weights: str = "imagenet"
    # A rehearsal cuts every training pass to this many batches (more, until those after the first
    # have taken ``rehearsal_seconds``, where batches are fast), every evaluation pass to its first
    # ``rehearsal_images`` images and every training to one epoch.
    rehearsal_batches: int | None = None
    rehearsal_seconds: float = 0.3
    rehearsal_images: int = 768
    # The profile whose params/<name>.yaml this one runs with (empty: its own).
    parameters_from: str = ""
    # Keep a notebook's checkpoints once it has finished (the full profile: best weights and each
    # training's record, for --resume); the other profiles delete them.
    keep_checkpoints: bool = True

    @property
    def parameters_name(self) -> str:
        return self.parameters_from or self.name


def offline_profile(name: str, description: str, folder: str, cifar10: tuple[int, int],
                    cifar100: tuple[int, int], eurosat_divisor: int, **settings: Any) -> Profile:
    """A profile that runs without internet: synthetic stand-ins of the data sets in
    ``data/<folder>/`` - (train, test) images per class of each CIFAR; EuroSAT keeps the real class
    proportions, each real count divided by ``eurosat_divisor`` - and stand-in ImageNet weights.
    Its checkpoints are deleted once a notebook has finished."""
    sizes = {"cifar10": {"train_per_class": cifar10[0], "test_per_class": cifar10[1]},
             "cifar100": {"train_per_class": cifar100[0], "test_per_class": cifar100[1]},
             "eurosat": {"divisor": eurosat_divisor}}
    return Profile(name=name, description=description, synthetic=True,
                   default_data_root=PROJECT_ROOT / "data" / folder, synthetic_sizes=sizes,
                   pretrained_weights="stand-in", keep_checkpoints=False, **settings)


PROFILES: dict[str, Profile] = {
    "smoke": offline_profile(
        "smoke", "every notebook on small synthetic stand-ins of the data sets, offline: tests "
        "the code on a CPU in minutes",
        folder="synthetic", cifar10=(200, 50), cifar100=(10, 10), eurosat_divisor=75),
    "full": Profile(
        name="full",
        description="the real CIFAR-10, CIFAR-100 and EuroSAT, every recipe at full length: "
                    "the results, for a GPU",
        synthetic=False,
        default_data_root=PROJECT_ROOT / "data",
    ),
    "rehearsal": offline_profile(
        "rehearsal", "the full profile's settings on full-size synthetic data, every pass cut to "
        "a few timed batches: checks memory and estimates the full run's time",
        folder="rehearsal", cifar10=(5000, 1000), cifar100=(500, 100),
        eurosat_divisor=1,  # the real data sets' sizes
        rehearsal_batches=3, parameters_from="full"),
    "rehearsal-quick": offline_profile(
        "rehearsal-quick", "the rehearsal with 0.05 s of timed batches a pass (0.3 s in the "
        "rehearsal): the GPU check's, where batches take milliseconds and 727 passes must fit "
        "the GPU check's nine minutes",
        folder="rehearsal", cifar10=(5000, 1000), cifar100=(500, 100), eurosat_divisor=1,
        rehearsal_batches=3, rehearsal_seconds=0.05, parameters_from="full"),
    "uncut": offline_profile(
        "uncut", "the rehearsal's data and settings with every pass whole: times a notebook for "
        "real, to check the rehearsal's estimate (the GPU check runs 02 so)",
        folder="rehearsal", cifar10=(5000, 1000), cifar100=(500, 100), eurosat_divisor=1,
        parameters_from="full"),
    "smoke-rehearsal": offline_profile(
        "smoke-rehearsal", "the smoke profile's data and settings, every pass cut to 2 timed "
        "batches: the tiny mode of the GPU check (python -m helpers.commands.gpu_check --tiny)",
        folder="synthetic", cifar10=(200, 50), cifar100=(10, 10), eurosat_divisor=75,
        rehearsal_batches=2, parameters_from="smoke"),
}


def get_profile(name: str) -> Profile:
    """The profile called ``name``, or a ConfigError listing the valid ones."""
    if name not in PROFILES:
        raise ConfigError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
