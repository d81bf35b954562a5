"""The seed documents' figures: the numbers to beat, each with the seed file it comes from.

The files are in ``shared/seeds/`` of the course repository (summarised in its README.md). Accuracies
are fractions (0.58 = 58 %). Keys are the ``model`` names the notebooks write to their results files.
"""

from __future__ import annotations

from dataclasses import dataclass

CNN_SEED = "002_bcdc717c342e605c.txt"
HIERARCHY_SEED = "000_a0083a576d951543.txt"
BUDGET_SEED = "001_d41522f585f34022.txt"


@dataclass(frozen=True)
class SeedFigure:
    metric: str     # a results-file column: test_acc, val_acc, train_acc, ...
    value: float
    source: str     # the seed file
    note: str = ""


SEED_FIGURES: dict[str, list[SeedFigure]] = {
    "baseline_cnn": [
        SeedFigure("test_acc", 0.58, CNN_SEED, "classification report, 10,000 test images"),
        SeedFigure("val_acc", 0.616, CNN_SEED, "validation accuracy plateau"),
        SeedFigure("train_acc", 0.69, CNN_SEED, "training accuracy after 25 epochs"),
    ],
    "cnn_v2": [
        SeedFigure("val_acc", 0.7504, CNN_SEED, "final validation accuracy"),
        SeedFigure("train_acc", 0.9444, CNN_SEED, "final training accuracy"),
    ],
    "cnn_v3": [
        SeedFigure("test_acc", 0.80, CNN_SEED, "about 80 % test accuracy"),
        SeedFigure("train_acc", 0.88, CNN_SEED, "about 88 % training accuracy"),
    ],
    # The hyperparameter study of CNNV3 (validation accuracy, one run each).
    "cnn_v3_study_1": [SeedFigure("val_acc", 0.8313, CNN_SEED, "lr 0.001, dropout 0.3, wd 1e-4")],
    "cnn_v3_study_2": [SeedFigure("val_acc", 0.8223, CNN_SEED, "lr 0.0005, dropout 0.4, wd 5e-4")],
    "cnn_v3_study_3": [SeedFigure("val_acc", 0.7848, CNN_SEED, "lr 0.0001, dropout 0.3, wd 1e-4")],
    "cnn_v3_study_4": [SeedFigure("val_acc", 0.7069, CNN_SEED, "lr 0.0001, dropout 0.5, wd 5e-4")],
}

# The project's own goals on real data (test accuracy), printed beside the results.
GOALS: dict[str, float] = {
    "cnn_v2": 0.80,
    "cnn_v3_augmented": 0.88,
}

# The seed's CNNV3 study: (learning rate, dropout, weight decay) of configurations 1 to 4.
CNN_V3_STUDY = {1: (0.001, 0.3, 1e-4), 2: (0.0005, 0.4, 5e-4), 3: (0.0001, 0.3, 1e-4),
                4: (0.0001, 0.5, 5e-4)}


def seed_figure(model: str, metric: str | None = None) -> SeedFigure | None:
    """The seed's figure for ``model`` (its first one, or the one for ``metric``), if any."""
    for figure in SEED_FIGURES.get(model, []):
        if metric is None or figure.metric == metric:
            return figure
    return None
