"""One ``fit`` for every model: optimiser and scheduler builders, early stopping, gradient clipping,
mixed precision on GPU, self-describing checkpoints and exact resume.

Checkpoints (``last.pt`` every epoch, ``best.pt`` at the lowest validation loss) hold the model,
optimiser, scheduler and scaler states, the epoch, the history, the model's config and the RNG
state, and load with ``weights_only=True``. A run started again with the same settings continues
after its last finished epoch and ends with the history and weights of an uninterrupted run.
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

from . import rehearsal
from .progress import Progress

# --- builders ---------------------------------------------------------------------------------


def make_optimizer(model: nn.Module, name: str = "adam", lr: float = 1e-3,
                   weight_decay: float = 0.0, momentum: float = 0.9,
                   lr_scales: dict[str, float] | None = None) -> torch.optim.Optimizer:
    """Adam, AdamW or SGD (with Nesterov momentum) over the trainable parameters.

    ``lr_scales`` maps a submodule name to a factor of ``lr`` for its parameters, e.g.
    ``{"backbone": 0.1}`` to fine-tune a pretrained backbone ten times slower than its new head.
    """
    groups = _parameter_groups(model, lr, lr_scales or {})
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=True,
                               weight_decay=weight_decay)
    raise ValueError(f"unknown optimiser {name!r}: choose adam, adamw or sgd")


def _parameter_groups(model: nn.Module, lr: float, lr_scales: dict[str, float]
                      ) -> list[dict[str, Any]]:
    """One group per scaled submodule, one for everything else (trainable parameters only)."""
    names = dict(model.named_children())
    unknown = set(lr_scales) - set(names)
    if unknown:
        raise ValueError(f"lr_scales names {sorted(unknown)}, but the model's submodules are "
                         f"{sorted(names)}")
    scaled = {id(p) for child in lr_scales for p in names[child].parameters()}
    groups = [{"params": [p for p in names[child].parameters() if p.requires_grad],
               "lr": lr * factor} for child, factor in lr_scales.items()]
    groups.append({"params": [p for p in model.parameters()
                              if p.requires_grad and id(p) not in scaled], "lr": lr})
    return [group for group in groups if group["params"]]


def make_scheduler(optimizer: torch.optim.Optimizer, name: str | None, epochs: int,
                   warmup_epochs: int = 0, step_size: int = 10, gamma: float = 0.1,
                   plateau_patience: int = 3) -> torch.optim.lr_scheduler.LRScheduler | None:
    """A per-epoch learning-rate schedule: None, "step", "cosine" (linear warm-up, then cosine
    decay to zero) or "plateau" (reduce by ``gamma`` when the validation loss stalls)."""
    if name is None or name == "none":
        return None
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    if name == "cosine":
        def factor(epoch: int) -> float:
            if epoch < warmup_epochs:
                return (epoch + 1) / (warmup_epochs + 1)
            progress = (epoch - warmup_epochs) / max(1, epochs - warmup_epochs)
            return 0.5 * (1 + math.cos(math.pi * progress))
        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=gamma,
                                                          patience=plateau_patience)
    raise ValueError(f"unknown scheduler {name!r}: choose none, step, cosine or plateau")


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
        """The row of the epoch with the lowest validation loss (whose weights fit restores)."""
        return min(self.rows, key=lambda row: row["val_loss"])

    @property
    def best_epoch(self) -> int:
        return int(self.best["epoch"])

    @property
    def seconds(self) -> float:
        return float(sum(row["seconds"] for row in self.rows))


# --- one epoch --------------------------------------------------------------------------------


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """bf16 on GPUs that support it, else fp16 on GPU; None (full precision) on CPU and MPS."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _metric_names(prefix: str, head_names: list[str]) -> list[str]:
    return [f"{prefix}_acc"] + [f"{prefix}_acc_{name}" for name in head_names[1:]]


class _Tally:
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
        """Mean loss and accuracy per image (per head, the first head also as ``<prefix>_acc``)."""
        metrics = {f"{prefix}_loss": self.loss.item() / self.count}
        for name, hits in zip(_metric_names(prefix, head_names), self.correct):
            metrics[name] = hits.item() / self.count
        if len(head_names) > 1:
            metrics[f"{prefix}_acc_{head_names[0]}"] = metrics[f"{prefix}_acc"]
        return metrics


def train_epoch(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer,
                scaler: torch.amp.GradScaler, label_smoothing: float = 0.0,
                grad_clip: float | None = None, head_names: list[str] | None = None
                ) -> dict[str, float]:
    """One pass over ``loader`` with updates; loss and accuracy as measured during the pass."""
    device = next(model.parameters()).device
    dtype = amp_dtype(device)
    model.train()
    tally = _Tally(device)
    for images, targets in loader:
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            loss, hits = classification_loss(model(images), targets, label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        if grad_clip:
            scaler.unscale_(optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        scaler.step(optimizer)
        scaler.update()
        tally.add(loss, hits, len(targets))
    return tally.metrics("train", head_names or ["main"])


@torch.no_grad()
def validate(model: nn.Module, loader: Iterable, head_names: list[str] | None = None
             ) -> dict[str, float]:
    """Mean cross-entropy (no label smoothing) and accuracy of each head on ``loader``."""
    device = next(model.parameters()).device
    dtype = amp_dtype(device)
    model.eval()
    tally = _Tally(device)
    for images, targets in loader:
        with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
            outputs = model(images)
        tally.add(*classification_loss(outputs, targets), len(targets))
    return tally.metrics("val", head_names or ["main"])


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
        "optimizer": [type(optimizer).__name__, {k: v for k, v in optimizer.defaults.items()
                                                 if isinstance(v, (int, float, str, bool, tuple))}],
        "scheduler": type(scheduler).__name__,
        "data": [getattr(train_loader, "num_images", None), getattr(train_loader, "batch_size", None),
                 getattr(train_loader, "seed", None)],
        **settings,
    }
    return json.dumps(described, sort_keys=True, default=str)


# --- fit --------------------------------------------------------------------------------------


def fit(model: nn.Module, train_loader: Iterable, val_loader: Iterable, *, epochs: int,
        optimizer: torch.optim.Optimizer, scheduler: Any = None, label_smoothing: float = 0.0,
        patience: int | None = None, grad_clip: float | None = None,
        checkpoint_dir: Path | str | None = None, resume: bool = True, description: str = "",
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
        compile_model: bool = False) -> History:
    """Train ``model`` and return its :class:`History`; the best epoch's weights are restored.

    ``patience``: stop after that many epochs without a lower validation loss (None: never).
    ``checkpoint_dir``: where ``last.pt`` and ``best.pt`` go; with ``resume``, a ``last.pt`` of the
    same settings is continued (a finished run returns at once), one of other settings is ignored.
    ``compile_model``: train and validate through ``torch.compile(model)`` (checkpoints still hold
    the plain model's weights, which the compiled one shares).
    In a rehearsal (:mod:`helpers.rehearsal`) only the first epoch runs, standing for all of them.
    """
    device = next(model.parameters()).device
    head_names = list(getattr(model, "head_names", ["main"]))
    scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype(device) == torch.float16)
    signature = run_signature(model, optimizer, scheduler, train_loader, {
        "epochs": epochs, "patience": patience, "grad_clip": grad_clip,
        "label_smoothing": label_smoothing})
    folder = Path(checkpoint_dir) if checkpoint_dir else None
    history, best_state = History(), None
    if folder and resume and (folder / "last.pt").is_file():
        state = load_checkpoint(folder / "last.pt")
        if state["signature"] == signature:
            _restore(state, model, optimizer, scheduler, scaler)
            history = History(state["history"], state["stopped_early"])
            best_state = load_checkpoint(folder / "best.pt")["model"]
            print(f"{description or 'fit'}: resumed after epoch {history.epochs_run}", flush=True)

    runner = torch.compile(model) if compile_model else model
    last_epoch = rehearsal.epochs_to_run(epochs)
    with rehearsal.training(epochs, device), Progress(last_epoch, description) as progress:
        progress.skip_to(history.epochs_run)
        for epoch in range(history.epochs_run + 1, last_epoch + 1):
            if history.stopped_early:
                break
            row = _run_epoch(runner, train_loader, val_loader, optimizer, scaler, epoch,
                             label_smoothing, grad_clip, head_names)
            history.rows.append(row)
            if scheduler is not None:
                scheduler.step(row["val_loss"]) if isinstance(
                    scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau) else scheduler.step()
            improved = history.best_epoch == epoch
            if improved:
                best_state = copy.deepcopy(model.state_dict())
            history.stopped_early = bool(patience is not None and epoch - history.best_epoch >=
                                         patience and epoch < last_epoch)
            if folder:
                _save(folder, model, optimizer, scheduler, scaler, history, signature, improved)
            progress.step({k: v for k, v in row.items() if k in (
                "train_loss", "train_acc", "val_loss", "val_acc", "seconds")})
            if on_epoch_end:
                on_epoch_end(epoch, row)
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _run_epoch(model, train_loader, val_loader, optimizer, scaler, epoch, label_smoothing,
               grad_clip, head_names) -> dict[str, float]:
    start = time.perf_counter()
    lr = optimizer.param_groups[-1]["lr"]  # the base group (others are scaled from it)
    if hasattr(train_loader, "set_epoch"):
        train_loader.set_epoch(epoch)
    row: dict[str, float] = {"epoch": epoch}
    row.update(train_epoch(model, train_loader, optimizer, scaler, label_smoothing, grad_clip,
                           head_names))
    row.update(validate(model, val_loader, head_names))
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    row.update(lr=lr, seconds=time.perf_counter() - start)
    return row


def _save(folder: Path, model, optimizer, scheduler, scaler, history: History, signature: str,
          improved: bool) -> None:
    config = getattr(model, "config", None)
    state = {
        "model": model.state_dict(), "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "scaler": scaler.state_dict(), "epoch": history.epochs_run, "history": history.rows,
        "stopped_early": history.stopped_early, "model_config": config, "signature": signature,
        "rng": {"torch": torch.get_rng_state(),
                "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []},
    }
    save_checkpoint(folder / "last.pt", state)
    if improved:
        save_checkpoint(folder / "best.pt", {"model": state["model"], "epoch": history.epochs_run,
                                             "val_loss": history.rows[-1]["val_loss"],
                                             "model_config": config})


def _restore(state: dict[str, Any], model, optimizer, scheduler, scaler) -> None:
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["rng"]["torch"])
    if state["rng"]["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["rng"]["cuda"])
