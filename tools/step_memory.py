"""Peak memory of one training step of a torchvision network on this CPU, in full precision and
under bf16 autocast (the precision a GPU trains in here), each in a fresh process.

Notebook 04's peak in the rehearsal is host memory on a CPU; most of it is what fine-tuning keeps
for the backward pass. This measures that part alone, so that the CPU's figure can be read against
what a GPU holds:

    .venv/bin/python tools/step_memory.py mobilenet_v2 --batch 128 --side 224

It prints, per precision, the resident size before the step (the interpreter, torch and the model)
and at its peak (``ru_maxrss``, which a process cannot reset: hence one process per precision).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys

import torch
import torchvision


def resident_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux reports KiB


def one_step(network: str, batch: int, side: int, bf16: bool) -> str:
    """One forward, backward and SGD step from a fresh model; the resident sizes in words."""
    torch.manual_seed(0)
    model = getattr(torchvision.models, network)(num_classes=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    images, labels = torch.randn(batch, 3, side, side), torch.randint(0, 10, (batch,))
    before = resident_gib()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        loss = torch.nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    peak = resident_gib()
    precision = "bf16 autocast" if bf16 else "fp32"
    return (f"{network}, batch {batch}, {side} x {side}, {precision}: {before:.2f} GiB before the "
            f"step, {peak:.2f} GiB at its peak ({peak - before:.2f} GiB for the step)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("network", help="a torchvision model name, e.g. mobilenet_v2")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--side", type=int, default=224)
    parser.add_argument("--precision", choices=["fp32", "bf16", "both"], default="both")
    args = parser.parse_args(argv)
    if args.precision != "both":
        print(one_step(args.network, args.batch, args.side, args.precision == "bf16"), flush=True)
        return 0
    for precision in ("fp32", "bf16"):  # each in its own process: the peak cannot be reset
        subprocess.run([sys.executable, __file__, args.network, "--batch", str(args.batch),
                        "--side", str(args.side), "--precision", precision], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
