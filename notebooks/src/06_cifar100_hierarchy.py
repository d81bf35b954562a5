# %% [markdown]
# # 06 · CIFAR-100's two levels: superclasses, classes, two heads and fine-to-coarse mapping
#
# CIFAR-100's 100 classes come in 20 superclasses of five (notebook 01). Seed 000 trained
# torchvision's **MobileNetV3-Small** three ways - for the 20 superclasses (*coarse20*), for the 100
# classes (*fine100*), and with **two heads** on one backbone, trained on the sum of both
# cross-entropies - and reached 44 % and 31 % test accuracy. Seed 004 asked a related question: can a
# 100-class model predict the superclasses by post-processing its probabilities, and which way of
# mapping works best?
#
# The notebook first finds out why the seed's numbers are low - MobileNetV3-Small shrinks a 32 x 32
# image to a single 1 x 1 position before classifying it - and compares remedies in a short
# ablation; then it compares the augmentation levels that seeds 003 and 004 planned. The winners
# set up **our recipe**. Every model is trained with **the seed's recipe** (its network and input,
# Adam with a rate cut on plateaus, light augmentation) and with ours, and four fine-to-coarse
# mappings are compared with the models trained for the superclasses directly.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # weight initialisation and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from checkpoints (run_all.sh --resume)
batch_size = 128  # images per step, seed's recipe (as in the seed)
lr = 0.001  # Adam learning rate, seed's recipe (as in the seed)
epochs = 60  # the most epochs of the seed's recipe (the seed allowed 60)
patience = 8  # early stopping of the seed's recipe on validation loss (as in the seed), 0 for never
ablation_epochs = 15  # epochs of each input option in the ablation
upsample_size = 128  # input side when upsampling (4 x 4 final maps with ImageNet strides)
default_option = ""  # empty: the ablation's best option by validation accuracy, else its name
backbone_lr_scale = 0.1  # a pretrained backbone learns at this fraction of the head's rate
augmentation_epochs = 15  # epochs of each level of the augmentation study
cutout = 8  # side in pixels of the cutout square, strongest augmentation level
jitter = 0.2  # colour jitter (brightness, contrast, saturation +- this), strongest level
default_augmentation = ""  # empty: the study's best level by validation accuracy, else its name
our_epochs = 40  # epochs of our recipe
our_batch_size = 256  # images per step, our recipe
our_lr = 0.1  # peak SGD learning rate, our recipe
subset_superclasses = 10  # superclasses 0 to this minus 1 for the seed's two-head model

# %%
import matplotlib.pyplot as plt
import pandas as pd
import torch

from helpers import data, evaluation, experiments, models, plots, recipes, report, sentences
from helpers import significance, superclasses

run, results = report.start(NOTEBOOK, profile=profile, device=device, seed=seed,
                            data_root=data_root, pretrained=True, resume=resume)

# %% [markdown]
# ## Data
#
# The project's fixed split of CIFAR-100 (40,000 / 10,000 / 10,000 on the real data, as in the seed),
# normalised by the training split's channel statistics (ImageNet's for ImageNet weights). The
# seed's two-head model uses the subset of superclasses 0-9 and their 50 classes
# (20,000 / 5,000 / 5,000).

# %%
cifar100 = data.load_dataset("cifar100", run)
splits = data.standard_splits("cifar100", cifar100)
subset = data.superclass_subset(cifar100, range(subset_superclasses))
subset_splits = data.standard_splits("cifar100", subset)
fine_to_coarse = splits.fine_to_coarse()
fine_splits = splits.with_targets("fine")
imagenet = (models.IMAGENET_MEAN, models.IMAGENET_STD)
print(f"all classes, train / validation / test: {splits.sizes()}")
print(f"superclasses 0-{subset_superclasses - 1} ({len(subset.classes)} classes), "
      f"train / validation / test: {subset_splits.sizes()}")

# %% [markdown]
# ## Why 32 x 32 is a problem, and what to do about it
#
# MobileNetV3-Small halves the resolution five times, so a 32 x 32 image reaches the global pooling
# as one position. The options compared, each training fine100 for the same short budget with the
# seed's optimiser and augmentation:
#
# - **native 32, ImageNet strides**: the seed's setting;
# - **upsampled**: the image resized on the device, so the last map is larger (same network);
# - **CIFAR stem**: the stem convolution and the first block keep stride 1 (the network downsamples
#   by 8), so a 32 x 32 image ends as 4 x 4 - the same map as upsampling to 128, without resizing;
# - **ImageNet weights, upsampled**: the pretrained network at an input size nearer its own, with
#   ImageNet's normalisation and its backbone learning ten times slower than the new head.

# %%
options = {
    "native 32, ImageNet strides": {"stem": "imagenet", "resize": None, "weights": None},
    f"upsampled to {upsample_size}": {"stem": "imagenet", "resize": upsample_size, "weights": None},
    "CIFAR stem (strides 1)": {"stem": "cifar", "resize": None, "weights": None},
    f"ImageNet weights, upsampled to {upsample_size}": {
        "stem": "imagenet", "resize": upsample_size, "weights": run.pretrained_weights},
}
ablation_recipe = recipes.seed_recipe(ablation_epochs, lr=lr, batch_size=batch_size,
                                      schedule="plateau", augment=data.CROP_FLIP,
                                      patience=patience or None).changed(name="input ablation")
ablation_rows = []
for number, (option, setting) in enumerate(options.items(), start=1):
    trial = experiments.train_model(
        run, results, label=f"ablation_{number}", model="mobilenet_v3_small", splits=fine_splits,
        recipe=ablation_recipe.changed(
            lr_scales={"backbone": backbone_lr_scale} if setting["weights"] else {}),
        dataset="CIFAR-100", resize=setting["resize"],
        stats=imagenet if setting["weights"] else None,
        notes={"study": "input", "option": option}, heads={"fine": 100}, stem=setting["stem"],
        weights=setting["weights"])
    side = models.output_side(setting["stem"], setting["resize"] or 32)
    ablation_rows.append({"option": option, "final map": f"{side} x {side}",
                          "val_acc": trial.row["val_acc"], "test_acc": trial.row["test_acc"],
                          "seconds per epoch": trial.history.seconds / trial.history.epochs_run})
ablation = pd.DataFrame(ablation_rows)
chosen = default_option or ablation.loc[ablation["val_acc"].idxmax(), "option"]
if chosen not in options:
    raise ValueError(f"default_option {chosen!r} is not one of {list(options)}")
setting = options[chosen]
inputs = {"resize": setting["resize"], "stats": imagenet if setting["weights"] else None}
report.table(ablation, f"fine100 after {ablation_epochs} epochs, by input option")
report.text(f"**Chosen for our recipe: {chosen}** ("
               + ("the best validation accuracy in the ablation" if not default_option else
                  "set by the default_option parameter") + ").")

# %% [markdown]
# ## How much augmentation?
#
# Seeds 003 and 004 planned augmentation in levels. Three levels, each training fine100 by our
# recipe for the same short budget with the chosen input: **none**; **crop + flip**; and **crop +
# flip + cutout + colour jitter** (a square of the image blanked out, brightness, contrast and
# saturation varied). The winner by validation accuracy is our recipe's augmentation.

# %%
levels = {"none": data.NO_AUGMENT, "crop + flip": data.CROP_FLIP,
          "crop + flip + cutout + colour jitter": data.Augment(crop_padding=4, flip=True,
                                                               cutout=cutout, jitter=jitter)}
our_base = recipes.our_recipe(our_epochs, lr=our_lr, batch_size=our_batch_size,
                              lr_scales={"backbone": backbone_lr_scale} if setting["weights"]
                              else None)
augmentation_rows = []
for number, (level, augment) in enumerate(levels.items(), start=1):
    trial = experiments.train_model(
        run, results, label=f"augmentation_{number}", model="mobilenet_v3_small",
        splits=fine_splits, recipe=our_base.changed(name="augmentation study",
                                                    epochs=augmentation_epochs, augment=augment),
        dataset="CIFAR-100", notes={"study": "augmentation", "level": level},
        heads={"fine": 100}, stem=setting["stem"], weights=setting["weights"], **inputs)
    augmentation_rows.append({"level": level, "val_acc": trial.row["val_acc"],
                              "test_acc": trial.row["test_acc"]})
augmentation = pd.DataFrame(augmentation_rows)
chosen_level = default_augmentation or augmentation.loc[augmentation["val_acc"].idxmax(), "level"]
if chosen_level not in levels:
    raise ValueError(f"default_augmentation {chosen_level!r} is not one of {list(levels)}")
report.table(augmentation, f"fine100 after {augmentation_epochs} epochs of our recipe, by "
             "augmentation level")
report.text(f"**Our recipe's augmentation: {chosen_level}.**")

# %% [markdown]
# ## The four models, two recipes each
#
# One backbone for all; each head is MobileNetV3-Small's own classifier shape (576 -> 1,024 ->
# classes). **The seed's recipe**: its network at the native 32 x 32 input, Adam with learning rate
# 0.001 cut tenfold when the validation loss stalls, batch 128, up to 60 epochs, early stopping with
# patience 8, crops and flips. **Ours**: the chosen input, the chosen augmentation, SGD with a
# warm-up and cosine schedule, label smoothing, test-time flips.
#
# - **coarse20**: one head, 20 superclasses; **fine100**: one head, 100 classes;
# - **multihead_subset** (the seed's): heads for the 50 classes and 10 superclasses of superclasses
#   0-9, loss = CE(fine) + CE(coarse);
# - **multihead** (beyond the seed): heads for all 100 classes and 20 superclasses, directly
#   comparable with coarse20 and fine100.

# %%
seed_recipe = recipes.seed_recipe(epochs, lr=lr, batch_size=batch_size, schedule="plateau",
                                  augment=data.CROP_FLIP, patience=patience or None)
our_recipe = our_base.changed(augment=levels[chosen_level])
report.table(pd.DataFrame([{"recipe": r.name, "input": option, "how": r.describe()} for r, option
                           in ((seed_recipe, "native 32, ImageNet strides"),
                               (our_recipe, chosen))]), "The two recipes")
plans = {
    "coarse20": (splits.with_targets("coarse"), {"coarse": 20}),
    "fine100": (fine_splits, {"fine": 100}),
    "multihead": (splits.with_targets("both"), {"fine": 100, "coarse": 20}),
    "multihead_subset": (subset_splits.with_targets("both"),
                         {"fine": len(subset.classes), "coarse": len(subset.coarse_classes)}),
}
trained = {}
for label, (model_splits, heads) in plans.items():
    trained[label, "seed"] = experiments.train_model(
        run, results, label=label, model="mobilenet_v3_small", splits=model_splits,
        recipe=seed_recipe, dataset="CIFAR-100", notes={"input": "native 32, ImageNet strides"},
        heads=heads)
    trained[label, "ours"] = experiments.train_model(
        run, results, label=label, model="mobilenet_v3_small", splits=model_splits,
        recipe=our_recipe, dataset="CIFAR-100", notes={"input": chosen}, heads=heads,
        stem=setting["stem"], weights=setting["weights"], **inputs)

# %% [markdown]
# ## Training curves
#
# Loss is the sum over a model's heads; the accuracy shown is the first head's (fine for the
# two-head models).

# %%
for (label, recipe), experiment in trained.items():
    plots.history_curves(experiment.history, f"{label}, {recipe} recipe")
    plt.show()

# %% [markdown]
# ## Superclasses: classification reports and confusion matrices (our recipe)

# %%
coarse_heads = {"coarse20": (trained["coarse20", "ours"].test, cifar100.coarse_classes),
                "multihead, coarse head": (trained["multihead", "ours"].heads["coarse"],
                                           cifar100.coarse_classes),
                "multihead_subset, coarse head": (trained["multihead_subset", "ours"].heads["coarse"],
                                                  subset.coarse_classes)}
for label, (predictions, names) in coarse_heads.items():
    report.classification_report(predictions, names, f"{label}: classification report, test")
    plots.confusion_heatmap(evaluation.confusion(predictions, len(names)), names,
                            f"{label}: confusion matrix (test set)")
    plt.show()

# %% [markdown]
# ## Classes: per-class summary and confusion matrices ordered by superclass (our recipe)
#
# A 100-row report does not read well in a PDF: the table summarises it (the full reports are in
# `results/reports/`) and the confusion matrices are ordered by superclass, so that confusions
# between classes of the same superclass show as blocks along the diagonal.

# %%
fine_heads = {"fine100": (trained["fine100", "ours"].test, cifar100.classes, fine_to_coarse,
                          cifar100.coarse_classes),
              "multihead, fine head": (trained["multihead", "ours"].heads["fine"],
                                       cifar100.classes, fine_to_coarse, cifar100.coarse_classes),
              "multihead_subset, fine head": (trained["multihead_subset", "ours"].heads["fine"],
                                              subset.classes, subset_splits.fine_to_coarse(),
                                              subset.coarse_classes)}
summaries = []
for label, (predictions, names, grouping, group_names) in fine_heads.items():
    matrix = evaluation.confusion(predictions, len(names))
    report_file = run.layout.classification_report(
        f"06_{label.replace(', ', '_').replace(' ', '_')}")
    report_file.parent.mkdir(parents=True, exist_ok=True)
    evaluation.report_frame(predictions, names).to_csv(report_file)
    summary = evaluation.per_class_summary(evaluation.per_class_accuracy(matrix, names))
    summaries.append({"model": label, "top-1": predictions.accuracy(),
                      "top-5": predictions.top_k_accuracy(5), "mean per class": summary["mean"],
                      "std per class": summary["std"], "worst classes": ", ".join(summary["worst"]),
                      "best classes": ", ".join(summary["best"])})
    plots.confusion_by_superclass(matrix, grouping.tolist(), group_names,
                                  f"{label}: confusion matrix (test set, %), ordered by superclass")
    plt.show()
report.table(pd.DataFrame(summaries), "Fine-class test accuracy: summary of the per-class report")

# %% [markdown]
# ## From classes to superclasses (seed 004)
#
# Four ways to turn fine100's probabilities (our recipe) into a superclass prediction, next to the
# two models that predict superclasses directly, all on the same test images. The validation
# weighting uses fine100's accuracy on each class of one half of the validation split; the other
# half chooses the mapping, so that no choice is made on a test figure.

# %%
fine100 = trained["fine100", "ours"]
val_loader = data.make_loaders(fine_splits, run, batch_size=our_batch_size, **inputs)[1]
val_predictions = evaluation.predict(fine100.model, val_loader, our_recipe.tta)
# the validation images in two halves: the weights from one, the choice of mapping on the other
weighting, choosing = (evaluation.Predictions(val_predictions.logits[half::2],
                                              val_predictions.labels[half::2]) for half in (0, 1))
fine_weights = torch.tensor(evaluation.per_class_accuracy(
    evaluation.confusion(weighting, 100), cifar100.classes).to_numpy(), dtype=torch.float32)
mapping_rows = [{"method": f"fine100 -> {name}", "how": how,
                 "val accuracy": superclasses.coarse_predictions(
                     choosing, fine_to_coarse, name, fine_weights).accuracy(),
                 "accuracy": superclasses.coarse_predictions(
                     fine100.test, fine_to_coarse, name, fine_weights).accuracy()}
                for name, how in superclasses.MAPPINGS.items()]
mapping_rows += [
    {"method": "coarse20 model", "how": "trained for the 20 superclasses",
     "accuracy": trained["coarse20", "ours"].test.accuracy()},
    {"method": "multihead, coarse head", "how": "second head of the 100 + 20 model",
     "accuracy": trained["multihead", "ours"].heads["coarse"].accuracy()},
]
mappings = pd.DataFrame(mapping_rows)
chosen_mapping = mappings.loc[mappings["val accuracy"].idxmax()]
report.table(mappings.rename(columns={"accuracy": "test accuracy"}),
             "Superclass accuracy, six ways (our recipe): the mapping is chosen on the "
             "validation images not used for its weights, the test column reports")
plots.mapping_bars(mappings, "Superclass test accuracy by method");

# %% [markdown]
# ## Results against the seed

# %%
rows = [experiment.row for experiment in trained.values()]
report.results_table(rows, "CIFAR-100 test set (first head; coarse head beside it)",
                     extra={"test_top5": "top-5", "test_acc_coarse": "coarse head acc"})
report.seed_comparison(rows, "Our figures beside seed 000's")
comparison = significance.compare_recipes({label: (trained[label, "seed"].test,
                                                   trained[label, "ours"].test)
                                           for label in plans})
report.recipe_comparison(comparison)
report.recipes_chart(rows, "CIFAR-100 with MobileNetV3-Small: test accuracy by recipe")

# %% [markdown]
# ## Conclusion

# %%
by_method = mappings.set_index("method")["accuracy"]
by_option = ablation.set_index("option")["val_acc"]
ours = {label: trained[label, "ours"].row for label in plans}
report.bullets([
    f"Input: *{chosen}* gave fine100 {by_option[chosen]:.1%} validation accuracy after "
    f"{ablation_epochs} epochs, against {by_option.iloc[0]:.1%} for the seed's native 32 x 32 "
    "input.",
    f"Augmentation: *{chosen_level}* was best ({augmentation.set_index('level').loc[chosen_level, 'val_acc']:.1%} "
    f"validation accuracy; no augmentation {augmentation['val_acc'].iloc[0]:.1%}).",
    *sentences.seed_figure_sentences(trained[label, "seed"].row for label in plans),
    *sentences.recipe_sentences(comparison),
    *(sentences.goal_sentence(ours[label]) for label in ("fine100", "coarse20")),
    f"Two heads or one: on all 100 + 20 classes the two-head model's fine head reached "
    f"{ours['multihead']['test_acc']:.1%} (fine100: {ours['fine100']['test_acc']:.1%}) and its "
    f"coarse head {ours['multihead']['test_acc_coarse']:.1%} (coarse20: "
    f"{ours['coarse20']['test_acc']:.1%}), with one backbone instead of two.",
    f"Fine to coarse: validation chose *{chosen_mapping['method']}* "
    f"({chosen_mapping['val accuracy']:.1%} on the validation images not used for its weights); "
    f"on the test images it reached {chosen_mapping['accuracy']:.1%}"
    + ("" if chosen_mapping["method"] == "fine100 -> argmax" else
       f", {100 * (chosen_mapping['accuracy'] - by_method['fine100 -> argmax']):+.1f} points "
       "against mapping fine100's argmax")
    + f", {100 * (chosen_mapping['accuracy'] - by_method['coarse20 model']):+.1f} points against "
    "the coarse20 model.",
])
