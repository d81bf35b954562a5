# %% [markdown]
# # 05 · Middle fusion on EuroSAT: AlexNet and MobileNetV2 features combined
#
# Notebook 04 used each pretrained backbone on its own. *Middle fusion* combines them before the
# classifier: both backbones (ImageNet weights, classifiers removed, frozen) look at the same tile,
# MobileNetV2's feature map is average-pooled to the spatial size of AlexNet's, the two maps are
# concatenated along the channels and one new classifier is trained on the result. The source report
# reached 95 % test accuracy this way.
#
# The classifier is trained with **the source recipe** (the report's training: Adam at a constant
# rate, on the tiles as they are) and with **our recipe** (AdamW with a warm-up and cosine schedule,
# label smoothing, on the tile's symmetries: a few cached, or all eight drawn afresh every epoch with
# their mean at test, whichever validation prefers). Whether the two backbones really complement
# each other is a question the source report left open: the same kind of classifier is trained on
# each backbone's part of the same features, and a paired test over random seeds and McNemar's
# test on the shared test images say whether fusion's gain is real.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from checkpoints (run_all.sh --resume)
input_size = 224  # tiles are resized to this side on the device (ImageNet's input size)
batch_size = 64  # feature maps per training step
head_epochs = 20  # epochs of each classifier (and of the views trial)
head_lr = 0.001  # Adam learning rate of the classifier, source recipe
patience = 6  # early stopping of the source recipe on validation loss, 0 for never
our_head_lr = 0.001  # peak AdamW learning rate of the classifiers, our recipe
head_width = 256  # channels of the classifier's 1 x 1 convolution
head_dropout = 0.3  # dropout before the classifier's linear layer
seeds = 3  # random seeds of each classifier (the first is `seed`)
train_views = 4  # cached views of each training image for our recipe (up to the 8 symmetries)
our_views = "choose"  # our recipe's training views: choose (a trial on validation) | cached views | every view on the fly

# %% tags=["hide-input"]
import pandas as pd

from helpers import data, diagnostics, experiments, features, models, recipes, report, sentences
from helpers import significance, spread

run, results = report.start(NOTEBOOK, profile=profile, device=device, seed=seed,
                            data_root=data_root, pretrained=True, resume=resume)
if our_views not in ("choose", experiments.CACHED_VIEWS, experiments.VIEWS_ON_THE_FLY):
    raise ValueError(f"our_views is {our_views!r}: give 'choose', "
                     f"{experiments.CACHED_VIEWS!r} or {experiments.VIEWS_ON_THE_FLY!r}")

# %% [markdown]
# ## Data
#
# The same fixed EuroSAT split as notebook 04, ImageNet's normalisation, tiles resized on the device.

# %%
eurosat = data.load_dataset("eurosat", run)
splits = data.standard_splits("eurosat", eurosat)
print(f"train / validation / test: {splits.sizes()}")
imagenet = (models.IMAGENET_MEAN, models.IMAGENET_STD)
plain = data.plain_loaders(splits, run, batch_size=2 * batch_size, resize=input_size,
                           stats=imagenet)

# %% [markdown]
# ## The fusion model and its feature shapes
#
# Both feature extractors keep their ImageNet weights and stay frozen (and in evaluation mode). The
# classifier keeps the spatial layout of the fused map: a 1 x 1 convolution mixes the channels of
# both backbones at every position (with batch norm and ReLU), then dropout and one linear layer
# over the flattened map.

# %%
fusion = models.build_model("middle_fusion", device=run.device, num_classes=10,
                            weights=run.pretrained_weights, input_size=input_size,
                            width=head_width, dropout=head_dropout)
shapes = pd.DataFrame([{"step": step, "shape (channels x height x width)": " x ".join(map(str, shape))}
                       for step, shape in fusion.backbone.shapes(input_size).items()])
report.table(shapes, f"Feature maps of one {input_size} x {input_size} tile")
print(f"parameters: {models.count_parameters(fusion, trainable_only=False):,} in all, "
      f"{models.count_parameters(fusion):,} trainable (the classifier)")

# %% [markdown]
# ## Features, computed once
#
# The frozen backbones give the same maps in every epoch, so for the source recipe and for our
# recipe's cached option they run once per image (and per view of the training images, which leave a
# satellite tile's class unchanged); our recipe's other option runs them every epoch (below).

# %%
cache = features.cache_features(fusion.backbone, plain, train_views)
print(f"fused feature maps of {len(cache.train) + len(cache.val) + len(cache.test):,} tiles "
      f"({cache.train.num_views} views of the training tiles) computed in {cache.seconds:.1f} s; "
      f"{cache.megabytes:,.0f} MiB in half precision on {run.device}")

# %% [markdown]
# ## Which views our recipe trains on: validation chooses
#
# The cache holds `train_views` of the eight symmetries of each training tile. Our recipe can instead
# send every batch through the frozen backbones, drawing any of the eight symmetries afresh in every
# epoch, and then predict with the mean over the eight views of each test tile: a backbone pass per
# tile and epoch, which a GPU does in seconds. The fused classifier is trained once each way by our
# recipe (first random seed, judged on validation without test-time views; a tie goes to the first
# listed); everything our recipe trains below uses the chosen way (`our_views` names one instead
# and skips the trial). The chosen way's trial training is our recipe's first random seed below:
# the same training, evaluated with the mean of the 8 views at test where it ran on the fly
# (cached features carry no views). That seed is the one validation picked, so the comparisons
# below rest on all the random seeds.

# %% tags=["hide-input"]
our_recipe = recipes.with_tile_symmetries(recipes.our_recipe(head_epochs, optimizer="adamw", lr=our_head_lr,
                                                 weight_decay=0.05, batch_size=batch_size))
notes = {"weights": run.pretrained_weights, "input": input_size}
head_inputs = dict(features=cache, splits=splits, resize=input_size, stats=imagenet)
view_options = {f"{cache.train.num_views} cached views": experiments.CACHED_VIEWS,
                "all 8 views on the fly": experiments.VIEWS_ON_THE_FLY}
views_trial, views_fitted, training_views = None, None, our_views
if our_views == "choose":
    chosen_views, views_trial, views_fitted = experiments.choose_on_validation(
        run, results, label="middle_fusion trial", trainer=experiments.train_frozen_head, keep=True,
        options={option: {"views": views} for option, views in view_options.items()},
        seeds=[seed], model=fusion, recipe=our_recipe.changed(name="views trial", tta="none"),
        dataset="EuroSAT", notes=notes, **head_inputs)
    training_views = view_options[chosen_views]
    report.trials_table({"middle_fusion": views_trial}, "model", "training views",
                        f"Our recipe's training views: validation accuracy "
                        f"({sentences.count(head_epochs, 'epoch')}, one random seed)")
print(f"our recipe trains on {training_views}")

# %% [markdown]
# ## The fusion, by both recipes, and its ablation
#
# The fused classifier by the source recipe and by ours; then, by our recipe, classifiers of the
# same kind on AlexNet's 256 channels alone and on MobileNetV2's 1,280 alone - the same maps (cached,
# or computed on the fly as chosen above), the same training. Each classifier trains in seconds on
# a GPU, so each is trained with `seeds` random seeds (a seed draws its initial weights, the batch
# order and the dropout masks).

# %% tags=["hide-input"]
source_recipe = recipes.source_recipe(head_epochs, lr=head_lr, batch_size=batch_size,
                                      patience=patience or None)
random_seeds = range(seed, seed + seeds)
trained = {("middle_fusion", recipe.name): [experiments.train_frozen_head(
    run, results, label="middle_fusion", model=fusion, views=views, recipe=recipe,
    dataset="EuroSAT", seed=random_seed, notes=notes, **head_inputs,
    fitted=views_fitted if recipe is our_recipe and random_seed == seed else None)
    for random_seed in random_seeds][0]
    for recipe, views in ((source_recipe, experiments.CACHED_VIEWS),
                          (our_recipe, training_views))}
for branch in ["alexnet", "mobilenet_v2"]:
    single = models.fusion_branch(fusion, branch, input_size, 10, head_width, head_dropout)
    trained[f"{branch}_only", "ours"] = [experiments.train_frozen_head(
        run, results, label=f"{branch}_only", model=single, views=training_views,
        recipe=our_recipe, dataset="EuroSAT", seed=random_seed,
        channels=models.FusionBackbone.CHANNELS[branch], notes=notes, **head_inputs)
        for random_seed in random_seeds][0]

# %% [markdown]
# ## Results
#
# The fusion by both recipes and the two single-backbone classifiers over their random seeds,
# compared seed by seed (paired t-test, Holm's correction over the three comparisons); then the
# first random seed's classifiers on the same test images, McNemar's test of each pair image by
# image.

# %% tags=["hide-input"]
recipe_rows = [row for row in results.rows if row["recipe"] in (recipes.SOURCE, recipes.OURS)]
report.seeds_table(spread.spread_by_recipe(recipe_rows),
                   f"EuroSAT test accuracy over {seeds} random seeds")
family = spread.differences(recipe_rows, [
    (("middle_fusion", recipes.OURS), ("middle_fusion", recipes.SOURCE)),
    *((("middle_fusion", recipes.OURS), (f"{branch}_only", recipes.OURS))
      for branch in ["alexnet", "mobilenet_v2"])]) if seeds > 1 else None
if family is not None:
    report.differences_table(family, "Compared on the same random seeds (paired t-test, Holm's "
                             "correction over the three)")
rows = [experiment.row for experiment in trained.values()]
report.results_table(rows, "EuroSAT test set, first random seed: the fusion by both recipes and "
                     "its two single-backbone ablations", extra={"params_total": "all params"})
fused = trained["middle_fusion", "ours"].test
tests = significance.compare_recipes({"middle_fusion": (trained["middle_fusion", "source"].test,
                                                        fused)})
report.recipe_comparison(tests)
ablation = significance.compare_recipes({f"fusion against {branch}_only": (
    trained[f"{branch}_only", "ours"].test, fused) for branch in ["alexnet", "mobilenet_v2"]})
report.recipe_comparison(ablation, "Fusion against each backbone alone, our recipe (McNemar's "
                         "test)", names=("single backbone", "fusion"))
report.recipes_chart(rows, "Middle fusion and its ablation: test accuracy, first random seed")

# %% [markdown]
# ## Diagnostics
#
# Accuracy per epoch, confusion matrices and per-class accuracy of the four classifiers (full
# classification reports in the appendix).

# %% tags=["hide-input"]
labels = {key: f"{key[0]}, {recipes.recipe_label(key[1])}" for key in trained}
diagnostics.show({labels[key]: (e.history, e.test) for key, e in trained.items()},
                   eurosat.classes, "Middle fusion")

# %% tags=["findings"]
report.findings(results.rows, [
    *sentences.source_figure_sentences([row for row in recipe_rows if row["recipe"] == recipes.SOURCE
                                      and row["model"] == "middle_fusion"]),
    *([sentences.paired_sentence(row, seeds) for row in family.to_dict("records")]
      if family is not None else [*sentences.recipe_sentences(tests), *(
          sentences.compared("Our recipe", "fusion", row["ours"],
                             row["model"].split(" against ")[1], row["source recipe"],
                             row["p-value"], row["real"], "McNemar")
          for row in ablation.to_dict("records"))]),
    *(["Our recipe's training views (trial): " + sentences.best_of(dict(zip(
        views_trial["option"], views_trial["validation accuracy (mean)"])),
        "validation accuracy") + "."] if views_trial is not None else []),
    "Our recipe trained on "
    + {views: option for option, views in view_options.items()}[training_views]
    + (", with the mean of the 8 views at test." if training_views == experiments.VIEWS_ON_THE_FLY
       else "."),
    f"The frozen backbones' maps were cached in {cache.seconds:.0f} s; the fused classifier then "
    f"trained in {trained['middle_fusion', 'ours'].history.seconds:.1f} s by our recipe and "
    f"{trained['middle_fusion', 'source'].history.seconds:.1f} s by the source recipe.",
    sentences.calibration_sentence(results.rows, "middle_fusion"),
])

# %% tags=["appendix"]
diagnostics.classification_reports({labels[key]: e.test for key, e in trained.items()},
                              eurosat.classes)
