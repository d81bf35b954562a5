"""Profiles, parameter validation, device choice and seeding."""

from __future__ import annotations

import pytest
import torch

from helpers.core import config

from helpers.run import parameters
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
