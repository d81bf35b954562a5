# %% [markdown]
# # 02 · The baseline CNN on CIFAR-10, and the training loop
#
# The starting point of every comparison that follows: a deliberately small convolutional network
# (three convolutional layers with 8, 32 and 16 filters, max pooling and a fully connected head).
# This notebook does three things:
#
# 1. it shows **the training loop** every model of the project trains with - one epoch of training
#    and one evaluation, as real code - and what `fit` adds around it;
# 2. it trains the baseline with **the source recipe**, the training of source report 002 (Adam,
#    learning rate 0.001, no augmentation; the report trained 25 epochs, and the recipes table
#    below gives this run's), whose figure should land near the report's 58%;
# 3. it trains the same network with **our recipe** (augmentation, SGD with a warm-up and a cosine
#    schedule, label smoothing, gradient clipping, test-time flips) and measures what that buys.
#
# Each recipe is trained with several **random seeds** (a seed sets the initial weights, the batch
# order and the augmentation draws), so that a difference can be told from the run-to-run spread.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the first random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from their checkpoints (a resumed run)
epochs = 25  # epochs of the source recipe (the source report trained 25)
batch_size = 64  # images per step, source recipe
lr = 0.001  # Adam learning rate, source recipe
our_epochs = 30  # epochs of our recipe
our_batch_size = 256  # images per step, our recipe (halved, to 32 at least, while under 500 steps)
our_lr = 0.1  # peak SGD learning rate, our recipe
seeds = 3  # random seeds of each recipe, for means and intervals
misclassified_examples = 24  # test images shown in the gallery of mistakes

# %% tags=["hide-input"]
from helpers import data, diagnostics, evaluation, experiments, models, optim, recipes, report
from helpers import stats, training

run, results = report.start(NOTEBOOK, globals())

# %% [markdown]
# ## Data
#
# The project's fixed CIFAR-10 split (the official test set, a stratified tenth of the training
# images for validation), normalised with the training split's channel statistics (notebook 01).
# The source recipe has no augmentation.

# %%
cifar10 = data.load_dataset("cifar10", run)
splits = data.standard_splits("cifar10", cifar10)
train_loader, val_loader, test_loader = data.make_loaders(splits, run, batch_size=batch_size)
report.text(report.split_sizes(splits, "CIFAR-10"))

# %% [markdown]
# ## The model
#
# The source report names only the filter counts. Our choices, kept as small as the original:
# 3 x 3 convolutions with padding 1, ReLU and 2 x 2 max pooling after each (32 -> 16 -> 8 -> 4
# pixels), then a hidden layer of 64 units and the 10-way output.

# %%
model = models.build_model("baseline_cnn", device=run.device)

# %% tags=["hide-input"]
report.layers_table(model, (3, 32, 32), "The baseline CNN, layer by layer, for one 32 x 32 image")

# %% [markdown]
# ## The training loop
#
# Training is a loop over epochs; one epoch is a loop over batches. For each batch: switch the
# model to training mode (dropout on, batch norm learning), run it forward, measure the loss, clear
# the old gradients, backpropagate, and let the optimiser take a step. Evaluation runs the model in
# evaluation mode without gradients and only measures. This is the code every model of the project
# trains with, exactly as the package runs it:

# %% tags=["hide-input"]
report.show_source(training.train_epoch, training.validate)

# %% [markdown]
# Beyond the textbook loop, `train_epoch` does three things. On a GPU, `autocast` runs the
# forward pass in 16-bit precision and the `scaler` scales the loss so that 16-bit gradients do not
# underflow (on a CPU both do nothing). Where the recipe clips gradients, their norm is capped
# before the step. Where the recipe has a schedule that moves every batch, the learning rate
# changes after each step.
#
# `training.fit` runs these two functions once per epoch and adds what a long training needs:
# a learning-rate schedule, **early stopping** where the recipe asks for it (stop once the
# validation loss has not improved for a while), the **kept epoch**'s weights (the highest
# validation accuracy), **checkpoints** written while it trains, and, when asked for, **resume**: a
# run that was killed continues after its last checkpoint and ends exactly as an uninterrupted run
# would. Here it trains the baseline by the source recipe. The source report read its figure at
# the final epoch, so the final epoch's weights also predict the test set before `fit` restores
# the kept epoch's weights.

# %%
source_recipe = recipes.source_recipe(epochs, lr=lr, batch_size=batch_size)
final_epoch = {}
history = training.fit(
    model, train_loader, val_loader, epochs=source_recipe.epochs,
    optimizer=optim.make_optimizer(model, "adam", lr=source_recipe.lr),
    checkpoint_dir=run.checkpoint_dir(f"baseline_cnn-source-{seed}"),
    description="baseline CNN, source recipe", passes=run.passes, resume=run.resume,
    before_best=lambda _: final_epoch.update(test=evaluation.predict(model, test_loader)))

# %% [markdown]
# `experiments.record` predicts the test images with the kept weights and writes the results row:
# the figures, the final epoch's beside them, the calibration error and the training's work (the
# full classification report is in the appendix).

# %%
source_run = experiments.record(
    run, results, label="baseline_cnn", model=model, loaders=(train_loader, val_loader, test_loader),
    recipe=source_recipe, dataset="CIFAR-10", seed=seed, history=history,
    final_test=final_epoch["test"], notes=evaluation.throughput(model, test_loader))

# %% [markdown]
# ## Our recipe
#
# The same network, trained the way current practice trains small CNNs. `experiments.train_model`
# does in one call what the cells above did step by step - seed, build the model, make the loaders
# (here with the recipe's batch size and augmentation), `fit`, predict the test set and write the
# results row.

# %%
our_recipe = recipes.our_recipe(our_epochs, lr=our_lr, batch_size=our_batch_size)
ours = experiments.train_model(run, results, label="baseline_cnn", model="baseline_cnn",
                               splits=splits, recipe=our_recipe, dataset="CIFAR-10")

# %% tags=["hide-input"]
report.recipes_table({"source recipe": source_recipe, "our recipe": our_recipe},
                     "The two recipes, setting by setting", images=len(splits.train), run=run)

# %% [markdown]
# ## Diagnostics
#
# How each recipe trained (accuracy per epoch, the kept epoch dashed), where its test errors go
# (each row of a confusion matrix: the images of one true class), and the accuracy of each class.

# %% tags=["hide-input"]
diagnostics.show({"source recipe": (history, source_run.test),
                  "our recipe": (ours.history, ours.test)},
                 cifar10.classes, "Baseline CNN, first random seed")
diagnostics.mistakes(splits.test.images, ours.test, cifar10.classes, misclassified_examples, seed,
                     "Misclassified test images, our recipe (true → predicted)")

# %% [markdown]
# ## Over random seeds, and at equal epochs
#
# One training is one draw: another random seed gives another figure. Each recipe is therefore
# trained with several random seeds and read by its mean and a 95% interval that covers both the
# seeds' spread and the test set's own sampling error. Our recipe also trains longer than the
# source recipe, so the source recipe is trained a third time for as many epochs as ours (the
# **equal-epochs control**): what more epochs bought and what the recipe bought are then told
# apart. The control is the source recipe trained longer, so for the further random seeds one
# training gives both (its row at the source recipe's last epoch is the source recipe's); the
# first seed's control retrains the loop's model from the start, through the same epochs.

# %%
baseline = dict(label="baseline_cnn", model="baseline_cnn", splits=splits, dataset="CIFAR-10")
control = recipes.equal_epochs(source_recipe, our_recipe)
more_seeds = range(seed + 1, seed + seeds)
experiments.train_over_seeds(run, results, seeds=more_seeds, recipe=our_recipe, **baseline)
for random_seed in more_seeds:
    experiments.train_with_control(run, results, source=source_recipe, control=control,
                                   seed=random_seed, **baseline)
control_run = experiments.train_model(run, results, recipe=control, seed=seed, **baseline)

# %% tags=["hide-input"]
report.seeds_table(stats.spread_by_recipe(results.rows, results.correct),
                   "Baseline CNN, CIFAR-10 test accuracy over its random seeds")

# %% [markdown]
# ## Which differences are real?
#
# Each comparison takes the test that fits what its two sides share. Our recipe and the source
# recipe share nothing but the test images (batch size, optimiser, augmentation and length all
# differ), so their seeds' accuracies are compared unpaired, by Welch's t-test; the source recipe
# and its equal-epochs control share their first epochs exactly, so they are paired seed by seed.
# McNemar's test compares the first random seed's two models image by image. Holm's correction
# runs over all of them.

# %% tags=["hide-input"]
family = stats.Family(results.correct)
family.over_seeds("baseline_cnn", recipes.OURS, recipes.SOURCE)
family.over_seeds("baseline_cnn", recipes.OURS, recipes.EQUAL_EPOCHS)
family.over_seeds("baseline_cnn", recipes.EQUAL_EPOCHS, recipes.SOURCE,
                  shared="the source recipe's epochs")
family.on_images("baseline_cnn", recipes.OURS, recipes.SOURCE, seed)
report.family_table(family.frame(), "The notebook's comparisons, Holm's correction over all")

# %% tags=["findings"]
report.conclusions.baseline(results, family, history, source_run.row, run.device)

# %% tags=["appendix"]
report.results_table(results.rows, "Baseline CNN on the CIFAR-10 test set: every training")
diagnostics.classification_reports({"source recipe, first random seed": source_run.test,
                                    "our recipe, first random seed": ours.test},
                                   cifar10.classes)
