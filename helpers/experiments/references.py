"""The source reports' figures: the numbers to beat, each with the source report it comes from.

The files are in ``shared/seeds/`` of the course repository (summarised in its README.md). Accuracies
are fractions (0.58 = 58 %). Keys are the ``model`` names the notebooks write to their results files.
"""

from __future__ import annotations

from dataclasses import dataclass

CNN_DOCUMENT = "002_bcdc717c342e605c.txt"
HIERARCHY_DOCUMENT = "000_a0083a576d951543.txt"
BUDGET_DOCUMENT = "001_d41522f585f34022.txt"


@dataclass(frozen=True)
class SourceFigure:
    metric: str     # a results-file column: test_acc, val_acc, train_acc, ...
    value: float
    source: str     # the source report's file
    note: str = ""
    # the epoch the report read it at: "final" (its last epoch) or "kept" (its best checkpoint)
    epoch: str = "final"


SOURCE_FIGURES: dict[str, list[SourceFigure]] = {
    "baseline_cnn": [
        SourceFigure("test_acc", 0.58, CNN_DOCUMENT, "classification report, 10,000 test images"),
        SourceFigure("val_acc", 0.616, CNN_DOCUMENT, "validation accuracy plateau"),
        SourceFigure("train_acc", 0.69, CNN_DOCUMENT, "training accuracy after 25 epochs"),
    ],
    "cnn_v2": [
        SourceFigure("val_acc", 0.7504, CNN_DOCUMENT, "final validation accuracy"),
        SourceFigure("train_acc", 0.9444, CNN_DOCUMENT, "final training accuracy"),
    ],
    "cnn_v3": [
        SourceFigure("test_acc", 0.80, CNN_DOCUMENT, "about 80 % test accuracy"),
        SourceFigure("train_acc", 0.88, CNN_DOCUMENT, "about 88 % training accuracy"),
    ],
    # The hyperparameter study of CNNV3 (validation accuracy, one run each).
    "cnn_v3_study_1": [SourceFigure("val_acc", 0.8313, CNN_DOCUMENT, "lr 0.001, dropout 0.3, wd 1e-4")],
    "cnn_v3_study_2": [SourceFigure("val_acc", 0.8223, CNN_DOCUMENT, "lr 0.0005, dropout 0.4, wd 5e-4")],
    "cnn_v3_study_3": [SourceFigure("val_acc", 0.7848, CNN_DOCUMENT, "lr 0.0001, dropout 0.3, wd 1e-4")],
    "cnn_v3_study_4": [SourceFigure("val_acc", 0.7069, CNN_DOCUMENT, "lr 0.0001, dropout 0.5, wd 5e-4")],
    # Part II: EuroSAT, test accuracy on 5,400 images (classification reports).
    "alexnet_scratch": [SourceFigure("test_acc", 0.83, CNN_DOCUMENT, "AlexNet from scratch")],
    "mobilenet_v2_scratch": [SourceFigure("test_acc", 0.95, CNN_DOCUMENT, "MobileNetV2 from scratch")],
    "alexnet_pretrained": [SourceFigure("test_acc", 0.93, CNN_DOCUMENT,
                                      "ImageNet weights, convolutions frozen, new classifier")],
    "mobilenet_v2_pretrained": [SourceFigure("test_acc", 0.94, CNN_DOCUMENT,
                                           "ImageNet weights, convolutions frozen, new classifier")],
    "middle_fusion": [SourceFigure("test_acc", 0.95, CNN_DOCUMENT,
                                 "AlexNet + MobileNetV2 feature maps, frozen, new classifier")],
    # CIFAR-100 with MobileNetV3-Small (source report 000's report files; test accuracy).
    # Its trainings stopped early and kept their best checkpoint, as our kept epoch does.
    "fine100": [SourceFigure("test_acc", 0.31, HIERARCHY_DOCUMENT, "100 classes, 10,000 test images",
                             "kept")],
    "coarse20": [SourceFigure("test_acc", 0.44, HIERARCHY_DOCUMENT, "20 superclasses", "kept")],
    "multihead_subset": [
        SourceFigure("test_acc", 0.43, HIERARCHY_DOCUMENT, "fine head, 50 classes of superclasses 0-9",
                     "kept"),
        SourceFigure("test_acc_coarse", 0.60, HIERARCHY_DOCUMENT, "coarse head, 10 superclasses",
                     "kept"),
    ],
}

# Seed 001's parameter-budget table: parameters -> (top-1 test accuracy, CE train, CE test, epochs).
BUDGET_TABLE: dict[int, tuple[float, float, float, int]] = {
    2_250: (0.1167, 3.88, 3.89, 9),
    4_850: (0.1914, 3.40, 3.45, 15),
    10_161: (0.2197, 3.16, 3.25, 10),
    49_525: (0.2939, 2.58, 2.87, 10),
    99_949: (0.3497, 2.11, 2.68, 10),
    503_396: (0.4134, 1.58, 2.38, 5),
    1_001_362: (0.4313, 1.57, 2.32, 4),
}
for _params, (_top1, _train, _test, _epochs) in BUDGET_TABLE.items():
    SOURCE_FIGURES[f"source_{_params}"] = [
        SourceFigure("test_acc", _top1, BUDGET_DOCUMENT, f"{_params:,} parameters"),
        SourceFigure("train_loss", _train, BUDGET_DOCUMENT, "cross-entropy on the training set"),
        SourceFigure("test_loss", _test, BUDGET_DOCUMENT, "cross-entropy on the test set"),
        SourceFigure("best_epoch", _epochs, BUDGET_DOCUMENT, "epochs trained"),
    ]

# The project's goals for our recipes on the real data (test accuracy), printed beside the results,
# each with the reasoning that it suits the model's capacity. A goal is lowered only where a public
# figure at that capacity says it is out of reach.
GOALS: dict[str, float] = {
    # A 4-layer CNN of about 0.3 M parameters: Keras' classic 4-layer CIFAR-10 CNN reaches 75 % in
    # 25 epochs without a schedule; crops, flips and a cosine schedule add several points.
    "cnn_v2": 0.82,
    # Five blocks up to 512 filters (1.7 M parameters), a VGG-like depth: such networks reach 90-93 %
    # on CIFAR-10 with crops, flips and a schedule (airbench's 94 % needs 3.8 s on an A100).
    "cnn_v3": 0.90,
    # EuroSAT from random weights: the source report's 83 %, a public AlexNet from scratch about 78 %;
    # AlexNet's 57 M parameters are not the limit, the tile's 64 pixels and 15,000 training images
    # are, which our recipe's eight symmetries and a larger input (chosen on validation) address.
    "alexnet_scratch": 0.92,
    # The source report's 95 % from scratch; its depthwise blocks suit small tiles.
    "mobilenet_v2_scratch": 0.97,
    # Helber et al. 98.57 % with a fine-tuned ResNet-50 (23 M parameters); MobileNetV2 (2.2 M) is
    # near it on ImageNet transfer benchmarks.
    "mobilenet_v2_finetuned": 0.985,
    # The source report's 95 % with both frozen backbones; one frozen ImageNet MobileNetV2 at
    # 224 pixels reaches about 97 % in public reports.
    "middle_fusion": 0.975,
    # MobileNetV3-Small (1.6 M parameters with a 100-way head): 73.7 % on CIFAR-100 from scratch
    # with its first strides at 1 (400 epochs, public); ImageNet weights shorten that road.
    "fine100": 0.70,
    # 20 superclasses are easier than 100 classes: fine100's goal plus the usual 10 points.
    "coarse20": 0.80,
}
# Our goals on Fashion-MNIST (``python -m helpers.commands.fashion_mnist``), judged on the mean over random
# seeds: our recipe's CNNV2 above the published 5 conv + BN network (93.1 %), CNNV3 at 94 %.
FASHION_MNIST_GOALS: dict[str, float] = {"cnn_v2": 0.935, "cnn_v3": 0.94}
# Each budget of notebook 07 and the source model it is compared with (the source report's smallest model,
# its "2K", has 2,250 parameters: our 1K model is compared with it at less than half its size).
BUDGET_PAIRS: dict[int, int] = {1_000: 2_250, 5_000: 4_850, 10_000: 10_161, 50_000: 49_525,
                                100_000: 99_949, 500_000: 503_396, 1_000_000: 1_001_362}
# Our goal at each budget, in points above the published top-1 of the source model it is compared
# with: 5 points where the two have the same size - well below the public ResNet-10 width ladder at
# the same sizes (8 K parameters 28.2 %, 28 K 43.0 %, 84 K 52.2 %, 0.32 M 65.2 %, 1.25 M 72.0 %,
# 200 epochs), so that 30 epochs can reach them. At 1K, where ours has fewer than half the
# parameters of the source report's smallest model (2,250), that model's figure: a 100-way output
# layer of 100 w + 100 parameters leaves w of about 9 features in 990 parameters, but 9 features
# separate 100 classes by their directions, as the 2,250-parameter model's 20 features reach
# 11.67 %; no public figure at 1K parameters says the goal is out of reach, so it stays.
BUDGET_GOAL_POINTS: dict[int, int] = {1_000: 0, 5_000: 5, 10_000: 5, 50_000: 5, 100_000: 5,
                                      500_000: 5, 1_000_000: 5}

# The source report's CNNV3 study: (learning rate, dropout, weight decay) of configurations 1 to 4.
CNN_V3_STUDY = {1: (0.001, 0.3, 1e-4), 2: (0.0005, 0.4, 5e-4), 3: (0.0001, 0.3, 1e-4),
                4: (0.0001, 0.5, 5e-4)}


def source_figure_of(model: str, metric: str | None = None) -> SourceFigure | None:
    """The source figure for ``model`` (its first one, or the one for ``metric``), if any."""
    for figure in SOURCE_FIGURES.get(model, []):
        if metric is None or figure.metric == metric:
            return figure
    return None


def goal(model: str, reference_key: str | None = None) -> float | None:
    """Our goal for ``model`` trained by our recipe: the fixed goal of the model (or of the model it
    is compared with, ``reference_key``), or for a model of our budget family (compared with a
    source report 001 model through ``reference_key``) :func:`budget_goal` of its budget."""
    for key in (model, reference_key):
        if key in GOALS:
            return GOALS[key]
    paired = (reference_key or "").removeprefix("source_")
    budgets = {seed_count: budget for budget, seed_count in BUDGET_PAIRS.items()}
    if model.startswith("ours_") and paired.isdigit() and int(paired) in budgets:
        return budget_goal(budgets[int(paired)])
    return None


def budget_goal(budget: int) -> float:
    """Our goal at a budget of notebook 07: the paired source model's published top-1 plus the
    budget's :data:`BUDGET_GOAL_POINTS`."""
    return BUDGET_TABLE[BUDGET_PAIRS[budget]][0] + BUDGET_GOAL_POINTS[budget] / 100
