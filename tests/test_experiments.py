"""Experiments and recipes: training by name and recipe, rows that say how they were trained."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields, replace

import pandas as pd
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from helpers.core import config

from helpers import data

from helpers import experiments

from helpers.training import recipes

from helpers.experiments import results
from helpers.data import ImageSplit, Splits
from helpers.training.loop import fit


def random_splits(count: int = 64) -> Splits:
    generator = torch.Generator().manual_seed(0)
    split = ImageSplit(torch.randint(0, 256, (count, 3, 32, 32), dtype=torch.uint8,
                                     generator=generator), torch.arange(count) % 10)
    return Splits(split, split, split, [str(c) for c in range(10)])


def test_train_model_is_reproducible_and_writes_its_row(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="03_test")
    file = results.ResultsFile(tmp_path / "03_test.csv")
    recipe = recipes.our_recipe(2, batch_size=16, lr=0.01)
    kwargs = dict(model="cnn_v2", splits=random_splits(), recipe=recipe, dataset="fake", seed=3,
                  notes={"config": 1})
    first = experiments.train_model(run, file, label="a", **kwargs)
    second = experiments.train_model(run, file, label="b", reference_key="cnn_v2", **kwargs)
    assert first.history.rows[-1]["val_loss"] == second.history.rows[-1]["val_loss"]
    written = pd.read_csv(tmp_path / "03_test.csv")
    assert list(written["model"]) == ["a", "b"] and list(written["config"]) == [1, 1]
    assert list(written["recipe"]) == ["ours", "ours"] and list(written["tta"]) == ["flip"] * 2
    assert written["source_figure"].isna().tolist() == [True, False]  # b compares with CNNV2
    assert written["goal"].isna().tolist() == [True, False]
    assert (written["test_acc_no_tta"] >= 0).all()
    assert written["recipe_detail"].str.startswith("sgd lr 0.01; cosine").all()  # how it trained
    assert (run.checkpoint_dir("a-ours-3") / "best.pt").is_file()  # label, recipe, random seed
    # the work of the training: 3 forward passes' multiply-adds per image, 64 images, 2 epochs
    with FlopCounterMode(display=False) as counter:
        first.model.eval()(torch.zeros(1, 3, 32, 32))
    assert written["train_multiply_adds"].tolist() == [3 * counter.get_total_flops() / 2 * 64 * 2] * 2
    # calibration: an error between 0 and 1, a positive temperature fitted on validation
    assert written["test_ece"].between(0, 1).all() and (written["temperature"] > 0).all()
    assert written["test_ece_tempered"].between(0, 1).all()


def test_a_model_trained_over_seeds_keeps_one_row_per_seed(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="02_test")
    file = results.ResultsFile(tmp_path / "02_test.csv")
    seed, ours = recipes.source_recipe(1, batch_size=16), recipes.our_recipe(1, batch_size=16)
    control = recipes.equal_epochs(seed, recipes.our_recipe(2, batch_size=16))
    assert (control.name, control.epochs, control.optimizer, control.augment) == (
        recipes.EQUAL_EPOCHS, 2, "adam", data.NO_AUGMENT)
    trained = experiments.train_over_seeds(run, file, seeds=[0, 1], label="a", model="cnn_v2",
                                           splits=random_splits(), recipe=ours, dataset="fake")
    assert [e.row["seed"] for e in trained] == [0, 1]
    weights = [e.model.state_dict()["classifier.5.weight"] for e in trained]
    assert not torch.equal(*weights)  # each seed draws its own initial weights and batch order
    assert not torch.equal(trained[0].test.logits, trained[1].test.logits)
    experiments.train_model(run, file, label="a", model="cnn_v2", splits=random_splits(),
                            recipe=ours, dataset="fake", seed=1)  # the same seed again: replaced
    assert sorted(row["seed"] for row in file.rows) == [0, 1]


def test_the_source_recipe_and_ours_differ_as_the_notebooks_say() -> None:
    source = recipes.source_recipe(10)
    ours = recipes.our_recipe(10)
    assert (source.optimizer, source.schedule, source.augment, source.tta) == ("adam", None,
                                                                       data.NO_AUGMENT, "none")
    assert (ours.optimizer, ours.schedule, ours.augment, ours.tta) == ("sgd", "cosine",
                                                                       data.CROP_FLIP, "flip")
    assert ours.label_smoothing > 0 and not ours.decay_norm_and_bias
    overhead = recipes.with_tile_symmetries(ours)
    assert overhead.augment == data.DIHEDRAL and overhead.tta == "dihedral"
    assert recipes.with_tile_symmetries(source) == source


def test_each_ladder_step_changes_exactly_what_its_label_names() -> None:
    source, ours = recipes.source_recipe(10), recipes.our_recipe(20)  # CNNV2: no weight decay
    steps = recipes.ladder(source, ours)
    assert [step.name for step in steps] == [name for name, _ in recipes.LADDER_STEPS[:-1]]
    previous = source
    for step, (name, fields) in zip(steps + [replace(ours, tta="none")], recipes.LADDER_STEPS):
        changed = {f.name for f in dataclass_fields(step)
                   if f.name != "name" and getattr(step, f.name) != getattr(previous, f.name)}
        assert changed <= set(fields), (name, changed - set(fields))
        previous = step
    # the last step lands on our recipe as trained (test-time augmentation is the step after)
    assert replace(previous, name=ours.name) == replace(ours, tta="none")
    table = recipes.ladder_table({"test_acc": 0.70}, [{"recipe": s.name, "test_acc": 0.72 + i / 100}
                                                      for i, s in enumerate(steps)],
                                 {"test_acc": 0.83, "test_acc_no_tta": 0.82})
    assert table["step"].tolist()[-2:] == ["+ our weight decay, off norms and biases",
                                          "+ test-time augmentation (ours)"]
    assert table["change (points)"].round(6).tolist()[1:] == [2.0, 1.0, 1.0, 1.0, 7.0, 1.0]


def test_the_small_model_variants_change_only_regularisation_and_length() -> None:
    ours = recipes.our_recipe(30, lr=0.1)
    variants = recipes.small_model_variants(ours)
    assert list(variants.values())[0] == ours  # our recipe first: it wins a tie
    differences = [{f.name: getattr(variant, f.name) for f in dataclass_fields(variant)
                    if getattr(variant, f.name) != getattr(ours, f.name)}
                   for variant in variants.values()]
    assert differences == [{}, {"label_smoothing": 0.0, "weight_decay": 0.0},
                           {"label_smoothing": 0.0, "weight_decay": 0.0, "epochs": 60}]
    assert list(variants)[2].endswith("60 epochs")


def test_recipe_settings_are_plain_values_for_the_results_file() -> None:
    settings = recipes.our_recipe(5, lr_scales={"backbone": 0.1}).settings()
    assert settings["augmentation"] == data.CROP_FLIP.describe()
    assert "backbone lr x 0.1" in settings["recipe_detail"]
    assert "test-time flip" in settings["recipe_detail"]


def test_a_trial_chooses_on_validation_and_its_trainings_stay_apart(tmp_path,
                                                                    monkeypatch) -> None:
    """The option listed second wins on validation although it is worse on test; the table holds
    validation figures only; the trial's rows carry the trial's recipe name, and the chosen
    recipe's own training afterwards trains afresh."""
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="07_test")
    file = results.ResultsFile(tmp_path / "07_test.csv")
    figures = {("a", 3): (0.2, 0.9), ("a", 4): (0.3, 0.9), ("b", 3): (0.6, 0.1),
               ("b", 4): (0.5, 0.1)}  # (validation, test)

    def trainer(run, results, *, label, seed, recipe, model):
        option = label.split(": ")[1]
        val, test = figures[option, seed]
        return experiments.Experiment(None, None, None, {"model": label, "recipe": recipe.name,
                                                         "val_acc": val, "test_acc": test})

    chosen, table = experiments.choose_on_validation(
        run, file, label="trial", seeds=[3, 4], trainer=trainer, model="net",
        options={name: {"recipe": recipes.our_recipe(1).changed(name="variant trial")}
                 for name in "ab"})
    assert chosen == "b" and table["chosen"].tolist() == [False, True]
    assert table["validation accuracy (mean)"].tolist() == pytest.approx([0.25, 0.55])
    assert not any("test" in column for column in table.columns)
    ours = recipes.our_recipe(1, batch_size=16, lr=0.01)
    training = dict(model="cnn_v2", splits=random_splits(), dataset="fake")
    experiments.choose_on_validation(run, file, label="trial", seeds=[3], **training,
                                     options={"plain": {"recipe": ours.changed(name="trial")}})
    fits = []
    monkeypatch.setattr(experiments.train, "fit", lambda *a, **k: fits.append(1) or fit(*a, **k))
    experiments.train_model(run, file, label="final", recipe=ours, seed=3, **training)
    assert fits == [1]  # the chosen option's training is not reused
    assert {row["recipe"] for row in file.rows if row["model"].startswith("trial")} == {"trial"}


TIMING = ("seconds", "images_per_s")


def without_timing(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in TIMING}


def test_the_source_recipe_read_from_its_control_equals_its_own_training(tmp_path,
                                                                          monkeypatch) -> None:
    """One training of the equal-epochs control gives the source recipe's row as training it
    alone does (its kept epoch among its own epochs, its final epoch, which images it got right),
    and the control's row as training the control alone does."""
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="02_test")
    source = recipes.source_recipe(3, batch_size=16)
    control = recipes.equal_epochs(source, recipes.our_recipe(5))
    assert control.shares_epochs_with(source) and not source.shares_epochs_with(control)
    training = dict(label="cnn_v2", model="cnn_v2", splits=random_splits(), dataset="fake",
                    seed=4)
    apart, together = results.ResultsFile(tmp_path / "a.csv"), results.ResultsFile(tmp_path / "b.csv")
    alone = [experiments.train_model(run, apart, recipe=recipe, **training)
             for recipe in (source, control)]
    shared = experiments.train_with_control(run, together, source=source, control=control,
                                            **training)
    for one, other in zip(alone, shared):
        assert without_timing(one.row) == without_timing(other.row)
        assert [without_timing(r) for r in one.history.rows] == \
            [without_timing(r) for r in other.history.rows]
        assert torch.equal(one.test.logits, other.test.logits)
    assert shared[0].row["epochs_run"] == 3 and shared[1].row["epochs_run"] == 5
    for key, answers in apart.correct.items():
        for epoch in answers:
            assert (answers[epoch] == together.correct[key][epoch]).all()
    # a control that is not the source recipe trained longer trains the two apart
    assert not recipes.our_recipe(5).shares_epochs_with(source)
