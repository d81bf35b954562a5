"""Training: the epoch loop and ``fit`` (``loop``), optimisers and schedules (``optim``), the
source recipe and ours (``recipes``), checkpoints and resume (``checkpoints``), frozen-feature
caches (``features``)."""

from .history import History
from .loop import fit, train_epoch, validate

__all__ = ["History", "fit", "train_epoch", "validate"]
