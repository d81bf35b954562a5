# %% [markdown]
# # 04 · Transfer learning on EuroSAT: AlexNet and MobileNetV2, from scratch and from ImageNet
#
# The real EuroSAT is 27,000 Sentinel-2 satellite tiles of 64 x 64 pixels in ten land-use
# classes. Part II of source report 002 trains two torchvision architectures on it - **AlexNet**
# (2012, no batch norm) and **MobileNetV2** (2018, depthwise-separable inverted residual blocks) -
# in two ways each: **from scratch** (random weights, every layer trained) and **from ImageNet
# weights** with the convolutional layers frozen and a new 10-class classifier trained.
#
# Each of the four is trained with **the source recipe** (Adam at a constant rate, no augmentation)
# and with **our recipe** (a warm-up and a cosine schedule, label smoothing, gradient clipping, and
# the eight symmetries of a tile - flips and quarter turns, since a satellite tile has no "up";
# SGD with the symmetries also as test-time views from scratch, AdamW on cached views of the
# frozen features). Beyond the source report, both networks are also **fine-tuned** whole, the
# usual way to the best accuracy on EuroSAT (Helber et al.: 98.57% with a fine-tuned ResNet-50).
# Frozen backbones never run twice on the same image: their features are computed once per split,
# the classifiers train on those, and we measure what that saves or costs.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the first random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from their checkpoints (a resumed run)
batch_size = 64  # images per step, source recipe
scratch_epochs = 30  # epochs from scratch, source recipe
alexnet_scratch_lr = 0.0001  # Adam learning rate of AlexNet from scratch (no batch norm, so low)
mobilenet_scratch_lr = 0.001  # Adam learning rate of MobileNetV2 from scratch
patience = 6  # early stopping of the source recipe on validation loss, 0 for never
our_scratch_epochs = 40  # epochs from scratch, our recipe
our_batch_size = 128  # images per step, our recipe (halved, to 32 at least, while under 500 steps)
our_alexnet_lr = 0.01  # peak SGD learning rate of AlexNet from scratch, our recipe
our_mobilenet_lr = 0.05  # peak SGD learning rate of MobileNetV2 from scratch, our recipe
scratch_sides = [64, 128]  # input sides of the runs from scratch, chosen on validation by our recipe
scratch_trial_epochs = 10  # epochs of each side's trial (our recipe, one random seed)
pretrained_resize = 224  # input side of the pretrained models (224 is ImageNet's)
head_epochs = 15  # epochs of the new classifiers on frozen features (both recipes)
head_lr = 0.001  # Adam learning rate of the new classifiers, source recipe
our_head_lr = 0.001  # peak AdamW learning rate of the new classifiers, our recipe
seeds = 3  # random seeds of each classifier on frozen features
train_views = 8  # cached views of each training image for our recipe (the tile's 8 symmetries)
resize_study = [64, 128, 224]  # input sides compared for frozen MobileNetV2
finetune_epochs = 15  # epochs of the fine-tuning runs (our recipe)
finetune_lr = 0.01  # peak SGD learning rate of the new head when fine-tuning
backbone_lr_scales = [0.1, 0.3, 1.0]  # the backbone's rate as a fraction of the head's, chosen on validation
finetune_trial_epochs = 3  # epochs of each rate's trial (one random seed)

# %% tags=["hide-input"]
from helpers import data, diagnostics, experiments, features, models, recipes, report, stats

run, results = report.start(NOTEBOOK, globals(), pretrained=True)

# %% [markdown]
# ## Data, inputs and networks
#
# The project's fixed stratified split of EuroSAT. From scratch, the tiles are normalised by the
# training split's channel statistics; a network trained from random weights owes nothing to
# ImageNet's image size. Pretrained, they take ImageNet's normalisation and the input side set
# for the pretrained models (ImageNet's weights were trained at 224 x 224). Every resize runs on
# whole batches.

# %%
eurosat = data.load_dataset("eurosat", run)
splits = data.standard_splits("eurosat", eurosat)
imagenet = (models.IMAGENET_MEAN, models.IMAGENET_STD)
pretrained_plain = data.plain_loaders(splits, run, batch_size=2 * batch_size,
                                      resize=pretrained_resize, stats=imagenet)

# %% tags=["hide-input"]
report.text(report.split_sizes(splits, "EuroSAT") + " "
            + report.studies.transfer_inputs(splits, pretrained_resize, train_views))
report.studies.transfer_networks(["alexnet", "mobilenet_v2"])

# %% [markdown]
# ## From scratch
#
# Both networks were designed for 224 x 224: on a 64 x 64 tile AlexNet's last map is 1 x 1 and
# MobileNetV2's 2 x 2. So our recipe's input side is chosen first, on validation: each network
# trains by our recipe at each side tried (one random seed, judged without test-time views, a tie
# going to the first listed), and our recipe then trains at the side with the higher validation
# accuracy. The source recipe trains on the tiles as they are, as the source report did; where
# our side differs, the source recipe is also trained at ours (the **input control**), so that
# what the input bought and what the training bought are told apart. AlexNet gets a lower
# learning rate than MobileNetV2 in both recipes: it has no batch norm.

# %%
scratch = {"alexnet": (alexnet_scratch_lr, our_alexnet_lr),
           "mobilenet_v2": (mobilenet_scratch_lr, our_mobilenet_lr)}
our_scratch = {name: recipes.with_tile_symmetries(recipes.our_recipe(
    our_scratch_epochs, lr=our_lr, batch_size=our_batch_size)) for name, (_, our_lr)
    in scratch.items()}
side, side_trials = {}, {}
for name in scratch:
    chosen_side, side_trials[name] = experiments.choose_on_validation(
        run, results, label=f"{name}_scratch trial", seeds=[seed], model=name, splits=splits,
        options={f"{s} px": {"resize": s} for s in scratch_sides}, dataset="EuroSAT",
        recipe=our_scratch[name].changed(name="side trial", epochs=scratch_trial_epochs,
                                         tta="none"), num_classes=10)
    side[name] = int(chosen_side.removesuffix(" px"))

# %%
trained, native = {}, splits.train.images.shape[-1]
for name, (source_lr, _) in scratch.items():
    source = recipes.source_recipe(scratch_epochs, lr=source_lr, batch_size=batch_size,
                                   patience=patience or None)
    plans = [(source, native), (our_scratch[name], side[name])]
    plans += [(source.changed(name=recipes.OUR_INPUT), side[name])] * (side[name] != native)
    for recipe, input_side in plans:
        trained[f"{name}_scratch", recipe.name] = experiments.train_model(
            run, results, label=f"{name}_scratch", model=name, splits=splits, recipe=recipe,
            dataset="EuroSAT", resize=input_side, num_classes=10,
            notes={"weights": "random (from scratch)", "input": input_side})

# %% tags=["hide-input"]
report.trials_table({report.names.model_name(f"{n}_scratch"): t for n, t in side_trials.items()},
                    "model", "input side", "From scratch: validation accuracy by input side "
                    "(our recipe, one random seed)")

# %% [markdown]
# ## Which input size for the pretrained models?
#
# ImageNet models are trained at 224 x 224; EuroSAT tiles are 64 x 64. A larger input costs
# compute but shows the filters objects nearer the scale they learned. The evidence: frozen
# MobileNetV2 with the same new classifier at each side tried, trained by our recipe on cached
# features and judged on validation (the test set stays out of it).

# %%
head_recipe = recipes.with_tile_symmetries(recipes.our_recipe(
    head_epochs, optimizer="adamw", lr=our_head_lr, weight_decay=0.05, batch_size=batch_size,
    tta="none"))
source_head = recipes.source_recipe(head_epochs, lr=head_lr, batch_size=batch_size,
                                    patience=patience or None)
size_study = experiments.studies.input_sizes(run, results, splits=splits, sides=resize_study,
                                             recipe=head_recipe, views=train_views)

# %% tags=["hide-input"]
report.table(size_study, "Frozen MobileNetV2: validation accuracy and feature time by input side")

# %% [markdown]
# ## From ImageNet weights, backbone frozen
#
# As in the source report: the convolutional layers keep their ImageNet weights and do not train,
# and a new 10-class output layer replaces ImageNet's 1,000-class one (AlexNet keeps its two hidden
# layers of 4,096 units, trained anew; MobileNetV2's classifier is dropout and one linear layer).
# The frozen backbone stays in evaluation mode, so batch norm keeps ImageNet's statistics. The
# backbone's features are computed once - for the training split in several of the tile's
# symmetries - and the classifiers train on them: the source recipe on the tiles as they are,
# ours on the cached views (for a classifier on frozen features, our recipe takes AdamW in place
# of SGD). Every random seed of a classifier trains on the same cache, computed once: a seed
# draws the new output layer, the batch order and the dropout.

# %%
speeds = []
for name in ["alexnet", "mobilenet_v2"]:
    model = models.build_model(name, device=run.device, num_classes=10,
                               weights=run.pretrained_weights, frozen=True)
    cache = features.cache_features(model.backbone, pretrained_plain, train_views)
    for recipe in (source_head, head_recipe):
        trained[f"{name}_pretrained", recipe.name] = experiments.train_over_seeds(
            run, results, seeds=range(seed, seed + seeds), label=f"{name}_pretrained",
            model=model, features=cache, recipe=recipe, dataset="EuroSAT",
            trainer=experiments.train_head_on_features,
            notes={"weights": models.describe_source(name, run.pretrained_weights),
                   "input": pretrained_resize})[0]
    speeds.append(experiments.studies.caching_saves(
        run, trained[f"{name}_pretrained", "ours"], cache, splits, resize=pretrained_resize,
        stats=imagenet, batch_size=batch_size))

# %% tags=["hide-input"]
report.table(report.studies.caching_table(speeds), "Caching the frozen features against "
             "passing every image through the backbone (our recipe, measured here)")

# %% [markdown]
# ## Fine-tuning the whole pretrained network (beyond the source report)
#
# The same pretrained models with nothing frozen, by our recipe: the new head learns at the full
# rate, the backbone at a fraction of it, so that the ImageNet filters can adapt to satellite
# imagery without being destroyed by the first large gradients. How large a fraction is chosen on
# validation for each network, by a short trial at each fraction (one random seed, without
# test-time views); the full run then trains at the chosen one.

# %%
finetune_recipe = recipes.with_tile_symmetries(recipes.our_recipe(
    finetune_epochs, lr=finetune_lr, batch_size=our_batch_size))
scale, scale_trials = {}, {}
for name in ["alexnet", "mobilenet_v2"]:
    finetune = dict(model=name, splits=splits, dataset="EuroSAT", resize=pretrained_resize,
                    stats=imagenet, num_classes=10, weights=run.pretrained_weights, notes={
                        "weights": models.describe_source(name, run.pretrained_weights),
                        "input": pretrained_resize})
    scale[name], scale_trials[name] = experiments.choose_on_validation(
        run, results, label=f"{name}_finetuned trial", seeds=[seed], **finetune,
        options={f"{s:g}": {"recipe": finetune_recipe.changed(name="rate trial", tta="none",
            epochs=finetune_trial_epochs, lr_scales={"backbone": s})} for s in backbone_lr_scales})
    trained[f"{name}_finetuned", "ours"] = experiments.train_model(
        run, results, label=f"{name}_finetuned", **finetune,
        recipe=finetune_recipe.changed(lr_scales={"backbone": float(scale[name])}))

# %% tags=["hide-input"]
report.trials_table({report.names.model_name(f"{n}_finetuned"): t for n, t in
                     scale_trials.items()}, "model", "backbone rate, fraction of the head's",
                    "Fine-tuning: validation accuracy by the backbone's rate (one random seed)")

# %% [markdown]
# ## Results
#
# Every model by each recipe on the same test images: the table gives each training's first random
# seed, the chart the mean over random seeds where a model has several. The findings table sets
# the means beside the source report's figures and our goals.

# %% tags=["hide-input"]
report.results_table([e.row for e in trained.values()], "EuroSAT test set, first random seed: "
                     "every model and recipe", extra={"input": "input side"})
report.recipes_chart(results.rows, "EuroSAT: test accuracy by model and recipe")

# %% [markdown]
# ## Which differences are real?
#
# One family for Holm's correction: each network from scratch by our recipe against the source
# recipe on the same test images (McNemar's test: one random seed each) - and where validation
# chose an input side other than the tiles' 64 px, so that an input control was trained, split
# into what the input and what the training bought; the classifiers on
# frozen features over their random seeds, paired seed by seed because both recipes train on the
# same cached features.

# %% tags=["hide-input"]
family = stats.Family(results.correct)
for name in scratch:
    family.on_images(f"{name}_scratch", recipes.OURS, recipes.SOURCE, seed)
    if side[name] != native:
        family.on_images(f"{name}_scratch", recipes.OUR_INPUT, recipes.SOURCE, seed)
        family.on_images(f"{name}_scratch", recipes.OURS, recipes.OUR_INPUT, seed)
    family.over_seeds(f"{name}_pretrained", recipes.OURS, recipes.SOURCE,
                      shared="the frozen backbone's cached features")
report.family_table(family.frame(), "The notebook's comparisons, Holm's correction over all")

# %% [markdown]
# ## Diagnostics
#
# Accuracy per epoch, confusion matrices and per-class accuracy (reports in the appendix).

# %% tags=["hide-input"]
diagnostics.show_trainings(trained, eurosat.classes, "EuroSAT, first random seed")

# %% tags=["findings"]
report.conclusions.transfer(results, family, side, native, side_trials, scale, scale_trials,
                            size_study, speeds, pretrained_resize)

# %% tags=["appendix"]
diagnostics.reports_of_trainings(trained, eurosat.classes)
