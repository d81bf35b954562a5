"""What depends on the device, in one place: mixed precision, memory layout, timing and memory.

On a CUDA GPU the project takes the fast path - mixed precision in the half-precision format the
GPU computes natively (bf16 from compute capability 8.0, Ampere, on; fp16 with gradient scaling
before it, as on a Colab T4), channels-last batches and models, cuDNN autotuning and TF32 matrix
products. On the CPU and on Apple's MPS everything runs in float32 and the same code reads as plain
PyTorch.
"""

from __future__ import annotations

import os
import platform
import resource
from contextlib import AbstractContextManager

import torch
from torch import nn


BF16_CAPABILITY = (8, 0)  # Ampere: the first GPUs with bf16 tensor cores


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """bf16 on GPUs that compute it natively, fp16 on older GPUs; None (full precision) on CPU and
    MPS. ``torch.cuda.is_bf16_supported()`` is not asked: it says yes on a T4 (compute capability
    7.5) too, where bf16 is emulated, slowly."""
    if device.type != "cuda":
        return None
    native = torch.cuda.get_device_capability(device) >= BF16_CAPABILITY
    return torch.bfloat16 if native else torch.float16


def scales_gradients(device: torch.device) -> bool:
    """Whether training on ``device`` scales the loss: fp16 gradients could underflow."""
    return amp_dtype(device) == torch.float16


def autocast(device: torch.device) -> AbstractContextManager:
    """The forward pass's precision: mixed on a GPU, full elsewhere."""
    dtype = amp_dtype(device)
    return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)


def gradient_scaler(device: torch.device) -> torch.amp.GradScaler:
    """Scales the loss where fp16 gradients could underflow; a pass-through everywhere else."""
    return torch.amp.GradScaler(device.type, enabled=scales_gradients(device))


def place(model: nn.Module, device: torch.device) -> nn.Module:
    """``model`` on ``device``, in the memory layout of the batches the loaders serve there
    (channels-last on a GPU, where tensor cores want it for convolutions)."""
    model = model.to(device)
    if device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    return model


def batch_layout(images: torch.Tensor) -> torch.Tensor:
    """A batch in the layout :func:`place` gives the models on the same device."""
    if images.device.type == "cuda":
        return images.contiguous(memory_format=torch.channels_last)
    return images


def to_device(tensor: torch.Tensor, device: torch.device) -> torch.Tensor:
    """``tensor`` on ``device``; to a GPU from pinned memory without making the host wait (the
    loaders copy an epoch's order and random draws so, once an epoch, never once a batch)."""
    if device.type == "cuda" and tensor.device.type == "cpu":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


def use_fast_kernels(device: torch.device) -> None:
    """On a GPU: cuDNN picks the fastest convolution for each input shape (the shapes repeat every
    batch), and float32 matrix products may use TF32 tensor cores."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.set_float32_matmul_precision("high")


def synchronise(device: torch.device) -> None:
    """Wait for the GPU's queued work, so that a clock read afterwards measures it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def peak_memory_mib(device: torch.device) -> float:
    """The most memory the process has held: CUDA allocations on a GPU, else resident size."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # Linux reports KiB


def reset_peak_memory(device: torch.device) -> None:
    """Start counting :func:`peak_memory_mib` afresh (on a GPU; resident size cannot be reset)."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def device_name(device: torch.device) -> str:
    """The device with the GPU's or processor's name, e.g. ``cuda (NVIDIA H200)``."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"{device.type} ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)"
