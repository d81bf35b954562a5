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
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from .checkpoints import Checkpoints
from .history import History
from ..core.device import autocast, gradient_scaler, synchronise
from .optim import per_epoch
from ..core.passes import EVERY_BATCH, Passes
from ..core.progress import Progress, say

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


# A call at a chosen epoch of ``fit``: the history up to it and the kept epoch's weights among those
# epochs, as a training stopped there would have them (a shorter training read from a longer one).
Milestone = Callable[[History, dict], None]


# --- fit --------------------------------------------------------------------------------------


def fit(model: nn.Module, train_loader: Iterable, val_loader: Iterable, *, epochs: int,
        optimizer: torch.optim.Optimizer, scheduler: Any = None, label_smoothing: float = 0.0,
        patience: int | None = None, grad_clip: float | None = None,
        checkpoint_dir: Path | str | None = None, resume: bool = False,
        checkpoint_every: float = 60.0, description: str = "training",
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
        milestones: Mapping[int, Milestone] | None = None,
        before_best: Callable[[History], None] | None = None,
        compile_model: bool = False, passes: Passes = EVERY_BATCH) -> History:
    """Train ``model`` for up to ``epochs`` epochs of :func:`train_epoch` and :func:`validate`;
    its :class:`History`, the kept epoch's weights restored (the module's docstring says which).
    ``patience``: epochs without a lower validation loss before stopping (None: never);
    ``milestones``: epoch -> :data:`Milestone`; ``before_best``: called with the history while the
    model holds the last epoch's weights; ``passes``: the run's (a rehearsal runs one epoch)."""
    device = next(model.parameters()).device
    scaler, heads = gradient_scaler(device), list(getattr(model, "head_names", ["main"]))
    settings = dict(epochs=epochs, patience=patience, grad_clip=grad_clip,
                    label_smoothing=label_smoothing)
    checkpoints = Checkpoints.of_training(checkpoint_dir, model, optimizer, scheduler, train_loader,
                                          settings, (train_epoch, validate), checkpoint_every,
                                          description)
    history, best = resumed(checkpoints, resume, model, optimizer, scheduler, scaler)
    runner, last_epoch = torch.compile(model) if compile_model else model, passes.epochs(epochs)
    with passes.training(epochs, device, description), \
            Progress(last_epoch, description) as progress:
        progress.skip_to(history.epochs_run)
        for epoch in range(history.epochs_run + 1, 0 if history.stopped_early else last_epoch + 1):
            history.add(run_epoch(runner, train_loader, val_loader, optimizer, epoch, scaler=scaler,
                                  scheduler=scheduler, label_smoothing=label_smoothing,
                                  grad_clip=grad_clip, head_names=heads), patience, last_epoch)
            best = copy.deepcopy(model.state_dict()) if history.best_epoch == epoch else best
            checkpoints.save(model, optimizer, scheduler, scaler, history, best,
                             finished=history.stopped_early or epoch == last_epoch)
            progress.step(history.rows[-1])
            after_epoch(epoch, last_epoch, history, best, on_epoch_end, milestones)
            if history.stopped_early:
                break
    return restored(model, history, best, before_best, description)


def resumed(checkpoints: Checkpoints, resume: bool, *state: Any) -> tuple[History, dict | None]:
    """The history and kept weights of the checkpoint being resumed (model, optimiser, scheduler
    and scaler restored: ``state``), or an empty history."""
    if not resume:
        return History(), None
    rows, stopped_early, best = checkpoints.resume(*state)
    return History(rows, stopped_early), best


def restored(model: nn.Module, history: History, best: dict, before_best: Any,
             description: str) -> History:
    """After the last epoch: ``before_best`` (with the last epoch's weights), then the kept
    epoch's weights back in ``model``, and a line saying what was trained and kept."""
    if before_best:
        before_best(history)
    model.load_state_dict(best)
    say(history.describe(description), to_a_person=True)
    return history




def after_epoch(epoch: int, last_epoch: int, history: History, best: dict, on_epoch_end: Any,
                milestones: Mapping[int, Milestone] | None) -> None:
    """The callers' calls after an epoch: ``on_epoch_end(epoch, row)`` and the milestone of this
    epoch, with a copy of the history so far; at the last epoch also those of later epochs (a
    rehearsal runs one epoch, standing for all of them)."""
    if on_epoch_end:
        on_epoch_end(epoch, history.rows[-1])
    for at, call in (milestones or {}).items():
        if at == epoch or (epoch == last_epoch and at > last_epoch):
            call(History(list(history.rows)), best)


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
