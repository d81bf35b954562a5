"""What the PDF shows: the findings under the title, hidden plumbing, the appendix last with the
settings table first in it; and the findings table itself."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pytest

from helpers.report import headline as findings

from helpers.run import print_order as print_layout


def cell(kind: str, source: str, *tags: str) -> nbformat.NotebookNode:
    made = (nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell)(source)
    if tags:
        made.metadata["tags"] = list(tags)
    return made


@pytest.fixture
def executed() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[
        cell("md", "# 02 · The baseline\n\nIntro."),
        cell("code", "import subprocess  # Setup", "setup"),
        cell("code", 'profile = "full"  # which data\nepochs = 25  # epochs | of the source recipe\n'
             "budgets = [1000, 5000]  # parameter budgets", "parameters"),
        cell("code", 'profile = "smoke"\nepochs = 2', "injected-parameters"),
        cell("md", "## Data"),
        cell("code", "report.table(...)", "hide-input"),
        cell("code", "report.findings(...)", "findings"),
        cell("code", "report.classification_reports(...)", "appendix"),
    ])
    notebook.metadata["papermill"] = {"parameters": {"profile": "smoke", "epochs": 2}}
    return notebook


def test_the_pdf_order_is_title_findings_body_then_the_appendix_opening_with_settings(
        executed) -> None:
    printed = print_layout.for_print(executed)
    sources = [c.source.splitlines()[0] for c in printed.cells]
    assert sources[0] == "# 02 · The baseline"
    assert sources[1] == "report.findings(...)"
    assert sources.index("## Data") < sources.index("report.table(...)") < sources.index(
        '<h2 class="appendix">Appendix</h2>') < sources.index("report.classification_reports(...)")
    opening = next(c.source for c in printed.cells if c.source.startswith('<h2 class="appendix"'))
    assert "### Settings of this run" in opening  # in one block: the heading never stands alone
    assert len(executed.cells) == 8  # the executed notebook itself is left as it was


def test_plumbing_is_removed_and_helper_code_hidden_by_nbconvert(executed) -> None:
    printed = print_layout.for_print(executed)
    kept, _ = print_layout.remover().preprocess(printed, {})
    sources = [c.source for c in kept.cells]
    assert not any("Setup" in s or s.startswith(("profile =", "epochs =")) for s in sources)
    hidden = [c.source for c in kept.cells if c.get("transient", {}).get("remove_source")
              or c.metadata.get("transient", {}).get("remove_source")]
    assert set(hidden) == {"report.table(...)", "report.findings(...)",
                           "report.classification_reports(...)"}


def test_the_settings_table_shows_this_run_beside_the_full_profile_and_bolds_changes(
        executed) -> None:
    table = print_layout.settings_markdown(executed)
    assert '| **`profile`** | **which data** | **`"smoke"`** | **`"full"`** |' in table
    assert "| **`epochs`** | **epochs / of the source recipe** | **2** | **25** |" in table
    assert "| `budgets` | parameter budgets | 1,000, 5,000 | 1,000, 5,000 |" in table
    executed.metadata.papermill.parameters["data_root"] = "/home/someone/data"
    executed.cells[2].source += '\ndata_root = ""  # the data folder'
    table = print_layout.settings_markdown(executed)
    assert '| **a folder of the machine that ran it** | **`""`** |' in table  # no path printed


def test_the_title_is_the_first_heading(executed) -> None:
    assert print_layout.title(executed) == "02 · The baseline"


ROWS = [
    {"model": "cnn_v2", "recipe": "source", "seed": s, "test_acc": a, "val_acc": a - 0.1,
     "val_acc_final_epoch": a - 0.12, "source_figure": 0.7504, "source_metric": "val_acc",
     "source_epoch": "final", "goal": math.nan}
    for s, a in ((0, 0.78), (1, 0.80))] + [
    {"model": "cnn_v2", "recipe": "ours", "seed": s, "test_acc": a, "val_acc": a - 0.11,
     "val_acc_final_epoch": a - 0.11, "source_figure": 0.7504, "source_metric": "val_acc",
     "source_epoch": "final", "goal": 0.82}
    for s, a in ((0, 0.84), (1, 0.86))] + [
    {"model": "cnn_v2", "recipe": "source, our epochs", "seed": 0, "test_acc": 0.5,
     "val_acc": 0.5, "source_figure": 0.7504, "source_metric": "val_acc", "goal": math.nan},
    {"model": "ablation", "recipe": "input trial", "seed": 0, "test_acc": 0.1, "val_acc": 0.1,
     "source_figure": math.nan, "source_metric": math.nan, "goal": math.nan}]


def answers(accuracy: float, seed: int) -> dict:
    return {"kept": np.random.default_rng(seed).random(5000) < accuracy}


def test_the_findings_table_reads_each_recipe_by_its_mean_metric_by_metric_and_epoch_rule(
        ) -> None:
    correct = {("cnn_v2", "ours", s): answers(a, s) for s, a in ((0, 0.84), (1, 0.86))}
    table = findings.findings_frame(ROWS, correct)
    assert table["model"].tolist() == ["cnn_v2", "cnn_v2"]  # no figure, no goal: left out
    validation, test = table.iloc[0], table.iloc[1]
    # the source figure is a final epoch's validation accuracy: so is the source recipe's
    assert validation["metric"] == "validation accuracy" and validation["source report"] == 0.7504
    assert validation["source recipe, this run"] == pytest.approx(0.67)
    assert validation["our recipe, this run"] == pytest.approx(0.74)
    assert math.isnan(validation["goal"]) and validation["goal verdict"] == ""
    assert validation["95% interval (ours)"] == ""  # no right answers kept for validation
    # the goal is on test accuracy: its own row, without the source figure
    assert test["metric"] == "test accuracy" and math.isnan(test["source report"])
    assert test["source recipe, this run"] == pytest.approx(0.79)  # the control is not mixed in
    assert test["our recipe, this run"] == pytest.approx(0.85)
    assert test["random seeds"] == 2 and test["goal"] == 0.82 and test["goal verdict"] == "✓ met"
    low, high = (float(end.rstrip("%")) / 100 for end in test["95% interval (ours)"].split(" to "))
    assert low < 0.85 < high and low > 0.82
    # a mean over two seeds beside a single run says so
    assert findings.seed_counts(2, 1) == "2 / 1"
    mixed = findings.findings_frame([{**row, "seed": 1} for row in ROWS if row["recipe"] == "source"]
                                    + ROWS, correct)
    assert mixed.loc[1, findings.MIXED_SEEDS] == "4 / 2"
    assert findings.seed_counts(3, 3) == 3 and findings.seed_counts(0, 2) == 2
    undecided = {key: answers(0.82, key[2]) for key in correct}
    assert findings.findings_frame(ROWS, undecided).iloc[1]["goal verdict"] == "undecided"
