"""Training throughput of three input pipelines, same model, batch size and augmentation:

1. the project's device loader (uint8 tensors on the device, batched crop + flip);
2. the source reports' pipeline: a torchvision Dataset of PIL images with RandomCrop, RandomHorizontalFlip,
   ToTensor and Normalize, through a DataLoader with worker processes;
3. compute only: the same batches, already augmented and in memory.

``python -m helpers.commands.bench [--images N] [--batch-size B] [--workers W] [--rounds R] [--device D]``

:func:`compile_speed` times one model's training epoch eager and through ``torch.compile``.

A shared machine is noisy: a busy neighbour can slow one pipeline's pass and not the next one's.
So each round times the three pipelines back to back and computes its own ratios (device loader
over DataLoader, device loader over compute only); the result is the median of the per-round ratios
with their range, and one noisy round can neither fake nor hide a difference. The last line is
``ratio_vs_dataloader=X.XX ratio_vs_compute=Y.YY`` (the medians).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from typing import Iterable

import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from ..core.config import resolve_device, seed_everything
from ..data import CROP_FLIP, DeviceLoader, ImageSplit
from ..core.device import batch_layout, device_name, gradient_scaler, synchronise
from ..models import build_model
from ..training.optim import make_optimizer
from ..training.loop import classification_loss, train_epoch

MEAN, STD = [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]


class PILImages(Dataset):
    """What a source report trains from: PIL images transformed one at a time."""

    def __init__(self, split: ImageSplit, transform: transforms.Compose) -> None:
        self.images = [Image.fromarray(image.permute(1, 2, 0).numpy()) for image in split.images]
        self.labels = split.labels.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        return self.transform(self.images[index]), self.labels[index]


def cifar_shaped(count: int, seed: int = 0) -> ImageSplit:
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (count, 3, 32, 32), dtype=torch.uint8, generator=generator)
    return ImageSplit(images, torch.randint(0, 10, (count,), generator=generator))


def train_pass(batches: Iterable, device: torch.device) -> float:
    """Images per second of one training pass of a fresh baseline CNN over ``batches``."""
    torch.manual_seed(0)
    model = build_model("baseline_cnn").to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = 0
    synchronise(device)
    start = time.perf_counter()
    for x, y in batches:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        loss, _ = classification_loss(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        images += len(y)
    synchronise(device)
    return images / (time.perf_counter() - start)


def pipelines(split: ImageSplit, batch_size: int, workers: int, device: torch.device) -> dict:
    """The three ways of feeding the same training, as functions that return fresh iterables."""
    device_loader = DeviceLoader(split, batch_size=batch_size, mean=MEAN, std=STD, device=device,
                                 shuffle=True, augment=CROP_FLIP, drop_last=True)
    source_style = DataLoader(
        PILImages(split, transforms.Compose([
            transforms.RandomCrop(32, padding=4, padding_mode="reflect"),
            transforms.RandomHorizontalFlip(), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])),
        batch_size=batch_size, shuffle=True, num_workers=workers, drop_last=True,
        pin_memory=device.type == "cuda")
    in_memory = [(x.clone(), y.clone()) for x, y in device_loader]
    return {
        "device loader": lambda: device_loader,
        f"DataLoader + PIL ({workers} workers)": lambda: source_style,
        "compute only": lambda: in_memory,
    }


@dataclass
class Rounds:
    """Images per second of each pipeline, one entry per round."""

    speeds: dict[str, list[float]]

    def median_speed(self, name: str) -> float:
        return statistics.median(self.speeds[name])

    def ratios(self, first: str, second: str) -> list[float]:
        """``first`` over ``second`` in each round (both timed in that round)."""
        return [a / b for a, b in zip(self.speeds[first], self.speeds[second])]


def benchmark(images: int = 8192, batch_size: int = 128, workers: int = 2, rounds: int = 5,
              device: str = "auto") -> Rounds:
    """Each pipeline's images per second in each of ``rounds`` rounds, the three timed back to
    back within a round."""
    seed_everything(0)
    chosen = resolve_device(device)
    feeds = pipelines(cifar_shaped(images), batch_size, workers, chosen)
    train_pass(list(feeds["compute only"]())[:4], chosen)  # warm-up: allocator, kernels
    speeds: dict[str, list[float]] = {name: [] for name in feeds}
    for _ in range(rounds):
        for name, feed in feeds.items():
            speeds[name].append(train_pass(feed(), chosen))
    return Rounds(speeds)


def ratio_summary(ratios: list[float]) -> str:
    """The median ratio and the range over the rounds."""
    return f"{statistics.median(ratios):.2f}x (rounds {min(ratios):.2f} to {max(ratios):.2f})"


def compile_speed(device: torch.device, backend: str, batches: int, batch_size: int = 256,
                   model_name: str = "cnn_v2") -> list[str]:
    """Seconds per training epoch of ``batches`` batches of CIFAR-shaped images, eager and through
    ``torch.compile`` (the first compiled epoch includes the compilation); lines to print."""
    torch.manual_seed(0)
    images = batch_layout(torch.randn(batch_size, 3, 32, 32, device=device))
    labels = torch.randint(0, 10, (batch_size,), device=device)
    loader = [(images, labels)] * batches

    def epoch_seconds(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> float:
        synchronise(device)
        begin = time.perf_counter()
        train_epoch(model, loader, optimizer, scaler=gradient_scaler(device))
        synchronise(device)
        return time.perf_counter() - begin

    timings = {}
    for compiled in (False, True):
        model = build_model(model_name, device=device)
        optimizer = make_optimizer(model, "sgd", lr=0.01)
        runner = torch.compile(model, backend=backend) if compiled else model
        first = epoch_seconds(runner, optimizer)
        timings[compiled] = (first, epoch_seconds(runner, optimizer))
    eager, compiled = timings[False][1], timings[True][1]
    return [f"{model_name}, {batches} batches of {batch_size} on {device_name(device)}:",
            f"  eager:    {eager:.3f} s an epoch (first epoch {timings[False][0]:.3f} s)",
            f"  compiled: {compiled:.3f} s an epoch (first epoch, compilation included, "
            f"{timings[True][0]:.3f} s; backend {backend})",
            f"torch.compile speed-up {eager / compiled:.2f}x on {model_name}"]


def describe(rounds: Rounds, device: str, settings: dict[str, int]) -> list[str]:
    """The benchmark's lines: its settings, each pipeline's median speed, the per-round ratios
    and, last, ``ratio_vs_dataloader=X.XX ratio_vs_compute=Y.YY`` (the medians)."""
    ours, dataloader, compute = rounds.speeds
    against_dataloader = rounds.ratios(ours, dataloader)
    against_compute = rounds.ratios(ours, compute)
    return [f"device {device}; baseline CNN; {settings['images']:,} CIFAR-shaped images a pass; "
            f"batch {settings['batch_size']}; random crop (padding 4) + flip; "
            f"{settings['rounds']} rounds",
            *(f"  {pipeline:<28} {rounds.median_speed(pipeline):>10,.0f} images/s (median)"
              for pipeline in rounds.speeds),
            f"device loader / DataLoader:   {ratio_summary(against_dataloader)}",
            f"device loader / compute only: {ratio_summary(against_compute)}",
            f"ratio_vs_dataloader={statistics.median(against_dataloader):.2f} "
            f"ratio_vs_compute={statistics.median(against_compute):.2f}"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=8192, help="images per training pass")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    settings = {"images": args.images, "batch_size": args.batch_size, "workers": args.workers,
                "rounds": args.rounds}
    rounds = benchmark(device=args.device, **settings)
    print("\n".join(describe(rounds, device_name(resolve_device(args.device)), settings)))


if __name__ == "__main__":
    main()
