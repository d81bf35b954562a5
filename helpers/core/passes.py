"""How the passes over the data run: every batch, or - in a rehearsal - a few timed batches.

The run carries one :class:`Passes` object (``run.passes``) and hands it to where passes happen:
the loaders serve each pass through :meth:`Passes.take`, and ``fit`` asks :meth:`Passes.epochs` how
many epochs to run and wraps them in :meth:`Passes.training`. A normal run's :class:`Passes` changes
nothing. A rehearsal's :class:`CutPasses` cuts every pass short and every training after one epoch.
A training pass (gradients on) stops after a few batches - at least ``min_batches``, more while
those after the first have taken less than ``min_seconds``, so that fast batches are timed over
many; a later training pass of the same model over the same loader takes as many, so that two
trainings that should share their first epoch do. An evaluation pass (gradients off) stops after
its first ``evaluation_images`` images, the last batch cut to fit, whatever its batch size: every
training of a notebook is tested on the same images, so that a table's mean and a difference
tested image by image read the same images. Each cut pass goes to a CSV file with the time the
whole pass would take: the first batch (warm-up: cuDNN autotuning, first allocations) as measured,
every further image at the mean time of the later ones. A pass inside a training stands for as many
epochs as the training plans, and so does the rest of an epoch's work (the checkpoint written
after it); ``helpers.run.rehearsal`` turns the file into the full run's estimate.

Each cut pass also records the work of the full pass, counted rather than timed so that it holds on
any device: the multiply-adds of whatever ran on the first batch (forward, and backward in a
training; ``torch.utils.flop_counter``, its convolution gradients counted per group:
``core.work``), per image, times the images of the full pass and its repeats.
Counting adds a few milliseconds to that first batch, which is timed as a warm-up anyway. A pass
whose first batch ran with gradients on is a training pass: the full run takes one optimiser step
for each of its batches, every epoch.
"""

from __future__ import annotations

import csv
import time
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, TypeVar

import torch

from .device import peak_memory_mib, synchronise
from .work import counting, multiply_adds

Batch = TypeVar("Batch")


class Passes:
    """Every batch of every pass and every planned epoch: what a normal run does."""

    def take(self, batches: Iterator[Batch], total: int, images: int, device: torch.device
             ) -> Iterator[Batch]:
        """The batches of one pass over a loader of ``total`` batches (``images`` images): all."""
        return batches

    def epochs(self, planned: int) -> int:
        """How many of a training's ``planned`` epochs to run: all of them."""
        return planned

    def training(self, epochs: int, device: torch.device, description: str = "training"
                 ) -> AbstractContextManager:
        """Wraps a training's epochs (nothing to do in a normal run)."""
        return nullcontext()


EVERY_BATCH = Passes()


@dataclass(frozen=True)
class TimedPart:
    """One timed part of a rehearsal: a cut loader pass, or the rest of a training epoch."""

    notebook: str
    part: str              # "pass" or "epoch rest"
    batches_run: int
    batches_full: int
    repeats: int           # how many times the full run does it (the planned epochs)
    seconds: float         # as run in the rehearsal
    full_seconds: float    # estimated for the full run, repeats included
    images_full: int
    multiply_adds_full: int  # counted on the first batch, scaled to the full run, repeats included
    peak_memory_mib: float  # so far in this process: CUDA allocations on GPU, resident size on CPU
    training: str = ""      # the training a pass belongs to ("" for one outside: caches, tests)
    optimiser_steps_full: int = 0  # a training pass: one step a batch, repeats included


def pass_seconds(first: float, rest: float, batches_run: float, batches_full: int) -> float:
    """A whole pass of ``batches_full`` batches, from a cut one: the first batch as measured, the
    others at the mean of the later batches (at the first's time when only one ran).
    ``batches_run`` counts a cut last batch by its share of a whole one."""
    if batches_full <= 0:
        return 0.0
    later = rest / (batches_run - 1) if batches_run > 1 else first
    return first + later * (batches_full - 1)


class CutPasses(Passes):
    """A rehearsal's passes: cut short, timed, and recorded in ``record`` (a CSV file)."""

    def __init__(self, min_batches: int, record: Path, notebook: str, min_seconds: float = 0.3,
                 evaluation_images: int = 768) -> None:
        if min_batches < 1 or evaluation_images < 1:
            raise ValueError(f"a rehearsal needs at least one batch per pass, got {min_batches}"
                             f" batches and {evaluation_images} evaluation images")
        self.min_batches, self.min_seconds, self.notebook = min_batches, min_seconds, notebook
        self.evaluation_images = evaluation_images
        self.record = Path(record)
        self.repeats = 1
        self.pass_seconds_in_epoch = 0.0
        self.current = ""  # the description of the training under way
        self.training_batches: dict[tuple[int, int, float], int] = {}  # by loader and model

    def take(self, batches: Iterator[Batch], total: int, images: int, device: torch.device
             ) -> Iterator[Batch]:
        trains = torch.is_grad_enabled()  # a training pass (evaluation runs without)
        start, key = time.perf_counter(), (total, images, 0.0)
        marks: list[float] = []
        served, full_batch, per_image = 0, 0, 0.0
        for batch in batches:
            if not trains:
                batch = _first_images(batch, self.evaluation_images - served)
            size = _images_in(batch)
            if marks:
                yield batch
            else:  # what the consumer does with the first batch is counted
                with counting() as counter:
                    yield batch
                per_image, full_batch = multiply_adds(counter) / size, size
                key = (total, images, round(per_image, 3))
            served += size
            synchronise(device)
            marks.append(time.perf_counter())
            if self._enough(trains, key, len(marks), marks[-1] - marks[0], served):
                break
        if not marks:
            return
        if trains:
            self.training_batches.setdefault(key, len(marks))
        first, rest = marks[0] - start, marks[-1] - marks[0]
        self.pass_seconds_in_epoch += first + rest
        run = 1 + (served - full_batch) / full_batch  # a cut last batch by its share
        self._write("pass", len(marks), total, first + rest,
                    pass_seconds(first, rest, run, total) * self.repeats, device,
                    images, per_image * images * self.repeats, total * self.repeats * trains)

    def _enough(self, trains: bool, key: tuple[int, int, float], batches: int, seconds: float,
                served: int) -> bool:
        """Whether a cut pass has run far enough: an evaluation its images; a training as many
        batches as the first such pass took, or its minimum and its time."""
        if not trains:
            return served >= self.evaluation_images
        if key in self.training_batches:
            return batches >= self.training_batches[key]
        return batches >= self.min_batches and seconds >= self.min_seconds

    def epochs(self, planned: int) -> int:
        return min(planned, 1)

    @contextmanager
    def training(self, epochs: int, device: torch.device, description: str = "training"
                 ) -> Iterator[None]:
        """The one epoch run inside stands for ``epochs``: its passes are counted that many times,
        and so is the rest of its work (scheduler, checkpoints). Its parts are recorded under
        ``description``."""
        outer = self.repeats, self.pass_seconds_in_epoch, self.current
        self.repeats, self.pass_seconds_in_epoch, self.current = epochs, 0.0, description
        start = time.perf_counter()
        try:
            yield
        finally:
            synchronise(device)
            rest = max(0.0, time.perf_counter() - start - self.pass_seconds_in_epoch)
            self._write("epoch rest", 0, 0, rest, rest * epochs, device, 0, 0.0)
            self.repeats, self.current = outer[0], outer[2]
            self.pass_seconds_in_epoch = outer[1] + self.pass_seconds_in_epoch + rest

    def _write(self, part: str, run: int, full: int, seconds: float, full_seconds: float,
               device: torch.device, images: int, multiply_adds: float, steps: int = 0) -> None:
        row = TimedPart(self.notebook, part, run, full, self.repeats, round(seconds, 4),
                        round(full_seconds, 4), images, round(multiply_adds),
                        round(peak_memory_mib(device), 1), self.current, int(steps))
        self.record.parent.mkdir(parents=True, exist_ok=True)
        new = not self.record.is_file()
        with self.record.open("a", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(asdict(row)))
            if new:
                writer.writeheader()
            writer.writerow(asdict(row))


def _first_images(batch: Batch, count: int) -> Batch:
    """The first ``count`` images of a batch (every tensor in it cut alike); the batch if it
    holds no more."""
    if _images_in(batch) <= count:
        return batch
    if isinstance(batch, torch.Tensor):
        return batch[:count]
    return type(batch)(part[:count] if isinstance(part, torch.Tensor) else part for part in batch)


def _images_in(batch: object) -> int:
    """The number of images in a batch: the length of its first tensor (inputs, then targets)."""
    first = batch[0] if isinstance(batch, (tuple, list)) else batch
    return len(first)
