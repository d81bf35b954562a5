"""Models: output shapes and exact parameter counts."""

from __future__ import annotations

import pytest
import torch

from helpers import models


def test_baseline_cnn_shape_and_parameter_count() -> None:
    model = models.build_model("baseline_cnn")
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    # conv 3->8 (224) + conv 8->32 (2,336) + conv 32->16 (4,624) + fc 256->64 (16,448) + 64->10 (650)
    assert models.count_parameters(model) == 24_282
    assert [m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d)] == [8, 32, 16]
    assert model.config == {"name": "baseline_cnn", "options": {}}


def test_cnn_v2_layers_and_parameter_count() -> None:
    model = models.build_model("cnn_v2")
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [16, 32, 64, 128]
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules()) == 4
    assert sum(isinstance(m, torch.nn.MaxPool2d) for m in model.modules()) == 4
    assert {m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)} == {0.4}
    # convs without bias (batch norm follows): 432 + 4,608 + 18,432 + 73,728; batch norms 480;
    # fc 512 -> 256: 131,328; 256 -> 10: 2,570
    assert models.count_parameters(model) == 231_578


def test_cnn_v3_dropout_rises_with_depth_and_is_configurable() -> None:
    model = models.build_model("cnn_v3")
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [32, 64, 128, 256, 512]
    rates = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    assert rates == [0.2, 0.275, 0.35, 0.425, 0.5, 0.5]
    assert models.count_parameters(model) == 1_703_466
    lighter = models.build_model("cnn_v3", dropout_end=0.3)
    assert [m.p for m in lighter.modules() if isinstance(m, torch.nn.Dropout)][-1] == 0.3
    assert models.count_parameters(lighter) == models.count_parameters(model)
    assert models.rising(0.2, 0.5, 1) == [0.5]


SEED_COUNTS = [2_250, 4_850, 10_161, 49_525, 99_949, 503_396, 1_001_362]
BUDGETS = [1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000]


def test_the_seven_source_budget_models_have_the_reports_exact_parameter_counts() -> None:
    assert list(models.SOURCE_BUDGET_LAYERS) == SEED_COUNTS
    for count in SEED_COUNTS:
        model = models.build_model("source_budget", params=count)
        assert models.count_parameters(model) == count
        assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 100)
    # the 500K model: padding 1 and a residual block of two conv + batch-norm pairs
    residual = [m for m in models.build_model("source_budget", params=503_396).modules()
                if isinstance(m, models.budget.SourceResidual)]
    assert len(residual) == 1
    with pytest.raises(ValueError, match="no model of 1,234"):
        models.build_model("source_budget", params=1234)


def test_each_of_our_models_is_the_widest_of_the_family_within_its_budget() -> None:
    for budget in BUDGETS:
        model = models.build_model("compact_budget", budget=budget)
        size = models.count_parameters(model)
        assert 0.9 * budget <= size <= budget, budget
        assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 100)
        width, blocks = models.width_for_budget(budget), models.blocks_for_budget(budget)
        assert models.compact_size(width, blocks) == size
        assert models.compact_size(width + 0.5, blocks) > budget  # a wider one would not fit
    with pytest.raises(ValueError, match="no CompactNet fits"):
        models.width_for_budget(200)


def test_our_family_uses_separable_residual_blocks_and_global_pooling() -> None:
    model = models.CompactNet(width=8, blocks=2)
    blocks = [m for m in model.modules() if isinstance(m, models.SeparableBlock)]
    assert len(blocks) == 6 and sum(b.residual for b in blocks) == 4  # stride-2 blocks have none
    depthwise = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d) and m.groups > 1]
    assert [m.groups for m in depthwise] == [8, 8, 8, 16, 16, 32]
    assert isinstance(model.classifier[0], torch.nn.AdaptiveAvgPool2d)
    assert models.stage_widths(1.74) == (2, 3, 7)
