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
