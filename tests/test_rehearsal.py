"""The rehearsal: passes cut to a few batches and timed, one epoch per training, the estimate."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import torch
from torch import nn

from helpers.core import config

from helpers.training import features

from helpers.core import parameters

from helpers.run import rehearsal
from helpers.data.sources import EUROSAT_CLASS_COUNTS
from helpers.core.paths import ReportPaths, paths_for
from helpers.core.passes import EVERY_BATCH, CutPasses, pass_seconds
from helpers.data import DeviceLoader, ImageSplit
from helpers.training.optim import make_optimizer
from helpers.training.loop import fit

@pytest.fixture
def cut(tmp_path) -> CutPasses:
    """A rehearsal's passes: 2 batches each (however fast), recorded for the notebook "07_test"."""
    return CutPasses(2, ReportPaths(tmp_path).passes_file("07_test"), "07_test", min_seconds=0.0)


def loader(passes=EVERY_BATCH, count: int = 40, batch_size: int = 8, shuffle: bool = False
           ) -> DeviceLoader:
    generator = torch.Generator().manual_seed(0)
    split = ImageSplit(torch.randint(0, 256, (count, 3, 8, 8), dtype=torch.uint8,
                                     generator=generator), torch.arange(count) % 2)
    return DeviceLoader(split, batch_size=batch_size, mean=[0.5] * 3, std=[0.25] * 3,
                        shuffle=shuffle, passes=passes)


def test_a_whole_pass_is_the_first_batch_plus_the_mean_of_the_later_ones() -> None:
    assert pass_seconds(first=2.0, rest=1.0, batches_run=3, batches_full=101) == 52.0
    assert pass_seconds(first=2.0, rest=0.0, batches_run=1, batches_full=5) == 10.0
    assert pass_seconds(first=2.0, rest=1.0, batches_run=3, batches_full=0) == 0.0
    assert pass_seconds(first=2.0, rest=1.0, batches_run=1.5, batches_full=5) == 10.0  # half a batch


def test_a_pass_stops_after_the_cut_and_is_recorded_with_its_full_length(cut) -> None:
    assert len(list(loader(cut))) == 2
    parts = pd.read_csv(cut.record)
    assert parts.loc[0, ["notebook", "part", "batches_run", "batches_full", "repeats"]].tolist() == [
        "07_test", "pass", 2, 5, 1]
    assert parts.loc[0, "full_seconds"] >= parts.loc[0, "seconds"] > 0
    patient = CutPasses(2, cut.record, "07_test", min_seconds=60.0)
    assert len(list(loader(patient))) == 5  # fast batches: timed on until the pass ends
    whole = pd.read_csv(cut.record).iloc[-1]
    assert whole["batches_run"] == whole["batches_full"] == 5
    assert whole["full_seconds"] == pytest.approx(whole["seconds"], abs=1e-3)
    assert len(list(loader())) == 5  # a normal run's passes: no cut
    with pytest.raises(ValueError, match="at least one batch"):
        CutPasses(0, cut.record, "07_test")
    with pytest.raises(ValueError, match="0 evaluation images"):
        CutPasses(2, cut.record, "07_test", evaluation_images=0)


def test_a_training_runs_one_epoch_that_stands_for_all_of_them(cut) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(192, 2))
    history = fit(model, loader(cut, shuffle=True), loader(cut), epochs=7,
                  optimizer=make_optimizer(model), checkpoint_dir=cut.record.parent / "ckpt",
                  passes=cut, description="net (ours)")
    assert history.epochs_run == 1
    list(loader(cut))  # a pass after the training: a test pass
    parts = pd.read_csv(cut.record, keep_default_na=False)
    assert parts["part"].tolist() == ["pass", "pass", "epoch rest", "pass"]  # train, validation,
    assert parts["training"].tolist() == ["net (ours)"] * 3 + [""]  # the rest; then a test pass
    parts = parts.iloc[:3]
    assert (parts["repeats"] == 7).all()
    # the work of 7 epochs of 40 images, counted: 192 x 2 multiply-adds per image forward, as many
    # backward for the weights' gradient (the images need none), forward only in validation
    assert parts["images_full"].tolist() == [40, 40, 0]
    assert parts["multiply_adds_full"].tolist() == [7 * 40 * 2 * 384, 7 * 40 * 384, 0]
    # one optimiser step per training batch (5 of 8 images), every epoch; none in validation
    assert parts["optimiser_steps_full"].tolist() == [7 * 5, 0, 0]
    rest = parts.iloc[2]
    assert math.isclose(rest["full_seconds"], 7 * rest["seconds"], rel_tol=1e-3, abs_tol=1e-3)


def test_features_of_a_rehearsal_take_the_full_memory_and_fill_the_first_images(cut) -> None:
    cut.evaluation_images = 12  # one batch of 8, then 4 of the next
    backbone = nn.Sequential(nn.Flatten(), nn.Linear(192, 4))
    cached = features.extract_features(backbone, loader(cut), views=2)
    assert cached.features.shape == (2, 40, 4)
    assert cached.features[:, :12].abs().sum() > 0 and not cached.features[:, 12:].any()
    assert torch.equal(cached.labels[:12], torch.arange(12) % 2)


def served(passes: CutPasses, model: nn.Module, batch_size: int = 8) -> list[int]:
    """The labels a pass of ``loader`` serves while ``model`` runs on each batch."""
    labels = []
    for images, targets in loader(passes, batch_size=batch_size):
        model(images)
        labels += targets.tolist()
    return labels


def test_every_evaluation_reads_the_same_first_images_whatever_its_batch(cut) -> None:
    cut.evaluation_images = 20
    model = nn.Sequential(nn.Flatten(), nn.Linear(192, 2))
    with torch.no_grad():
        small, large = served(cut, model, batch_size=8), served(cut, model, batch_size=16)
    assert small == large == (torch.arange(20) % 2).tolist()
    parts = pd.read_csv(cut.record)
    assert parts["batches_run"].tolist() == [3, 2] and parts["optimiser_steps_full"].eq(0).all()
    assert (parts["full_seconds"] >= parts["seconds"]).all()


def test_a_training_pass_of_the_same_model_and_loader_takes_as_many_batches_again(cut) -> None:
    model = nn.Sequential(nn.Flatten(), nn.Linear(192, 2))
    first = served(cut, model)
    cut.min_seconds = 60.0  # the time rule alone would now run every batch
    assert served(cut, model) == first and len(first) == 16
    wider = nn.Sequential(nn.Flatten(), nn.Linear(192, 3))  # another model: its own cut
    assert len(served(cut, wider)) == 40


def test_the_estimate_replaces_each_cut_pass_by_its_full_length(tmp_path) -> None:
    layout = ReportPaths(tmp_path)
    pd.DataFrame({"notebook": ["01_a", "02_b", "summary"], "seconds": [10.0, 20.0, 5.0],
                  "status": "ok"}).to_csv(layout.timings, index=False)
    layout.passes.mkdir()
    pd.DataFrame({"notebook": "02_b", "part": ["pass", "epoch rest"], "batches_run": [3, 0],
                  "batches_full": [300, 0], "repeats": [10, 10], "seconds": [3.0, 1.0],
                  "full_seconds": [3000.0, 10.0], "images_full": [9600, 0],
                  "multiply_adds_full": [4.5e12, 0.0], "peak_memory_mib": [300.0, 300.0],
                  "training": ["", "net (ours)"], "optimiser_steps_full": [3000, 0]}
                 ).to_csv(layout.passes_file("02_b"), index=False)
    table = rehearsal.estimate_full_run(layout).set_index("notebook")
    assert table.loc["01_a", "estimated full seconds"] == 10.0  # nothing cut: as rehearsed
    assert table.loc["02_b", "estimated full seconds"] == 20.0 - 4.0 + 3010.0
    assert table.loc["all notebooks", "estimated full seconds"] == 10.0 + 3026.0
    assert table.loc["all notebooks", "peak memory (MiB)"] == 300.0
    assert table.loc["02_b", "peak reached in"] == "outside a training"  # the first at the peak
    assert table.loc["01_a", "peak reached in"] == "" and \
        table.loc["all notebooks", "peak reached in"] == "02_b"
    assert table.loc["02_b", "multiply-adds (T)"] == table.loc["all notebooks", "multiply-adds (T)"] \
        == 4.5
    assert table.loc["all notebooks", "optimiser steps"] == 3000
    assert "summary" not in table.index
    text = rehearsal.describe_estimate(table.reset_index(), "cpu (test)")
    assert "estimated full run on cpu (test): 50.6 min" in text and "slowest notebook 02_b" in text
    assert "4.5 T multiply-adds, 3,000 optimiser steps" in text and "peak memory 0.3 GiB outside a training" in text


def test_the_rehearsal_profile_runs_the_full_parameters_on_full_size_synthetic_data() -> None:
    profile = config.get_profile("rehearsal")
    assert profile.synthetic and profile.pretrained_weights == "stand-in"
    sizes = profile.synthetic_sizes
    # the real data sets' sizes: CIFAR-10 50,000 + 10,000 in 10 classes, CIFAR-100 the same in 100,
    # EuroSAT 27,000 images (every class at its real count)
    assert (10 * sizes["cifar10"]["train_per_class"], 10 * sizes["cifar10"]["test_per_class"]) == \
        (50_000, 10_000)
    assert (100 * sizes["cifar100"]["train_per_class"], 100 * sizes["cifar100"]["test_per_class"]) \
        == (50_000, 10_000)
    assert sum(count // sizes["eurosat"]["divisor"]
               for count in EUROSAT_CLASS_COUNTS.values()) == 27_000
    full = parameters.load_parameters(parameters.parameters_file("full"))
    rehearsal_table = parameters.load_parameters(parameters.parameters_file("rehearsal"))
    smoke = parameters.load_parameters(parameters.parameters_file("smoke"))
    assert rehearsal_table == full != smoke
    for notebook in parameters.list_notebooks():
        values = parameters.parameters_for(notebook, "rehearsal", rehearsal_table)
        assert values == {**parameters.parameters_for(notebook, "full", full),
                          "profile": "rehearsal"}


def test_setup_gives_only_the_rehearsal_cut_passes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    run = config.setup(profile="rehearsal", device="cpu", data_root=tmp_path, notebook="02_x")
    assert isinstance(run.passes, CutPasses) and run.passes.min_batches == 3
    assert run.passes.record == paths_for("rehearsal").passes_file("02_x")
    assert run.passes.record.is_relative_to(tmp_path / "reports" / "rehearsal")
    assert run.passes.evaluation_images == 768
    assert "stops after 3 batches" in run.data_notice()
    assert "every evaluation after its first 768 images" in run.data_notice()
    smoke = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="02_x")
    assert smoke.passes is EVERY_BATCH


def test_only_the_commands_import_the_rehearsal() -> None:
    """The notebooks' code never depends on the rehearsal: only run_all.sh's command and the GPU
    check read its estimate."""
    package = Path(rehearsal.__file__).parents[1]
    importers = sorted(path.name for path in package.rglob("*.py")
                       if "rehearsal import" in path.read_text() or
                       "import rehearsal" in path.read_text())
    assert importers == ["gpu_check.py", "pipeline.py"]
