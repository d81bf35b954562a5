# %% [markdown]
# # 06 · CIFAR-100's two levels: superclasses, classes, two heads and fine-to-coarse mapping
#
# CIFAR-100's 100 classes come in 20 superclasses of five (notebook 01). Source report 000 trained
# torchvision's **MobileNetV3-Small** three ways - for the 20 superclasses (*coarse20*), for the 100
# classes (*fine100*), and with **two heads** on one backbone, trained on the sum of both
# cross-entropies - and reached 44 % and 31 % test accuracy. Source report 004 asked a related question: can a
# 100-class model predict the superclasses by post-processing its probabilities, and which way of
# mapping works best?
#
# The notebook first finds out why the source report's numbers are low - MobileNetV3-Small shrinks
# a 32 x 32 image to a single 1 x 1 position before classifying it - and compares remedies in a
# short ablation; then it compares the augmentation levels that source reports 003 and 004 planned.
# The winners, chosen on validation accuracy, set up **our recipe**. Every model is trained with
# **the source recipe** (the report's training: its network and input,
# Adam with a rate cut on plateaus, light augmentation) and with ours, and four fine-to-coarse
# mappings are compared with the models trained for the superclasses directly.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from checkpoints (run_all.sh --resume)
batch_size = 128  # images per step, source recipe (as in the source report)
lr = 0.001  # Adam learning rate, source recipe (as in the source report)
epochs = 60  # the most epochs of the source recipe (the source report allowed 60)
patience = 8  # early stopping of the source recipe on validation loss (as in the source report), 0 for never
ablation_epochs = 15  # epochs of each input option in the ablation
upsample_size = 128  # input side when upsampling (4 x 4 final maps with ImageNet strides)
large_upsample_size = 160  # a larger input side for the ImageNet weights, also in the ablation
default_option = ""  # empty: the ablation's best option by validation accuracy, else its name
backbone_lr_scale = 0.1  # a pretrained backbone learns at this fraction of the head's rate
augmentation_epochs = 15  # epochs of each level of the augmentation study
cutout = 8  # side in pixels of the cutout square, strongest augmentation level
jitter = 0.2  # colour jitter (brightness, contrast, saturation +- this), strongest level
default_augmentation = ""  # empty: the study's best level by validation accuracy, else its name
our_epochs = 40  # epochs of our recipe
our_batch_size = 256  # images per step, our recipe
our_lr = 0.1  # peak SGD learning rate, our recipe
subset_superclasses = 10  # superclasses 0 to this minus 1 for the source report's two-head model

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd
import torch

from helpers import data, diagnostics, evaluation, experiments, models, plots, recipes, report
from helpers import sentences, significance, superclasses

run, results = report.start(NOTEBOOK, profile=profile, device=device, seed=seed,
                            data_root=data_root, pretrained=True, resume=resume)

# %% [markdown]
# ## Data
#
# The project's fixed split of CIFAR-100 (40,000 / 10,000 / 10,000 on the real data, as in the
# source report),
# normalised by the training split's channel statistics (ImageNet's for ImageNet weights). The
# source report's two-head model uses the subset of superclasses 0-9 and their 50 classes
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
# source report's optimiser and augmentation:
#
# - **native 32, ImageNet strides**: the source report's setting;
# - **upsampled**: the image resized on the device, so the last map is larger (same network);
# - **CIFAR stem**: the stem convolution and the first block keep stride 1 (the network downsamples
#   by 8), so a 32 x 32 image ends as 4 x 4 - the same map as upsampling to 128, without resizing;
# - **ImageNet weights, upsampled**: the pretrained network at an input size nearer its own, with
#   ImageNet's normalisation and its backbone learning ten times slower than the new head; at
#   `upsample_size` and at the larger `large_upsample_size` (1.6 times the pixels of 128), which
#   costs more per epoch and is kept only if validation says it pays.

# %% tags=["hide-input"]
options = {
    "native 32, ImageNet strides": {"stem": "imagenet", "resize": None, "weights": None},
    f"upsampled to {upsample_size}": {"stem": "imagenet", "resize": upsample_size, "weights": None},
    "CIFAR stem (strides 1)": {"stem": "cifar", "resize": None, "weights": None},
    f"ImageNet weights, upsampled to {upsample_size}": {
        "stem": "imagenet", "resize": upsample_size, "weights": run.pretrained_weights},
    f"ImageNet weights, upsampled to {large_upsample_size}": {
        "stem": "imagenet", "resize": large_upsample_size, "weights": run.pretrained_weights},
}
ablation_recipe = recipes.source_recipe(ablation_epochs, lr=lr, batch_size=batch_size,
                                      schedule="plateau", augment=data.CROP_FLIP,
                                      patience=patience or None).changed(name="input ablation")
ablation_rows = []
for option, setting in options.items():
    trial = experiments.train_model(
        run, results, label=f"fine100 (input: {option})", model="mobilenet_v3_small",
        splits=fine_splits,
        recipe=ablation_recipe.changed(
            lr_scales={"backbone": backbone_lr_scale} if setting["weights"] else {}),
        dataset="CIFAR-100", resize=setting["resize"],
        stats=imagenet if setting["weights"] else None,
        notes={"study": "input", "option": option}, heads={"fine": 100}, stem=setting["stem"],
        weights=setting["weights"])
    side = models.output_side(setting["stem"], setting["resize"] or 32)
    ablation_rows.append({"option": option, "final map": f"{side} x {side}",
                          "val acc": trial.row["val_acc"], "test acc": trial.row["test_acc"],
                          "seconds per epoch": trial.history.seconds / trial.history.epochs_run})
ablation = pd.DataFrame(ablation_rows)
chosen = default_option or ablation.loc[ablation["val acc"].idxmax(), "option"]
if chosen not in options:
    raise ValueError(f"default_option {chosen!r} is not one of {list(options)}")
setting = options[chosen]
inputs = {"resize": setting["resize"], "stats": imagenet if setting["weights"] else None}
report.table(ablation, f"fine100 after {sentences.count(ablation_epochs, 'epoch')}, by input "
             "option")
report.text(f"**Chosen for our recipe: {chosen}** ("
            + (sentences.chosen_among(dict(zip(ablation["option"], ablation["val acc"])), chosen,
                                     "validation accuracy")
               if not default_option else "set by the default_option parameter") + ").")

# %% [markdown]
# ## How much augmentation?
#
# Source reports 003 and 004 planned augmentation in levels. Three levels, each training fine100 by our
# recipe for the same short budget with the chosen input: **none**; **crop + flip**; and **crop +
# flip + cutout + colour jitter** (a square of the image blanked out, brightness, contrast and
# saturation varied). The winner by validation accuracy is our recipe's augmentation.

# %% tags=["hide-input"]
levels = {"none": data.NO_AUGMENT, "crop + flip": data.CROP_FLIP,
          "crop + flip + cutout + colour jitter": data.Augment(crop_padding=4, flip=True,
                                                               cutout=cutout, jitter=jitter)}
our_base = recipes.our_recipe(our_epochs, lr=our_lr, batch_size=our_batch_size,
                              lr_scales={"backbone": backbone_lr_scale} if setting["weights"]
                              else None)
augmentation_rows = []
for level, augment in levels.items():
    trial = experiments.train_model(
        run, results, label=f"fine100 (augmentation: {level})", model="mobilenet_v3_small",
        splits=fine_splits, recipe=our_base.changed(name="augmentation study",
                                                    epochs=augmentation_epochs, augment=augment),
        dataset="CIFAR-100", notes={"study": "augmentation", "level": level},
        heads={"fine": 100}, stem=setting["stem"], weights=setting["weights"], **inputs)
    augmentation_rows.append({"level": level, "val acc": trial.row["val_acc"],
                              "test acc": trial.row["test_acc"]})
augmentation = pd.DataFrame(augmentation_rows)
chosen_level = default_augmentation or augmentation.loc[augmentation["val acc"].idxmax(), "level"]
if chosen_level not in levels:
    raise ValueError(f"default_augmentation {chosen_level!r} is not one of {list(levels)}")
report.table(augmentation, f"fine100 after {sentences.count(augmentation_epochs, 'epoch')} of our "
             "recipe, by augmentation level")
report.text(f"**Our recipe's augmentation: {chosen_level}.**")

# %% [markdown]
# ## The four models, two recipes each
#
# One backbone for all; each head is MobileNetV3-Small's own classifier shape (576 -> 1,024 ->
# classes). **The source recipe**: its network at the native 32 x 32 input, Adam with learning rate
# 0.001 cut tenfold when the validation loss stalls, batch 128, up to 60 epochs, early stopping with
# patience 8, crops and flips. **Ours**: the chosen input, the chosen augmentation, SGD with a
# warm-up and cosine schedule, label smoothing, test-time flips.
#
# - **coarse20**: one head, 20 superclasses; **fine100**: one head, 100 classes;
# - **multihead_subset** (the source report's): heads for the 50 classes and 10 superclasses of
#   superclasses 0-9, loss = CE(fine) + CE(coarse);
# - **multihead** (beyond the source report): heads for all 100 classes and 20 superclasses, directly
#   comparable with coarse20 and fine100.

# %% tags=["hide-input"]
source_recipe = recipes.source_recipe(epochs, lr=lr, batch_size=batch_size, schedule="plateau",
                                  augment=data.CROP_FLIP, patience=patience or None)
our_recipe = our_base.changed(augment=levels[chosen_level])
report.table(pd.DataFrame([{"recipe": r.name, "input": option, "how": r.describe()} for r, option
                           in ((source_recipe, "native 32, ImageNet strides"),
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
    trained[label, "source"] = experiments.train_model(
        run, results, label=label, model="mobilenet_v3_small", splits=model_splits,
        recipe=source_recipe, dataset="CIFAR-100", notes={"input": "native 32, ImageNet strides"},
        heads=heads)
    trained[label, "ours"] = experiments.train_model(
        run, results, label=label, model="mobilenet_v3_small", splits=model_splits,
        recipe=our_recipe, dataset="CIFAR-100", notes={"input": chosen}, heads=heads,
        stem=setting["stem"], weights=setting["weights"], **inputs)

# %% [markdown]
# ## Diagnostics
#
# Accuracy per epoch of every training (the first head's: fine for the two-head models), the
# superclass confusion matrices of the two models that predict all 20 superclasses, and fine100's
# confusion matrix with the classes ordered by superclass, so that confusions between classes of the
# same superclass show as blocks along the diagonal (our recipe). The classification reports are in
# the appendix, the 100-class ones summarised.

# %% tags=["hide-input"]
plots.curves_grid({f"{label}, {recipes.recipe_label(recipe)}": e.history
                   for (label, recipe), e in trained.items()}, "CIFAR-100: accuracy per epoch",
                  columns=4)
plt.show()
coarse_heads = {"coarse20": (trained["coarse20", "ours"].test, cifar100.coarse_classes),
                "multihead, coarse head": (trained["multihead", "ours"].heads["coarse"],
                                           cifar100.coarse_classes),
                "multihead_subset, coarse head": (trained["multihead_subset", "ours"].heads["coarse"],
                                                  subset.coarse_classes)}
plots.confusion_grid({label: evaluation.confusion(predictions, 20)
                      for label, (predictions, names) in coarse_heads.items() if len(names) == 20},
                     cifar100.coarse_classes, "Superclasses, our recipe: confusion matrices (test set)",
                     columns=2)
plt.show()
fine_matrix = evaluation.confusion(trained["fine100", "ours"].test, 100)
plots.confusion_by_superclass(fine_matrix, fine_to_coarse.tolist(), cifar100.coarse_classes,
                              "fine100, our recipe: confusion matrix (test set, %), ordered by "
                              "superclass");

# %% tags=["hide-input"]
fine_heads = {"fine100": (trained["fine100", "ours"].test, cifar100.classes, fine_to_coarse,
                          cifar100.coarse_classes),
              "multihead, fine head": (trained["multihead", "ours"].heads["fine"],
                                       cifar100.classes, fine_to_coarse, cifar100.coarse_classes),
              "multihead_subset, fine head": (trained["multihead_subset", "ours"].heads["fine"],
                                              subset.classes, subset_splits.fine_to_coarse(),
                                              subset.coarse_classes)}
summaries = []
for label, (predictions, names, _, _) in fine_heads.items():
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
report.table(pd.DataFrame(summaries), "Fine-class test accuracy, our recipe: summary of the "
             "per-class reports (in full: the results folder's reports/)")

# %% [markdown]
# ### How bad are the mistakes?
#
# A maple taken for an oak is a better mistake than a maple taken for a lorry. For each fine-class
# model and recipe: the share of its wrong answers that stay inside the true class's superclass,
# beside its accuracy and the share a mistake drawn at random would reach (the results files keep
# it as `test_errors_in_superclass`).

# %% tags=["hide-input"]
severity_rows = []
for label, head in [("fine100", "main"), ("multihead", "fine"), ("multihead_subset", "fine")]:
    mapping = subset_splits.fine_to_coarse() if label == "multihead_subset" else fine_to_coarse
    for recipe in (recipes.SOURCE, recipes.OURS):
        experiment = trained[label, recipe]
        predictions = experiment.heads.get(head, experiment.test)
        inside = superclasses.errors_inside_superclass(predictions, mapping)
        results.add({**experiment.row, "test_errors_in_superclass": inside})
        severity_rows.append({"model": label, "recipe": recipes.recipe_label(recipe),
                              "fine-class accuracy": predictions.accuracy(),
                              "mistakes inside the true superclass": inside,
                              "by chance": superclasses.chance_inside_superclass(mapping)})
severity = pd.DataFrame(severity_rows)
report.table(severity, "How bad the mistakes are: wrong fine-class answers that stay inside the "
             "true superclass (test set)", formats={"mistakes inside the true superclass":
                                                    "percent", "by chance": "percent"})

# %% [markdown]
# ## From classes to superclasses (source report 004)
#
# Four ways to turn fine100's probabilities (our recipe) into a superclass prediction, next to the
# two models that predict superclasses directly, all on the same test images. The validation
# weighting uses fine100's accuracy on each class of one half of the validation split; the other
# half chooses the mapping (a tie goes to the first listed), so that no choice is made on a test
# figure.

# %% tags=["hide-input"]
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
             "validation images not used for its weights; the test column reports the outcome")
plots.mapping_bars(mappings, "Superclass test accuracy by method");

# %% [markdown]
# ## What the input bought, and what the training bought
#
# Our recipe changes two things at once: the training and the input (the ablation's choice, with
# ImageNet weights where they won). fine100 is therefore trained a third time, by the source recipe
# on our input and weights (the **input control**; a pretrained backbone learns at the same
# fraction of the head's rate as in ours). The source recipe against the control measures what the
# input bought; the control against our recipe, what the training bought - on the same test images
# (McNemar's test).

# %% tags=["hide-input"]
input_control = experiments.train_model(
    run, results, label="fine100", model="mobilenet_v3_small", splits=fine_splits,
    recipe=source_recipe.changed(name=recipes.OUR_INPUT, lr_scales=our_recipe.lr_scales),
    dataset="CIFAR-100", notes={"input": chosen}, heads={"fine": 100}, stem=setting["stem"],
    weights=setting["weights"], **inputs)
separated = significance.input_and_training({"fine100": {
    recipes.SOURCE: trained["fine100", recipes.SOURCE].test, recipes.OUR_INPUT: input_control.test,
    recipes.OURS: trained["fine100", recipes.OURS].test}},
    {"fine100": f"to {chosen}"})
report.recipe_comparison(separated, "fine100: what the input and what the training (test-time "
                         "views included) bought (McNemar's test)",
                         names=("accuracy before", "accuracy after"))

# %% [markdown]
# ## Results
#
# Every model by both recipes on the same test images, and McNemar's test of each pair (for
# fine100, the section above splits the difference into input and training).

# %% tags=["hide-input"]
rows = [experiment.row for experiment in trained.values()]
report.results_table(rows, "CIFAR-100 test set (first head; coarse head beside it)",
                     extra={"test_top5": "top-5", "test_acc_coarse": "coarse head acc"})
comparison = significance.compare_recipes({label: (trained[label, "source"].test,
                                                   trained[label, "ours"].test)
                                           for label in plans})
report.recipe_comparison(comparison)
report.recipes_chart(rows, "CIFAR-100 with MobileNetV3-Small: test accuracy by recipe")

# %% tags=["findings"]
by_method = mappings.set_index("method")["accuracy"]
ours = {label: trained[label, "ours"].row for label in plans}
argmax = "fine100 -> argmax"
report.findings(rows, [
    f"Input of our recipe, chosen on validation: *{chosen}*. Of the "
    f"{sentences.count(len(ablation), 'option')}, "
    + sentences.best_of(dict(zip(ablation["option"], ablation["val acc"])), "validation accuracy")
    + f". Augmentation: *{chosen_level}*; "
    + sentences.best_of(dict(zip(augmentation["level"], augmentation["val acc"])),
                        "validation accuracy") + ".",
    sentences.recipe_tally(comparison),
    *sentences.input_and_training_sentences(separated),
    f"Two heads or one: on all 100 + 20 classes the two-head model's fine head reached "
    f"{ours['multihead']['test_acc']:.1%} (fine100: {ours['fine100']['test_acc']:.1%}) and its "
    f"coarse head {ours['multihead']['test_acc_coarse']:.1%} (coarse20: "
    f"{ours['coarse20']['test_acc']:.1%}), with one backbone instead of two.",
    "Fine to coarse, on the validation images not used for its weights: " + sentences.best_of(
        mappings.dropna(subset=["val accuracy"]).set_index("method")["val accuracy"].to_dict(),
        "validation accuracy")
    + f"; the run used *{chosen_mapping['method']}*, which reached "
    f"{chosen_mapping['accuracy']:.1%} on the test images"
    + ("" if chosen_mapping["method"] == argmax else
       ", " + sentences.against(chosen_mapping["accuracy"] - by_method[argmax],
                                "mapping fine100's argmax"))
    + ", " + sentences.against(chosen_mapping["accuracy"] - by_method["coarse20 model"],
                               "the coarse20 model") + ".",
    sentences.calibration_sentence(results.rows, "fine100"),
    "How bad the mistakes are: of fine100's wrong answers, " + " and ".join(
        f"{sentences.percent(share)} with {sentences.recipe_words(recipe)}"
        for recipe, share in zip((recipes.SOURCE, recipes.OURS), severity.loc[
            severity["model"] == "fine100", "mistakes inside the true superclass"]))
    + " stay inside the true superclass (a mistake drawn at random: "
    + f"{sentences.percent(severity['by chance'].iloc[0])}).",
])

# %% tags=["appendix"]
for label, (predictions, names) in coarse_heads.items():
    diagnostics.classification_report(predictions, names,
                                      f"{label}: classification report, test set")
for label, (predictions, names, grouping, group_names) in fine_heads.items():
    if label != "fine100":
        plots.confusion_by_superclass(evaluation.confusion(predictions, len(names)),
                                      grouping.tolist(), group_names,
                                      f"{label}: confusion matrix (test set, %), ordered by "
                                      "superclass")
        plt.show()
