"""CIFAR-100 hierarchy: MobileNetV3-Small heads and stems, the two-head loss, the fine-to-coarse
table of a split, and the four fine-to-coarse mappings on hand-made probabilities."""

from __future__ import annotations

import math

import pandas
import pytest
import torch
import torch.nn.functional as F

from helpers.core import config

from helpers import evaluation

from helpers import experiments

from helpers import models

from helpers.training import recipes

from helpers.experiments import results

from helpers.evaluation import superclasses

from helpers.training import loop as training
from helpers.data import ImageData, ImageSplit, Splits, make_splits, superclass_subset


def test_two_heads_share_one_backbone_and_the_loss_sums_both() -> None:
    torch.manual_seed(0)
    model = models.build_model("mobilenet_v3_small", heads={"fine": 100, "coarse": 20})
    fine, coarse = model(torch.randn(4, 3, 32, 32))
    assert fine.shape == (4, 100) and coarse.shape == (4, 20)
    assert model.head_names == ["fine", "coarse"]
    single = models.build_model("mobilenet_v3_small", heads={"fine": 100})
    # the second head adds exactly one classifier: 576 -> 1,024 -> 20
    assert (models.count_parameters(model) - models.count_parameters(single)
            == 576 * 1024 + 1024 + 1024 * 20 + 20)
    targets = torch.stack([torch.tensor([1, 2, 3, 4]), torch.tensor([0, 1, 2, 3])], dim=1)
    loss, correct = training.classification_loss((fine, coarse), targets)
    expected = F.cross_entropy(fine, targets[:, 0]) + F.cross_entropy(coarse, targets[:, 1])
    assert loss.item() == pytest.approx(expected.item())
    assert len(correct) == 2


def test_the_cifar_stem_keeps_a_4x4_map_like_upsampling_to_128() -> None:
    for stem, size, side in (("imagenet", 32, 1), ("cifar", 32, 4), ("imagenet", 128, 4)):
        model = models.build_model("mobilenet_v3_small", heads={"fine": 10}, stem=stem).eval()
        maps = model.backbone[0](torch.zeros(1, 3, size, size))
        assert maps.shape[-2:] == (side, side) == (models.output_side(stem, size),) * 2
    with pytest.raises(ValueError, match="unknown stem"):
        models.build_model("mobilenet_v3_small", heads={"fine": 10}, stem="tiny")


def test_a_two_head_model_trains_and_reports_both_heads(tmp_path) -> None:
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="06_test")
    fine = torch.arange(32) % 4
    split = ImageSplit(torch.randint(0, 256, (32, 3, 32, 32), dtype=torch.uint8), fine, fine // 2)
    both = split.with_targets("both")
    file = results.ResultsFile(tmp_path / "06_test.csv")
    experiment = experiments.train_model(
        run, file, label="multihead", model="mobilenet_v3_small",
        splits=Splits(both, both, both, ["a", "b", "c", "d"]),
        recipe=recipes.source_recipe(1, batch_size=8), dataset="fake",
        heads={"fine": 4, "coarse": 2})
    assert set(experiment.heads) == {"fine", "coarse"}
    assert experiment.test is experiment.heads["fine"]
    row = experiment.row
    # each head is scored against its own column of the split's targets
    fine_hits = (experiment.heads["fine"].predicted == fine).float().mean().item()
    coarse_hits = (experiment.heads["coarse"].predicted == fine // 2).float().mean().item()
    assert row["test_acc"] == pytest.approx(fine_hits)
    assert row["test_acc_coarse"] == pytest.approx(coarse_hits)
    assert experiment.heads["coarse"].logits.shape == (32, 2)
    assert {"val_acc_fine", "val_acc_coarse", "train_acc_coarse"} <= set(row)


def test_subset_splits_and_their_fine_to_coarse_table() -> None:
    fine = torch.arange(400) % 8
    coarse = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])[fine]
    images = torch.zeros(400, 3, 4, 4, dtype=torch.uint8)
    data = ImageData("toy", ImageSplit(images, fine, coarse),
                     ImageSplit(images[:80], fine[:80], coarse[:80]),
                     [f"f{i}" for i in range(8)], [f"c{i}" for i in range(4)])
    splits = make_splits(data, val_fraction=0.2)
    assert splits.fine_to_coarse().tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    subset = make_splits(superclass_subset(data, [1, 2]), val_fraction=0.2)
    assert subset.classes == ["f2", "f3", "f4", "f5"] and subset.coarse_classes == ["c1", "c2"]
    assert subset.fine_to_coarse().tolist() == [0, 0, 1, 1]
    assert subset.sizes() == {"train": 160, "val": 40, "test": 40}
    coarse_only = subset.with_targets("coarse")
    assert torch.equal(coarse_only.test.labels, subset.test.coarse_labels)


# Ten fine classes: class 0 alone in superclass 0, classes 1-9 in superclass 1.
TABLE = torch.tensor([0] + [1] * 9)


def probabilities(first: float) -> torch.Tensor:
    """Probability ``first`` on class 0, the rest spread evenly over classes 1-9."""
    return torch.tensor([first] + [(1 - first) / 9] * 9)


def test_argmax_and_soft_mappings_disagree_where_the_mass_lies_elsewhere() -> None:
    rows = torch.stack([probabilities(0.45), probabilities(0.9), probabilities(0.05)])
    argmax = superclasses.coarse_scores(rows, TABLE, "argmax")
    soft = superclasses.coarse_scores(rows, TABLE, "soft")
    assert argmax.argmax(1).tolist() == [0, 0, 1]  # class 0 is the single most probable
    assert soft.argmax(1).tolist() == [1, 0, 1]    # but 55 % of the mass is in superclass 1
    assert torch.allclose(soft[0], torch.tensor([0.45, 0.55]))


def test_confidence_mapping_blends_argmax_and_mass_by_entropy() -> None:
    rows = torch.stack([probabilities(0.45), torch.full((10,), 0.1)])
    scores = superclasses.coarse_scores(rows, TABLE, "confidence")
    entropy = -(rows[0] * rows[0].log()).sum().item()
    weight = 1 - entropy / math.log(10)
    assert scores[0, 0].item() == pytest.approx(weight + (1 - weight) * 0.45, rel=1e-5)
    assert scores.argmax(1)[0] == 0  # confident enough to keep the argmax superclass
    # a uniform prediction has no confidence: the scores are the probability mass
    assert torch.allclose(scores[1], torch.tensor([0.1, 0.9]), atol=1e-6)


def test_validation_mapping_weights_each_fine_class_by_its_accuracy() -> None:
    row = probabilities(0.6)[None]
    trusted = torch.tensor([1.0] + [0.1] * 9)
    doubted = torch.tensor([0.2] + [1.0] * 9)
    assert superclasses.coarse_scores(row, TABLE, "soft").argmax(1).item() == 0
    assert superclasses.coarse_scores(row, TABLE, "validation", trusted).argmax(1).item() == 0
    scores = superclasses.coarse_scores(row, TABLE, "validation", doubted)
    assert torch.allclose(scores, torch.tensor([[0.12, 0.4]]))
    with pytest.raises(ValueError, match="fine_weights"):
        superclasses.coarse_scores(row, TABLE, "validation")
    with pytest.raises(ValueError, match="unknown mapping"):
        superclasses.coarse_scores(row, TABLE, "vote")


def test_coarse_predictions_score_like_any_predictions() -> None:
    rows = torch.stack([probabilities(0.45), probabilities(0.9), probabilities(0.05)])
    fine = evaluation.Predictions(rows.log(), torch.tensor([0, 0, 5]))
    argmax = superclasses.coarse_predictions(fine, TABLE, "argmax")
    assert torch.equal(argmax.labels, torch.tensor([0, 0, 1])) and argmax.accuracy() == 1.0
    assert superclasses.coarse_predictions(fine, TABLE, "soft").accuracy() == pytest.approx(2 / 3)
    assert set(superclasses.MAPPINGS) == {"argmax", "confidence", "soft", "validation"}


def test_mistakes_inside_the_superclass_against_chance() -> None:
    """Four classes in two superclasses: of three mistakes, two stay in the true superclass; a
    random mistake would stay there one time in three."""
    fine_to_coarse = torch.tensor([0, 0, 1, 1])
    predicted = torch.tensor([1, 0, 2, 3, 3])   # true 0 -> 1 (inside), 2 -> 3 (inside), 0 -> 3
    labels = torch.tensor([0, 0, 2, 2, 0])
    fine = evaluation.Predictions(torch.nn.functional.one_hot(predicted, 4).float(), labels)
    assert superclasses.errors_inside_superclass(fine, fine_to_coarse) == pytest.approx(2 / 3)
    assert superclasses.chance_inside_superclass(fine_to_coarse) == pytest.approx(1 / 3)
    assert superclasses.chance_inside_superclass(torch.arange(100) // 5) == pytest.approx(4 / 99)
    right = evaluation.Predictions(torch.nn.functional.one_hot(labels, 4).float(), labels)
    assert math.isnan(superclasses.errors_inside_superclass(right, fine_to_coarse))


def test_the_mapping_is_chosen_on_validation_and_a_tie_goes_to_the_first_listed() -> None:
    mappings = pandas.DataFrame({"mapping": ["argmax", "mass", "weighted"],
                             "validation accuracy": [0.5, 0.7, 0.7], "test accuracy": [0.9, 0.1, 0.2]})
    assert experiments.hierarchy.best_on_validation(mappings) == "mass"
