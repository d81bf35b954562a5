"""Training: the epoch loop every model trains with, and ``fit`` around it.

``train_epoch`` and ``validate`` are the loop itself (notebook 02 shows their code). ``fit`` adds what
a long training needs: a learning-rate schedule, early stopping, the best epoch's weights, progress
lines, checkpoints and, when asked for, exact resume (``helpers.training.checkpoints``).

**Which epoch counts**, for every model of the project: training stops early once the validation
loss has not improved for ``patience`` epochs, and the weights kept (and reported) are those of the
epoch with the highest validation accuracy, the lower validation loss breaking a tie.

**Checkpoints.** ``fit`` writes them while it trains. It trains from scratch unless ``resume=True``;
then a training of the same settings and code continues after the last epoch written and ends as an
uninterrupted run would, and a finished one is read back (one line says so).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from .checkpoints import Checkpoints, code_digest, run_signature
from ..core.device import autocast, gradient_scaler, synchronise
from .optim import per_epoch
from ..core.passes import EVERY_BATCH, Passes
from ..core.progress import Progress

# --- loss -------------------------------------------------------------------------------------


def heads_of(outputs: torch.Tensor | tuple | list) -> tuple[torch.Tensor, ...]:
    """A model's logits as a tuple, one entry per head (a plain model has one head)."""
    return tuple(outputs) if isinstance(outputs, (tuple, list)) else (outputs,)


def targets_of(targets: torch.Tensor, heads: int) -> tuple[torch.Tensor, ...]:
    """Targets per head: a vector for one head, the columns of an N x heads tensor for several."""
    return (targets,) if heads == 1 else tuple(targets.unbind(1))


def classification_loss(outputs: torch.Tensor | tuple, targets: torch.Tensor,
                        label_smoothing: float = 0.0) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Cross-entropy summed over the heads, and the number of correct predictions of each head."""
    heads = heads_of(outputs)
    columns = targets_of(targets, len(heads))
    loss = sum(F.cross_entropy(logits.float(), column, label_smoothing=label_smoothing)
               for logits, column in zip(heads, columns))
    correct = [(logits.argmax(1) == column).sum() for logits, column in zip(heads, columns)]
    return loss, correct


class Tally:
    """Sums of loss, correct predictions per head and images over an epoch, kept on the device so
    that no batch waits for a GPU-to-CPU copy."""

    def __init__(self, device: torch.device) -> None:
        self.loss = torch.zeros((), device=device)
        self.correct: list[torch.Tensor] = []
        self.count = 0

    def add(self, loss: torch.Tensor, hits: list[torch.Tensor], size: int) -> None:
        self.loss += loss.detach() * size
        self.correct = hits if not self.correct else [a + b for a, b in zip(self.correct, hits)]
        self.count += size

    def metrics(self, prefix: str, head_names: list[str]) -> dict[str, float]:
        """Mean loss and accuracy per image; with several heads also ``<prefix>_acc_<head>`` (the
        first head's accuracy is ``<prefix>_acc`` as well)."""
        metrics = {f"{prefix}_loss": self.loss.item() / self.count}
        accuracies = [hits.item() / self.count for hits in self.correct]
        metrics[f"{prefix}_acc"] = accuracies[0]
        if len(head_names) > 1:
            metrics.update({f"{prefix}_acc_{name}": acc for name, acc in zip(head_names, accuracies)})
        return metrics


# --- one epoch: the loop ----------------------------------------------------------------------


def train_epoch(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer, *,
                scaler: torch.amp.GradScaler, scheduler: Any = None, label_smoothing: float = 0.0,
                grad_clip: float | None = None, head_names: list[str] | None = None
                ) -> dict[str, float]:
    """One pass over ``loader`` that updates the weights after every batch; returns the mean loss
    and accuracy measured along the way."""
    device = next(model.parameters()).device
    model.train()                                   # dropout on, batch norm learns batch statistics
    tally = Tally(device)
    for images, targets in loader:                  # a batch is already on the device, augmented
        with autocast(device):                      # mixed precision on a GPU, float32 elsewhere
            outputs = model(images)                             # forward
            loss, hits = classification_loss(outputs, targets, label_smoothing)
        optimizer.zero_grad(set_to_none=True)       # forget the last batch's gradients
        scaler.scale(loss).backward()               # backward: loss.backward() (scaled for fp16)
        if grad_clip:
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        scaler.step(optimizer)                      # optimizer.step() (skipped on fp16 overflow)
        scaler.update()
        if scheduler is not None and not per_epoch(scheduler):
            scheduler.step()                        # the learning rate of the next batch
        tally.add(loss, hits, len(targets))
    return tally.metrics("train", head_names or ["main"])


@torch.no_grad()                                    # no gradients: evaluation only
def validate(model: nn.Module, loader: Iterable, head_names: list[str] | None = None
             ) -> dict[str, float]:
    """Mean cross-entropy (no label smoothing) and accuracy of each head on ``loader``."""
    device = next(model.parameters()).device
    model.eval()                                    # dropout off, batch norm uses its averages
    tally = Tally(device)
    for images, targets in loader:
        with autocast(device):
            outputs = model(images)
        tally.add(*classification_loss(outputs, targets), len(targets))
    return tally.metrics("val", head_names or ["main"])


# --- history ----------------------------------------------------------------------------------


@dataclass
class History:
    """One row per epoch: epoch, train/val loss and accuracy (per head where there are several),
    learning rate and seconds."""

    rows: list[dict[str, float]] = field(default_factory=list)
    stopped_early: bool = False

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)

    @property
    def epochs_run(self) -> int:
        return len(self.rows)

    @property
    def best(self) -> dict[str, float]:
        """The epoch whose weights are kept: highest validation accuracy, then lowest loss."""
        return max(self.rows, key=lambda row: (row["val_acc"], -row["val_loss"]))

    @property
    def best_epoch(self) -> int:
        return int(self.best["epoch"])

    @property
    def lowest_loss_epoch(self) -> int:
        """The epoch of the lowest validation loss: early stopping counts from it."""
        return int(min(self.rows, key=lambda row: row["val_loss"])["epoch"])

    @property
    def seconds(self) -> float:
        return float(sum(row["seconds"] for row in self.rows))

    def add(self, row: dict[str, float], patience: int | None, last_epoch: int) -> None:
        """Append an epoch and decide whether training stops after it."""
        self.rows.append(row)
        stalled = row["epoch"] - self.lowest_loss_epoch
        self.stopped_early = patience is not None and stalled >= patience and \
            row["epoch"] < last_epoch

    def describe(self, label: str) -> str:
        """One line for the report: epochs run, the epoch kept and its validation figures."""
        best = self.best
        stop = ", stopped early" if self.stopped_early else ""
        epochs = f"{self.epochs_run} epoch{'' if self.epochs_run == 1 else 's'}"
        return (f"{label}: {epochs} in {self.seconds:.0f} s{stop}; kept epoch "
                f"{self.best_epoch} (validation accuracy {best['val_acc']:.1%}, loss "
                f"{best['val_loss']:.3f})")


# --- fit --------------------------------------------------------------------------------------


def fit(model: nn.Module, train_loader: Iterable, val_loader: Iterable, *, epochs: int,
        optimizer: torch.optim.Optimizer, scheduler: Any = None, label_smoothing: float = 0.0,
        patience: int | None = None, grad_clip: float | None = None,
        checkpoint_dir: Path | str | None = None, resume: bool = False,
        checkpoint_every: float = 60.0, description: str = "training",
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
        compile_model: bool = False, passes: Passes = EVERY_BATCH) -> History:
    """Train ``model`` for up to ``epochs`` epochs of :func:`train_epoch` and :func:`validate` and
    return its :class:`History`, the kept epoch's weights restored (see the module's docstring).
    ``patience``: epochs without a lower validation loss before stopping (None: never).
    ``checkpoint_dir``: where checkpoints are written; ``resume``: continue (or read back) a
    training of the same settings and code found there, instead of training again.
    ``compile_model``: train through ``torch.compile(model)``, which shares the model's weights.
    ``passes``: the run's (a rehearsal runs one epoch, standing for all of them)."""
    device = next(model.parameters()).device
    scaler, heads = gradient_scaler(device), list(getattr(model, "head_names", ["main"]))
    settings = dict(epochs=epochs, patience=patience, grad_clip=grad_clip,
                    label_smoothing=label_smoothing)
    code = code_digest(model, train_loader, getattr(train_loader, "augment", None), train_epoch,
                       validate)
    signature = run_signature(model, optimizer, scheduler, train_loader, settings, code)
    checkpoints = Checkpoints(checkpoint_dir, signature, checkpoint_every, description)
    rows, stopped_early, best = checkpoints.resume(model, optimizer, scheduler, scaler) \
        if resume else ([], False, None)
    history = History(rows, stopped_early)
    runner, last_epoch = torch.compile(model) if compile_model else model, passes.epochs(epochs)
    with passes.training(epochs, device, description), \
            Progress(last_epoch, description) as progress:
        progress.skip_to(history.epochs_run)
        for epoch in range(history.epochs_run + 1, last_epoch + 1):
            if history.stopped_early:
                break
            row = run_epoch(runner, train_loader, val_loader, optimizer, epoch, scaler=scaler,
                            scheduler=scheduler, label_smoothing=label_smoothing,
                            grad_clip=grad_clip, head_names=heads)
            history.add(row, patience, last_epoch)
            best = copy.deepcopy(model.state_dict()) if history.best_epoch == epoch else best
            checkpoints.save(model, optimizer, scheduler, scaler, history, best,
                             finished=history.stopped_early or epoch == last_epoch)
            progress.step(row)
            if on_epoch_end:
                on_epoch_end(epoch, row)
    model.load_state_dict(best)
    print(history.describe(description), flush=True)
    return history


def run_epoch(model: nn.Module, train_loader: Iterable, val_loader: Iterable,
              optimizer: torch.optim.Optimizer, epoch: int, *, scheduler: Any = None,
              **training: Any) -> dict[str, float]:
    """Train one epoch, validate, step a per-epoch schedule; the history row of the epoch."""
    start = time.perf_counter()
    lr = optimizer.param_groups[-1]["lr"]  # the base group's rate (others are scaled from it)
    if hasattr(train_loader, "set_epoch"):
        train_loader.set_epoch(epoch)
    row: dict[str, float] = {"epoch": epoch}
    row.update(train_epoch(model, train_loader, optimizer, scheduler=scheduler, **training))
    row.update(validate(model, val_loader, training.get("head_names")))
    if per_epoch(scheduler):
        scheduler.step(row["val_loss"])
    synchronise(next(model.parameters()).device)
    row.update(lr=lr, seconds=time.perf_counter() - start)
    return row
