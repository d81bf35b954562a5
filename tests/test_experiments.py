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
    assert trained[0].row["test_acc"] != trained[1].row["test_acc"] or \
        trained[0].history.rows != trained[1].history.rows
    experiments.train_model(run, file, label="a", model="cnn_v2", splits=random_splits(),
                            recipe=ours, dataset="fake", seed=1)  # the same seed again: replaced
    assert sorted(row["seed"] for row in file.rows) == [0, 1]


def test_the_seed_recipe_and_ours_differ_as_the_notebooks_say() -> None:
    seed = recipes.source_recipe(10)
    ours = recipes.our_recipe(10)
    assert (seed.optimizer, seed.schedule, seed.augment, seed.tta) == ("adam", None,
                                                                       data.NO_AUGMENT, "none")
    assert (ours.optimizer, ours.schedule, ours.augment, ours.tta) == ("sgd", "cosine",
                                                                       data.CROP_FLIP, "flip")
    assert ours.label_smoothing > 0 and not ours.decay_norm_and_bias
    overhead = recipes.with_tile_symmetries(ours)
    assert overhead.augment == data.DIHEDRAL and overhead.tta == "dihedral"
    assert recipes.with_tile_symmetries(seed) == seed


def test_each_ladder_step_changes_exactly_what_its_label_names() -> None:
    seed, ours = recipes.source_recipe(10), recipes.our_recipe(20)  # CNNV2: no weight decay in the source report's
    steps = recipes.ladder(seed, ours)
    assert [step.name for step in steps] == [name for name, _ in recipes.LADDER_STEPS[:-1]]
    previous = seed
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


def test_tests_by_model_groups_a_notebooks_trainings_by_model_then_recipe() -> None:
    def trained(test: str) -> experiments.Experiment:
        return experiments.Experiment(model=None, history=None, test=test, row={})

    tests = experiments.tests_by_model({("a", "source"): trained("a-s"),
                                        ("b", "ours"): trained("b-o"),
                                        ("a", "ours"): trained("a-o")})
    assert tests == {"a": {"source": "a-s", "ours": "a-o"}, "b": {"ours": "b-o"}}


def test_a_kept_trial_training_stands_for_the_identical_training_without_training_again(
        tmp_path, monkeypatch) -> None:
    """The chosen option's trial (tta none, its own name) evaluated by the final recipe gives what
    training that recipe afresh gives, fit is not called, and another recipe or seed is refused."""
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path / "reports"))
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="07_test")
    file = results.ResultsFile(tmp_path / "07_test.csv")
    ours = recipes.our_recipe(2, batch_size=16, lr=0.01)
    variants = {"plain": ours, "light": ours.changed(label_smoothing=0.0, weight_decay=0.0)}
    training = dict(model="cnn_v2", splits=random_splits(), dataset="fake")
    chosen, table, fitted = experiments.choose_on_validation(
        run, file, label="trial", seeds=[3], keep=True, **training,
        options={name: {"recipe": recipe.changed(name="variant trial", tta="none")}
                 for name, recipe in variants.items()})
    assert fitted is not None and fitted.label == f"trial: {chosen}" and fitted.seed == 3
    assert table.loc[table["chosen"], "option"].item() == chosen
    assert experiments.choose_on_validation(  # nothing kept unless asked for
        run, file, label="trial", seeds=[3], **training,
        options={"plain": {"recipe": ours.changed(name="trial")}}).fitted is None
    afresh = experiments.train_model(run, file, label="afresh", recipe=variants[chosen], seed=3,
                                     **training)

    def no_training(*args, **kwargs):
        raise AssertionError("a kept training was trained again")

    monkeypatch.setattr(experiments.train, "fit", no_training)
    reused = experiments.train_model(run, file, label="reused", recipe=variants[chosen], seed=3,
                                     fitted=fitted, **training)
    assert torch.equal(reused.test.logits, afresh.test.logits)  # with the final recipe's flips
    assert reused.row["tta"] == "flip" and reused.row["training reused from"] == f"trial: {chosen}"
    without_time = lambda rows: [{k: v for k, v in row.items() if k != "seconds"}  # noqa: E731
                                 for row in rows]
    assert without_time(reused.history.rows) == without_time(afresh.history.rows)
    other = "light" if chosen == "plain" else "plain"
    for recipe, seed, changed in ((variants[other], 3, {}), (variants[chosen], 4, {}),
                                  (variants[chosen], 3, {"splits": random_splits(32)}),
                                  (variants[chosen], 3, {"resize": 48})):
        with pytest.raises(ValueError, match="cannot stand for that training"):
            experiments.train_model(run, file, label="wrong", recipe=recipe, seed=seed,
                                    fitted=fitted, **{**training, **changed})


def test_the_kept_training_is_the_chosen_options_first_random_seed(tmp_path) -> None:
    """Options listed worse first: the second option wins, and its first seed's training is
    kept, whatever order the seeds ran in."""
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="07_test")
    file = results.ResultsFile(tmp_path / "07_test.csv")
    figures = {("a", 3): 0.2, ("a", 4): 0.3, ("b", 3): 0.6, ("b", 4): 0.5}

    def trainer(run, results, *, label, seed, recipe, model):
        option = label.split(": ")[1]
        network = torch.nn.Linear(1, 1)
        torch.nn.init.constant_(network.weight, seed)
        return experiments.Experiment(network, history=f"{option} {seed}", test=None,
                                      row={"model": label, "val_acc": figures[option, seed]})

    chosen, table, fitted = experiments.choose_on_validation(
        run, file, label="trial", seeds=[3, 4], keep=True, trainer=trainer, model="net",
        options={name: {"recipe": recipes.our_recipe(1).changed(name=name)} for name in "ab"})
    assert chosen == "b" and table["chosen"].tolist() == [False, True]
    assert (fitted.label, fitted.seed, fitted.history) == ("trial: b", 3, "b 3")
    assert fitted.state["weight"].item() == 3 and fitted.settings == {"model": "net"}
