"""Notebooks side by side: ``run_all.sh --jobs N`` runs up to N notebooks at once on one device,
each as soon as what it reads is written (03 reads 02's results file; the summary, which reads
every notebook's, comes after all of them). Each notebook runs in its own kernel, with its own log
and its name on its progress lines; a failure lets the running ones finish, starts no other, and
names the notebook."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable

# What a notebook reads that another writes: notebook -> the notebooks it waits for.
READS = {"03_regularised_cnns": ("02_baseline_cnn",)}


def waits_for(notebook: str, planned: list[str]) -> set[str]:
    """The planned notebooks ``notebook`` must wait for (one not planned this run is read as it
    was last written, or its absence reported by the notebook)."""
    return set(READS.get(notebook, ())) & set(planned)


def run_side_by_side(notebooks: list[Path], jobs: int, run_one: Callable[[Path], bool]
                     ) -> list[str]:
    """Run ``run_one`` on every notebook, up to ``jobs`` at once, each after those it reads; the
    names of the notebooks that failed (empty: all ran well). In order where ``jobs`` is 1."""
    names = [notebook.stem for notebook in notebooks]
    waiting, done, failed = list(notebooks), set(), []
    running: dict[Future, Path] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        while waiting or running:
            ready = [nb for nb in waiting if waits_for(nb.stem, names) <= done]
            while ready and len(running) < jobs and not failed:
                notebook = ready.pop(0)
                waiting.remove(notebook)
                running[pool.submit(run_one, notebook)] = notebook
            if not running:
                break  # a failure: nothing more starts
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                notebook = running.pop(future)
                done.add(notebook.stem)
                if not future.result():
                    failed.append(notebook.stem)
    return failed
