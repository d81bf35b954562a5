"""Counting work: the multiply-adds a piece of code runs, by PyTorch's FLOP counter with one
correction.

``torch.utils.flop_counter`` counts a convolution's weight gradient as if the convolution were
dense: for a grouped convolution it multiplies every input channel with every output channel,
which for a depthwise 3 x 3 convolution of 64 channels is 64 times the real work (MobileNets are
built of them). Here a convolution's backward pass is counted as it computes: the input gradient
and the weight gradient each cost as much as the forward pass (a transposed convolution of the
output gradient with the weights, and a convolution of the input with the output gradient), per
group.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import torch
from torch.utils.flop_counter import FlopCounterMode, conv_flop_count

aten = torch.ops.aten


def convolution_backward_flops(grad_out_shape: Any, x_shape: Any, w_shape: Any, _bias: Any,
                               _stride: Any, _padding: Any, _dilation: Any, transposed: bool,
                               _output_padding: Any, _groups: Any, output_mask: Any,
                               out_shape: Any, **_: Any) -> int:
    """The floating-point operations of a convolution's backward pass: each requested gradient
    (input, weight) costs what the forward pass costs. ``w_shape`` holds the input channels of one
    group, so the count is right for grouped and depthwise convolutions."""
    forward = conv_flop_count(list(x_shape), list(w_shape), list(grad_out_shape), transposed)
    return forward * int(bool(output_mask[0])) + forward * int(bool(output_mask[1]))


CORRECTIONS = {aten.convolution_backward: convolution_backward_flops}


@contextmanager
def counting() -> Iterator[FlopCounterMode]:
    """A FLOP counter with the corrected convolution backward; ``multiply_adds(counter)`` reads
    it."""
    with FlopCounterMode(display=False, custom_mapping=CORRECTIONS) as counter:
        yield counter


def multiply_adds(counter: FlopCounterMode) -> float:
    """The multiply-adds a counter saw (two floating-point operations each)."""
    return counter.get_total_flops() / 2
