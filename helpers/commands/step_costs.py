"""What one training step costs where the models are small: its milliseconds, the host's waits on
the device inside it, and how much running several trainings side by side on one device gains
(what ``run_all.sh --jobs`` relies on). The GPU check runs these in its bench step.

A host wait (a synchronisation) stops the CPU until the GPU has caught up, so the next launches
come late. On CUDA each is counted with ``torch.cuda.set_sync_debug_mode``, which warns at every
synchronising call; elsewhere the count is of reads of a tensor's value into Python (``.item()``,
``.tolist()``, ``bool()``, ...), the calls that synchronise on a GPU.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from typing import Callable, Iterator

import torch

from ..core.device import device_name, gradient_scaler, synchronise
from ..core.paths import PROJECT_ROOT
from ..data import CROP_FLIP, DeviceLoader, ImageSplit
from ..models import build_model
from ..training.loop import train_epoch
from ..training.optim import make_optimizer

HOST_READS = ("item", "tolist", "__bool__", "__int__", "__float__")


@contextmanager
def counting_host_syncs(device: torch.device) -> Iterator[list[int]]:
    """``with counting_host_syncs(device) as count:`` - ``count[0]`` holds, after the block, the
    host's waits on ``device`` (or, off CUDA, the reads of tensor values into Python) inside it."""
    count = [0]
    if device.type == "cuda":
        previous = torch.cuda.get_sync_debug_mode()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")
            try:
                yield count
            finally:
                torch.cuda.set_sync_debug_mode(previous)
        count[0] = sum("synchroniz" in str(warning.message) for warning in caught)
        return
    originals = {name: getattr(torch.Tensor, name) for name in HOST_READS}

    def counted(original: Callable) -> Callable:
        def read(self, *args, **kwargs):
            count[0] += 1
            return original(self, *args, **kwargs)
        return read

    for name, original in originals.items():
        setattr(torch.Tensor, name, counted(original))
    try:
        yield count
    finally:
        for name, original in originals.items():
            setattr(torch.Tensor, name, original)


def epoch_loader(device: torch.device, batches: int, batch_size: int) -> DeviceLoader:
    generator = torch.Generator().manual_seed(0)
    count = batches * batch_size
    split = ImageSplit(torch.randint(0, 256, (count, 3, 32, 32), dtype=torch.uint8,
                                     generator=generator),
                       torch.randint(0, 10, (count,), generator=generator))
    return DeviceLoader(split, batch_size=batch_size, mean=[0.5] * 3, std=[0.25] * 3,
                        device=device, shuffle=True, augment=CROP_FLIP, drop_last=True)


def step_cost(device: torch.device, model: str, optimizer: str, batch_size: int,
              batches: int = 50) -> tuple[float, float]:
    """Milliseconds per training step and host waits per step of one epoch of ``batches`` steps
    (after a warm-up epoch): the project's loop, loader and optimiser, as a notebook trains."""
    torch.manual_seed(0)
    network = build_model(model, device=device)
    steps = make_optimizer(network, optimizer, lr=0.01)
    loader, scaler = epoch_loader(device, batches, batch_size), gradient_scaler(device)
    train_epoch(network, loader, steps, scaler=scaler)  # warm-up: kernels, allocator
    synchronise(device)
    start = time.perf_counter()
    with counting_host_syncs(device) as waits:
        train_epoch(network, loader, steps, scaler=scaler)
        synchronise(device)
    return 1000 * (time.perf_counter() - start) / batches, waits[0] / batches


def side_by_side(device: str, processes: int, seconds: float = 10.0) -> float:
    """Training steps a second of ``processes`` trainings of CNNV2 (batch 256) run at once on one
    device, each in its own Python process, over ``seconds``."""
    code = (f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r}); "
            "from helpers.commands.step_costs import steps_for; "
            f"print(steps_for({device!r}, {seconds!r}))")
    workers = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
               for _ in range(processes)]
    return sum(float(worker.communicate()[0].split()[-1]) for worker in workers) / seconds


def steps_for(device: str, seconds: float) -> int:
    """How many training steps one process makes in ``seconds`` (after a warm-up epoch)."""
    chosen = torch.device(device)
    torch.manual_seed(0)
    network = build_model("cnn_v2", device=chosen)
    steps, scaler = make_optimizer(network, "sgd", lr=0.01), gradient_scaler(chosen)
    loader = epoch_loader(chosen, 20, 256)
    train_epoch(network, loader, steps, scaler=scaler)
    synchronise(chosen)
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        train_epoch(network, loader, steps, scaler=scaler)
        done += len(loader)
    synchronise(chosen)
    return done


def describe(device: str, batches: int, processes: tuple[int, ...], seconds: float) -> list[str]:
    """The lines of the bench step: step costs of the two recipes' kinds of step, then the
    side-by-side throughput of 1, 2, ... trainings."""
    chosen = torch.device(device)
    lines = [f"training steps on {device_name(chosen)} ({batches} steps an epoch after a warm-up):"]
    for model, optimizer, batch_size in (("baseline_cnn", "adam", 64), ("cnn_v2", "sgd", 256)):
        milliseconds, waits = step_cost(chosen, model, optimizer, batch_size, batches)
        lines.append(f"  {model}, {optimizer}, batch {batch_size}: {milliseconds:.2f} ms a step, "
                     f"{waits:.2f} host synchronisations a step")
    alone = side_by_side(device, 1, seconds)
    for count in processes:
        rate = alone if count == 1 else side_by_side(device, count, seconds)
        lines.append(f"  {count} training(s) side by side: {rate:,.0f} steps a second, "
                     f"{rate / alone:.2f} times one alone")
    return lines
