"""What a notebook shows besides tables: its preamble in one call (:func:`start`: set-up, where it
runs, notices, results file), Markdown text and lists, a model's layer table and the real code of
a function, as the notebook's reader should see it."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable, Sequence

from IPython.display import Code, Markdown, display

from ..core.config import Run, setup
from ..experiments.results import ResultsFile

REPORTED_EPOCH = ("**Which epoch is reported.** Every model in this project is reported by one "
                  "rule: training stops early once the validation loss has not improved for the "
                  "recipe's patience (the source recipes; ours run their whole schedule), and the "
                  "weights kept - evaluated on the test set - are those of the epoch with the "
                  "highest validation accuracy.")

# --- the preamble -----------------------------------------------------------------------------


def start(notebook: str, *, profile: str, device: str, seed: int, data_root: str,
          trains: bool = True, pretrained: bool = False, resume: bool = False
          ) -> tuple[Run, ResultsFile]:
    """Set the notebook up (``config.setup``), say where it runs, show the profile's data notice,
    its weights notice where the notebook uses ``pretrained`` models and, for a notebook that
    trains, the reporting rule; return the run and the notebook's results file. ``resume``: its
    trainings continue from (or read back) their checkpoints instead of training again."""
    run = setup(profile=profile, device=device, seed=seed, data_root=data_root, notebook=notebook,
                resume=resume)
    print(run.describe())
    notices = [run.data_notice(), run.weights_notice() if pretrained else "",
               REPORTED_EPOCH if trains else ""]
    display(Markdown("\n\n".join(notice for notice in notices if notice)))
    return run, ResultsFile(run.results_file)


# --- text -----------------------------------------------------------------------------------


def bullets(lines: Iterable[str]) -> None:
    """Show a Markdown list (the conclusion of a notebook)."""
    display(Markdown("\n".join(f"- {line}" for line in lines if line)))


def text(markdown: str) -> None:
    display(Markdown(markdown))


# --- code ---------------------------------------------------------------------


def model_summary(model: Any, input_size: Sequence[int], device: Any) -> None:
    """torchinfo's layer table of ``model`` (output shape and parameters of every layer). torchinfo
    1.8 prints its unit as "Units.MEGABYTES" on Python 3.11+; the table says "M"."""
    from torchinfo import Units, summary

    text = str(summary(model, input_size=tuple(input_size), device=device, verbose=0,
                       col_names=("output_size", "num_params")))
    for unit in Units:
        text = text.replace(f"({unit.__class__.__name__}.{unit.name})", f"({unit.value})")
    print(text)


def show_source(*functions: Callable) -> None:
    """The source code of each function, exactly as the package runs it."""
    for function in functions:
        display(Code(inspect.getsource(function), language="python"))
