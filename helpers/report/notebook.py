"""What a notebook shows besides tables: its preamble in one call (:func:`start`: set-up, where it
runs, notices, results file), Markdown text and lists, a model's layer table and the real code of
a function, as the notebook's reader should see it."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable

from IPython.display import Code, Markdown, display

from ..core.config import Run, setup
from ..core.parameters import apply_profile
from ..core.progress import duration, under_the_pipeline
from ..core.records import expected_seconds
from ..experiments.results import ResultsFile

REPORTED_EPOCH = ("**Which epoch is reported.** The weights kept and evaluated on the test set are "
                  "those of the epoch with the highest validation accuracy; training stops early "
                  "only where a recipe sets a patience (its settings table says so). Where a "
                  "source report read its figure at its final epoch, the source recipe's figure "
                  "beside it is its final epoch's too.")

# --- the preamble -----------------------------------------------------------------------------


def start(notebook: str, namespace: dict[str, Any], *, trains: bool = True,
          pretrained: bool = False) -> tuple[Run, ResultsFile]:
    """A notebook's preamble: its profile's parameters applied where a person opened it by hand
    (``namespace``: the notebook's globals, which get the profile's values; one plain sentence
    says which), the run set up (``config.setup``), and the notices - the expected time, the
    profile's data notice, the weights notice where the notebook uses ``pretrained`` models, the
    reporting rule where it ``trains``. Returns the run and the notebook's results file."""
    chosen = apply_profile(notebook, namespace)
    run = setup(profile=namespace["profile"], device=namespace["device"],
                seed=namespace.get("seed", 0), data_root=namespace.get("data_root", ""),
                notebook=notebook, resume=namespace.get("resume", False))
    if not under_the_pipeline():  # opened by hand: say which values it took
        print(chosen.sentence())
    notices = [expected_time(run), run.data_notice(), run.weights_notice() if pretrained else "",
               REPORTED_EPOCH if trains else ""]
    display(Markdown("\n\n".join(notice for notice in notices if notice)))
    return run, ResultsFile(run.results_file)


def expected_time(run: Run) -> str:
    """How long this notebook is expected to take in this profile on this kind of device, from
    the committed table of ``core.records.expected_seconds``; on a GPU no GPU has measured yet, the
    CPU's figure, said so; "" where the table has no row."""
    found = expected_seconds(run.notebook, run.profile.name, run.device)
    on_a_gpu_unmeasured = found is None and run.device.type == "cuda"
    if on_a_gpu_unmeasured:
        found = expected_seconds(run.notebook, run.profile.name, "cpu")
    if found is None:
        return ""
    seconds, device, basis = found
    figure = (f"about {duration(seconds)} on {device} in the {run.profile.name} profile (an "
              f"estimate: {basis})")
    if on_a_gpu_unmeasured:
        return (f"**Expected time:** not yet measured on a GPU, where it is far shorter; {figure}. "
                "The GPU check (docs/cost.md) measures it.")
    return f"**Expected time:** {figure}."


# --- text -----------------------------------------------------------------------------------


def bullets(lines: Iterable[str]) -> None:
    """Show a Markdown list (the conclusion of a notebook)."""
    display(Markdown("\n".join(f"- {line}" for line in lines if line)))


def text(markdown: str) -> None:
    display(Markdown(markdown))


# --- code ---------------------------------------------------------------------


def show_source(*functions: Callable) -> None:
    """The source code of each function, exactly as the package runs it."""
    for function in functions:
        display(Code(inspect.getsource(function), language="python"))
