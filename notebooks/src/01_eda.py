# %% [markdown]
# # 01 · Exploratory data analysis: CIFAR-10, CIFAR-100 and EuroSAT
#
# Before training anything we look at the three data sets the course uses: what the images look
# like, how many there are of each class, and the per-channel statistics that every later notebook
# normalises with. CIFAR-10 comes first (notebooks 02 and 03), then CIFAR-100 and its 20 x 5 class
# hierarchy (notebooks 06 and 07), then EuroSAT (notebooks 04 and 05).
#
# All splits are the project's fixed ones (stratified, seeded, the same in every notebook), so the
# numbers here are the numbers the models see.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # seeds the random choice of the images shown
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
images_per_class = 8  # images per row in the sample grids

# %% tags=["hide-input"]
import pandas as pd

from helpers import data, plots, report, sentences

run, _ = report.start(NOTEBOOK, profile=profile, device=device, seed=seed, data_root=data_root,
                      trains=False)

# %% [markdown]
# ## CIFAR-10
#
# 60,000 colour images of 32 x 32 pixels in 10 classes: 50,000 for training, of which the project
# keeps a stratified tenth for validation, and the official 10,000 for testing.

# %%
cifar10 = data.load_dataset("cifar10", run)
cifar10_splits = data.standard_splits("cifar10", cifar10)
report.table(data.class_counts({"train": cifar10_splits.train, "validation": cifar10_splits.val,
                                "test": cifar10_splits.test}, cifar10.classes).T,
             "CIFAR-10: images per class in the project's splits", index=True)

# %%
plots.image_grid(data.samples_per_class(cifar10.train, images_per_class, seed), cifar10.classes,
                 images_per_class, title="CIFAR-10: random training images of every class");

# %% [markdown]
# ### Class balance
#
# A balanced data set means plain accuracy is a fair summary and no class weighting is needed.

# %% tags=["hide-input"]
cifar10_counts = data.class_counts({"train": cifar10.train, "test": cifar10.test}, cifar10.classes)
plots.class_counts(cifar10_counts, "CIFAR-10: images per class in the official train and test sets");
ratio = cifar10_counts.max() / cifar10_counts.min()
report.text(
    f"Every class has {sentences.value_range(*cifar10_counts['train'].agg(['min', 'max']))} "
    f"images in the official training set and "
    f"{sentences.value_range(*cifar10_counts['test'].agg(['min', 'max']))} in the test set "
    f"(largest-to-smallest ratio {ratio['train']:.2f} in train, {ratio['test']:.2f} "
    "in test).")

# %% [markdown]
# ### Channel statistics
#
# The mean and standard deviation of each RGB channel, computed on the training split only (the
# validation and test images must not leak into preprocessing). The device loader of every later
# notebook normalises with exactly these values, computed the same way.

# %%
cifar10_mean, cifar10_std = data.channel_stats(cifar10_splits.train.images)
report.table(data.stats_table(cifar10_mean, cifar10_std),
             f"CIFAR-10 training split ({len(cifar10_splits.train):,} images), 0-1 scale",
             formats={"mean": "fraction", "std": "fraction"}, index=True)
plots.channel_histograms(cifar10_splits.train.images, "CIFAR-10 training split: pixel values");

# %% [markdown]
# ## CIFAR-100 and its class hierarchy
#
# The same 32 x 32 format with 100 fine classes, grouped into 20 superclasses of 5 classes each.
# Notebook 06 predicts both levels and compares ways of getting from one to the other; notebook 07
# uses the 100 fine classes.

# %%
cifar100 = data.load_dataset("cifar100", run)
cifar100_splits = data.standard_splits("cifar100", cifar100)
hierarchy = data.hierarchy_table(cifar100)
report.table(hierarchy.reset_index().rename(columns={"id": "superclass id"}),
             "CIFAR-100: the superclasses and their fine classes, read from the labels")

# %%
plots.image_grid(
    data.samples_per_class(cifar100.train, images_per_class, seed, labels=cifar100.train.coarse_labels),
    cifar100.coarse_classes, images_per_class,
    title="CIFAR-100: random training images of every superclass");

# %% tags=["hide-input"]
fine_counts = data.class_counts({"train": cifar100.train, "test": cifar100.test}, cifar100.classes)
subset = data.make_splits(data.superclass_subset(cifar100, range(10)), val_fraction=0.2)
report.text(
    f"Each of the {len(cifar100.classes)} fine classes has "
    f"{sentences.value_range(fine_counts['train'].min(), fine_counts['train'].max())} training and "
    f"{sentences.value_range(fine_counts['test'].min(), fine_counts['test'].max())} test images, and "
    f"every superclass holds "
    f"{sentences.value_range(hierarchy['classes'].min(), hierarchy['classes'].max())} fine classes. "
    f"The project's "
    f"splits: {cifar100_splits.sizes()['train']:,} / {cifar100_splits.sizes()['val']:,} / "
    f"{cifar100_splits.sizes()['test']:,} (train / validation / test) for all 100 classes, and "
    f"{subset.sizes()['train']:,} / {subset.sizes()['val']:,} / {subset.sizes()['test']:,} for the "
    f"subset of superclasses 0-9 ({len(subset.classes)} fine classes) used by the multi-head model.")

# %% [markdown]
# ## EuroSAT (RGB)
#
# Sentinel-2 satellite patches of 64 x 64 pixels in 10 land-use classes. There is no official test
# set and the classes are not balanced, so the project splits it stratified: 20 % for testing, 10 %
# for validation, the rest for training.

# %%
eurosat = data.load_dataset("eurosat", run)
eurosat_splits = data.standard_splits("eurosat", eurosat)
plots.image_grid(data.samples_per_class(eurosat.train, images_per_class, seed), eurosat.classes,
                 images_per_class, title="EuroSAT: random images of every class");

# %%
eurosat_counts = data.class_counts({"train": eurosat_splits.train, "validation": eurosat_splits.val,
                                    "test": eurosat_splits.test}, eurosat.classes)
plots.class_counts(eurosat_counts, "EuroSAT: images per class in the project's splits");
eurosat_mean, eurosat_std = data.channel_stats(eurosat_splits.train.images)
report.table(data.stats_table(eurosat_mean, eurosat_std), "EuroSAT training split, 0-1 scale",
             formats={"mean": "fraction", "std": "fraction"}, index=True)

# %% tags=["hide-input"]
total = eurosat_counts.sum(axis=1)
height, width = eurosat.train.images.shape[-2:]
test_share = eurosat_counts["test"] / total
report.text(
    f"EuroSAT has **{int(total.sum()):,}** images of {height} x {width} pixels. The largest class "
    f"({total.idxmax()}, {total.max():,}) has {total.max() / total.min():.1f} times the images of "
    f"the smallest ({total.idxmin()}, {total.min():,}); stratification keeps the test share of "
    f"every class at {sentences.value_range(test_share.min(), test_share.max(), sentences.percent)}, "
    f"{eurosat_counts['test'].sum():,} test images in all.")

# %% tags=["findings"]
overview = pd.DataFrame([
    {"data set": name, "classes": len(dataset.classes),
     "image side (pixels)": dataset_splits.train.images.shape[-1],
     "train": len(dataset_splits.train), "validation": len(dataset_splits.val),
     "test": len(dataset_splits.test)}
    for name, dataset, dataset_splits in (("CIFAR-10", cifar10, cifar10_splits),
                                          ("CIFAR-100", cifar100, cifar100_splits),
                                          ("EuroSAT", eurosat, eurosat_splits))])
balance = "balanced" if ratio["train"] == 1 else f"largest-to-smallest ratio {ratio['train']:.2f}"
report.findings_table(overview, [
    f"**CIFAR-10**: {len(cifar10.classes)} classes ({balance} in training); channel means "
    f"{', '.join(f'{m:.3f}' for m in cifar10_mean)} and standard deviations "
    f"{', '.join(f'{s:.3f}' for s in cifar10_std)} (R, G, B) on the training split.",
    f"**CIFAR-100**: {len(cifar100.classes)} fine classes in {len(cifar100.coarse_classes)} "
    f"superclasses of {sentences.value_range(hierarchy['classes'].min(), hierarchy['classes'].max())} "
    "classes each.",
    f"**EuroSAT**: {len(eurosat.classes)} classes of "
    f"{sentences.value_range(total.min(), total.max())} images, {height} x {width} pixels; the "
    "ImageNet models of notebooks 04 and 05 need it resized on the device.",
], "The three data sets in the project's splits (images per split)")
