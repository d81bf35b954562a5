"""A training's history, one row per epoch, and the rule for the epoch it is reported by."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


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
