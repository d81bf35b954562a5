"""Download the wheels the GPU check needs on a GPU machine without network into ``.whl/``
(git-ignored), to be copied there with the checkout.

Such a machine (Python 3.12, x86-64) typically has torch, torchvision, pandas, matplotlib, seaborn,
scikit-learn and pytest, but not papermill or Jupyter's kernel. This script takes those
two from this project's virtual environment, follows their requirements through the installed
packages' metadata, leaves out what the machine already has (``ON_THE_GPU_MACHINE``), and
downloads each remaining package at the version installed here, as a wheel for CPython 3.12 on
manylinux x86-64.

    .venv/bin/python tools/gpu_wheels.py            # download into .whl/
    .venv/bin/python tools/gpu_wheels.py --list     # only print what it would download

Then the device call carries ``.whl`` and runs ``bash tools/gpu_check.sh``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
WHEELS = ROOT / ".whl"
NEEDED = ("papermill", "ipykernel")
# Python packages a GPU machine's image usually has (normalised names): not downloaded.
ON_THE_GPU_MACHINE = set("""
absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio attrs certifi
charset-normalizer click cloudpickle colorama contourpy coverage cycler cython filelock fonttools
frozenlist fsspec h11 httpcore httpx huggingface-hub idna iniconfig jinja2 joblib kiwisolver
markdown markdown-it-py markupsafe matplotlib mdurl mpmath msgpack multidict networkx numpy
packaging pandas pillow pip pluggy protobuf psutil pyarrow pygments pyparsing python-dateutil
pytest pyyaml regex requests rich safetensors scikit-learn scipy seaborn setuptools six sympy
tabulate threadpoolctl torch torchvision tqdm typing-extensions urllib3 wheel wrapt yarl zipp
""".split())
GPU_MACHINE = {"python_version": "3.12", "python_full_version": "3.12.3",
               "implementation_name": "cpython", "platform_python_implementation": "CPython",
               "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
               "os_name": "posix"}
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64"]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(name: str) -> list[str]:
    """The requirements of an installed package that apply on the GPU machine (no extras)."""
    needs = []
    for line in distribution(name).requires or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({**GPU_MACHINE, "extra": ""}):
            needs.append(requirement.name)
    return needs


def closure(roots: tuple[str, ...]) -> dict[str, str]:
    """Every package the roots need that the GPU machine lacks, with the version installed here."""
    found: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = normalise(todo.pop())
        if name in found or name in ON_THE_GPU_MACHINE:
            continue
        try:
            found[name] = distribution(name).version
        except PackageNotFoundError:
            continue  # not needed here either (a marker for another platform)
        todo.extend(requirements(name))
    return dict(sorted(found.items()))


def download(packages: dict[str, str]) -> None:
    WHEELS.mkdir(exist_ok=True)
    platforms = [argument for platform in PLATFORMS for argument in ("--platform", platform)]
    for name, version in packages.items():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--python-version", "3.12", "--implementation",
                        "cp", *platforms, "-d", str(WHEELS), f"{name}=={version}"], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="print the packages, download nothing")
    args = parser.parse_args(argv)
    packages = closure(NEEDED)
    for name, version in packages.items():
        print(f"{name}=={version}")
    if not args.list:
        download(packages)
        size = sum(path.stat().st_size for path in WHEELS.glob("*.whl")) / 2**20
        print(f"{len(list(WHEELS.glob('*.whl')))} wheels, {size:.1f} MiB in {WHEELS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
