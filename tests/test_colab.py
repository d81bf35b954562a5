"""The Colab path, simulated: a notebook built for a repository address, opened in an empty working
folder of a kernel where ``google.colab`` is importable, clones that repository and runs from the
clone; an address that cannot be cloned, or none at all, ends in one sentence saying what to do.
The reachable repository is a local copy of this checkout (a file:// address)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from conftest import local_repository

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.integration


@pytest.fixture
def colab(tmp_path: Path, monkeypatch) -> Path:
    """A kernel that imports a stand-in ``google.colab`` at start-up, as Colab's does; its empty
    working folder (Colab's /content)."""
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
    content = tmp_path / "content"
    content.mkdir()
    return content


def built(folder: Path, url: str | None) -> Path:
    """Notebook 01 built for ``url`` (None: as committed, without an address)."""
    if url is None:
        return ROOT / "notebooks" / "01_eda.ipynb"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_notebooks.py"), "--repo-url", url,
                    "--out", str(folder)], check=True, capture_output=True)
    return folder / "01_eda.ipynb"


def run_in(content: Path, notebook: Path, output: Path, data: Path) -> None:
    papermill.execute_notebook(str(notebook), str(output), cwd=str(content), kernel_name="python3",
                               progress_bar=False, parameters={
                                   "profile": "smoke", "data_root": str(data),
                                   "images_per_class": 2})


def test_a_notebook_opened_in_colab_clones_the_project_and_runs(tmp_path, colab) -> None:
    url = local_repository(tmp_path / "course-repo").as_uri()
    notebook = built(tmp_path / "built", url)
    cells = nbformat.read(notebook, as_version=4).cells
    assert url in cells[1].source and "colab.research.google.com/github/" in cells[0].source
    run_in(colab, notebook, tmp_path / "executed.ipynb", tmp_path / "data")
    clone = colab / "course-repo"
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    assert not any(output.get("output_type") == "error" for cell in executed.cells
                   for output in cell.get("outputs", []))
    # helpers was imported from the clone (a fresh copy has no bytecode until it is imported)
    assert any((clone / "helpers" / "core" / "__pycache__").glob("config.*.pyc"))


@pytest.mark.parametrize("url, sentence", [
    ("file:///nowhere/course-repo", "Could not clone file:///nowhere/course-repo: set REPO_URL in "
                                    "the setup cell to the public address of your copy of this "
                                    "project"),
    (None, "This notebook was built without the public address of its project: set REPO_URL in "
           "the setup cell to the public address of your copy of this project")])
def test_an_address_that_cannot_be_cloned_ends_in_one_sentence(tmp_path, colab, url,
                                                                sentence) -> None:
    notebook = built(tmp_path / "built", url)
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        run_in(colab, notebook, tmp_path / "executed.ipynb", tmp_path / "data")
    assert failed.value.ename == "RuntimeError" and failed.value.evalue.startswith(sentence)
    assert failed.value.evalue.count(". ") == 0  # one sentence
