"""Models: output shapes and exact parameter counts."""

from __future__ import annotations

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
