"""Fashion-MNIST: the idx reader on hand-made files, and the evidence that the pipeline learns real
images (skipped, with the command to install them, where Debian's package is absent)."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from helpers import experiments

from helpers.commands import fashion_mnist

from helpers.training import recipes

from helpers.experiments import references
from helpers.evaluation.predictions import Predictions
from helpers.experiments.train import Experiment
from helpers.core.parameters import notebook_defaults
from helpers.data import DatasetError, fashion, standard_splits
from helpers.data.fashion import as_cifar_images, load_fashion_mnist, read_idx
from helpers.core.paths import paths_for


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_fake_fashion(folder: Path, train: int = 20, test: int = 10) -> dict[str, str]:
    """The four idx files (gzipped) of a tiny Fashion-MNIST; returns their content md5s."""
    rng = np.random.default_rng(0)
    md5 = {}
    for prefix, count in (("train", train), ("t10k", test)):
        for kind, array in (("images-idx3-ubyte", rng.integers(0, 256, (count, 28, 28))),
                            ("labels-idx1-ubyte", np.arange(count) % 10)):
            raw = idx_bytes(np.asarray(array))
            (folder / f"{prefix}-{kind}.gz").write_bytes(gzip.compress(raw))
            md5[f"{prefix}-{kind}"] = hashlib.md5(raw).hexdigest()
    return md5


def test_idx_files_are_read_gzipped_or_not(tmp_path) -> None:
    array = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    plain, packed = tmp_path / "x-idx3-ubyte", tmp_path / "y-idx3-ubyte.gz"
    plain.write_bytes(idx_bytes(array))
    packed.write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(plain), array) and np.array_equal(read_idx(packed), array)
    with pytest.raises(DatasetError, match="not the official Fashion-MNIST file"):
        read_idx(plain, expected_md5="0" * 32)
    (tmp_path / "z").write_bytes(b"\x00\x00\x0d\x01" + bytes(8))  # float32 elements
    with pytest.raises(DatasetError, match="not an idx file of unsigned bytes"):
        read_idx(tmp_path / "z")


def test_loaded_like_cifar_three_channels_of_32_pixels(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(fashion, "CONTENT_MD5", write_fake_fashion(tmp_path))
    data = load_fashion_mnist(tmp_path)
    assert data.train.images.shape == (20, 3, 32, 32) and data.train.images.dtype == torch.uint8
    assert len(data.test) == 10 and data.classes[0] == "T-shirt/top"
    assert torch.equal(data.train.images[:, 0], data.train.images[:, 2])  # grey in every channel
    flat = as_cifar_images(np.full((1, 28, 28), 77, dtype=np.uint8))
    assert (flat == 77).all()  # resizing keeps a flat image flat


NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("model, notebook", [("baseline_cnn", "02_baseline_cnn"),
                                             ("cnn_v2", "03_regularised_cnns"),
                                             ("cnn_v3", "03_regularised_cnns")])
def test_the_command_trains_the_notebooks_recipes(model, notebook) -> None:
    """Only the epochs and our augmentation are declared for Fashion-MNIST: every other value of
    both recipes is the notebook's parameters cell's, and the source recipe is the notebooks'
    equal-epochs control."""
    values = notebook_defaults(NOTEBOOKS / f"{notebook}.ipynb")
    flips = fashion_mnist.AUGMENT_OPTIONS["flip"]
    control, ours = fashion_mnist.notebook_recipes(model, 7, flips)
    notebook_ours = recipes.our_recipe(values["our_epochs"], lr=values["our_lr"],
                                       batch_size=values["our_batch_size"])
    assert ours == replace(notebook_ours, epochs=7, augment=flips)
    notebook_source = recipes.source_recipe(
        values["epochs"], lr=values["lr"], batch_size=values["batch_size"],
        weight_decay=values["cnn_v3_weight_decay"] if model == "cnn_v3" else 0.0)
    assert control == recipes.equal_epochs(notebook_source, ours)
    assert (control.name, control.epochs, control.augment) == (recipes.EQUAL_EPOCHS, 7,
                                                               recipes.NO_AUGMENT)


def fake_experiment(label: str, recipe: str, seed: int, val_acc: float, test_acc: float
                    ) -> Experiment:
    """A training with these figures, right on the first ``test_acc`` of 10,000 test images."""
    history = SimpleNamespace(seconds=60.0)
    row = {"model": label, "recipe": recipe, "seed": seed, "val_acc": val_acc,
           "test_acc": test_acc, "epochs_run": 3}
    right = torch.arange(10_000) < round(test_acc * 10_000)
    logits = torch.stack([right.float(), (~right).float()], dim=1)
    test = Predictions(logits, torch.zeros(10_000, dtype=torch.long))
    return Experiment(model=None, history=history, test=test, row=row)


def test_a_trial_chooses_on_validation_never_on_test(monkeypatch) -> None:
    """The option with the higher mean validation accuracy is chosen, although its test accuracy
    is lower; the trial's table shows validation figures only."""
    figures = {"flip": (0.90, 0.95), "crop+flip": (0.92, 0.80)}  # option -> (val, test)

    def train(run, results, *, label, seed, recipe, **rest):
        option = label.split(": ")[1]
        assert recipe.augment == fashion_mnist.AUGMENT_OPTIONS[option] and recipe.epochs == 3
        val, test = figures[option]
        return fake_experiment(label, recipe.name, seed, val + seed / 1000, test)

    monkeypatch.setattr(experiments.train, "train_model", train)
    options = {name: {"recipe": fashion_mnist.notebook_recipes("cnn_v2", 3, augment)[1]}
               for name, augment in fashion_mnist.AUGMENT_OPTIONS.items()}
    chosen, markdown = fashion_mnist.choose(None, None, None, "augmentation of our recipe",
                                            "cnn_v2", options, 2, options["flip"]["recipe"])
    assert chosen == "crop+flip"
    table = "\n".join(markdown)
    assert "| flip | 2 | 3 | 90.05% |" in table and "| crop+flip | 2 | 3 | 92.05% |" in table
    assert "95" not in table and "80.00" not in table  # no test figure


def test_recipes_are_compared_over_seeds_by_welch_and_goals_judged_on_the_interval() -> None:
    """Three seeds each: the mean, the interval over seeds and test images, the goal undecided
    where the interval holds it, and Welch's t-test of ours against the source recipe at our
    epochs (the two trainings share nothing but the test images)."""
    source = [fake_experiment("cnn_v2", recipes.EQUAL_EPOCHS, s, 0.9, a)
              for s, a in enumerate([0.920, 0.922, 0.921])]
    ours = [fake_experiment("cnn_v2", recipes.OURS, s, 0.9, a)
            for s, a in enumerate([0.930, 0.945, 0.937])]
    rows = fashion_mnist.model_rows("cnn_v2", {recipes.EQUAL_EPOCHS: source, recipes.OURS: ours})
    mine = rows[1]
    assert mine["test accuracy"] == pytest.approx((0.930 + 0.945 + 0.937) / 3)
    assert mine["goal"] == references.FASHION_MNIST_GOALS["cnn_v2"] == 0.935
    assert mine["95% interval"][0] < 0.935 < mine["95% interval"][1]
    assert mine["verdict"] == "undecided"
    expected = stats.ttest_ind([0.930, 0.945, 0.937], [0.920, 0.922, 0.921], equal_var=False)
    assert mine["p-value"] == pytest.approx(expected.pvalue) and mine["test"] == "Welch's t-test"
    assert rows[0]["verdict"] == "" and "difference" not in rows[0]
    table = "\n".join(fashion_mnist.comparison_markdown(rows))
    assert "| cnn_v2 | ours | 3 | 3 | 93.73% |" in table and "undecided |" in table


def test_a_missing_data_set_says_how_to_install_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(fashion.FASHION_MNIST_ENV, str(tmp_path))
    monkeypatch.setattr(fashion, "DEBIAN_FOLDER", tmp_path / "absent")
    with pytest.raises(DatasetError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist()


@pytest.mark.integration
@pytest.mark.skipif(fashion.fashion_mnist_folder() is None,
                    reason="Fashion-MNIST is not installed: sudo apt-get install "
                           "dataset-fashion-mnist (./setup.sh does it)")
def test_the_command_learns_the_real_images_and_compares_one_seed_by_mcnemar(tmp_path,
                                                                           monkeypatch) -> None:
    """`python -m helpers.commands.fashion_mnist` with a named augmentation skips the trial; two epochs of
    the baseline CNN by each recipe reach 85 % on the 10,000 real test images (the published
    simple CNNs reach about 90 %), and with one random seed the recipes are compared on the test
    images by McNemar's test."""
    monkeypatch.setenv("REPORTS_ROOT", str(tmp_path))
    splits = standard_splits("fashion_mnist", load_fashion_mnist())
    assert splits.sizes() == {"train": 54_000, "val": 6_000, "test": 10_000}
    assert fashion_mnist.main(["--models", "baseline_cnn", "--epochs", "2", "--seeds", "1",
                               "--augment", "flip", "--device", "cpu"]) == 0
    folder = paths_for("fashion-mnist")
    table = (folder.root / "table.md").read_text()
    assert "Choice of" not in table and "augmentation: flip" in table
    assert "(McNemar's test) |" in table
    trained = pd.read_csv(folder.results_file("fashion_mnist"))
    assert trained[["model", "recipe", "seed"]].values.tolist() == [
        ["baseline_cnn", recipes.EQUAL_EPOCHS, 0], ["baseline_cnn", "ours", 0]]
    assert (trained["test_acc"] >= 0.85).all() and trained["source_figure"].isna().all()
    assert not list(folder.checkpoints.glob("**/*.pt"))  # kept only while the command runs
