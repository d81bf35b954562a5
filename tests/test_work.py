"""Work counts: convolutions, dense and grouped, forward and backward, against hand counts."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers import models
from helpers.core.work import counting, multiply_adds


def counted(module: nn.Module, images: torch.Tensor, backward: bool) -> float:
    with counting() as counter:
        out = module(images)
        if backward:
            out.float().sum().backward()
    return multiply_adds(counter)


@pytest.mark.parametrize("groups", [1, 4, 64])
def test_a_convolution_costs_its_forward_three_times_in_training(groups: int) -> None:
    """A 3 x 3 convolution of 64 channels on an 8 x 8 map: forward 64 x (64 / groups) x 9 x 64
    multiply-adds; its backward computes the input's and the weights' gradients, each as dear as
    the forward (PyTorch's own counter makes a depthwise training step 22 times that)."""
    conv = nn.Conv2d(64, 64, 3, padding=1, groups=groups, bias=False)
    images = torch.randn(2, 64, 8, 8, requires_grad=True)
    by_hand = 2 * 64 * (64 // groups) * 9 * 8 * 8
    assert counted(conv, images, backward=False) == by_hand
    assert counted(conv, images, backward=True) == 3 * by_hand


def test_the_first_layer_has_no_input_gradient_to_count() -> None:
    conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
    images = torch.randn(1, 3, 4, 4)  # the data: no gradient wanted
    assert counted(conv, images, backward=True) == 2 * (8 * 3 * 9 * 16)


def test_a_mobilenet_training_step_is_about_three_forward_passes() -> None:
    torch.manual_seed(0)
    network = models.build_model("mobilenet_v3_small", heads={"fine": 100})
    images = torch.randn(2, 3, 32, 32)
    forward = counted(network.eval(), images, backward=False)
    step = counted(network.train(), images, backward=True)
    assert 2.5 < step / forward < 3.0  # the first layer computes no input gradient
