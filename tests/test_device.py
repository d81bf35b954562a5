"""What differs on a GPU, on a machine without one: the precision each kind of GPU gets."""

from __future__ import annotations

import pytest
import torch

from helpers.core import device
from helpers.training import optim


@pytest.mark.parametrize("capability, dtype, scaled", [
    ((7, 5), torch.float16, True),    # a T4: no bf16 tensor cores, fp16 with a gradient scaler
    ((7, 0), torch.float16, True),    # a V100
    ((8, 0), torch.bfloat16, False),  # an A100
    ((9, 0), torch.bfloat16, False),  # an H100
])
def test_each_gpu_trains_in_the_half_precision_it_computes_natively(
        monkeypatch, capability, dtype, scaled) -> None:
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # as on a T4
    gpu = torch.device("cuda")
    assert device.amp_dtype(gpu) == dtype
    assert device.scales_gradients(gpu) is scaled


def test_the_cpu_trains_in_full_precision_without_a_scaler() -> None:
    cpu = torch.device("cpu")
    assert device.amp_dtype(cpu) is None and not device.scales_gradients(cpu)
    assert not device.gradient_scaler(cpu).is_enabled()


def test_the_optimiser_step_is_fused_on_a_gpu_only() -> None:
    assert optim.fused_on(torch.device("cuda")) == {"fused": True}
    assert optim.fused_on(torch.device("cpu")) == {}


def test_host_waits_are_counted_where_a_loop_reads_values_back() -> None:
    """The count the GPU check reports: a loop that reads its loss every step waits every step;
    the project's loop reads only the epoch's sums at its end."""
    from helpers.commands import step_costs

    cpu = torch.device("cpu")
    with step_costs.counting_host_syncs(cpu) as reads:
        for _ in range(4):
            float(torch.ones(2).sum())
    assert reads == [4]
    _, waits = step_costs.step_cost(cpu, "baseline_cnn", "sgd", 16, batches=4)
    assert waits == 2 / 4  # the epoch's loss and accuracy, once
