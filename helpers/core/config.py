"""Configuration: profiles, device choice, seeding and the run.

``setup(profile=..., device=..., seed=..., data_root=..., notebook=..., resume=...)`` returns the
:class:`Run`: where data lives, where outputs go (its :class:`~helpers.core.paths.ReportPaths`), which device
to use, whether trainings resume from their checkpoints and how passes over the data run (every
batch, or a rehearsal's cut and timed ones). Notebooks call it through ``report.start``. Profiles
change parameter values and data sets, never the code path. The parameters files are checked by
``helpers.run.parameters``.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from .device import use_fast_kernels
from .paths import PROJECT_ROOT, ReportPaths, paths_for
from .passes import EVERY_BATCH, CutPasses, Passes

# The one place that names the public repository: the notebooks' "Open in Colab" badges and their
# Colab setup cells are generated from it by tools/build_notebooks.py.
REPO_URL = "https://github.com/deep-vision-course/image-classifiers"

DATA_ROOT_ENV = "DATA_ROOT"
DEVICES = ("auto", "cpu", "cuda", "mps")


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
    # A rehearsal cuts every loader pass to this many batches (more, until those after the first
    # have taken ``rehearsal_seconds``, where batches are fast) and every training to one epoch.
    rehearsal_batches: int | None = None
    rehearsal_seconds: float = 0.3
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


# --- device and seeding -----------------------------------------------------------------------


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; asking for a device that is absent is an error."""
    kind = name.split(":")[0]
    if kind not in DEVICES:
        raise ConfigError(f"unknown device {name!r}: choose one of {', '.join(DEVICES)}")
    if kind == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"device {name!r} was asked for, but PyTorch sees no CUDA GPU here. Use device='auto' "
            "(or 'cpu'), or in Colab choose Runtime > Change runtime type > GPU."
        )
    if kind == "mps" and not _mps_available():
        raise ConfigError(f"device {name!r} was asked for, but MPS is not available: use 'auto'")
    return torch.device(name)


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and CUDA) in one call."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# --- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Everything a notebook needs to know about where and how it runs."""

    profile: Profile
    device: torch.device
    seed: int
    data_root: Path
    layout: ReportPaths                 # every path under the profile's reports folder
    notebook: str = "interactive"  # names the notebook's results file and checkpoint folder
    passes: Passes = EVERY_BATCH   # every batch, or a rehearsal's cut and timed passes
    resume: bool = False           # trainings continue from their checkpoints (else retrain)

    @property
    def synthetic(self) -> bool:
        return self.profile.synthetic

    @property
    def results_file(self) -> Path:
        """This notebook's results file."""
        return self.layout.results_file(self.notebook)

    def checkpoint_dir(self, training: str) -> Path:
        """Where ``fit`` keeps the checkpoints of one training of this notebook."""
        return self.layout.checkpoint_dir(self.notebook, training)

    def data_notice(self) -> str:
        """A Markdown warning for reports made from synthetic stand-ins (empty for real data)."""
        if not self.synthetic:
            return ""
        cut = (f" Every pass over the data stops after {self.profile.rehearsal_batches} batches "
               f"(more, up to {self.profile.rehearsal_seconds:g} s of them, where batches are fast) "
               "and every training after one epoch: "
               "this run checks sizes and times, nothing else."
               if self.profile.rehearsal_batches else "")
        return (f"> **Synthetic data (profile `{self.profile.name}`).** Every image and number below "
                "comes from synthetic stand-ins written in the real data sets' formats, so that the "
                "notebook runs offline. They test the code, not the models: run the `full` profile "
                "for real results." + cut)

    @property
    def pretrained_weights(self) -> str:
        """What "pretrained" means in this profile: "imagenet" or "stand-in" (random weights)."""
        return self.profile.pretrained_weights

    def weights_notice(self) -> str:
        """A loud Markdown warning where "pretrained" models have random stand-in weights."""
        if self.pretrained_weights == "imagenet":
            return ""
        return (f"> **No ImageNet weights (profile `{self.profile.name}`).** Every model called "
                "*pretrained* below starts from **random stand-in weights**: the notebook runs the "
                "same code (load, freeze, replace the classifier, train the head) offline, but its "
                "pretrained-versus-scratch comparisons mean nothing. The `full` profile loads the "
                "real weights and stops with a clear error if it cannot.")

    def describe(self) -> str:
        data = "synthetic stand-ins" if self.synthetic else "real data"
        return (
            f"profile {self.profile.name} ({data}), device {self.device}, seed {self.seed}, "
            f"data in {self.data_root}, results in {self.layout.results}"
        )


def setup(profile: str = "full", device: str = "auto", seed: int = 0, data_root: str | Path = "",
          notebook: str = "interactive", resume: bool = False, layout: ReportPaths | None = None
          ) -> Run:
    """Validate the common parameters, seed everything and return the :class:`Run`.

    ``data_root`` falls back to ``$DATA_ROOT`` (real data only: synthetic profiles never write into
    the real data root), then to the profile's default folder. ``notebook`` names the results file,
    the checkpoint folder and, in a rehearsal, the file of timed passes. ``resume``: trainings whose
    checkpoints match continue from them instead of training again. ``layout``: where outputs go
    (default: the profile's reports folder).
    """
    chosen = get_profile(profile)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    from_env = "" if chosen.synthetic else os.environ.get(DATA_ROOT_ENV, "")
    root = Path(data_root or from_env or chosen.default_data_root)
    layout = layout or paths_for(chosen.name)
    passes = EVERY_BATCH if not chosen.rehearsal_batches else CutPasses(
        chosen.rehearsal_batches, layout.passes_file(notebook), notebook,
        chosen.rehearsal_seconds)
    run = Run(profile=chosen, device=resolve_device(device), seed=seed,
              data_root=root.expanduser().resolve(), layout=layout, notebook=notebook,
              passes=passes, resume=bool(resume))
    seed_everything(seed)
    use_fast_kernels(run.device)
    return run
