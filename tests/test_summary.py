"""The summary report's tables, built from hand-made results files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from helpers.report import run_summary as summary
from helpers.report import summary_pages, tables

from helpers.core import records as timings
from helpers.core.paths import ReportPaths


def write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / f"{name}.csv", index=False)


def row(model: str, test_acc: float, params: int, **extra) -> dict:
    return {"model": model, "dataset": "toy", "params": params, "test_acc": test_acc,
            "val_acc": test_acc - 0.01, "seconds": 2.0, "reference_key": None, **extra}


@pytest.fixture
def reports(tmp_path: Path) -> ReportPaths:
    layout = ReportPaths(tmp_path)
    results = layout.results
    write(results, "02_baseline_cnn", [row("baseline_cnn", 0.65, 24_282)])
    write(results, "03_regularised_cnns", [
        row("cnn_v3_study_1", 0.80, 1_703_466, reference_key="cnn_v3_study_1"),
        row("cnn_v3 dropout trial: 0.1 to 0.3", 0.90, 1_703_466)])
    write(results, "07_parameter_budget", [
        row("ours_5k", 0.30, 4_991, reference_key="source_4850"),
        row("source_4850", 0.18, 4_850)])
    pd.DataFrame({"precision": [0.5, 0.6], "recall": [0.4, 0.7]}, index=["apple", "bee"]).to_csv(
        results / "06_report_fine100.csv")  # a classification report: not a results file
    pd.DataFrame({"notebook": ["02_baseline_cnn", "summary"], "seconds": [12.5, 3.0],
                  "status": ["ok", "ok"]}).to_csv(layout.timings, index=False)
    return layout


def test_every_model_of_every_results_file_with_its_source_figure(reports: ReportPaths) -> None:
    results = summary.collect_results(reports)
    assert sorted(results["notebook"].unique()) == ["02_baseline_cnn", "03_regularised_cnns",
                                                    "07_parameter_budget"]
    table = summary.model_table(results).set_index("model")
    assert len(table) == 5
    baseline = table.loc["baseline_cnn"]
    assert baseline["metric"] == "test_acc" and baseline["source"] == 0.58
    assert baseline["difference"] == pytest.approx(7.0)
    study = table.loc["cnn_v3_study_1"]  # compared through its reference key, on val_acc
    assert study["metric"] == "val_acc" and study["ours"] == pytest.approx(0.79)
    assert study["difference"] == pytest.approx(79 - 83.13)
    assert table.loc["ours_5k", "source"] == 0.1914 and table.loc["source_4850", "source"] == 0.1914
    trial = table.loc["cnn_v3 dropout trial: 0.1 to 0.3"]  # no source figure: none invented
    assert pd.isna(trial["source"]) and pd.isna(trial["difference"])


def test_timings_leave_out_the_summary_and_the_run_record_is_read(reports: ReportPaths) -> None:
    table = timings.notebook_times(reports)
    assert table["notebook"].tolist() == ["02_baseline_cnn"]
    assert timings.run_record(reports) == {}
    timings.write_run_record(reports, {"profile": "smoke", "seconds": 60.0})
    assert timings.run_record(reports)["seconds"] == 60.0


def test_a_notebook_time_is_replaced_by_its_latest_run(tmp_path: Path) -> None:
    layout = ReportPaths(tmp_path)
    timings.record_time(layout, "03_b", 30.04, "failed")
    timings.record_time(layout, "02_a", 20.0, "ok")
    timings.record_time(layout, "03_b", 31.0, "ok")
    assert timings.seconds_of_finished(layout) == {"02_a": 20.0, "03_b": 31.0}
    timings.record_time(layout, "02_a", 5.0, "failed")
    assert timings.seconds_of_finished(layout) == {"03_b": 31.0}
    assert timings.notebook_times(layout)["notebook"].tolist() == ["02_a", "03_b"]


def test_no_results_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run the notebooks first"):
        summary.collect_results(ReportPaths(tmp_path))


def test_environment_names_device_versions_and_commit() -> None:
    info = summary.environment("cpu")
    assert info["device"].startswith("cpu")
    assert info["torch"].startswith("2.")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=summary.PROJECT_ROOT,
                          capture_output=True, text=True).stdout.strip()
    assert head and info["git commit"].split(",")[0] == head


def test_git_commit_marks_changes_and_a_missing_checkout(tmp_path, monkeypatch) -> None:
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    git("init", "-q")
    (tmp_path / "a.txt").write_text("one")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    monkeypatch.setattr(summary, "PROJECT_ROOT", tmp_path)
    clean = summary.git_commit()
    assert len(clean) >= 7 and " " not in clean
    (tmp_path / "a.txt").write_text("two")
    assert summary.git_commit() == f"{clean}, with uncommitted changes"
    monkeypatch.setattr(summary, "PROJECT_ROOT", tmp_path / "elsewhere")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert summary.git_commit() == "unknown (not a git checkout)"


def test_calibration_of_headline_models_by_both_recipes_as_means_over_seeds() -> None:
    """CNNV2 (a goal) by both recipes, two seeds of ours: the means; a model without a source
    figure or goal, or trained by one recipe, is left out."""
    def calibrated(model, recipe, seed, ece, tempered, temperature):
        return {"notebook": "03", "model": model, "recipe": recipe, "seed": seed,
                "test_acc": 0.8, "dataset": "CIFAR-10", "goal": 0.82 if recipe == "ours" else None,
                "test_ece": ece, "test_ece_tempered": tempered, "temperature": temperature}
    results = pd.DataFrame([calibrated("cnn_v2", "source", 0, 0.10, 0.02, 1.6),
                            calibrated("cnn_v2", "ours", 0, 0.04, 0.01, 0.9),
                            calibrated("cnn_v2", "ours", 1, 0.06, 0.03, 0.7),
                            calibrated("cnn_v3 dropout trial: 0.1 to 0.3", "dropout trial", 0, 0.05, 0.02, 1.0)])
    table = summary.calibration_table(results.assign(goal=results["goal"].where(
        results["model"] == "cnn_v2")))
    assert table.to_dict("records") == [{
        "notebook": "03", "model": "cnn_v2", "ECE, source recipe": 0.10,
        "ECE, our recipe": pytest.approx(0.05), "ECE, ours after temperature scaling":
        pytest.approx(0.02), "temperature (ours)": pytest.approx(0.8)}]
    assert summary.calibration_table(results.drop(columns=["test_ece"])).empty


def test_results_files_without_calibration_figures_are_left_out_of_its_table() -> None:
    rows = pd.DataFrame([{"notebook": "05", "model": "middle_fusion", "recipe": recipe,
                          "seed": 0, "test_acc": 0.9, "dataset": "EuroSAT",
                          "goal": 0.975 if recipe == "ours" else None, "test_ece": None,
                          "test_ece_tempered": None, "temperature": None}
                         for recipe in ("source", "ours")])
    assert summary.calibration_table(rows).empty


def test_every_training_is_listed_in_a_table_per_notebook(reports: ReportPaths, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(tables, "display", shown.append)
    monkeypatch.setattr(summary_pages, "text", lambda words: shown.append(words))
    summary_pages.every_training(summary.model_table(summary.collect_results(reports)))
    assert "5 from 3 notebooks" in shown[0]
    frames = [styled.data for styled in shown[1:]]
    assert [len(frame) for frame in frames] == [1, 2, 2]
    assert all("notebook" not in frame.columns for frame in frames)
    assert "test accuracy" in frames[1].columns and "dataset" not in frames[1].columns
    study = frames[1].dropna(subset=["difference (points)"]).iloc[0]  # the study's row, on val_acc
    assert study["this run, in that metric"] == pytest.approx(0.79)
    assert study["difference (points)"] == pytest.approx(79 - 83.13)
    assert shown[2].caption.startswith("03 regularised CNNs: 2 trainings (dataset: toy;")


def test_a_run_of_some_notebooks_only_is_told_from_a_whole_run() -> None:
    timings = pd.DataFrame({"notebook": ["01_eda", "02_baseline_cnn"], "seconds": [1.0, 2.0]})
    assert summary.notebooks_rerun({"notebooks": ["02_baseline_cnn"]}, timings) == ["02_baseline_cnn"]
    assert summary.notebooks_rerun({"notebooks": ["01_eda", "02_baseline_cnn"]}, timings) == []
    assert summary.notebooks_rerun({}, timings) == []  # notebooks run by hand: nothing said
