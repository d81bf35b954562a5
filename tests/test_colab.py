"""The Colab path, simulated: a notebook built for a repository URL, opened in an empty working
folder of a kernel where ``google.colab`` is importable, clones that repository, installs what Colab
lacks and runs from the clone. The repository is a local copy of this checkout (file:// URL)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration


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


def test_a_notebook_opened_in_colab_clones_the_project_and_runs(tmp_path, monkeypatch) -> None:
    origin = local_repository(tmp_path / "course-repo")
    url = origin.as_uri()
    built = tmp_path / "built"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_notebooks.py"), "--repo-url", url,
                    "--out", str(built)], check=True, capture_output=True)
    notebook = built / "01_eda.ipynb"
    assert url in nbformat.read(notebook, as_version=4).cells[1].source
    # the stand-in: a google.colab package that the kernel imports at start-up, as Colab's does
    fake = tmp_path / "fake-colab"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab."""\n')
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text(f"import sys\nsys.path.insert(0, {str(fake)!r})\n"
                                         "import google.colab\n")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    content = tmp_path / "content"  # Colab's empty working folder
    content.mkdir()
    papermill.execute_notebook(
        str(notebook), str(tmp_path / "executed.ipynb"), cwd=str(content), kernel_name="python3",
        progress_bar=False, parameters={"profile": "smoke", "data_root": str(tmp_path / "data"),
                                        "images_per_class": 2})
    clone = content / "course-repo"
    assert (clone / "helpers" / "__init__.py").is_file()
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    assert not any(output.get("output_type") == "error" for cell in executed.cells
                   for output in cell.get("outputs", []))
    # helpers was imported from the clone (a fresh copy has no bytecode until it is imported)
    assert any((clone / "helpers" / "__pycache__").glob("config.*.pyc"))
