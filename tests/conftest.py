"""Shared fixtures: small synthetic data sets in the real formats, written once per session, and a
guard that the tests leave the checkout's ``reports/`` and ``data/`` as they found them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.data import synthetic

ROOT = Path(__file__).resolve().parents[1]
GUARDED = ("reports", "data")
SIZES = {"cifar10": {"train_per_class": 20, "test_per_class": 5},
         "cifar100": {"train_per_class": 5, "test_per_class": 2},
         "eurosat": {"divisor": 250}}


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(path.relative_to(ROOT)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()} if folder.exists() else {}


@pytest.fixture(scope="session", autouse=True)
def reports_elsewhere(tmp_path_factory: pytest.TempPathFactory):
    """Send every report of the session to a temporary folder, then check that nothing under the
    checkout's reports/ and data/ was added, changed or removed."""
    before = {name: snapshot(ROOT / name) for name in GUARDED}
    previous = os.environ.get("REPORTS_ROOT")
    os.environ["REPORTS_ROOT"] = str(tmp_path_factory.mktemp("reports"))
    yield Path(os.environ["REPORTS_ROOT"])
    if previous is None:
        del os.environ["REPORTS_ROOT"]
    else:
        os.environ["REPORTS_ROOT"] = previous
    after = {name: snapshot(ROOT / name) for name in GUARDED}
    for name in GUARDED:
        changed = sorted(set(before[name].items()) ^ set(after[name].items()))
        assert not changed, f"the tests changed {name}/: {[path for path, _ in changed][:10]}"


@pytest.fixture(scope="session")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    for name, sizes in SIZES.items():
        synthetic.ensure_synthetic(name, root, sizes)
    return root


def local_repository(folder: Path) -> Path:
    """A git repository holding this checkout's files as they are (committed or not)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=test", "-c", "user.email=test@example.org", "commit", "-qm",
                  "snapshot"]):
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)
    return folder
