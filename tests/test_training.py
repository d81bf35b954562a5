"""fit: early stopping, best-weights restore, resume on request (never of edited code), determinism,
multi-head loss."""

from __future__ import annotations

import copy
import importlib
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers.training import checkpoints

from helpers import models

from helpers.training import optim

from helpers.training import loop as training
from helpers.data import DeviceLoader, ImageSplit, CROP_FLIP


def tiny_loaders(count: int = 96, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(count) % 10
    images = torch.randint(0, 256, (count, 3, 32, 32), dtype=torch.uint8, generator=generator)
    images[:, 0] = (labels * 25).to(torch.uint8)[:, None, None]  # learnable: red encodes the class
    split = ImageSplit(images, labels)
    options = dict(mean=[0.5] * 3, std=[0.25] * 3)
    return (DeviceLoader(split, batch_size=32, shuffle=True, augment=CROP_FLIP, seed=seed, **options),
            DeviceLoader(split, batch_size=48, **options))


class DropoutCNN(nn.Module):
    """The baseline with dropout, so that the RNG state matters for resuming."""

    def __init__(self) -> None:
        super().__init__()
        self.body = models.BaselineCNN()
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        return self.body.classifier(self.drop(self.body.features(x)))


def train(epochs: int, checkpoint_dir=None, stop_after: int | None = None, patience=None,
          resume: bool = False):
    torch.manual_seed(0)
    model = DropoutCNN()
    optimizer = optim.make_optimizer(model, "adamw", lr=3e-3, weight_decay=1e-4,
                                        decay_norm_and_bias=False)
    train_loader, val_loader = tiny_loaders()
    scheduler = optim.make_scheduler(optimizer, "cosine", epochs, len(train_loader),
                                        warmup_epochs=1)

    def kill(epoch, row):
        if epoch == stop_after:
            raise KeyboardInterrupt("killed")

    history = training.fit(model, train_loader, val_loader, epochs=epochs, optimizer=optimizer,
                           scheduler=scheduler, patience=patience, grad_clip=1.0,
                           label_smoothing=0.1, checkpoint_dir=checkpoint_dir, checkpoint_every=0,
                           on_epoch_end=kill, **({"resume": True} if resume else {}))
    return model, history


def without_seconds(history: training.History) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history.rows]


def test_same_seed_gives_the_same_history_on_cpu() -> None:
    _, first = train(3)
    _, second = train(3)
    assert without_seconds(first) == without_seconds(second)
    assert [row["epoch"] for row in first.rows] == [1, 2, 3]
    assert first.rows[0]["lr"] == pytest.approx(3e-3 / 4)  # first of 3 warm-up steps
    assert first.rows[1]["lr"] == pytest.approx(3e-3)  # warm-up over: the peak rate
    assert set(first.rows[0]) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr",
                                  "seconds"}


def test_killed_and_resumed_run_equals_an_uninterrupted_one(tmp_path) -> None:
    whole_model, whole = train(4)
    with pytest.raises(KeyboardInterrupt):
        train(4, tmp_path, stop_after=2)
    assert checkpoints.load_checkpoint(tmp_path / "last.pt")["epoch"] == 2
    resumed_model, resumed = train(4, tmp_path, resume=True)
    assert without_seconds(resumed) == without_seconds(whole)
    for name, tensor in whole_model.state_dict().items():
        assert torch.equal(tensor, resumed_model.state_dict()[name]), name


def test_a_training_run_again_trains_again_unless_resume_is_asked_for(tmp_path, capsys) -> None:
    _, first = train(2, tmp_path)
    _, again = train(2, tmp_path)  # a notebook cell run twice: trained twice
    assert again.seconds != first.seconds
    capsys.readouterr()
    _, read_back = train(2, tmp_path, resume=True)
    assert without_seconds(read_back) == without_seconds(again)
    assert read_back.seconds == again.seconds  # nothing was trained: the history came from the file
    said = capsys.readouterr().out
    assert f"finished earlier, weights read from {tmp_path / 'best.pt'}" in said
    assert "set resume = False" in said
    _, longer = train(3, tmp_path, resume=True)  # a different schedule: the checkpoint does not apply
    assert longer.epochs_run == 3 and "other settings or code" in capsys.readouterr().out


MODEL_SOURCE = """
from torch import nn


class EditableNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))

    def forward(self, x):
        return self.body(x) * {scale}
"""


def test_edited_model_code_never_resumes_its_old_checkpoint(tmp_path, monkeypatch, capsys) -> None:
    """A student edits the model's code between two runs: the second trains afresh."""
    (tmp_path / "editable_model.py").write_text(MODEL_SOURCE.format(scale="1.0"))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("editable_model")

    def fit_editable(epochs_seen: list) -> training.History:
        torch.manual_seed(0)
        model = module.EditableNet()
        train_loader, val_loader = tiny_loaders()
        return training.fit(model, train_loader, val_loader, epochs=2, resume=True,
                            optimizer=optim.make_optimizer(model), checkpoint_every=0,
                            checkpoint_dir=tmp_path / "ckpt",
                            on_epoch_end=lambda epoch, row: epochs_seen.append(epoch))

    trained, unchanged, edited = [], [], []
    fit_editable(trained)
    fit_editable(unchanged)
    assert trained == [1, 2] and unchanged == []  # same code: read back, not trained
    (tmp_path / "editable_model.py").write_text(MODEL_SOURCE.format(scale="2.0"))
    module = importlib.reload(module)
    capsys.readouterr()
    fit_editable(edited)
    assert edited == [1, 2]  # edited code: trained again
    assert "other settings or code; training from scratch" in capsys.readouterr().out
    sys.modules.pop("editable_model", None)


def test_the_code_digest_covers_the_model_the_loader_and_the_training_step() -> None:
    model, (loader, _) = models.build_model("baseline_cnn"), tiny_loaders()
    digest = checkpoints.code_digest(model, loader, training.train_epoch)
    assert digest == checkpoints.code_digest(models.build_model("baseline_cnn"), loader,
                                             training.train_epoch)
    assert digest != checkpoints.code_digest(model, training.train_epoch)  # the loader counts
    assert digest != checkpoints.code_digest(loader, training.train_epoch)  # so does the model


def test_early_stopping_counts_from_the_lowest_loss_and_keeps_the_best_accuracy(
        monkeypatch) -> None:
    figures = iter([(1.0, 0.50), (0.8, 0.55), (0.9, 0.60), (0.95, 0.58), (0.99, 0.4), (1.2, 0.3)])
    monkeypatch.setattr(training, "validate", lambda *a, **k: dict(
        zip(("val_loss", "val_acc"), next(figures))))
    snapshots = {}
    torch.manual_seed(0)
    model = models.build_model("baseline_cnn")
    train_loader, val_loader = tiny_loaders()
    history = training.fit(model, train_loader, val_loader, epochs=7, patience=2,
                           optimizer=optim.make_optimizer(model, "sgd", lr=0.05),
                           on_epoch_end=lambda e, r: snapshots.update({e: copy.deepcopy(
                               model.state_dict())}))
    # the loss stalls after epoch 2, so training stops after epoch 4; epoch 3 has the best accuracy
    assert history.epochs_run == 4 and history.stopped_early
    assert history.lowest_loss_epoch == 2 and history.best_epoch == 3
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, snapshots[3][name])
    assert not torch.equal(model.state_dict()["classifier.3.bias"], snapshots[4]["classifier.3.bias"])


def test_checkpoints_describe_themselves_and_shrink_when_training_ends(tmp_path) -> None:
    torch.manual_seed(0)
    model = models.build_model("baseline_cnn", hidden=32)
    train_loader, val_loader = tiny_loaders()
    sizes = {}
    training.fit(model, train_loader, val_loader, epochs=2, checkpoint_dir=tmp_path,
                 optimizer=optim.make_optimizer(model), checkpoint_every=0,
                 on_epoch_end=lambda epoch, row: sizes.update(
                     {epoch: (tmp_path / "last.pt").stat().st_size}))
    running = checkpoints.load_checkpoint(tmp_path / "last.pt")  # weights_only=True inside
    assert set(running) == {"signature", "history", "finished", "stopped_early", "epoch",
                            "model_config"}  # finished: the record only
    assert running["finished"] and running["epoch"] == 2
    assert sizes[2] < sizes[1] / 10  # epoch 1 held weights, optimiser state and RNG
    best = checkpoints.load_checkpoint(tmp_path / "best.pt")
    rebuilt = models.rebuild_model(best["model_config"])
    rebuilt.load_state_dict(best["model"])
    assert models.count_parameters(rebuilt) == models.count_parameters(model)


def test_checkpoints_wait_for_their_interval(tmp_path) -> None:
    torch.manual_seed(0)
    model = models.build_model("baseline_cnn", hidden=32)
    train_loader, val_loader = tiny_loaders()
    written = []
    training.fit(model, train_loader, val_loader, epochs=3, checkpoint_dir=tmp_path,
                 optimizer=optim.make_optimizer(model), checkpoint_every=3600,
                 on_epoch_end=lambda epoch, row: written.append((tmp_path / "last.pt").exists()))
    assert written == [False, False, True]  # only the last epoch within the hour


def test_multi_head_loss_sums_the_heads() -> None:
    fine = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    coarse = torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    targets = torch.tensor([[0, 1], [2, 0]])
    loss, correct = training.classification_loss((fine, coarse), targets)
    expected = F.cross_entropy(fine, targets[:, 0]) + F.cross_entropy(coarse, targets[:, 1])
    assert loss.item() == pytest.approx(expected.item())
    assert [c.item() for c in correct] == [1, 2]


def test_multi_head_history_has_an_accuracy_per_head() -> None:
    class TwoHeads(nn.Module):
        head_names = ["fine", "coarse"]

        def __init__(self):
            super().__init__()
            self.body = models.BaselineCNN(num_classes=16)

        def forward(self, x):
            features = self.body(x)
            return features[:, :10], features[:, 10:12]

    torch.manual_seed(0)
    model = TwoHeads()
    train_loader, val_loader = tiny_loaders()
    for loader in (train_loader, val_loader):
        loader.labels = torch.stack([loader.labels, loader.labels % 2], dim=1)
    history = training.fit(model, train_loader, val_loader, epochs=1,
                           optimizer=optim.make_optimizer(model))
    assert {"val_acc_fine", "val_acc_coarse", "train_acc_coarse"} <= set(history.rows[0])


def test_builders_reject_unknown_names() -> None:
    model = models.build_model("baseline_cnn")
    with pytest.raises(ValueError, match="unknown optimiser 'rmsprop'"):
        optim.make_optimizer(model, "rmsprop")
    with pytest.raises(ValueError, match="unknown schedule 'cyclic'"):
        optim.make_scheduler(optim.make_optimizer(model), "cyclic", 10, 5)
    with pytest.raises(ValueError, match="unknown model 'resnet'"):
        models.build_model("resnet")


def test_compiled_training_runs_through_the_compiled_module_and_saves_plain_weights(
        tmp_path, monkeypatch) -> None:
    compiled = []

    def fake_compile(model):
        """Stands in for torch.compile (whose CPU backend needs a C++ toolchain): a wrapper that
        counts calls and shares the model's parameters, as an OptimizedModule does."""
        wrapper = nn.Sequential(model)
        wrapper.calls = 0
        wrapper.register_forward_pre_hook(lambda module, args: setattr(module, "calls",
                                                                       module.calls + 1))
        compiled.append(wrapper)
        return wrapper

    monkeypatch.setattr(torch, "compile", fake_compile)
    torch.manual_seed(0)
    model = models.BaselineCNN()
    train_loader, val_loader = tiny_loaders()
    training.fit(model, train_loader, val_loader, epochs=1,
                 optimizer=optim.make_optimizer(model), checkpoint_dir=tmp_path,
                 compile_model=True)
    assert len(compiled) == 1 and compiled[0].calls == len(train_loader) + len(val_loader)
    saved = checkpoints.load_checkpoint(tmp_path / "best.pt")["model"]
    assert saved.keys() == model.state_dict().keys()  # no wrapper prefix in the checkpoint


def test_weight_decay_spares_norm_and_bias_only_when_asked() -> None:
    model = models.build_model("cnn_v2")
    spared = optim.make_optimizer(model, "sgd", weight_decay=5e-4, decay_norm_and_bias=False)
    decays = {p.ndim > 1: g["weight_decay"] for g in spared.param_groups for p in g["params"]}
    assert decays == {True: 5e-4, False: 0.0}
    plain = optim.make_optimizer(model, "sgd", weight_decay=5e-4)
    assert {g["weight_decay"] for g in plain.param_groups} == {5e-4}
    assert sum(len(g["params"]) for g in spared.param_groups) == len(list(model.parameters()))


def test_cosine_schedule_warms_up_then_decays_to_zero() -> None:
    model = models.build_model("baseline_cnn")
    optimizer = optim.make_optimizer(model, "sgd", lr=0.1)
    scheduler = optim.make_scheduler(optimizer, "cosine", epochs=4, steps_per_epoch=10,
                                        warmup_epochs=1)
    rates = []
    for _ in range(40):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert rates[0] == pytest.approx(0.1 / 11) and rates[10] == pytest.approx(0.1)
    assert all(a < b for a, b in zip(rates[:10], rates[1:11]))  # rising during warm-up
    assert all(a >= b for a, b in zip(rates[10:], rates[11:]))  # then falling
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)
