# %% [markdown]
# # 01 · Exploratory data analysis: CIFAR-10, CIFAR-100 and EuroSAT
#
# Before training anything we look at the three data sets the course uses: what the images look
# like, how many there are of each class, and the per-channel statistics that the later notebooks
# normalise with wherever a model starts from random weights. CIFAR-10 comes first (notebooks 02 and 03), then CIFAR-100 and its 20 x 5 class
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
from helpers import data, plots, report

run, _ = report.start(NOTEBOOK, globals(), trains=False)

# %% [markdown]
# ## CIFAR-10
#
# The real CIFAR-10 is 60,000 colour images of 32 x 32 pixels in 10 classes: 50,000 for training,
# of which the project keeps a stratified tenth for validation, and the official 10,000 for testing
# (the table below gives this run's counts).

# %%
cifar10 = data.load_dataset("cifar10", run)
cifar10_splits = data.standard_splits("cifar10", cifar10)

# %% tags=["hide-input"]
report.table(data.class_counts({"train": cifar10_splits.train, "validation": cifar10_splits.val,
                                "test": cifar10_splits.test}, cifar10.classes).T,
             "CIFAR-10: images per class in the project's splits", index=True)
plots.image_grid(data.samples_per_class(cifar10.train, images_per_class, seed), cifar10.classes,
                 images_per_class, title="CIFAR-10: random training images of every class");

# %% [markdown]
# ### Class balance
#
# A balanced data set means plain accuracy is a fair summary and no class weighting is needed.

# %% tags=["hide-input"]
cifar10_counts = data.class_counts({"train": cifar10.train, "test": cifar10.test}, cifar10.classes)
plots.class_counts(cifar10_counts, "CIFAR-10: images per class in the official train and test sets");
report.text(report.studies.balance_sentence(cifar10_counts))

# %% [markdown]
# ### Channel statistics
#
# The mean and standard deviation of each RGB channel, computed on the training split only (the
# validation and test images must not leak into preprocessing). Every later model that starts
# from random weights is fed images normalised with exactly these values, computed the same way; a
# model that starts from ImageNet weights keeps ImageNet's normalisation, which its weights expect.

# %%
cifar10_mean, cifar10_std = data.channel_stats(cifar10_splits.train.images)

# %% tags=["hide-input"]
report.table(data.stats_table(cifar10_mean, cifar10_std),
             f"CIFAR-10 training split ({len(cifar10_splits.train):,} images): each channel's mean "
             "and standard deviation (std), 0-1 scale",
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

# %% tags=["hide-input"]
report.table(hierarchy.reset_index().rename(columns={"id": "superclass id"}),
             "CIFAR-100: the superclasses and their fine classes, read from the labels")
plots.image_grid(
    data.samples_per_class(cifar100.train, images_per_class, seed, labels=cifar100.train.coarse_labels),
    cifar100.coarse_classes, images_per_class,
    title="CIFAR-100: random training images of every superclass");

# %% tags=["hide-input"]
subset = data.make_splits(data.superclass_subset(cifar100, range(10)), val_fraction=0.2)
report.text(report.studies.hierarchy_sentence(cifar100, hierarchy, cifar100_splits, subset))

# %% [markdown]
# ## EuroSAT (RGB)
#
# Sentinel-2 satellite patches of 64 x 64 pixels in 10 land-use classes. There is no official test
# set and the classes are not balanced, so the project splits it stratified: 20% for testing, 10%
# for validation, the rest for training.

# %%
eurosat = data.load_dataset("eurosat", run)
eurosat_splits = data.standard_splits("eurosat", eurosat)
eurosat_counts = data.class_counts({"train": eurosat_splits.train, "validation": eurosat_splits.val,
                                    "test": eurosat_splits.test}, eurosat.classes)
eurosat_mean, eurosat_std = data.channel_stats(eurosat_splits.train.images)

# %% tags=["hide-input"]
plots.image_grid(data.samples_per_class(eurosat.train, images_per_class, seed), eurosat.classes,
                 images_per_class, title="EuroSAT: random images of every class");

# %% tags=["hide-input"]
plots.class_counts(eurosat_counts, "EuroSAT: images per class in the project's splits");
report.table(data.stats_table(eurosat_mean, eurosat_std),
             "EuroSAT training split: each channel's mean and standard deviation (std), 0-1 scale",
             formats={"mean": "fraction", "std": "fraction"}, index=True)

# %% tags=["hide-input"]
report.text(report.studies.eurosat_sentence(eurosat, eurosat_counts))

# %% tags=["findings"]
report.conclusions.eda({"CIFAR-10": (cifar10, cifar10_splits), "CIFAR-100": (cifar100, cifar100_splits),
                        "EuroSAT": (eurosat, eurosat_splits)}, cifar10_counts, hierarchy, eurosat_counts)
