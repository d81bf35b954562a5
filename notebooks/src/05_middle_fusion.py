# %% [markdown]
# # 05 · Middle fusion on EuroSAT: AlexNet and MobileNetV2 features combined
#
# Notebook 04 used each pretrained backbone on its own. *Middle fusion* combines them before the
# classifier: both backbones (ImageNet weights, classifiers removed, frozen) look at the same tile,
# MobileNetV2's feature map is average-pooled to the spatial size of AlexNet's, the two maps are
# concatenated along the channels and one new classifier is trained on the result. The seed report
# reached 95 % test accuracy this way.
#
# Whether the two backbones really complement each other is a question the seed left open. Here it
# is measured: the same kind of classifier is trained on each backbone's part of the same cached
# features, so the fused model's gain over the better single backbone is a number from this run.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # weight initialisation and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
input_size = 224  # tiles are resized to this side on the device (ImageNet's input size)
batch_size = 64  # feature maps per training step
head_epochs = 20  # epochs of each classifier on the cached features
head_lr = 0.001  # Adam learning rate of the classifiers
head_width = 256  # channels of the classifier's 1 x 1 convolution
head_dropout = 0.3  # dropout before the classifier's linear layer
train_views = 4  # cached views of each training image (identity, two flips, rotation by 180)
patience = 6  # early stopping on validation loss, 0 for never

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers import config, data, evaluation, experiments, features, models, plots, references

run = config.setup(profile=profile, device=device, seed=seed, data_root=data_root)
print(run.describe())
display(Markdown(run.data_notice()))
display(Markdown(run.weights_notice()))
results = evaluation.ResultsFile(run.results_dir, "05_middle_fusion")

# %% [markdown]
# ## Data
#
# The same fixed EuroSAT split as notebook 04, ImageNet's normalisation, tiles resized on the device.

# %%
eurosat = data.load_dataset("eurosat", run)
splits = data.standard_splits("eurosat", eurosat)
print(f"train / validation / test: {splits.sizes()}")
plain = data.plain_loaders(splits, batch_size=2 * batch_size, device=run.device, resize=input_size,
                           stats=(models.IMAGENET_MEAN, models.IMAGENET_STD))

# %% [markdown]
# ## The fusion model and its feature shapes
#
# Both feature extractors keep their ImageNet weights and stay frozen (and in evaluation mode). The
# classifier keeps the spatial layout of the fused map: a 1 x 1 convolution mixes the channels of
# both backbones at every position (with batch norm and ReLU), then dropout and one linear layer
# over the flattened map.

# %%
fusion = models.build_model("middle_fusion", num_classes=10, weights=run.pretrained_weights,
                            input_size=input_size, width=head_width,
                            dropout=head_dropout).to(run.device)
shapes = pd.DataFrame([{"step": step, "shape (channels x height x width)": " x ".join(map(str, shape))}
                       for step, shape in fusion.backbone.shapes(input_size).items()])
display(shapes.style.hide(axis="index").set_caption(f"Feature maps of one {input_size} x "
                                                    f"{input_size} tile"))
print(f"parameters: {models.count_parameters(fusion, trainable_only=False):,} in all, "
      f"{models.count_parameters(fusion):,} trainable (the classifier)")

# %% [markdown]
# ## Features, computed once
#
# The frozen backbones give the same maps in every epoch, so they run once per image (and per view of
# the training images: flips and a half turn, which leave a satellite tile's class unchanged).

# %%
cache = features.cache_features(fusion.backbone, plain, train_views)
print(f"fused feature maps of {len(cache.train) + len(cache.val) + len(cache.test):,} tiles "
      f"({cache.train.num_views} views of the training tiles) computed in {cache.seconds:.1f} s; "
      f"{cache.megabytes:,.0f} MiB in half precision on {run.device}")

# %% [markdown]
# ## The fusion and its ablation
#
# Three classifiers of the same kind, trained the same way (Adam, early stopping on validation loss,
# best epoch kept) on the same cached maps: all 1,536 channels (the fusion), AlexNet's 256 alone and
# MobileNetV2's 1,280 alone.

# %%
recipe = experiments.Recipe(epochs=head_epochs, lr=head_lr, patience=patience or None,
                            notes={"weights": run.pretrained_weights, "input": input_size,
                                   "training": f"head on cached features, {train_views} views"})
trained = {"middle_fusion": experiments.train_head_on_features(
    run, results, "middle_fusion", fusion, cache, recipe, "EuroSAT", seed, batch_size)}
for branch in ["alexnet", "mobilenet_v2"]:
    single = models.fusion_branch(fusion, branch, input_size, 10, head_width, head_dropout)
    trained[f"{branch}_only"] = experiments.train_head_on_features(
        run, results, f"{branch}_only", single, cache, recipe, "EuroSAT", seed, batch_size,
        channels=models.FusionBackbone.CHANNELS[branch])

# %% [markdown]
# ## Curves, classification reports and confusion matrices

# %%
for label, experiment in trained.items():
    plots.training_report(label, experiment.history.frame(), evaluation.report_table(
        experiment.test, eurosat.classes, f"{label}: classification report, test set"),
        evaluation.confusion(experiment.test, 10), eurosat.classes)

# %% [markdown]
# ## Results

# %%
table = results.frame()
table = evaluation.with_seed_figures(table, ["test_acc"])
table["goal"] = table["model"].map(references.GOALS)
table["ours"] = table["test_acc"]
display(table[["model", "params_total", "params", "epochs_run", "best_epoch", "val_acc", "test_acc",
               "seed test_acc", "goal", "seconds"]].rename(columns={
                   "params_total": "parameters", "params": "trainable", "epochs_run": "epochs",
                   "best_epoch": "best epoch", "seed test_acc": "seed's figure"})
        .style.format({"parameters": "{:,}", "trainable": "{:,}", "val_acc": "{:.2%}",
                       "test_acc": "{:.2%}", "seed's figure": "{:.0%}", "goal": "{:.0%}",
                       "seconds": "{:.1f}"}, na_rep="").hide(axis="index")
        .set_caption("EuroSAT test set: the fusion, its two single-backbone ablations, the seed"))
plots.accuracy_against_seed(table, "Middle fusion and its ablation: test accuracy");

# %% [markdown]
# ## Conclusion

# %%
acc = table.set_index("model")["test_acc"]
best_single = acc[["alexnet_only", "mobilenet_v2_only"]].idxmax()
gain = acc["middle_fusion"] - acc[best_single]
display(Markdown("\n".join([
    f"- **Fusion.** The fused classifier reached {acc['middle_fusion']:.1%} test accuracy, "
    f"{100 * (acc['middle_fusion'] - references.seed_figure('middle_fusion').value):+.1f} points "
    f"against the seed's {references.seed_figure('middle_fusion').value:.0%} (our goal: "
    f"{references.GOALS['middle_fusion']:.0%}).",
    f"- **Ablation.** AlexNet's features alone gave {acc['alexnet_only']:.1%}, MobileNetV2's alone "
    f"{acc['mobilenet_v2_only']:.1%}. Fusing them changed test accuracy by {100 * gain:+.1f} points "
    f"against the better single backbone ({best_single}): "
    + ("the two backbones complement each other." if gain > 0.005 else
       "on this test set the second backbone adds nothing measurable, so the cheaper single "
       "backbone is the better choice."),
    f"- **Cost.** The frozen backbones ran once per image ({cache.seconds:.0f} s for all maps); the "
    f"fused classifier then trained in {trained['middle_fusion'].history.seconds:.0f} s.",
])))
