"""Transfer learning: ImageNet weight loading, stand-ins, freezing, fusion shapes, feature caching."""

from __future__ import annotations

import urllib.error
from types import SimpleNamespace

import pytest
import torch
from helpers.core import config
from helpers import data
from helpers import evaluation
from helpers import experiments
from helpers.training import features
from helpers import models
from helpers.training import optim
from helpers.training import recipes
from helpers.experiments import results
from helpers.training import loop as training
from helpers.models import weights as weights_module


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path / "hub" / "checkpoints"


def offline(monkeypatch) -> None:
    def refuse(url, path):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr(weights_module, "_download", refuse)


def test_weights_are_read_from_torchvisions_cache(torch_home, monkeypatch) -> None:
    offline(monkeypatch)
    torch.manual_seed(1)
    saved = models.torchvision_model("mobilenet_v2", None).state_dict()
    path = models.weights_file("mobilenet_v2")
    assert path.parent == torch_home and path.name == "mobilenet_v2-7ebf99e0.pth"
    torch_home.mkdir(parents=True)
    torch.save(saved, path)
    model = models.build_model("mobilenet_v2", weights="imagenet", frozen=True)
    loaded = model.backbone[0].state_dict()
    assert torch.equal(loaded["0.0.weight"], saved["features.0.0.weight"])
    assert tuple(model.head[-1].weight.shape) == (10, 1280)  # the new 10-class layer


def test_missing_weights_offline_name_the_file_and_where_to_put_it(torch_home, monkeypatch) -> None:
    offline(monkeypatch)
    with pytest.raises(models.WeightsError) as error:
        models.build_model("alexnet", weights="imagenet", frozen=True)
    message = str(error.value)
    assert "alexnet-owt-7be5be79.pth" in message and str(torch_home) in message
    assert "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth" in message
    assert "smoke" in message


def test_a_corrupt_weights_file_says_to_delete_it(torch_home, monkeypatch) -> None:
    offline(monkeypatch)
    torch_home.mkdir(parents=True)
    models.weights_file("alexnet").write_bytes(b"truncated")
    with pytest.raises(models.WeightsError, match="delete it"):
        models.imagenet_state_dict("alexnet")


def test_stand_ins_only_in_the_offline_profiles(torch_home, monkeypatch, tmp_path) -> None:
    smoke = config.setup(profile="smoke", device="cpu", data_root=tmp_path)
    full = config.setup(profile="full", device="cpu", data_root=tmp_path)
    assert smoke.pretrained_weights == "stand-in" and "random stand-in" in smoke.weights_notice()
    assert full.pretrained_weights == "imagenet" and full.weights_notice() == ""
    monkeypatch.setattr(weights_module, "imagenet_state_dict",
                        lambda *a, **k: pytest.fail("a stand-in must not read the cache"))
    model = models.build_model("mobilenet_v2", weights=smoke.pretrained_weights, frozen=True)
    assert model.weights == "stand-in" and "stand-in" in models.describe_source("alexnet", "stand-in")
    with pytest.raises(ValueError, match="needs weights"):
        models.build_model("alexnet", weights=None, frozen=True)
    with pytest.raises(ValueError, match="unknown weights"):
        models.build_model("alexnet", weights="imagnet")


def test_stand_in_features_are_well_scaled() -> None:
    """Calibrated batch norm keeps a random MobileNetV2's features from vanishing in fp16."""
    model = models.build_model("mobilenet_v2", weights="stand-in", frozen=True)
    features_ = model.backbone(torch.randn(4, 3, 64, 64))
    assert 0.05 < features_.std().item() < 20


def test_only_the_head_trains_and_the_frozen_backbone_stays_in_eval_mode() -> None:
    torch.manual_seed(0)
    model = models.build_model("mobilenet_v2", num_classes=10, weights="stand-in", frozen=True)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    optimizer = optim.make_optimizer(model, "adam", 1e-2)
    model.train()
    assert not model.backbone.training and model.head.training
    loss, _ = training.classification_loss(model(torch.randn(8, 3, 32, 32)), torch.arange(8))
    loss.backward()
    optimizer.step()
    changed = {name for name, value in model.state_dict().items()
               if not torch.equal(value, before[name])}
    assert changed == {"head.1.weight", "head.1.bias"}  # batch-norm statistics included
    assert models.count_parameters(model) == 1280 * 10 + 10


def test_fine_tuning_learning_rates_per_submodule() -> None:
    model = models.build_model("mobilenet_v2", num_classes=10)
    optimizer = optim.make_optimizer(model, "adam", 1e-3, lr_scales={"backbone": 0.1})
    assert [group["lr"] for group in optimizer.param_groups] == [pytest.approx(1e-4), 1e-3]
    assert sum(len(g["params"]) for g in optimizer.param_groups) == len(list(model.parameters()))
    with pytest.raises(ValueError, match="submodules"):
        optim.make_optimizer(model, "adam", 1e-3, lr_scales={"features": 0.1})


def test_fusion_shapes_at_224_and_the_ablation_branches() -> None:
    fusion = models.build_model("middle_fusion", weights="stand-in", input_size=224)
    assert fusion.backbone.shapes(224) == {
        "input": (3, 224, 224), "AlexNet features": (256, 6, 6),
        "MobileNetV2 features": (1280, 7, 7), "MobileNetV2 pooled to AlexNet's size": (1280, 6, 6),
        "fused (concatenated)": (1536, 6, 6)}
    fusion.eval()
    images = torch.randn(2, 3, 224, 224)
    fused = fusion.backbone(images)
    assert fusion(images).shape == (2, 10)
    for branch, channels in models.FusionBackbone.CHANNELS.items():
        single = models.fusion_branch(fusion, branch, 224)
        assert torch.allclose(single.backbone(images), fused[:, channels])
        assert single.head.layers[0].in_channels == channels.stop - channels.start
    assert [models.fusion_side(size) for size in (64, 128, 224)] == [1, 3, 6]
    with pytest.raises(ValueError, match="too small"):
        models.fusion_side(32)


def test_cached_features_give_the_models_own_predictions() -> None:
    torch.manual_seed(0)
    model = models.build_model("mobilenet_v2", num_classes=10, weights="stand-in", frozen=True)
    images = torch.randn(20, 3, 32, 32)
    labels = torch.arange(20) % 10
    batches = [(images[:12], labels[:12]), (images[12:], labels[12:])]
    cached = features.extract_features(model.backbone, batches, views=3)
    assert cached.features.shape == (3, 20, 1280) and cached.features.dtype == torch.float16
    assert torch.equal(cached.labels, labels)
    model.eval()
    with torch.no_grad():
        direct = model(images)
        from_cache = model.head(cached.features[0].float())
        flipped = model.backbone(images.flip(3))
    assert torch.allclose(direct, from_cache, atol=1e-2)
    assert torch.allclose(cached.features[1].float(), flipped, atol=1e-2)


def test_feature_loader_draws_order_and_views_by_seed_and_epoch() -> None:
    values = torch.arange(10, dtype=torch.float16)
    views = torch.stack([values, values + 100])[:, :, None]  # 2 views x 10 images x 1 feature
    data = features.FeatureSet(views, torch.arange(10))
    loader = features.FeatureLoader(data, batch_size=4, shuffle=True, seed=3)
    first = torch.cat([x for x, _ in loader])
    again = features.FeatureLoader(data, batch_size=4, shuffle=True, seed=3)
    assert torch.equal(torch.cat([x for x, _ in again]), first)
    labels = torch.cat([y for _, y in features.FeatureLoader(data, 4, shuffle=True, seed=3)])
    assert torch.equal(first.squeeze(1) % 100, labels.float())  # features stay with their labels
    assert (first >= 100).any() and (first < 100).any()  # both views drawn
    plain = torch.cat([x for x, _ in features.FeatureLoader(data, 4)])
    assert torch.equal(plain.squeeze(1), values.float())  # unshuffled: first view, in order
    assert len(loader) == 3 and loader.num_images == 10


@pytest.fixture
def frozen(tmp_path) -> SimpleNamespace:
    """A frozen stand-in MobileNetV2, 32 learnable images in batches of 8, their cached features,
    a smoke run and a results file in ``tmp_path``."""
    run = config.setup(profile="smoke", device="cpu", data_root=tmp_path, notebook="04_test")
    torch.manual_seed(0)
    model = models.build_model("mobilenet_v2", num_classes=2, weights="stand-in", frozen=True)
    images = torch.randn(32, 3, 32, 32)
    labels = (images[:, 0].mean(dim=(1, 2)) > 0).long()
    batches = [(images[i:i + 8], labels[i:i + 8]) for i in range(0, 32, 8)]
    before = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    cache = features.cache_features(model.backbone, [batches, batches, batches])
    return SimpleNamespace(run=run, model=model, images=images, batches=batches, before=before,
                           cache=cache, file=results.ResultsFile(tmp_path / "04_test.csv"))


def test_a_head_trains_on_cached_features_and_the_model_then_works_on_images(frozen) -> None:
    run, model, images, batches, before, cache, file = (
        frozen.run, frozen.model, frozen.images, frozen.batches, frozen.before, frozen.cache,
        frozen.file)
    experiment = experiments.train_head_on_features(
        run, file, label="frozen", model=model, features=cache,
        recipe=recipes.source_recipe(2, batch_size=8), dataset="fake", seed=0)
    assert experiment.model is model and experiment.row["params"] == 1280 * 2 + 2
    assert experiment.row["params_total"] == models.count_parameters(model, trainable_only=False)
    assert all(torch.equal(v, before[k]) for k, v in model.backbone.state_dict().items())
    model.eval()
    with torch.no_grad():
        assert torch.allclose(model(images).argmax(1), experiment.test.predicted)
    seconds = features.time_uncached_epoch(model, batches, batches)
    assert seconds > 0 and all(torch.equal(v, before[k])
                               for k, v in model.backbone.state_dict().items())
    unfrozen = models.build_model("mobilenet_v2", num_classes=2)
    with pytest.raises(ValueError, match="frozen"):
        experiments.train_head_on_features(run, file, label="x", model=unfrozen, features=cache,
                                           recipe=recipes.source_recipe(1), dataset="fake")


def test_each_head_training_starts_from_the_head_as_built_not_from_the_last_training(frozen
                                                                                      ) -> None:
    """Two recipes trained one after the other on the same frozen model (04 and 05 do so) must
    not hand weights on: the second starts from the head as built, as if it trained alone."""

    def train(label: str, recipe: recipes.Recipe, seed: int) -> list[float]:
        return experiments.train_head_on_features(
            frozen.run, frozen.file, label=label, model=frozen.model, features=frozen.cache,
            recipe=recipe, dataset="fake", seed=seed).history.frame()["train_loss"].tolist()

    alone = train("alone", recipes.source_recipe(2, batch_size=8), seed=1)
    train("before", recipes.source_recipe(3, lr=0.01, batch_size=8), seed=0)  # moves the head
    after = train("after", recipes.source_recipe(2, batch_size=8), seed=1)
    assert after == pytest.approx(alone)
    assert train("other seed", recipes.source_recipe(2, batch_size=8), seed=2) != \
        pytest.approx(alone)


def test_each_random_seed_draws_the_new_head_layers_and_keeps_the_pretrained_ones(torch_home
                                                                                  ) -> None:
    """A frozen model's head: the layers no pretrained network gave are drawn from the seed (two
    seeds, two initialisations; the same seed, the same one); AlexNet's pretrained hidden layers
    are kept as built. The results row names the new layers."""
    torch.manual_seed(0)
    alexnet = models.build_model("alexnet", num_classes=3, weights="stand-in", frozen=True)
    assert alexnet.new_layers == ["6"] and alexnet.describe_new_layers() == "6: Linear(4096 -> 3)"
    hidden = alexnet.head[1].weight.clone()

    def drawn(seed: int) -> torch.Tensor:
        config.seed_everything(seed)
        alexnet.restart_head()
        assert torch.equal(alexnet.head[1].weight, hidden)
        return alexnet.head[6].weight.clone()

    assert torch.equal(drawn(1), drawn(1)) and not torch.equal(drawn(1), drawn(2))
    fusion = models.build_model("middle_fusion", weights="stand-in", input_size=64)
    assert fusion.new_layers == ["layers.0", "layers.1", "layers.5"]  # the whole map head


def test_a_head_trains_on_images_drawn_on_the_fly_with_test_time_views(frozen) -> None:
    """Our recipe's other way in notebook 05: every batch through the frozen backbone, a symmetry
    drawn per tile, the mean of the eight views at test. The backbone stays as it was, only the
    head counts as trainable, and the row reports the test accuracy without the views beside."""
    split = data.ImageSplit((frozen.images * 60 + 128).clamp(0, 255).to(torch.uint8),
                            (frozen.images[:, 0].mean(dim=(1, 2)) > 0).long())
    splits = data.Splits(split, split, split, ["a", "b"])
    recipe = recipes.with_tile_symmetries(recipes.our_recipe(2, optimizer="adamw", lr=1e-3, batch_size=8))
    experiment = experiments.train_frozen_head(
        frozen.run, frozen.file, views=experiments.VIEWS_ON_THE_FLY, features=frozen.cache,
        splits=splits, resize=None, stats=None, label="on the fly", model=frozen.model,
        recipe=recipe, dataset="fake", seed=0)
    row = experiment.row
    test_loader = data.make_loaders(splits, frozen.run, batch_size=8)[2]
    assert row["test_acc"] == pytest.approx(
        evaluation.predict(frozen.model, test_loader, "dihedral").accuracy())
    assert row["test_acc_no_tta"] == pytest.approx(
        evaluation.predict(frozen.model, test_loader).accuracy())
    assert row["tta"] == "dihedral"
    assert row["augmentation"] == "flip + quarter turns, drawn on the fly"
    assert row["params"] == 1280 * 2 + 2 and row["params_total"] > 2 * 10**6
    assert all(torch.equal(v, frozen.before[k])
               for k, v in frozen.model.backbone.state_dict().items())
    cached = experiments.train_frozen_head(
        frozen.run, frozen.file, views=experiments.CACHED_VIEWS, features=frozen.cache,
        splits=splits, resize=None, stats=None, label="cached", model=frozen.model,
        recipe=recipe, dataset="fake", seed=0)
    assert cached.row["tta"] == "none" and cached.row["augmentation"] == "1 cached view(s)"
    fusion = models.build_model("middle_fusion", num_classes=2, weights="stand-in", input_size=64)
    branch = models.fusion_branch(fusion, "alexnet", 64, 2, width=8, dropout=0.0)
    big = data.Splits(*[data.ImageSplit(torch.nn.functional.interpolate(
        split.images[:8].float(), size=64).to(torch.uint8), split.labels[:8])] * 3, ["a", "b"])
    ablation = experiments.train_frozen_head(
        frozen.run, frozen.file, views=experiments.VIEWS_ON_THE_FLY, features=frozen.cache,
        splits=big, resize=None, stats=None, label="branch", model=branch,
        recipe=recipes.with_tile_symmetries(recipes.our_recipe(1, optimizer="adamw", lr=1e-3, batch_size=8)),
        dataset="fake", seed=0, channels=slice(0, 256))
    assert ablation.row["params"] == models.count_parameters(branch.head)
    with pytest.raises(ValueError, match="unknown views"):
        experiments.train_frozen_head(frozen.run, frozen.file, views="some", features=frozen.cache,
                                      splits=splits, resize=None, stats=None, label="x",
                                      model=frozen.model, recipe=recipe, dataset="fake")


def test_a_frozen_backbone_costs_one_forward_pass_in_training(frozen) -> None:
    """Training multiply-adds per image: three forward passes of a model trained whole, but a
    frozen backbone runs forward only, so only its head's backward pass is added."""
    model, loader = frozen.model, frozen.batches
    whole = evaluation.multiply_adds_per_image(model, loader)
    with torch.no_grad():
        head = evaluation.multiply_adds_per_image(
            model.head, [(model.backbone(frozen.images[:1]), None)])
    assert 0 < head < whole
    assert experiments.training_multiply_adds_per_image(model, loader) == \
        pytest.approx(whole + 2 * head)
    trained_whole = models.build_model("mobilenet_v2", num_classes=2, weights="stand-in")
    assert experiments.training_multiply_adds_per_image(trained_whole, loader) == \
        pytest.approx(3 * evaluation.multiply_adds_per_image(trained_whole, loader))
