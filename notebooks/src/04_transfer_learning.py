# %% [markdown]
# # 04 · Transfer learning on EuroSAT: AlexNet and MobileNetV2, from scratch and from ImageNet
#
# EuroSAT is 27,000 Sentinel-2 satellite tiles of 64 x 64 pixels in ten land-use classes. Part II of
# the source report (the course document this notebook reproduces) trains two torchvision architectures on it - **AlexNet** (2012, 61 M parameters,
# no batch norm) and **MobileNetV2** (2018, 3.5 M parameters, depthwise-separable inverted residual
# blocks) - in two ways each: **from scratch** (random weights, every layer trained) and **from
# ImageNet weights** with the convolutional layers frozen and a new 10-class classifier trained.
#
# Each of the four is trained with **the source recipe** (the report's training: Adam at a constant
# rate, no augmentation) and with **our recipe** (SGD with a warm-up and cosine schedule, label smoothing, and the eight
# symmetries of a tile - flips and quarter turns, since a satellite tile has no "up" - in training
# and as test-time views). Beyond the source report, two runs **fine-tune** the whole pretrained network, the
# usual way to the best accuracy on EuroSAT (Helber et al.: 98.57 % with a fine-tuned ResNet-50).
# Frozen backbones never run twice on the same image: their features are computed once per split
# and the heads train on those, and we measure what that saves.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from checkpoints (run_all.sh --resume)
batch_size = 64  # images per step, source recipe
scratch_epochs = 30  # epochs from scratch, source recipe
alexnet_scratch_lr = 0.0001  # Adam learning rate of AlexNet from scratch (no batch norm, so low)
mobilenet_scratch_lr = 0.001  # Adam learning rate of MobileNetV2 from scratch
patience = 6  # early stopping of the source recipe on validation loss, 0 for never
our_scratch_epochs = 40  # epochs from scratch, our recipe
our_batch_size = 128  # images per step, our recipe
our_alexnet_lr = 0.01  # peak SGD learning rate of AlexNet from scratch, our recipe
our_mobilenet_lr = 0.05  # peak SGD learning rate of MobileNetV2 from scratch, our recipe
scratch_sides = [64, 128]  # input sides of the runs from scratch, chosen on validation by our recipe
scratch_trial_epochs = 10  # epochs of each side's trial (our recipe, one random seed)
pretrained_resize = 224  # input side of the pretrained models (ImageNet's)
head_epochs = 15  # epochs of the new classifiers on frozen features (both recipes)
head_lr = 0.001  # Adam learning rate of the new classifiers, source recipe
our_head_lr = 0.001  # peak AdamW learning rate of the new classifiers, our recipe
seeds = 3  # random seeds of each classifier on frozen features (the first is `seed`)
train_views = 8  # cached views of each training image for our recipe (the tile's 8 symmetries)
resize_study = [64, 128, 224]  # input sides compared for frozen MobileNetV2
finetune_epochs = 15  # epochs of the fine-tuning runs (our recipe)
finetune_lr = 0.01  # peak SGD learning rate of the new head when fine-tuning
backbone_lr_scales = [0.1, 0.3, 1.0]  # the backbone's rate as a fraction of the head's, chosen on validation
finetune_trial_epochs = 3  # epochs of each rate's trial (one random seed)

# %% tags=["hide-input"]
import pandas as pd

from helpers import data, diagnostics, experiments, features, models, recipes, report, sentences
from helpers import significance, spread

run, results = report.start(NOTEBOOK, profile=profile, device=device, seed=seed,
                            data_root=data_root, pretrained=True, resume=resume)

# %% [markdown]
# ## Data and inputs
#
# The project's fixed stratified split of EuroSAT (18,900 / 2,700 / 5,400 on the real data; the
# source report's test sets had 5,400 images too). Two kinds of input, both prepared in batches on
# the device:
#
# - **from scratch**: the tiles normalised by the training split's channel statistics; the source
#   recipe at their native 64 x 64, as the report did, ours at 64 or upsampled, whichever side
#   validation chooses (below). A network trained from
#   random weights owes nothing to ImageNet's image size, and at 64 pixels an epoch costs about a
#   twelfth of one at 224.
# - **pretrained**: ImageNet's normalisation and the tiles resized to the input size the weights
#   were trained at. How much the size matters is measured below, on frozen MobileNetV2.

# %%
eurosat = data.load_dataset("eurosat", run)
splits = data.standard_splits("eurosat", eurosat)
print(f"train / validation / test: {splits.sizes()}")
imagenet = (models.IMAGENET_MEAN, models.IMAGENET_STD)
pretrained_plain = data.plain_loaders(splits, run, batch_size=2 * batch_size,
                                      resize=pretrained_resize, stats=imagenet)

# %% [markdown]
# ## From scratch
#
# Every layer trained from random weights. The source recipe: Adam at a constant rate, stopped
# early on the validation loss. AlexNet has no batch norm and 61 M parameters, so it gets a lower
# learning rate than MobileNetV2 in both recipes (a tenth of it by the source recipe, a fifth by ours).
#
# Both networks were designed for 224 x 224: on a 64 x 64 tile AlexNet's last map is 1 x 1 (its
# 6 x 6 pooling copies each of its 256 values 36 times) and MobileNetV2's 2 x 2. So the input side
# is chosen first, on validation: each network trains by our recipe for `scratch_trial_epochs`
# epochs at each side of `scratch_sides` (one random seed, validated without test-time views,
# which would cost eight evaluations each; every option is judged the same way), and our recipe
# then trains at the side with the higher validation accuracy (a tie goes to the first listed).
# The source recipe trains on the tiles as they are (64 x 64), as the source report did. Where our
# side differs, the source recipe is also trained at it (the **input control**, `source, our
# input`), so that the source recipe against the control measures what the input bought and the
# control against ours what the training bought.

# %% tags=["hide-input"]
trained = {}
source_stop = patience or None
scratch_models = [("alexnet", alexnet_scratch_lr, our_alexnet_lr),
                  ("mobilenet_v2", mobilenet_scratch_lr, our_mobilenet_lr)]
scratch_side, side_trials = {}, {}
for name, _, our_lr in scratch_models:
    chosen_side, side_trials[name], _ = experiments.choose_on_validation(
        run, results, label=f"{name}_scratch trial",
        options={f"{side} px": {"resize": side, "notes": {"study": "input side", "input": side}}
                 for side in scratch_sides},
        seeds=[seed], model=name, splits=splits, dataset="EuroSAT", num_classes=10,
        recipe=recipes.with_tile_symmetries(recipes.our_recipe(
            scratch_trial_epochs, lr=our_lr, batch_size=our_batch_size)).changed(name="side trial",
                                                                    tta="none"))
    scratch_side[name] = int(chosen_side.removesuffix(" px"))
report.trials_table(side_trials, "model", "input side",
                    f"From scratch: validation accuracy by input side (our recipe, "
                    f"{sentences.count(scratch_trial_epochs, 'epoch')}, one random seed)")

# %%
native_side = splits.train.images.shape[-1]
for name, source_lr, our_lr in scratch_models:
    source = recipes.source_recipe(scratch_epochs, lr=source_lr, batch_size=batch_size,
                                   patience=source_stop)
    trainings = [(source, native_side), (recipes.with_tile_symmetries(recipes.our_recipe(
        our_scratch_epochs, lr=our_lr, batch_size=our_batch_size)), scratch_side[name])]
    if scratch_side[name] != native_side:
        trainings.append((source.changed(name=recipes.OUR_INPUT), scratch_side[name]))
    for recipe, side in trainings:
        trained[f"{name}_scratch", recipe.name] = experiments.train_model(
            run, results, label=f"{name}_scratch", model=name, splits=splits, recipe=recipe,
            dataset="EuroSAT", resize=side, num_classes=10,
            notes={"weights": "random (from scratch)", "input": side})

# %% [markdown]
# ## Which input size for the pretrained models?
#
# ImageNet models are trained at 224 x 224; EuroSAT tiles are 64 x 64. Upsampling costs compute
# (12 times the pixels) but shows the filters objects at the scale they learned. The evidence: frozen
# MobileNetV2 with the same new classifier at each size, trained by our recipe on cached features.

# %% tags=["hide-input"]
head_recipe = recipes.with_tile_symmetries(recipes.our_recipe(
    head_epochs, optimizer="adamw", lr=our_head_lr, weight_decay=0.05, batch_size=batch_size,
    tta="none"))
size_rows = []
for side in resize_study:
    size_model = models.build_model("mobilenet_v2", device=run.device, num_classes=10,
                                    weights=run.pretrained_weights, frozen=True)
    size_cache = features.cache_features(size_model.backbone, data.plain_loaders(
        splits, run, batch_size=2 * batch_size, resize=side, stats=imagenet), train_views)
    size_run = experiments.train_head_on_features(
        run, results, label=f"mobilenet_v2_frozen_{side}px", model=size_model,
        features=size_cache, recipe=head_recipe, dataset="EuroSAT",
        notes={"study": "input size", "input": side})
    size_rows.append({"input side (pixels)": side, "val acc": size_run.row["val_acc"],
                      "test acc": size_run.row["test_acc"], "feature seconds": size_cache.seconds})
size_study = pd.DataFrame(size_rows)
report.table(size_study, "Frozen MobileNetV2: accuracy and feature-extraction time by input size")
best_side = int(size_study.loc[size_study["val acc"].idxmax(), "input side (pixels)"])

# %% [markdown]
# ## From ImageNet weights, backbone frozen
#
# As in the source report: the convolutional layers keep their ImageNet weights and do not train, a
# new 10-class output layer replaces ImageNet's 1,000-class one (AlexNet keeps its two hidden layers of
# 4,096 units, trained anew; MobileNetV2's classifier is dropout and one linear layer). The frozen
# backbone also stays in evaluation mode, so batch norm keeps ImageNet's statistics.
#
# The backbone's features are computed once - for the training split in the tile's eight
# symmetries - and the classifiers train on them: the source recipe (Adam, constant rate) on the
# tiles as they are, ours (AdamW, cosine schedule, label smoothing) on all eight views. To measure
# what caching saves, one epoch of the whole model on images is timed as well. A classifier on
# cached features trains in seconds, so each is trained with `seeds` random seeds: a seed draws the
# new output layer (AlexNet's hidden layers start from ImageNet's weights every time), the batch
# order and the dropout masks.

# %% tags=["hide-input"]
speed_rows = []
for name in ["alexnet", "mobilenet_v2"]:
    model = models.build_model(name, device=run.device, num_classes=10,
                               weights=run.pretrained_weights, frozen=True)
    cache = features.cache_features(model.backbone, pretrained_plain, train_views)
    uncached_epoch = features.time_uncached_epoch(model, data.make_loaders(
        splits, run, batch_size=batch_size, resize=pretrained_resize, stats=imagenet)[0],
        pretrained_plain[1], head_lr)
    for recipe in (recipes.source_recipe(head_epochs, lr=head_lr, batch_size=batch_size,
                                       patience=source_stop), head_recipe):
        trained[f"{name}_pretrained", recipe.name] = [experiments.train_head_on_features(
            run, results, label=f"{name}_pretrained", model=model, features=cache,
            recipe=recipe, dataset="EuroSAT", seed=random_seed,
            notes={"weights": models.describe_source(name, run.pretrained_weights),
                   "input": pretrained_resize}) for random_seed in range(seed, seed + seeds)][0]
    history = trained[f"{name}_pretrained", "ours"].history
    cached_epoch = history.seconds / history.epochs_run
    speed_rows.append({
        "model": f"{name}_pretrained", "feature cache (MiB)": cache.megabytes,
        "computing the cache (s)": cache.seconds, "uncached epoch (s)": uncached_epoch,
        "cached epoch (s)": cached_epoch, "speed-up per epoch": uncached_epoch / cached_epoch,
        "speed-up of the run": history.epochs_run * uncached_epoch / (cache.seconds + history.seconds)})
speed = pd.DataFrame(speed_rows)
report.table(speed, "What caching the frozen features saves (our recipe, measured here)")
frozen_rows = [row for row in results.rows if row["model"].endswith("_pretrained")]
report.seeds_table(spread.spread_by_recipe(frozen_rows), "Classifiers on frozen features, "
                   f"EuroSAT test accuracy over {seeds} random seeds")
frozen_family = spread.with_holm(pd.concat([spread.recipe_differences(
    frozen_rows, f"{name}_pretrained", [(recipes.OURS, recipes.SOURCE)])
    for name in ["alexnet", "mobilenet_v2"]], ignore_index=True)) if seeds > 1 else None
if frozen_family is not None:
    report.differences_table(frozen_family, "Recipes of the classifiers on frozen features "
                             "compared on the same random seeds (paired t-test, Holm's "
                             "correction over the two)")

# %% [markdown]
# ## Fine-tuning the whole pretrained network (beyond the source report)
#
# The same pretrained models with nothing frozen, by our recipe: the new head learns at the full
# rate, the backbone at a fraction of it, so that the ImageNet filters can adapt to satellite
# imagery without being destroyed by the first large gradients. How large a fraction is chosen on
# validation for each network: a trial of `finetune_trial_epochs` epochs at each scale of
# `backbone_lr_scales` (one random seed, without test-time views), then the full run at the
# chosen one.

# %% tags=["hide-input"]
finetune_recipe = recipes.with_tile_symmetries(recipes.our_recipe(finetune_epochs, lr=finetune_lr,
                                                      batch_size=our_batch_size))
backbone_scale, scale_trials = {}, {}
for name in ["alexnet", "mobilenet_v2"]:
    finetune = dict(model=name, splits=splits, dataset="EuroSAT", resize=pretrained_resize,
                    stats=imagenet, num_classes=10, weights=run.pretrained_weights,
                    notes={"weights": models.describe_source(name, run.pretrained_weights),
                           "input": pretrained_resize})
    chosen_scale, scale_trials[name], _ = experiments.choose_on_validation(
        run, results, label=f"{name}_finetuned trial", seeds=[seed], **finetune,
        options={f"{scale:g}": {"recipe": finetune_recipe.changed(
            name="rate trial", epochs=finetune_trial_epochs, lr_scales={"backbone": scale},
            tta="none")}
            for scale in backbone_lr_scales})
    backbone_scale[name] = float(chosen_scale)
    trained[f"{name}_finetuned", "ours"] = experiments.train_model(
        run, results, label=f"{name}_finetuned", recipe=finetune_recipe.changed(
            lr_scales={"backbone": backbone_scale[name]}), **finetune)
report.trials_table(scale_trials, "model", "backbone rate scale",
                    f"Fine-tuning: validation accuracy by the backbone's rate scale "
                    f"({sentences.count(finetune_trial_epochs, 'epoch')}, one random seed)")

# %% [markdown]
# ## Results
#
# Every model by each recipe on the same 5,400 test images (on the real data; the classifiers on
# frozen features by their first random seed), and McNemar's test of each pair of recipes image by
# image.

# %% tags=["hide-input"]
rows = [experiment.row for experiment in trained.values()]
report.results_table(rows, "EuroSAT test set: every model and recipe",
                     extra={"weights": "weights", "input": "input side"})
paired = sorted({label for label, recipe in trained if recipe == "source"})
comparison = significance.compare_recipes({label: (trained[label, "source"].test,
                                                   trained[label, "ours"].test)
                                           for label in paired})
report.recipe_comparison(comparison)
separated = significance.input_and_training(
    experiments.tests_by_model(trained),
    {f"{name}_scratch": f"{native_side} to {side} px" for name, side in scratch_side.items()})
if len(separated):
    report.recipe_comparison(separated, "From scratch at our input side: what the input and what "
                             "the training (test-time views included) bought (McNemar's test)",
                             names=("accuracy before", "accuracy after"))
report.recipes_chart(rows, "EuroSAT: test accuracy by model and recipe (first random seed)")

# %% [markdown]
# ## Diagnostics
#
# Accuracy per epoch, confusion matrices and per-class accuracy of every training (full
# classification reports in the appendix).

# %% tags=["hide-input"]
labels = {key: f"{key[0]}, {recipes.recipe_label(key[1])}" for key in trained}
diagnostics.show({labels[key]: (e.history, e.test) for key, e in trained.items()},
                   eurosat.classes, "EuroSAT")

# %% tags=["findings"]
speed_ups = speed["speed-up of the run"]
sizes = dict(zip(size_study["input side (pixels)"].map("{} px".format), size_study["val acc"]))
report.findings(results.rows, [
    sentences.recipe_tally(comparison),
    *([sentences.paired_sentence(row, seeds) for row in frozen_family.to_dict("records")]
      if frozen_family is not None else []),
    *[f"Input side from scratch, {name} (our recipe's trial): " + sentences.best_of(dict(zip(
        trial["option"], trial["validation accuracy (mean)"])), "validation accuracy")
      + f"; our recipe trained at {scratch_side[name]} px, the source recipe at {native_side} px "
      "as the source report did" + (" and, as the input control, at ours." if scratch_side[name]
                                     != native_side else ".")
      for name, trial in side_trials.items()],
    *sentences.input_and_training_sentences(separated),
    *[f"Backbone rate scale when fine-tuning {name}: " + sentences.best_of(dict(zip(
        trial["option"], trial["validation accuracy (mean)"])), "validation accuracy")
      + f"; the run used {backbone_scale[name]:g}." for name, trial in scale_trials.items()],
    f"The input-size study of frozen MobileNetV2 ({sentences.count(len(sizes), 'size')}): "
    f"{sentences.best_of(sizes, 'validation accuracy')}. The pretrained runs use the "
    f"`pretrained_resize` parameter ({pretrained_resize} px), ImageNet's size in the full "
    "profile.",
    "Caching the frozen features, end to end with the cache's computation (against passing every "
    "image through the backbone every epoch): "
    f"{sentences.speed_range(speed_ups.min(), speed_ups.max())}.",
])

# %% tags=["appendix"]
diagnostics.classification_reports({labels[key]: e.test for key, e in trained.items()},
                              eurosat.classes)
