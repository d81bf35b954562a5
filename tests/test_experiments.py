"""Experiments: training by name and recipe, and summaries over seeds."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from helpers import config, evaluation, experiments
from helpers.data import DeviceLoader, ImageSplit


def test_train_model_is_reproducible_and_writes_its_row(tmp_path, monkeypatch) -> None:
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path)
    monkeypatch.setattr(type(run), "checkpoints_dir", property(lambda self: tmp_path / "ckpt"))
    labels = torch.arange(64) % 10
    images = torch.randint(0, 256, (64, 3, 32, 32), dtype=torch.uint8)
    split = ImageSplit(images, labels)
    make = lambda shuffle: DeviceLoader(split, batch_size=16, mean=[0.5] * 3, std=[0.2] * 3,
                                        shuffle=shuffle)
    results = evaluation.ResultsFile(tmp_path, "03_test")
    recipe = experiments.Recipe(epochs=2, lr=1e-3, weight_decay=1e-4, notes={"config": 1})
    first = experiments.train_model(run, results, "a", "cnn_v2", [make(True), make(False),
                                    make(False)], recipe, "fake", seed=3)
    second = experiments.train_model(run, results, "b", "cnn_v2", [make(True), make(False),
                                     make(False)], recipe, "fake", seed=3,
                                     reference_key="cnn_v2")
    assert first.history.rows[-1]["val_loss"] == second.history.rows[-1]["val_loss"]
    written = pd.read_csv(tmp_path / "03_test.csv")
    assert list(written["model"]) == ["a", "b"] and list(written["config"]) == [1, 1]
    assert written["seed_reference"].isna().tolist() == [True, False]  # b compares with CNNV2


def test_spread_summary_and_pairwise_differences() -> None:
    frame = pd.DataFrame({"group": ["x"] * 3 + ["y"] * 3 + ["z"] * 3,
                          "acc": [0.80, 0.81, 0.82, 0.70, 0.71, 0.72, 0.805, 0.815, 0.80]})
    summary = experiments.spread_summary(frame, "group", ["acc"])
    assert summary.loc["x", "acc mean"] == pytest.approx(0.81)
    assert summary.loc["x", "acc std"] == pytest.approx(0.01)
    assert summary.loc["x", "acc count"] == 3
    pairs = experiments.pairwise_differences(frame, "group", "acc").set_index(["first", "second"])
    assert pairs.loc[("x", "y"), "difference"] == pytest.approx(0.10)
    assert pairs.loc[("x", "y"), "larger than the spread"]
    assert not pairs.loc[("x", "z"), "larger than the spread"]
    single = experiments.pairwise_differences(frame.groupby("group").head(1), "group", "acc")
    assert single["larger than the spread"].isna().all()  # one run each: no spread to compare
