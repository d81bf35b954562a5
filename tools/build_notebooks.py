"""Build ``notebooks/NN_name.ipynb`` from ``notebooks/src/NN_name.py`` (percent format).

The sources hold narrative, parameters and calls; this script adds what every notebook shares - the
"Open in Colab" badge and the setup cell, which in Colab clones the repository into the working
folder, and everywhere defines ``NOTEBOOK`` (the notebook's name) and puts ``helpers`` on the path -
so that it is written once. Notebooks are written without outputs.

    python tools/build_notebooks.py                       # write notebooks/ (the address: origin's)
    python tools/build_notebooks.py --repo-url URL        # the badges and clones of a fork
    python tools/build_notebooks.py --repo-url URL --out DIR   # somewhere else (tests do)
    python tools/build_notebooks.py --check               # exit 1 if notebooks/ is out of date

Source format: cells start with ``# %%`` (code), ``# %% [markdown]`` (Markdown, each line behind
``# ``) or ``# %% tags=["parameters"]`` (the papermill parameters cell). The first cell is the
Markdown title.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

SOURCES = ROOT / "notebooks" / "src"
TARGET = ROOT / "notebooks"
MARKER = re.compile(r"^# %%(?P<kind> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")

SETUP_TEMPLATE = """\
# Setup (written by tools/build_notebooks.py). In Colab: fetch the project. Everywhere: name this
# notebook and import `helpers` from the project.
import subprocess
import sys
from pathlib import Path

NOTEBOOK = "{notebook}"  # names this notebook's results file, checkpoints and log
REPO_URL = "{url}"  # the public address of this project, which Colab clones
CLONE = Path.cwd() / "{folder}"  # where Colab keeps the project (its working folder is /content)
if "google.colab" in sys.modules and not CLONE.exists():
    if not REPO_URL:
        raise RuntimeError(NO_ADDRESS)
    if subprocess.run(["git", "clone", "-q", "--depth", "1", REPO_URL, str(CLONE)]).returncode:
        raise RuntimeError(f"Could not clone {{REPO_URL}}: {{FIX_ADDRESS}}")
project = next(folder for folder in (Path.cwd(), *Path.cwd().parents, CLONE)
               if (folder / "helpers" / "__init__.py").is_file())
sys.path.insert(0, str(project))"""
FIX_ADDRESS = ("set REPO_URL in the setup cell to the public address of your copy of this project "
               "and check that this runtime reaches the internet, then run the cell again.")
NO_ADDRESS = ("This notebook was built without the public address of its project: set REPO_URL "
              "in the setup cell to the public address of your copy of this project, then run "
              "the cell again.")
NO_BADGE = ('<p class="colab-note"><em>To open this notebook in Colab, publish your copy of this '
            "project and build the notebooks with its address: <code>python "
            "tools/build_notebooks.py --repo-url ADDRESS</code>.</em></p>")


def public_address() -> str:
    """The checkout's remote ``origin`` as an https address ("" where it has none, or where it is
    a folder or a server no browser opens)."""
    found = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT, capture_output=True,
                           text=True)
    url = found.stdout.strip() if found.returncode == 0 else ""
    if url.startswith("git@"):
        host, path = url.removeprefix("git@").split(":", 1)
        url = f"https://{host}/{path}"
    return url.removesuffix(".git") if url.startswith("https://") else ""


def built_address(notebook: Path) -> str:
    """The address a committed notebook was built with (its setup cell's REPO_URL): what
    ``--check`` rebuilds with, so that a checkout's own remote does not make it stale."""
    if not notebook.is_file():
        return ""
    sources = "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells)
    found = re.search(r'^REPO_URL = "(.*?)"', sources, re.MULTILINE)
    return found.group(1) if found else ""


def setup_cell(notebook: str, url: str) -> str:
    folder = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "image-classifiers"
    cell = SETUP_TEMPLATE.format(notebook=notebook, url=url, folder=folder)
    return cell.replace("raise RuntimeError(NO_ADDRESS)", f"raise RuntimeError({NO_ADDRESS!r})"
                        ).replace("{FIX_ADDRESS}", FIX_ADDRESS)


def colab_badge(name: str, url: str) -> str:
    """The "Open in Colab" badge of a notebook of ``url`` (a GitHub address), or where no public
    address is known a line saying how to get one."""
    if not url:
        return NO_BADGE
    repository = url.removeprefix("https://github.com/")
    link = f"https://colab.research.google.com/github/{repository}/blob/main/notebooks/{name}.ipynb"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({link})"


def parse_cells(text: str) -> list[nbformat.NotebookNode]:
    cells, kind, tags, lines = [], None, None, []

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(body))
        else:
            cell = nbformat.v4.new_code_cell(body)
            if tags:
                cell.metadata["tags"] = tags
            cells.append(cell)

    for line in text.split("\n"):
        match = MARKER.match(line)
        if match:
            flush()
            kind = "markdown" if match["kind"] else "code"
            tags = json.loads(match["tags"]) if match["tags"] else None
            lines = []
        else:
            lines.append(line)
    flush()
    return cells


def build(source: Path, url: str = "") -> nbformat.NotebookNode:
    cells = parse_cells(source.read_text())
    if not cells or cells[0].cell_type != "markdown":
        raise ValueError(f"{source}: the first cell must be the Markdown title")
    if re.search(r"^\s*(def|class)\s", "\n".join(c.source for c in cells if c.cell_type == "code"),
                 re.M):
        raise ValueError(f"{source}: functions and classes belong in helpers/, not in a notebook")
    cells[0].source += "\n\n" + colab_badge(source.stem, url)
    setup = nbformat.v4.new_code_cell(setup_cell(source.stem, url))
    setup.metadata["tags"] = ["setup"]  # not printed (helpers.run.print_order)
    cells.insert(1, setup)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata.update({
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for number, cell in enumerate(notebook.cells):
        cell.id = f"{source.stem[:2]}-{number:02d}"  # stable ids: rebuilding changes nothing
    return notebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the notebooks in --out")
    parser.add_argument("--repo-url", default=None,
                        help="the public repository the badges open and Colab clones (default: "
                             "the checkout's remote 'origin'; none: the notebooks say how to set "
                             "one)")
    parser.add_argument("--out", type=Path, default=TARGET, help="where the notebooks go")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    address = public_address() if args.repo_url is None else args.repo_url
    stale = []
    for source in [*sorted(SOURCES.glob("[0-9][0-9]_*.py")), SOURCES / "summary.py"]:
        target = args.out / f"{source.stem}.ipynb"
        if args.check and args.repo_url is None:
            address = built_address(target)
        text = nbformat.writes(build(source, address)) + "\n"
        if args.check:
            if not target.is_file() or target.read_text() != text:
                stale.append(target.name)
        else:
            target.write_text(text)
    if stale:
        print(f"out of date (run python tools/build_notebooks.py): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
