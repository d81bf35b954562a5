"""run_all's pipeline: notebook selection, parameter checks, failure handling, resume on request,
the summary's skip, the notebook build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.run import execution

from helpers.run import export

from helpers.core import parameters

from helpers.run import pipeline
from helpers.core.config import PROFILES, ConfigError
from helpers.core.paths import ReportPaths, paths_for

ROOT = Path(__file__).resolve().parents[1]


def test_only_accepts_numbers_and_names_and_rejects_unknown_ones() -> None:
    assert [nb.stem for nb in parameters.select_notebooks(["1"])] == ["01_eda"]
    assert [nb.stem for nb in parameters.select_notebooks(["01_eda"])] == ["01_eda"]
    with pytest.raises(ConfigError, match="--only 99: no such notebook; the notebooks are 01_eda"):
        parameters.select_notebooks(["99"])


def test_parameters_are_checked_against_the_parameters_cell() -> None:
    notebook = ROOT / "notebooks" / "01_eda.ipynb"
    values = parameters.parameters_for(notebook, "smoke", {"common": {"seed": 3}})
    assert values == {"seed": 3, "profile": "smoke"}
    with pytest.raises(ConfigError, match="unknown parameter 'image_per_class'; valid parameters: "
                                          "data_root, device, images_per_class, profile, seed"):
        parameters.parameters_for(notebook, "smoke", {"01_eda": {"image_per_class": 3}})
    with pytest.raises(ConfigError, match="'seed' must be int"):
        parameters.parameters_for(notebook, "smoke", {"common": {"seed": "one"}})
    with pytest.raises(ConfigError, match="unknown section"):
        parameters.parameters_for(notebook, "smoke", {"01_edaa": {}})


def test_each_profile_gives_each_notebook_its_own_values_over_the_common_ones() -> None:
    for profile in PROFILES:
        table = parameters.load_parameters(parameters.parameters_file(profile))
        for notebook in parameters.list_notebooks():
            values = parameters.parameters_for(notebook, profile, table)
            for name, value in {**(table.get("common") or {}),
                                **(table.get(notebook.stem) or {})}.items():
                assert values[name] == value, (profile, notebook.stem, name)
            assert values["profile"] == profile and "resume" not in values
    smoke = parameters.load_parameters(parameters.parameters_file("smoke"))
    baseline = parameters.parameters_for(parameters.select_notebooks(["02"])[0], "smoke", smoke)
    assert (baseline["device"], baseline["epochs"]) == ("cpu", 2)  # common, then its own section


def test_resume_reaches_the_notebooks_that_train_and_only_when_asked() -> None:
    table = {"common": {"seed": 1}}
    eda, baseline = parameters.select_notebooks(["01", "02"])
    assert parameters.parameters_for(baseline, "smoke", table, resume=True)["resume"] is True
    assert "resume" not in parameters.parameters_for(baseline, "smoke", table)
    assert "resume" not in parameters.parameters_for(eda, "smoke", table, resume=True)
    for notebook in parameters.list_notebooks()[1:]:  # every notebook that trains can resume
        assert parameters.notebook_defaults(notebook)["resume"] is False, notebook.name


def test_every_parameter_of_every_notebook_is_seen_by_papermill() -> None:
    for notebook in parameters.list_notebooks():
        cell = next(c for c in nbformat.read(notebook, as_version=4).cells
                    if "parameters" in c.metadata.get("tags", []))
        assigned = re.findall(r"^(\w+)\s*=", cell.source, re.M)
        assert sorted(parameters.notebook_defaults(notebook)) == sorted(assigned), notebook.name


def test_missing_browser_stops_before_running_anything(monkeypatch, capsys) -> None:
    monkeypatch.setattr(pipeline, "find_browser", lambda: None)
    monkeypatch.setattr(execution, "run_notebook", lambda *a: pytest.fail("ran a notebook"))
    assert pipeline.main(["--profile", "smoke", "--only", "01"]) == 2
    assert "sudo apt-get install -y chromium" in capsys.readouterr().err


def test_browser_path_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CHROME_PATH", str(tmp_path / "nothing"))
    assert export.find_browser() is None
    (tmp_path / "chrome").write_text("")
    monkeypatch.setenv("CHROME_PATH", str(tmp_path / "chrome"))
    assert export.find_browser() == str(tmp_path / "chrome")


def test_a_failing_notebook_keeps_its_partial_output_and_is_named(monkeypatch, tmp_path, capsys):
    notebooks, reports = tmp_path / "notebooks", tmp_path / "reports"
    notebooks.mkdir()
    cells = [nbformat.v4.new_code_cell("profile = 'smoke'"), nbformat.v4.new_code_cell("print('first')"),
             nbformat.v4.new_code_cell("raise ValueError('broken on purpose')")]
    cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}),
        notebooks / "01_broken.ipynb")
    (reports / "smoke").mkdir(parents=True)
    (reports / "smoke" / "00_earlier.pdf").write_text("kept")
    monkeypatch.setattr(parameters, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setenv("REPORTS_ROOT", str(reports))
    monkeypatch.setattr(pipeline, "load_parameters", lambda path: {})
    status = pipeline.run_all("smoke", None, pdf=export.find_browser() is not None)
    err = capsys.readouterr().err
    assert status == 1
    assert err.strip().splitlines()[-1].startswith("run_all: FAILED in notebook 01_broken")
    assert "broken on purpose" in err
    partial = nbformat.read(reports / "smoke" / "01_broken.ipynb", as_version=4)
    printed = next(cell for cell in partial.cells if cell.source == "print('first')")
    assert printed.outputs[0]["text"] == "first\n"
    assert (reports / "smoke" / "00_earlier.pdf").read_text() == "kept"
    if export.find_browser():
        assert (reports / "smoke" / "01_broken.pdf").stat().st_size > 0
    assert "01_broken,".encode() in ReportPaths(reports / "smoke").timings.read_bytes()


def test_the_check_rebuilds_with_the_address_the_notebooks_were_built_with(tmp_path) -> None:
    """Notebooks built for a fork's address are up to date whatever remote the checkout has."""
    tool = [sys.executable, str(ROOT / "tools" / "build_notebooks.py"), "--out", str(tmp_path)]
    subprocess.run([*tool, "--repo-url", "https://github.com/you/fork"], check=True)
    assert subprocess.run([*tool, "--check"], capture_output=True).returncode == 0
    stale = tmp_path / "02_baseline_cnn.ipynb"
    stale.write_text(stale.read_text().replace("Baseline", "Basis", 1))
    assert subprocess.run([*tool, "--check"], capture_output=True).returncode == 1


def test_committed_notebooks_are_built_from_their_sources() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    for notebook in parameters.list_notebooks():
        cells = nbformat.read(notebook, as_version=4).cells
        # this checkout names no public address: no badge to a page that does not exist
        assert "colab.research.google.com/github/" not in cells[0].source
        assert "build the notebooks with its address" in cells[0].source
        assert 'REPO_URL = ""' in cells[1].source
        assert not any(cell.get("outputs") for cell in cells if cell.cell_type == "code")


def fails_before_running(monkeypatch, capsys, *argv: str) -> str:
    """Run ``run_all.sh *argv`` expecting a ConfigError before any notebook; its message."""
    monkeypatch.setattr(execution, "run_notebook", lambda *a: pytest.fail("ran a notebook"))
    assert pipeline.main(["--no-pdf", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("run_all: "), err  # one line, no traceback
    return err[0]


def test_a_yaml_error_names_the_file_and_the_line(monkeypatch, capsys, tmp_path) -> None:
    params = tmp_path / "mine.yaml"
    params.write_text("common:\n  seed: 1\n02_baseline_cnn:\n  epochs: [2\n")
    message = fails_before_running(monkeypatch, capsys, "--profile", "smoke", "--params",
                                   str(params))
    assert f"{params} is not valid YAML at line 5" in message
    params.write_text("common:\n  seed: 1\n02_baseline_cnn:\n  epoch: 2\n")
    message = fails_before_running(monkeypatch, capsys, "--profile", "smoke", "--params",
                                   str(params))
    assert f"{params}, 02_baseline_cnn: unknown parameter 'epoch'" in message
    message = fails_before_running(monkeypatch, capsys, "--params", str(tmp_path / "none.yaml"))
    assert "none.yaml is missing" in message


def test_params_file_replaces_the_profiles_own(monkeypatch, tmp_path) -> None:
    params = tmp_path / "mine.yaml"
    params.write_text("common:\n  seed: 7\n01_eda:\n  images_per_class: 2\n")
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    plan = pipeline.prepare("smoke", ["01"], pdf=False, params=params)
    assert plan.source == params
    assert next(iter(plan.notebooks.values())) == {"seed": 7, "images_per_class": 2,
                                                   "profile": "smoke"}


def test_unwritable_reports_are_found_before_anything_runs(monkeypatch, capsys, tmp_path) -> None:
    (tmp_path / "smoke").write_text("a file where the reports folder should be")
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path))
    message = fails_before_running(monkeypatch, capsys, "--profile", "smoke", "--only", "01")
    assert "smoke is a file" in message and "REPORTS_ROOT" in message


def test_cuda_asked_for_without_a_gpu_is_found_before_anything_runs(monkeypatch, capsys,
                                                                      tmp_path) -> None:
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    params = tmp_path / "cuda.yaml"
    params.write_text("common:\n  device: cuda\n")
    message = fails_before_running(monkeypatch, capsys, "--profile", "smoke", "--only", "02",
                                   "--params", str(params))
    assert "02_baseline_cnn" in message and "no CUDA GPU here" in message


def test_help_lists_the_profiles_the_default_and_what_only_does(capsys) -> None:
    with pytest.raises(SystemExit):
        pipeline.main(["--help"])
    text = capsys.readouterr().out
    for profile in PROFILES:
        assert f"  {profile} " in text
    assert "(the default)" in text and "--only" in text and "summary" in text
    assert "--params FILE" in text


def test_the_full_profile_on_a_cpu_says_so_with_the_rehearsal_estimate(monkeypatch, capsys,
                                                                         tmp_path) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path))
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    rehearsal = paths_for("rehearsal")
    rehearsal.root.mkdir()
    rehearsal.run_record.write_text('{"estimated_full_seconds": 215640, "device": "cpu (2 threads)"}')
    plan = pipeline.prepare("full", ["02"], pdf=False)
    pipeline.warn_if_slow(plan)
    said = capsys.readouterr().out
    assert "meant for a GPU" in said and "estimated 59 h 54 min" in said
    assert "./run_all.sh --profile smoke" in said
    pipeline.warn_if_slow(pipeline.prepare("smoke", ["02"], pdf=False))
    assert capsys.readouterr().out == ""


def test_progress_lines_reach_the_terminal_with_the_elapsed_time(tmp_path, capsys) -> None:
    from helpers.core import progress

    log = tmp_path / "02_x.log"
    progress.NOTEBOOK["name"] = "02_x"  # as config.setup names the notebook in its kernel
    with execution.ProgressEcho(log, expected=120.0, named=True):
        progress.say("cnn (seed) epoch 1/3  train_loss 2.1")
    out = capsys.readouterr().out
    assert "] cnn (seed) epoch 1/3  train_loss 2.1" in out and "of about 2 min 0 s" in out
    assert "[02_x " in out  # side by side, each line names its notebook


@pytest.mark.skipif(export.find_browser() is None or shutil.which("pdftotext") is None,
                    reason="needs Chromium and poppler-utils (./setup.sh)")
def test_a_table_wider_than_the_page_is_scaled_to_fit_the_pdf(tmp_path) -> None:
    """A PDF cannot scroll: every column of a wide results table must land on the page."""
    import pandas as pd

    wide = pd.DataFrame([[0.5 + i / 100 for i in range(24)]] * 3,
                        columns=[f"column{i:02d}heading" for i in range(24)])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "wide", outputs=[nbformat.v4.new_output("display_data", data={
            "text/html": wide.to_html(index=False), "text/plain": "wide"})])])
    nbformat.write(notebook, tmp_path / "wide.ipynb")
    pdf = export.notebook_to_pdf(tmp_path / "wide.ipynb", tmp_path / "wide.pdf",
                                 export.find_browser())
    layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', layout).group(1))
    words = [(x, text) for x, text in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]+)</word>', layout)
             if text.startswith(("column", "0."))]  # the table's, not the page number's
    assert "column23heading" in {text for _, text in words}  # the last column is printed
    assert max(float(x) for x, _ in words) <= page_width - 10 / 25.4 * 72 + 1  # inside the margin


def test_without_results_the_summary_is_skipped_and_with_them_it_is_built(monkeypatch, tmp_path,
                                                                           capsys) -> None:
    layout, built = ReportPaths(tmp_path), []
    monkeypatch.setattr(execution, "execute", lambda notebook, values, *rest: built.append(
        (notebook.name, values)) or True)
    assert execution.build_summary(layout, "smoke", None)
    assert built == [] and "no summary" in capsys.readouterr().out
    layout.results.mkdir()
    layout.results_file("02_baseline_cnn").write_text("model,test_acc\n")
    assert execution.build_summary(layout, "smoke", None)
    assert built == [("summary.ipynb", {"profile": "smoke"})]


def test_checkpoints_are_cleared_before_a_notebook_unless_resuming(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path))
    layout, seen = paths_for("smoke"), []
    monkeypatch.setattr(pipeline, "execute", lambda notebook, values, *rest: seen.append(
        (layout.checkpoint_dir("02_baseline_cnn", "cnn").is_dir(), values.get("resume"))) or True)
    monkeypatch.setattr(pipeline, "build_summary", lambda *a: True)
    for resume in (False, True):
        layout.checkpoint_dir("02_baseline_cnn", "cnn").mkdir(parents=True, exist_ok=True)
        assert pipeline.run_all("smoke", ["02"], pdf=False, resume=resume) == 0
    assert seen == [(False, None), (True, True)]
    assert not layout.checkpoint_folder("02_baseline_cnn").exists()  # smoke keeps none after
