"""Checkpoints: what ``fit`` writes while it trains, what it resumes from when asked, and the
pipeline's clean-up of a notebook's checkpoint folder.

``last.pt`` (model, optimiser, scheduler and scaler states, history, RNG state) and ``best.pt`` (the
kept epoch's weights) are written at most once every ``every_seconds`` and after the last epoch;
when a training ends, ``last.pt`` shrinks to its record (history and settings). Checkpoints load
with ``weights_only=True``.

**Resume is asked for, never assumed.** ``fit`` retrains unless ``resume=True`` (``run_all.sh
--resume``, or a notebook's ``resume`` parameter). A checkpoint is resumed only when its signature
matches: the model's configuration, the optimiser, schedule, data and settings, and a digest of the
source code that defines the model, the data loader and the training step. A student who edits a
model or the loop in ``helpers`` therefore trains afresh, never gets stale weights back.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..core.paths import ReportPaths

FRAMEWORKS = ("torch", "torchvision")  # their code is pinned by their version, not read


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically, so a run killed while saving leaves the previous checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    partial.replace(path)


def load_checkpoint(path: Path) -> dict[str, Any]:
    return torch.load(path, map_location="cpu", weights_only=True)


def code_digest(*objects: Any) -> str:
    """A digest of the source files that define ``objects`` (functions, classes, or instances of
    classes; a model counts with every submodule), with torch's and torchvision's versions
    standing for their own code. Any edit of those files changes it."""
    import torchvision

    files: set[str] = set()
    for thing in objects:
        parts = list(thing.modules()) if isinstance(thing, nn.Module) else [thing]
        for part in parts:
            defined = part if inspect.isfunction(part) or inspect.isclass(part) else type(part)
            if defined.__module__.split(".")[0] in FRAMEWORKS + ("builtins",):
                continue
            source = inspect.getsourcefile(defined)
            if source:
                files.add(source)
    digest = hashlib.sha256(f"{torch.__version__} {torchvision.__version__}".encode())
    for source in sorted(files):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


def run_signature(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
                  train_loader: Any, settings: dict[str, Any], code: str = "") -> str:
    """What must match for a checkpoint to be resumed: model, optimiser, schedule, data, settings
    and the code's digest."""
    described = {
        "model": getattr(model, "config", type(model).__name__),
        "optimizer": [type(optimizer).__name__, [
            {k: v for k, v in group.items() if isinstance(v, (int, float, str, bool, tuple))}
            for group in optimizer.param_groups]],
        "scheduler": type(scheduler).__name__,
        "data": [getattr(train_loader, "num_images", None), getattr(train_loader, "batch_size", None),
                 getattr(train_loader, "seed", None), str(getattr(train_loader, "augment", ""))],
        "code": code,
        **settings,
    }
    return json.dumps(described, sort_keys=True, default=str)


class Checkpoints:
    """``last.pt`` and ``best.pt`` of one training in ``folder`` (see the module's docstring);
    without a folder, nothing is written or resumed."""

    def __init__(self, folder: Path | str | None, signature: str, every_seconds: float = 60.0,
                 description: str = "training") -> None:
        self.folder = Path(folder) if folder else None
        self.signature, self.every_seconds = signature, every_seconds
        self.description = description
        self.written = time.monotonic()

    @classmethod
    def of_training(cls, folder: Path | str | None, model: nn.Module,
                    optimizer: torch.optim.Optimizer, scheduler: Any, train_loader: Any,
                    settings: dict[str, Any], loop: tuple[Any, ...], every_seconds: float,
                    description: str) -> Checkpoints:
        """The checkpoints of one training, resumed only by a training of the same model,
        optimiser, schedule, data and settings, run by the same code (the source files of the
        model, the loader and the ``loop`` functions)."""
        code = code_digest(model, train_loader, getattr(train_loader, "augment", None), *loop)
        return cls(folder, run_signature(model, optimizer, scheduler, train_loader, settings, code),
                   every_seconds, description)

    def resume(self, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
               scaler: torch.amp.GradScaler) -> tuple[list[dict[str, float]], bool,
                                                      dict[str, torch.Tensor] | None]:
        """The history rows, early-stop flag and best weights of an earlier run of the same
        signature (empty if none), with model, optimiser, scheduler, scaler and RNG restored where
        it was interrupted; one line says what was read."""
        last = self.folder / "last.pt" if self.folder else None
        state = load_checkpoint(last) if last and last.is_file() else None
        if state is None:
            return [], False, None
        if state["signature"] != self.signature:
            print(f"{self.description}: the checkpoint in {self.folder} was made by other settings "
                  "or code; training from scratch", flush=True)
            return [], False, None
        if state["finished"]:
            print(f"{self.description}: finished earlier, weights read from "
                  f"{self.folder / 'best.pt'} (resume is on; to train again, set resume = False "
                  "or run without --resume)", flush=True)
        else:
            _restore(state, model, optimizer, scheduler, scaler)
            print(f"{self.description}: resumed after epoch {len(state['history'])} from {last}",
                  flush=True)
        return state["history"], state["stopped_early"], \
            load_checkpoint(self.folder / "best.pt")["model"]

    def save(self, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
             scaler: torch.amp.GradScaler, history: Any, best: dict[str, torch.Tensor],
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


# --- a notebook's checkpoint folder, for the pipeline ------------------------------------------


def clear_notebook_checkpoints(layout: ReportPaths, notebook: str) -> None:
    """Remove a notebook's checkpoints before it runs, so that nothing is resumed by accident."""
    shutil.rmtree(layout.checkpoint_folder(notebook), ignore_errors=True)


def settle_notebook_checkpoints(layout: ReportPaths, notebook: str, keep: bool) -> str | None:
    """After a notebook: a line saying how much its checkpoints hold (the full profile's disk
    need, when rehearsed), deleting them unless ``keep``; None when it wrote none."""
    folder = layout.checkpoint_folder(notebook)
    if not folder.is_dir():
        return None
    size = folder_megabytes(folder)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return f"{notebook} checkpoints: {size:,.0f} MB" + ("" if keep else " (deleted)")


def folder_megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6
