"""Training: the epoch loop every model trains with, and ``fit`` around it.

``train_epoch`` and ``validate`` are the loop itself (notebook 02 shows their code). ``fit`` adds what
a long training needs: a learning-rate schedule, early stopping, the best epoch's weights, progress
lines, checkpoints and exact resume.

**Which epoch counts**, for every model of the project: training stops early once the validation
loss has not improved for ``patience`` epochs, and the weights kept (and reported) are those of the
epoch with the highest validation accuracy, the lower validation loss breaking a tie.

**Checkpoints.** ``last.pt`` (model, optimiser, scheduler and scaler states, history, RNG state) and
``best.pt`` (the best epoch's weights) are written at most once every ``checkpoint_every`` seconds and
after the last epoch; a run started again with the same settings continues after the last epoch
written and ends as an uninterrupted run would. When a training ends, ``last.pt`` shrinks to its
record (history and settings), which is all that ``--resume`` and the reports need besides the best
weights. Checkpoints load with ``weights_only=True``.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from .device import autocast, gradient_scaler, synchronise
from .passes import EVERY_BATCH, Passes
from .progress import Progress

# --- builders ---------------------------------------------------------------------------------

OPTIMIZERS = ("adam", "adamw", "sgd")
SCHEDULES = ("none", "cosine", "plateau")


def make_optimizer(model: nn.Module, name: str = "adam", lr: float = 1e-3,
                   weight_decay: float = 0.0, momentum: float = 0.9,
                   lr_scales: dict[str, float] | None = None,
                   decay_norm_and_bias: bool = True) -> torch.optim.Optimizer:
    """Adam, AdamW or SGD (with Nesterov momentum) over the trainable parameters.

    ``lr_scales`` maps a submodule name to a factor of ``lr`` for its parameters, e.g.
    ``{"backbone": 0.1}`` to fine-tune a pretrained backbone ten times slower than its new head.
    ``decay_norm_and_bias=False`` keeps weight decay off batch-norm scales and biases (every
    parameter of one dimension): shrinking them only fights the normalisation.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}: choose {', '.join(OPTIMIZERS)}")
    groups = _parameter_groups(model, lr, weight_decay, lr_scales or {}, decay_norm_and_bias)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr)
    return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=True)


def _parameter_groups(model: nn.Module, lr: float, weight_decay: float,
                      lr_scales: dict[str, float], decay_norm_and_bias: bool
                      ) -> list[dict[str, Any]]:
    """One group per scaled submodule and one for the rest, each split in two where weight decay
    spares one-dimensional parameters; trainable parameters only, the base group last."""
    children = dict(model.named_children())
    unknown = set(lr_scales) - set(children)
    if unknown:
        raise ValueError(f"lr_scales names {sorted(unknown)}, but the model's submodules are "
                         f"{sorted(children)}")
    scaled = {id(p) for child in lr_scales for p in children[child].parameters()}
    blocks = [(list(children[child].parameters()), lr * factor) for child, factor in lr_scales.items()]
    blocks.append(([p for p in model.parameters() if id(p) not in scaled], lr))
    groups = []
    for parameters, block_lr in blocks:
        trainable = [p for p in parameters if p.requires_grad]
        spared = [] if decay_norm_and_bias else [p for p in trainable if p.ndim <= 1]
        decayed = [p for p in trainable if all(p is not q for q in spared)]
        groups += [{"params": spared, "lr": block_lr, "weight_decay": 0.0},
                   {"params": decayed, "lr": block_lr, "weight_decay": weight_decay}]
    return [group for group in groups if group["params"]]


def make_scheduler(optimizer: torch.optim.Optimizer, name: str | None, epochs: int,
                   steps_per_epoch: int, warmup_epochs: float = 0.0, plateau_factor: float = 0.1,
                   plateau_patience: int = 3) -> torch.optim.lr_scheduler.LRScheduler | None:
    """The learning-rate schedule: None; "cosine", stepped after every batch (a linear warm-up
    over ``warmup_epochs``, then a cosine decay to zero at the end of the last epoch); or
    "plateau", stepped after every epoch (the rate times ``plateau_factor`` whenever the
    validation loss has stalled for ``plateau_patience`` epochs)."""
    if name is None or name == "none":
        return None
    if name == "cosine":
        total, warmup = epochs * steps_per_epoch, warmup_epochs * steps_per_epoch

        def factor(step: int) -> float:
            if step < warmup:
                return (step + 1) / (warmup + 1)
            return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))
        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=plateau_factor,
                                                          patience=plateau_patience)
    raise ValueError(f"unknown schedule {name!r}: choose {', '.join(SCHEDULES)}")


def per_epoch(scheduler: Any) -> bool:
    """Whether ``scheduler`` steps once per epoch on the validation loss (else once per batch)."""
    return isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)


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
        return (f"{label}: {self.epochs_run} epochs in {self.seconds:.0f} s{stop}; kept epoch "
                f"{self.best_epoch} (validation accuracy {best['val_acc']:.2%}, loss "
                f"{best['val_loss']:.3f})")


# --- checkpoints ------------------------------------------------------------------------------


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically, so a run killed while saving leaves the previous checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    partial.replace(path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    return torch.load(path, map_location="cpu", weights_only=True)


def run_signature(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
                  train_loader: Any, settings: dict[str, Any]) -> str:
    """What must match for a checkpoint to be resumed: model, optimiser, schedule, data, settings."""
    described = {
        "model": getattr(model, "config", type(model).__name__),
        "optimizer": [type(optimizer).__name__, [
            {k: v for k, v in group.items() if isinstance(v, (int, float, str, bool, tuple))}
            for group in optimizer.param_groups]],
        "scheduler": type(scheduler).__name__,
        "data": [getattr(train_loader, "num_images", None), getattr(train_loader, "batch_size", None),
                 getattr(train_loader, "seed", None), str(getattr(train_loader, "augment", ""))],
        **settings,
    }
    return json.dumps(described, sort_keys=True, default=str)


class Checkpoints:
    """``last.pt`` and ``best.pt`` of one training in ``folder`` (see the module's docstring);
    without a folder, nothing is written or resumed."""

    def __init__(self, folder: Path | str | None, signature: str, every_seconds: float = 60.0
                 ) -> None:
        self.folder = Path(folder) if folder else None
        self.signature, self.every_seconds = signature, every_seconds
        self.written = time.monotonic()

    def resume(self, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
               scaler: torch.amp.GradScaler) -> tuple[History, dict[str, torch.Tensor] | None]:
        """The history and best weights of an earlier run of the same settings (empty if none),
        with model, optimiser, scheduler, scaler and RNG restored where it was interrupted."""
        last = self.folder / "last.pt" if self.folder else None
        state = load_checkpoint(last) if last and last.is_file() else None
        if state is None or state["signature"] != self.signature:
            return History(), None
        if not state["finished"]:
            _restore(state, model, optimizer, scheduler, scaler)
        return History(state["history"], state["stopped_early"]), \
            load_checkpoint(self.folder / "best.pt")["model"]

    def save(self, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
             scaler: torch.amp.GradScaler, history: History, best: dict[str, torch.Tensor],
             finished: bool) -> None:
        """Write both files if ``every_seconds`` have passed since the last time, or at the end
        (then ``last.pt`` keeps only the record)."""
        if self.folder is None or (not finished and
                                   time.monotonic() - self.written < self.every_seconds):
            return
        config = getattr(model, "config", None)
        save_checkpoint(self.folder / "best.pt", {"model": best, "epoch": history.best_epoch,
                                                  "model_config": config})
        state = {"signature": self.signature, "history": history.rows, "finished": finished,
                 "stopped_early": history.stopped_early, "epoch": history.epochs_run,
                 "model_config": config}
        if not finished:
            state.update(model=model.state_dict(), optimizer=optimizer.state_dict(),
                         scheduler=scheduler.state_dict() if scheduler is not None else None,
                         scaler=scaler.state_dict(), rng=_rng_state())
        save_checkpoint(self.folder / "last.pt", state)
        self.written = time.monotonic()


def _rng_state() -> dict[str, Any]:
    return {"torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _restore(state: dict[str, Any], model, optimizer, scheduler, scaler) -> None:
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["rng"]["torch"])
    if state["rng"]["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["rng"]["cuda"])
    print(f"resumed after epoch {len(state['history'])}", flush=True)


# --- fit --------------------------------------------------------------------------------------


def fit(model: nn.Module, train_loader: Iterable, val_loader: Iterable, *, epochs: int,
        optimizer: torch.optim.Optimizer, scheduler: Any = None, label_smoothing: float = 0.0,
        patience: int | None = None, grad_clip: float | None = None,
        checkpoint_dir: Path | str | None = None, resume: bool = True,
        checkpoint_every: float = 60.0, description: str = "training",
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
        compile_model: bool = False, passes: Passes = EVERY_BATCH) -> History:
    """Train ``model`` for up to ``epochs`` epochs of :func:`train_epoch` and :func:`validate` and
    return its :class:`History`, the kept epoch's weights restored (see the module's docstring).
    ``patience``: epochs without a lower validation loss before stopping (None: never).
    ``compile_model``: train through ``torch.compile(model)``, which shares the model's weights.
    ``passes``: the run's (a rehearsal runs one epoch, standing for all of them)."""
    device = next(model.parameters()).device
    scaler, heads = gradient_scaler(device), list(getattr(model, "head_names", ["main"]))
    settings = dict(epochs=epochs, patience=patience, grad_clip=grad_clip,
                    label_smoothing=label_smoothing)
    checkpoints = Checkpoints(checkpoint_dir, run_signature(
        model, optimizer, scheduler, train_loader, settings), checkpoint_every)
    history, best = checkpoints.resume(model, optimizer, scheduler, scaler) if resume else \
        (History(), None)
    runner, last_epoch = torch.compile(model) if compile_model else model, passes.epochs(epochs)
    with passes.training(epochs, device), Progress(last_epoch, description) as progress:
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
