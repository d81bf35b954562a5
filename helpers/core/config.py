"""Configuration: device choice, seeding and the run (the profiles: ``core.profiles``).

``setup(profile=..., device=..., seed=..., data_root=..., notebook=..., resume=...)`` returns the
:class:`Run`: where data lives, where outputs go (its :class:`~helpers.core.paths.ReportPaths`), which device
to use, whether trainings resume from their checkpoints and how passes over the data run (every
batch, or a rehearsal's cut and timed ones). Notebooks call it through ``report.start``. Profiles
change parameter values and data sets, never the code path. The parameters files are checked by
``helpers.core.parameters``.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .device import use_fast_kernels
from .paths import ReportPaths, paths_for
from .profiles import PROFILES, ConfigError, Profile, get_profile
from .passes import EVERY_BATCH, CutPasses, Passes
from .progress import NOTEBOOK

__all__ = ["PROFILES", "ConfigError", "DATA_ROOT_ENV", "DEVICES", "Profile", "Run", "check_data_root",
           "get_profile", "resolve_device", "seed_everything", "setup"]

DATA_ROOT_ENV = "DATA_ROOT"
DEVICES = ("auto", "cpu", "cuda", "mps")


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
        cut = (f" Every training pass over the data stops after {self.profile.rehearsal_batches} "
               f"batches (more, up to {self.profile.rehearsal_seconds:g} s of them, where batches "
               f"are fast), every evaluation after its first {self.profile.rehearsal_images:,} "
               "images and every training after one epoch: "
               "this run checks sizes and times, nothing else."
               if self.profile.rehearsal_batches else "")
        return (f"> **Synthetic data (the {self.profile.name} profile).** Every image and number "
                "in this notebook, its findings included, comes from synthetic stand-ins written "
                "in the real data sets' formats, so that the notebook runs offline. They test the "
                "code, not the models: run the full profile for real results." + cut)

    @property
    def pretrained_weights(self) -> str:
        """What "pretrained" means in this profile: "imagenet" or "stand-in" (random weights)."""
        return self.profile.pretrained_weights

    def weights_notice(self) -> str:
        """A loud Markdown warning where "pretrained" models have random stand-in weights."""
        if self.pretrained_weights == "imagenet":
            return ""
        return (f"> **No ImageNet weights (the {self.profile.name} profile).** Every model called "
                "*pretrained* in this notebook starts from **random stand-in weights**: the notebook runs the "
                "same code (load, freeze, replace the classifier, train the head) offline, but its "
                "pretrained-versus-scratch comparisons mean nothing. The full profile loads the "
                "real weights and stops with a clear error if it cannot.")

    def describe(self) -> str:
        data = "synthetic stand-ins" if self.synthetic else "real data"
        return (
            f"profile {self.profile.name} ({data}), device {self.device}, seed {self.seed}, "
            f"data in {self.data_root}, results in {self.layout.results}"
        )


def check_data_root(root: Path, named: str = DATA_ROOT_ENV) -> Path:
    """``root``, or a ConfigError where it is a file rather than a folder."""
    root = Path(root).expanduser()
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{named} is {root}, a file: point it at a folder (a missing or empty "
                          "one is filled with the data sets)")
    return root


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
    root = check_data_root(Path(data_root or from_env or chosen.default_data_root),
                           "data_root" if data_root else DATA_ROOT_ENV if from_env
                           else "the data folder")
    layout = layout or paths_for(chosen.name)
    passes = EVERY_BATCH if not chosen.rehearsal_batches else CutPasses(
        chosen.rehearsal_batches, layout.passes_file(notebook), notebook,
        chosen.rehearsal_seconds, chosen.rehearsal_images)
    NOTEBOOK["name"] = notebook  # its progress lines go to its own log under run_all.sh
    run = Run(profile=chosen, device=resolve_device(device), seed=seed,
              data_root=root.expanduser().resolve(), layout=layout, notebook=notebook,
              passes=passes, resume=bool(resume))
    seed_everything(seed)
    use_fast_kernels(run.device)
    return run
