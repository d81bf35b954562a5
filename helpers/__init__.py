"""The package behind the notebooks, one folder per step of the data's way, read in this order:

1. ``core``: the run (profiles, device, seeding: ``core.config``), the notebooks' parameters
   (``core.parameters``), where its files go (``core.paths``), what it records
   (``core.records``), how passes over the data run (``core.passes``), work counted
   (``core.work``), progress and the device's differences (``core.device``).
2. ``data``: download and verify, uint8 tensors, splits, synthetic stand-ins, the device loader.
3. ``models``: every network, built by name.
4. ``training``: the loop and ``fit`` (``training.loop``), optimisers, recipes, checkpoints,
   frozen-feature caches.
5. ``evaluation``: predictions, metrics, calibration, superclass mappings.
6. ``stats``: the bootstrap, significance tests, a notebook's family of comparisons, the spread
   over random seeds.
7. ``experiments``: train a model by name and recipe and write its results row; choices made on
   validation; the studies' mechanics; the source documents' figures and our goals
   (``experiments.references``).
8. ``report``: what a notebook shows - its preamble, tables, the findings and conclusions,
   sentences, names, number formats, diagnostics, plots, and the run's summary.

Apart from what the notebooks import: ``run`` (the pipeline behind run_all.sh, notebooks side by
side, the PDF export, the rehearsal's estimate) and ``commands`` (``python -m
helpers.commands.<name>``: bench, gpu_check, fashion_mnist).

The notebooks import short names, each a module of one of these folders:
``from helpers import data, experiments, models, recipes, report, sentences``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SHORT_NAMES = {
    "recipes": "training.recipes", "optim": "training.optim", "features": "training.features",
    "superclasses": "evaluation.superclasses", "calibration": "evaluation.calibration",
    "significance": "stats.significance", "spread": "stats.spread",
    "references": "experiments.references", "results": "experiments.results",
    "diagnostics": "report.diagnostics", "headline": "report.headline",
    "plots": "report.plots", "sentences": "report.sentences", "summary": "report.run_summary",
    "records": "core.records",
}


def __getattr__(name: str) -> ModuleType:
    """``from helpers import recipes`` imports ``helpers.training.recipes`` (see SHORT_NAMES)."""
    if name in SHORT_NAMES:
        return importlib.import_module(f"{__name__}.{SHORT_NAMES[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *SHORT_NAMES])
