"""ImageNet weights through torchvision's own cache, and the random stand-ins of offline profiles.

torchvision keeps downloaded weights in ``$TORCH_HOME/hub/checkpoints/<file>`` (``~/.cache/torch``
by default). We read and write the same files, so weights fetched once by torchvision, by this
project or copied by hand are found by both. Where the file is missing and cannot be downloaded,
the error names the file, its URL and the folder to put it in.

Weight sources: ``"imagenet"`` (the real weights; the full profile) and ``"stand-in"`` (randomly
initialised weights in the same architecture, for the offline smoke and rehearsal profiles, which
exercise the same code path: load, freeze, replace the classifier, train the head).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torchvision.models import (AlexNet_Weights, MobileNet_V2_Weights, MobileNet_V3_Small_Weights,
                                WeightsEnum)

IMAGENET = "imagenet"
STAND_IN = "stand-in"
SOURCES = (IMAGENET, STAND_IN)

# The weights of each torchvision architecture the notebooks use (torchvision's DEFAULT entries).
IMAGENET_WEIGHTS: dict[str, WeightsEnum] = {
    "alexnet": AlexNet_Weights.IMAGENET1K_V1,
    "mobilenet_v2": MobileNet_V2_Weights.IMAGENET1K_V2,
    "mobilenet_v3_small": MobileNet_V3_Small_Weights.IMAGENET1K_V1,
}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class WeightsError(RuntimeError):
    """Pretrained weights that cannot be had; the message says where to put the file."""


def cache_folder() -> Path:
    """torchvision's weight cache: ``$TORCH_HOME/hub/checkpoints``."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def weights_file(architecture: str) -> Path:
    """Where torchvision keeps (or would keep) the ImageNet weights of ``architecture``."""
    return cache_folder() / Path(_weights(architecture).url).name


def describe_source(architecture: str, source: str) -> str:
    """A results-file note: the torchvision weights entry, or that the weights are stand-ins."""
    if source == STAND_IN:
        return "random stand-in (no ImageNet weights in this profile)"
    return f"ImageNet ({_weights(architecture)})"


def imagenet_state_dict(architecture: str, download: bool = True) -> dict[str, torch.Tensor]:
    """The ImageNet state dict of ``architecture``, from the cache or downloaded into it."""
    weights, path = _weights(architecture), weights_file(architecture)
    if not path.is_file():
        if not download:
            raise WeightsError(_missing_message(architecture, path, "downloads are switched off"))
        try:
            _download(weights.url, path)
        except Exception as error:  # noqa: BLE001 - any failure to fetch means the same to the user
            raise WeightsError(_missing_message(architecture, path, f"download failed: {error}")
                               ) from error
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - a truncated or foreign file
        raise WeightsError(f"{path} could not be read as {architecture}'s weights ({error}); delete "
                           "it and run again to download it afresh") from error


def _weights(architecture: str) -> WeightsEnum:
    if architecture not in IMAGENET_WEIGHTS:
        raise ValueError(f"no ImageNet weights known for {architecture!r}: choose one of "
                         f"{', '.join(IMAGENET_WEIGHTS)}")
    return IMAGENET_WEIGHTS[architecture]


def _download(url: str, path: Path) -> None:
    """torchvision's downloader, with the hash check its builders use (the prefix in the name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = path.stem.rsplit("-", 1)[-1]
    torch.hub.download_url_to_file(url, str(path), hash_prefix=prefix, progress=False)


def _missing_message(architecture: str, path: Path, reason: str) -> str:
    return (f"ImageNet weights for {architecture} are not in torchvision's cache and could not be "
            f"fetched ({reason}). Download {_weights(architecture).url} on a machine with "
            f"internet and copy it to {path} (or set TORCH_HOME to a folder whose "
            "hub/checkpoints holds it). Offline without the file, run the smoke profile, which "
            "uses random stand-in weights.")
