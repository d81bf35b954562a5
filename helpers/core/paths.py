"""Where a run's outputs go: one :class:`ReportPaths` names every path under ``reports/<profile>/``.

``config.setup`` gives each notebook's run its layout (``run.layout``) and the pipeline builds the
same one for the command, both with :func:`paths_for`; nothing else types a folder or file name of
the reports folder. The tree, for a profile::

    reports/<profile>/
        <notebook>.ipynb, <notebook>.pdf   executed notebooks and their PDFs
        results/<notebook>.csv             one row per trained model (helpers.experiments.results)
        results/reports/<name>.csv         full classification reports
        logs/<notebook>.log                each notebook's progress lines
        checkpoints/<notebook>/<model>/    last.pt and best.pt of each training
        passes/<notebook>.csv              a rehearsal's timed passes
        timings.csv                        each notebook's last wall time
        estimate.csv                       a rehearsal's estimate of the full run
        run.json                           the last run: profile, start, wall time, device
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REPORTS_ROOT_ENV = "REPORTS_ROOT"  # where runs write (default: reports/ in the project); tests move it


def reports_root() -> Path:
    """Where runs write their reports: ``$REPORTS_ROOT``, else ``reports/`` in the project."""
    return Path(os.environ.get(REPORTS_ROOT_ENV) or PROJECT_ROOT / "reports").expanduser().resolve()


@dataclass(frozen=True)
class ReportPaths:
    """The paths of one reports folder (``root``, e.g. ``reports/smoke``)."""

    root: Path

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def passes(self) -> Path:
        return self.root / "passes"

    @property
    def timings(self) -> Path:
        return self.root / "timings.csv"

    @property
    def estimate(self) -> Path:
        return self.root / "estimate.csv"

    @property
    def run_record(self) -> Path:
        return self.root / "run.json"

    def executed(self, notebook: str) -> Path:
        """The executed copy of a notebook (``notebook``: its name without ``.ipynb``)."""
        return self.root / f"{notebook}.ipynb"

    def pdf(self, notebook: str) -> Path:
        return self.root / f"{notebook}.pdf"

    def log(self, notebook: str) -> Path:
        return self.logs / f"{notebook}.log"

    def results_file(self, notebook: str) -> Path:
        return self.results / f"{notebook}.csv"

    def results_files(self) -> list[Path]:
        """The results files of the numbered notebooks, in order."""
        return sorted(self.results.glob("[0-9][0-9]_*.csv"))

    def classification_report(self, name: str) -> Path:
        return self.results / "reports" / f"{name}.csv"

    def checkpoint_folder(self, notebook: str) -> Path:
        """Every training's checkpoints of one notebook."""
        return self.checkpoints / notebook

    def checkpoint_dir(self, notebook: str, training: str) -> Path:
        """``last.pt`` and ``best.pt`` of one training of a notebook."""
        return self.checkpoint_folder(notebook) / training

    def passes_file(self, notebook: str) -> Path:
        return self.passes / f"{notebook}.csv"

    def written_folders(self) -> tuple[Path, ...]:
        """The folders a run writes into, checked before it starts."""
        return self.root, self.results, self.logs


def paths_for(profile: str) -> ReportPaths:
    """The layout of a profile's reports folder, ``<reports root>/<profile>``."""
    return ReportPaths(reports_root() / profile)
