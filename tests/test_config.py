"""Profiles, parameter validation, device choice and seeding."""

from __future__ import annotations

import pytest
import torch

from helpers.core import config

from helpers.core import parameters
from helpers.core.config import ConfigError


def test_unknown_parameter_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown parameter 'epoch'; valid parameters: epochs, lr"):
        parameters.validate_parameters({"epoch": 3}, {"epochs": 25, "lr": 0.001}, "test")


def test_wrong_type_is_rejected_with_the_expected_type() -> None:
    with pytest.raises(ConfigError, match=r"'epochs' must be int .*got str '3'"):
        parameters.validate_parameters({"epochs": "3"}, {"epochs": 25}, "test")
    with pytest.raises(ConfigError, match="must be bool"):
        parameters.validate_parameters({"augment": 1}, {"augment": True}, "test")
    parameters.validate_parameters({"lr": 1, "epochs": 3, "tag": [1]}, {"lr": 0.1, "epochs": 2,
                                                                    "tag": None}, "test")


def test_unknown_profile_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="unknown profile 'quick': choose one of smoke, full"):
        config.setup(profile="quick")


def test_device_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(config, "_mps_available", lambda: False)
    assert config.resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ConfigError, match="no CUDA GPU here. Use device='auto'"):
        config.resolve_device("cuda")
    with pytest.raises(ConfigError, match="unknown device 'tpu'"):
        config.resolve_device("tpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert config.resolve_device("auto") == torch.device("cuda")


def test_setup_seeds_and_separates_profiles(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATA_ROOT", str(tmp_path))
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "elsewhere"))
    full = config.setup(profile="full", device="cpu", seed=5)
    first = torch.rand(3)
    smoke = config.setup(profile="smoke", device="cpu", seed=5)
    assert torch.equal(first, torch.rand(3))
    assert full.data_root == tmp_path.resolve()
    assert smoke.data_root != full.data_root  # synthetic data never goes into the real data root
    assert full.layout.root == tmp_path / "elsewhere" / "full"
    assert smoke.layout.root == tmp_path / "elsewhere" / "smoke"
    assert full.profile.keep_checkpoints and not smoke.profile.keep_checkpoints
    assert "Synthetic data" in smoke.data_notice() and full.data_notice() == ""


def test_checkpoints_go_under_the_notebook_and_only_where_the_profile_keeps_them(
        tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path))
    run = config.setup(profile="full", device="cpu", data_root=tmp_path, notebook="04_x")
    assert run.checkpoint_dir("alexnet-seed") == tmp_path / "full" / "checkpoints" / "04_x" / \
        "alexnet-seed"


def test_a_data_root_that_is_a_file_ends_in_one_clear_line(tmp_path, monkeypatch) -> None:
    afile = tmp_path / "cifar.tar.gz"
    afile.write_text("not a folder")
    with pytest.raises(ConfigError, match=r"^data_root is .*a file: point it at a folder"):
        config.setup(profile="smoke", device="cpu", data_root=afile)
    monkeypatch.setenv("DATA_ROOT", str(afile))
    with pytest.raises(ConfigError, match=r"^DATA_ROOT is .*a file: point it at a folder"):
        config.setup(profile="full", device="cpu")
    from helpers.run import pipeline
    monkeypatch.setattr(pipeline, "find_browser", lambda: "chromium")
    with pytest.raises(ConfigError, match="DATA_ROOT is .*a file"):
        pipeline.prepare("full", ["02"], pdf=False)


def test_seeds_below_one_end_in_one_clear_line(tmp_path) -> None:
    from helpers.core import parameters
    notebook = parameters.NOTEBOOKS_DIR / "02_baseline_cnn.ipynb"
    with pytest.raises(ConfigError, match="seeds is 0, but it counts random seeds: give 1 or more"):
        parameters.parameters_for(notebook, "smoke", {"02_baseline_cnn": {"seeds": 0}}, "mine.yaml")


def test_a_value_changed_by_hand_is_kept_and_named() -> None:
    from helpers.core import parameters

    namespace = {**parameters.source_defaults("02_baseline_cnn"), "profile": "smoke",
                 "lr": 0.01, "seeds": 1}
    chosen = parameters.apply_profile("02_baseline_cnn", namespace)
    assert namespace["lr"] == 0.01 and namespace["seeds"] == 1 and namespace["epochs"] == 2
    assert chosen.by_hand == {"lr": 0.01, "seeds": 1}
    assert chosen.sentence().endswith("set by hand and kept: lr = 0.01, seeds = 1.")
