"""The plot layer: each figure's titles, axes, units and marks, drawn from hand-made data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.report import plots  # noqa: E402
from helpers.report.plots.style import RECIPE_COLOURS  # noqa: E402
from helpers.training.history import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def history(epochs: int = 4) -> History:
    return History([{"epoch": e, "train_loss": 2.0 / e, "val_loss": 2.2 / e if e < 3 else 1.0,
                     "train_acc": 0.2 * e, "val_acc": [0.3, 0.5, 0.6, 0.55][e - 1],
                     "lr": 0.1, "seconds": 1.0} for e in range(1, epochs + 1)])


def legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_the_curves_grid_has_one_panel_per_training_with_units_whole_epochs_and_the_kept_epoch(
        ) -> None:
    axes = plots.curves_grid({"CNNV2, source recipe": history(), "CNNV2, our recipe": history(2)},
                             "CNNV2")
    assert [ax.get_title() for ax in axes] == ["CNNV2, source recipe", "CNNV2, our recipe"]
    assert axes[0].figure._suptitle.get_text() == "CNNV2"
    assert (axes[0].get_xlabel(), axes[0].get_ylabel()) == ("epoch", "accuracy (%)")
    assert max(axes[0].lines[1].get_ydata()) == pytest.approx(60.0)  # validation, in percent
    assert axes[0].lines[2].get_xdata()[0] == 3  # the kept epoch
    axes[0].figure.canvas.draw()
    assert all(float(tick).is_integer() for tick in axes[1].get_xticks())
    assert len(axes[0].figure.axes) == 2  # no empty panel


def test_the_confusion_grid_is_row_normalised_in_percent_with_names_on_the_outer_axes() -> None:
    matrix = np.array([[8, 2], [1, 3]])
    axes = plots.confusion_grid({"a": matrix, "b": matrix.T}, ["cat", "dog"], "Confusion")
    assert np.allclose(axes[0].images[0].get_array(), [[80, 20], [25, 75]])
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["cat", "dog"]
    assert not any(t.get_text() for t in axes[1].get_yticklabels())
    assert axes[0].get_xlabel() == "predicted class" and axes[0].get_ylabel() == "true class"


def test_recipes_chart_marks_the_seed_figure_and_the_goal_only_where_they_exist() -> None:
    table = pd.DataFrame({"model": ["baseline", "cnn_v2"], "source recipe": [0.60, 0.75],
                          "ours": [0.65, 0.82], "source figure": [0.58, np.nan],
                          "goal": [np.nan, 0.82]})
    ax = plots.recipes_against_source(table, "Recipes")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["baseline", "cnn_v2"]
    assert ax.get_xlabel() == "test accuracy (%)" and ax.get_title() == "Recipes"
    marks = {collection.get_label(): collection.get_offsets() for collection in ax.collections}
    assert list(marks) == ["source report's figure", "our goal on real data"]
    # each beside its own recipe's bar: the source figure by the source recipe's, the goal by ours
    assert marks["source report's figure"].ravel().tolist() == pytest.approx([58.0, -0.2])
    assert marks["our goal on real data"].ravel().tolist() == pytest.approx([82.0, 1.2])


def test_a_grid_of_four_panels_is_two_by_two_with_names_on_its_left_column() -> None:
    matrix = np.array([[8, 2], [1, 3]])
    axes = plots.confusion_grid({k: matrix for k in "abcd"}, ["cat", "dog"], "Confusion", columns=3)
    assert [ax.get_subplotspec().get_geometry()[:2] for ax in axes] == [(2, 2)] * 4
    assert [bool(ax.get_yticklabels()[0].get_text()) for ax in axes] == [True, False, True, False]


def test_long_class_names_number_the_predicted_classes() -> None:
    names = [f"a long superclass name {k}" for k in range(12)]
    axes = plots.confusion_grid({"a": np.eye(12)}, names, "Confusion")
    assert axes[0].get_yticklabels()[0].get_text() == "a long superclass name 0 (1)"
    assert [t.get_text() for t in axes[0].get_xticklabels()][:3] == ["1", "", "3"]  # every other
    assert axes[0].get_xlabel() == "predicted class (numbered as on the left)"


def test_the_study_draws_source_recipe_runs_in_its_colour_beside_the_reports_figure() -> None:
    frame = pd.DataFrame({"configuration": ["1", "1", "2", "2"], "accuracy": [70, 72, 50, 54]})
    ax = plots.spread_by_group(frame, "configuration", "accuracy", {"1": 83.1}, "Study")
    assert matplotlib.colors.to_hex(ax.patches[0].get_facecolor()) == matplotlib.colors.to_hex(
        RECIPE_COLOURS["source recipe"])
    assert sorted(legend_texts(ax)) == ["mean over random seeds", "one run (random seed)",
                                        "source report's figure"]


def test_the_ladder_labels_each_step_with_its_gain() -> None:
    table = pd.DataFrame({"step": ["seed", "+ augmentation", "ours"], "test_acc": [0.6, 0.7, 0.72]})
    ax = plots.ladder_bars(table, "Ladder")
    assert [text.get_text() for text in ax.texts] == ["60.0%", "70.0% (+10.0)", "72.0% (+2.0)"]
    assert all(text.get_bbox_patch() is not None for text in ax.texts)  # on white, over the grid
    near_the_top = plots.ladder_bars(table.assign(test_acc=[0.9, 0.99, 1.0]), "Ladder")
    near_the_top.figure.canvas.draw()
    frame = near_the_top.get_window_extent()
    assert all(text.get_window_extent().x1 <= frame.x1 for text in near_the_top.texts)
    assert max(near_the_top.get_xticks()) <= 100  # no tick past 100%


def test_accuracy_against_size_is_on_a_log_axis_with_the_published_points() -> None:
    frame = pd.DataFrame({"family": ["ours", "ours"], "params": [1_000, 10_000],
                          "test_acc": [0.1, 0.3]})
    ax = plots.accuracy_by_parameters(frame, {2_250: 0.12, 10_161: 0.25}, "Budget")
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "top-1 test accuracy (%)"
    assert legend_texts(ax) == ["ours (this run)", "source report 001 (published)"]
    assert list(ax.lines[1].get_ydata()) == pytest.approx([12.0, 25.0])


def test_the_mapping_bars_are_sorted_and_labelled_in_percent() -> None:
    ax = plots.mapping_bars(pd.DataFrame({"method": ["argmax", "mass"], "accuracy": [0.5, 0.4]}))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mass", "argmax"]
    assert [text.get_text() for text in ax.texts] == ["40.0%", "50.0%"]


def test_an_image_grid_labels_its_rows() -> None:
    images = torch.zeros(6, 3, 8, 8, dtype=torch.uint8)
    ax = plots.image_grid(images, ["cat", "dog"], columns=3, title="Samples")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog"]
    assert ax.get_title() == "Samples"


def test_loss_curves_by_model_draw_one_line_per_model_in_each_panel() -> None:
    train, validation = plots.loss_curves_by_model({"1K": history(), "10K": history(3)}, "Budgets")
    assert train.get_title() == "Budgets: training loss"
    assert len(train.lines) == 2 and len(validation.lines) == 4  # + each kept epoch's dot
    assert legend_texts(validation) == ["1K", "10K"]


def test_a_single_epoch_is_drawn_and_ticked_as_a_whole_epoch() -> None:
    train, _ = plots.loss_curves_by_model({"1K": history(1)}, "One epoch")
    assert train.lines[0].get_marker() == "."  # one point, still visible
    train.figure.canvas.draw()
    low, high = train.get_xlim()
    ticks = [tick for tick in train.get_xticks() if low <= tick <= high]
    assert ticks and all(float(tick).is_integer() for tick in ticks)


def test_the_reliability_diagram_draws_each_model_in_percent_beside_the_diagonal() -> None:
    bins = pd.DataFrame({"bin": [5, 14], "confidence": [0.35, 0.97], "accuracy": [0.3, 0.8],
                         "share": [0.2, 0.8]})
    ax = plots.reliability_diagram({"ours (ECE 4.0 %)": bins}, "CNNV2: calibration")
    assert ax.get_title() == "CNNV2: calibration"
    assert "(%)" in ax.get_xlabel() and "(%)" in ax.get_ylabel()
    assert legend_texts(ax) == ["perfectly calibrated", "ours (ECE 4.0 %)"]
    assert ax.lines[1].get_xydata().ravel().tolist() == pytest.approx([35, 30, 97, 80])


def test_many_reliability_curves_are_drawn_one_panel_per_recipe() -> None:
    bins = pd.DataFrame({"bin": [5], "confidence": [0.35], "accuracy": [0.3], "share": [1.0]})
    few = {f"model {k}, our recipe": bins for k in range(2)}
    assert len(plots.reliability_by_recipe(few, "Calibration")) == 1
    many = {f"model {k}, {recipe}": bins for k in range(3) for recipe in ("source recipe", "our recipe")}
    source, ours = plots.reliability_by_recipe(many, "Calibration")
    assert (source.get_title(), ours.get_title()) == ("source recipe", "our recipe")
    assert legend_texts(ours) == ["perfectly calibrated"] + [f"model {k}" for k in range(3)]
    assert {line.get_color() for line in ours.lines[1:]} == {RECIPE_COLOURS["our recipe"]}
    assert source.figure._suptitle.get_text() == "Calibration"


def test_accuracy_against_compute_leaves_out_trainings_without_a_count() -> None:
    frame = pd.DataFrame({"dataset": ["CIFAR-10", "CIFAR-10", "EuroSAT"],
                          "recipe": ["source recipe", "our recipe", "our recipe"],
                          "train_multiply_adds": [1e12, 4e12, None], "test_acc": [0.7, 0.8, 0.9]})
    axes = plots.accuracy_against_by_dataset(frame, "train_multiply_adds",
                                             "training multiply-adds (log scale)", {}, "compute")
    assert [ax.get_title() for ax in axes] == ["CIFAR-10"]  # EuroSAT has no count
    assert axes[0].get_xlabel() == "training multiply-adds (log scale)"
    assert axes[0].get_xscale() == "log" and len(axes[0].lines) == 2
