# %% [markdown]
# # 05 · Middle fusion on EuroSAT: AlexNet and MobileNetV2 features combined
#
# Notebook 04 used each pretrained backbone on its own. *Middle fusion* combines them before the
# classifier: both backbones (ImageNet weights, classifiers removed, frozen) look at the same tile,
# MobileNetV2's feature map is average-pooled to the spatial size of AlexNet's, the two maps are
# concatenated along the channels and one new classifier is trained on the result. Source report
# 002 reached 95% test accuracy this way.
#
# The classifier is trained with **the source recipe** (Adam at a constant rate, on the tiles as
# they are) and with **our recipe** (for a classifier on frozen features, as in notebook 04, AdamW
# where the CNNs of 02, 03, 06 and 07 take SGD; a warm-up and a cosine schedule, label smoothing,
# gradient clipping, on the tile's symmetries: a few cached, or all eight drawn afresh every
# epoch with their mean at test, whichever validation prefers). Whether the two backbones really
# complement each other is a question the source report left open: the same kind of classifier is
# trained on each backbone's part of the same features, and the notebook tests whether fusion's
# gain is real.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the first random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from their checkpoints (a resumed run)
input_size = 224  # tiles are resized to this side on the device (224 is ImageNet's)
batch_size = 64  # feature maps per step (our recipe: halved, to 32 at least, while under 500 steps)
head_epochs = 20  # epochs of each classifier (and of the views trial)
head_lr = 0.001  # Adam learning rate of the classifier, source recipe
patience = 6  # early stopping of the source recipe on validation loss, 0 for never
our_head_lr = 0.001  # peak AdamW learning rate of the classifiers, our recipe
head_width = 256  # channels of the classifier's 1 x 1 convolution
head_dropout = 0.3  # dropout before the classifier's linear layer
seeds = 3  # random seeds of each classifier
train_views = 4  # cached views of each training image for our recipe (up to the 8 symmetries)
our_views = "choose"  # our recipe's training views: choose (a trial on validation) | cached views | every view on the fly

# %% tags=["hide-input"]
from helpers import data, diagnostics, experiments, features, models, recipes, report, stats

run, results = report.start(NOTEBOOK, globals(), pretrained=True)

# %% [markdown]
# ## Data
#
# The same fixed EuroSAT split as notebook 04, ImageNet's normalisation, and the tiles given to
# the backbones at the fusion's input side (resized on the device where it is not their 64 px).

# %%
eurosat = data.load_dataset("eurosat", run)
splits = data.standard_splits("eurosat", eurosat)
imagenet = (models.IMAGENET_MEAN, models.IMAGENET_STD)
plain = data.plain_loaders(splits, run, batch_size=2 * batch_size, resize=input_size,
                           stats=imagenet)
report.text(report.split_sizes(splits, "EuroSAT"))

# %% [markdown]
# ## The fusion model
#
# Both feature extractors keep their ImageNet weights and stay frozen (and in evaluation mode).
# The classifier keeps the spatial layout of the fused map: a 1 x 1 convolution mixes the channels
# of both backbones at every position (with batch norm and ReLU), then dropout and one linear
# layer over the flattened map. Its code, then the shapes of one tile's maps:

# %%
fusion = models.build_model("middle_fusion", device=run.device, num_classes=10,
                            weights=run.pretrained_weights, input_size=input_size,
                            width=head_width, dropout=head_dropout)

# %% tags=["hide-input"]
report.show_source(models.FusionBackbone, models.MapHead)
report.studies.fusion_shapes(fusion, input_size)

# %% [markdown]
# ## Features, computed once
#
# The frozen backbones give the same maps in every epoch, so for the source recipe and for our
# recipe's cached option they run once per tile (and per cached view of the training tiles, which
# leave a satellite tile's class unchanged); our recipe's other option runs them every epoch.

# %%
cache = features.cache_features(fusion.backbone, plain, train_views)

# %% tags=["hide-input"]
report.text(report.studies.cache_sentence(cache, run.device))

# %% [markdown]
# ## Which views our recipe trains on: validation chooses
#
# The cache holds a few of each training tile's eight symmetries. Our recipe can instead send
# every batch through the frozen backbones, drawing any of the eight symmetries afresh in every
# epoch, and then predict with the mean over the eight views of each test tile: a backbone pass
# per tile and epoch, far more work than reading the cache. The fused classifier is trained once each way
# by our recipe (first random seed, judged on validation without test-time views; a tie goes to
# the first listed), and everything our recipe trains below uses the chosen way, trained afresh.

# %%
our_recipe = recipes.with_tile_symmetries(recipes.our_recipe(
    head_epochs, optimizer="adamw", lr=our_head_lr, weight_decay=0.05, batch_size=batch_size))
notes = {"weights": run.pretrained_weights, "input": input_size}
head_inputs = dict(features=cache, splits=splits, resize=input_size, stats=imagenet)
view_options = experiments.studies.view_options(cache, our_views)
training_views, views_trial = experiments.studies.choose_views(
    run, results, view_options, seed=seed, model=fusion, dataset="EuroSAT", notes=notes,
    recipe=our_recipe.changed(name="views trial", tta="none"), **head_inputs)

# %% tags=["hide-input"]
if views_trial is not None:
    report.trials_table({"middle fusion": views_trial}, "model", "training views",
                        "Our recipe's training views: validation accuracy (one random seed)")

# %% [markdown]
# ## The fusion, by both recipes, and its ablation
#
# The fused classifier by the source recipe and by ours; then, by our recipe, classifiers of the
# same kind on AlexNet's channels alone and on MobileNetV2's alone - the same maps, the same
# training. Each classifier trains in seconds on a GPU, so each is trained with several random
# seeds (a seed draws its initial weights, the batch order and the dropout masks).

# %%
source_recipe = recipes.source_recipe(head_epochs, lr=head_lr, batch_size=batch_size,
                                      patience=patience or None)
heads = dict(seeds=range(seed, seed + seeds), trainer=experiments.train_frozen_head,
             dataset="EuroSAT", notes=notes, **head_inputs)
trained = {("middle_fusion", recipe.name): experiments.train_over_seeds(
    run, results, label="middle_fusion", model=fusion, views=views, recipe=recipe, **heads)[0]
    for recipe, views in ((source_recipe, experiments.CACHED_VIEWS),
                          (our_recipe, training_views))}
for branch in ["alexnet", "mobilenet_v2"]:
    single = models.fusion_branch(fusion, branch, input_size, 10, head_width, head_dropout)
    trained[f"{branch}_only", "ours"] = experiments.train_over_seeds(
        run, results, label=f"{branch}_only", model=single, views=training_views,
        recipe=our_recipe, channels=models.FusionBackbone.CHANNELS[branch], **heads)[0]

# %% [markdown]
# ## Results
#
# The fusion by both recipes and the two single-backbone classifiers over their random seeds.

# %% tags=["hide-input"]
recipe_rows = [row for row in results.rows if row["recipe"] in (recipes.SOURCE, recipes.OURS)]
report.seeds_table(stats.spread_by_recipe(recipe_rows, results.correct),
                   "EuroSAT test accuracy over the random seeds")
report.recipes_chart(recipe_rows, "Middle fusion and its ablation: test accuracy")

# %% [markdown]
# ## Which differences are real?
#
# All the classifiers train on the same frozen backbones' maps, seed by seed, so the comparisons
# over random seeds are paired: the fusion by our recipe against the fusion by the source recipe,
# and against each single backbone; then the first random seed's classifiers on the same test
# images (McNemar's test). Holm's correction runs over the whole family.

# %% tags=["hide-input"]
family = stats.Family(results.correct)
shared = "the frozen backbones' features"
family.over_seeds("middle_fusion", recipes.OURS, recipes.SOURCE, shared=shared)
family.on_images("middle_fusion", recipes.OURS, recipes.SOURCE, seed)
for branch in ["alexnet", "mobilenet_v2"]:
    family.over_seeds("middle_fusion", recipes.OURS, recipes.OURS, shared=shared,
                      second_model=f"{branch}_only")
    family.on_images("middle_fusion", recipes.OURS, recipes.OURS, seed,
                     second_model=f"{branch}_only")
report.family_table(family.frame(), "The notebook's comparisons, Holm's correction over all")

# %% [markdown]
# ## Diagnostics
#
# Accuracy per epoch, confusion matrices and per-class accuracy of the four classifiers (first
# random seed; full classification reports in the appendix).

# %% tags=["hide-input"]
diagnostics.show_trainings(trained, eurosat.classes, "Middle fusion, first random seed")

# %% tags=["findings"]
report.conclusions.fusion(results, family, views_trial, training_views, view_options, cache,
                          trained)

# %% tags=["appendix"]
diagnostics.reports_of_trainings(trained, eurosat.classes)
