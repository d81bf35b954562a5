"""The tools beside the package: tools/step_memory.py (tools/gpu_wheels.py is tested with the
GPU check)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def test_the_step_memory_tool_measures_each_precision_in_its_own_process() -> None:
    """The resident size grows by what one training step holds, and bf16 autocast (a GPU's
    precision) holds clearly less than fp32 for the same step."""
    printed = subprocess.run([sys.executable, str(TOOLS / "step_memory.py"), "mobilenet_v2",
                              "--batch", "16", "--side", "96"], capture_output=True, text=True,
                             check=True).stdout
    lines = printed.strip().splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        "mobilenet_v2, batch 16, 96 x 96, fp32", "mobilenet_v2, batch 16, 96 x 96, bf16 autocast"]
    steps = [float(re.search(r"\(([\d.]+) GiB for the step\)", line).group(1)) for line in lines]
    assert 0 < steps[1] < 0.8 * steps[0]
