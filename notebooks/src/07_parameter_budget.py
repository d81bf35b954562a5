# %% [markdown]
# # 07 · CIFAR-100 under a parameter budget: from about 1K to 1M parameters
#
# How much accuracy does a parameter buy? Source report 001 built CIFAR-100 classifiers limited to
# about 2K, 5K, 10K, 50K, 100K, 500K and 1M trainable parameters from convolutions, max pooling,
# batch norm and fully connected layers (no dropout, no global average pooling, no transfer
# learning), and reached 11.67% at 2,250 parameters and 43.13% at 1,001,362. Its finding: big
# models overfit after about 5 epochs, small ones need 10 to 20.
#
# Here the seven source models are rebuilt layer by layer (each with the source report's exact
# parameter count) and trained twice: with **the source recipe** (Adam, no augmentation, stopped
# early) and with **our recipe** - what the recipe alone buys. Beside them, **our family**: one
# design with a width knob, made of the things the source report did not use - depthwise-separable
# convolutions, residual connections and global average pooling - at the widest setting within
# each budget, including a 1K budget the source report had no model for. Our goals: a margin over
# the source report's published figure where the two models have the same size; at 1K, where ours
# has fewer than half the parameters of the source report's smallest model, that model's figure.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # the first random seed: initial weights and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from their checkpoints (a resumed run)
budgets = [1000, 5000, 10000, 50000, 100000, 500000, 1000000]  # parameter budgets of our family
batch_size = 128  # images per step, source recipe
source_epochs = 30  # the most epochs of the source recipe (early stopping decides)
source_lr = 0.001  # Adam learning rate, source recipe
source_patience = 5  # early stopping of the source recipe on validation loss
our_epochs = 30  # epochs of our recipe
our_batch_size = 256  # images per step, our recipe (halved, to 32 at least, while under 500 steps)
our_lr = 0.1  # peak SGD learning rate, our recipe
seeds = 3  # random seeds of each model up to the size below
seeds_up_to = 100000  # parameters up to which a model trains with several seeds; larger: once
light_up_to = 10000  # our family's budgets up to this choose a lighter variant of our recipe on validation

# %% tags=["hide-input"]
from helpers import data, experiments, models, recipes, report, stats

run, results = report.start(NOTEBOOK, globals())

# %% [markdown]
# ## Data
#
# CIFAR-100's 100 classes with the project's fixed split, normalised by the training split's
# statistics.

# %%
cifar100 = data.load_dataset("cifar100", run)
splits = data.standard_splits("cifar100", cifar100).with_targets("fine")
report.text(report.split_sizes(splits, "CIFAR-100"))

# %% [markdown]
# ## The source report's seven models, and our family
#
# Where a slide's layer list and its parameter count disagree, the count wins; every count below
# is that of the model we build, and a unit test pins each to the source report's. Our family: a
# 3 x 3 stem, then three stages at 32, 16 and 8 pixels of separable blocks (depthwise 3 x 3,
# pointwise 1 x 1, batch norm, a residual connection where the shape allows), global average
# pooling and one linear layer; the width sets the stages' channels, the depth grows with the
# budget, and each budget gets the widest network within it. Its code:

# %% tags=["hide-input"]
report.budget.source_budget_models()
report.show_source(models.SeparableBlock, models.CompactNet)
report.budget.our_family(budgets)

# %% [markdown]
# ## Our recipe for the smallest models, chosen on validation
#
# Our recipe regularises (label smoothing, weight decay) because large models overfit; a network
# of a few thousand parameters underfits instead, and may learn more without either and with more
# epochs. For each of our smallest budgets, our recipe and two lighter variants are each trained
# once with their own settings (the trial table names them; validated without test-time flips),
# and the one with the highest validation accuracy is kept (a tie goes to the first listed); test
# figures are not looked at, and the trials' trainings are not reused.

# %%
source_recipe = recipes.source_recipe(source_epochs, lr=source_lr, batch_size=batch_size,
                                      patience=source_patience or None)
our_recipe = recipes.our_recipe(our_epochs, lr=our_lr, batch_size=our_batch_size)
variants = recipes.small_model_variants(our_recipe)
chosen_variants, variant_trials = {}, {}
for budget in [budget for budget in budgets if budget <= light_up_to]:
    chosen_variants[budget], variant_trials[budget] = experiments.choose_on_validation(
        run, results, label=f"{experiments.studies.family_label(budget)} trial", seeds=[seed],
        options={name: {"recipe": recipe.changed(name="variant trial", tta="none")}
                 for name, recipe in variants.items()}, model="compact_budget", splits=splits,
        dataset="CIFAR-100", budget=budget, notes={"study": "recipe variant", "budget": budget})

# %% tags=["hide-input"]
if variant_trials:
    report.trials_table({report.names.model_name(experiments.studies.family_label(b)): t
                         for b, t in variant_trials.items()}, "budget", "variant of our recipe",
                        "Our family's smallest models: validation accuracy of each variant of "
                        "our recipe (one random seed)")

# %% [markdown]
# ## Training
#
# The source report's models by both recipes, our family by our recipe (the smallest by the
# variant chosen above). The small models train quickly, so each model up to a size - the source
# models by the source recipe, our family's by ours - is trained with several random seeds; the
# larger ones, and the source models by our recipe, train once (the appendix's settings give the
# size).

# %%
plans = experiments.studies.budget_plans(budgets, source_recipe, variants, chosen_variants,
                                         seeds=seeds, seeds_up_to=seeds_up_to)
trained = {key: experiments.train_over_seeds(
    run, results, seeds=range(seed, seed + count), splits=splits, dataset="CIFAR-100",
    **plan)[0] for key, (count, plan) in plans.items()}

# %% [markdown]
# ## Results
#
# First every model and recipe over its random seeds; then one row per budget: the source
# report's model by both recipes and our family's model by ours, beside the source report's
# published top-1 and our goal (the published figure plus the budget's margin). Figures are means
# over the random seeds each model was trained with; the goal is judged on the interval of our
# family's mean, as in the findings.

# %% tags=["hide-input"]
report.seeds_table(stats.spread_by_recipe([row for row in results.rows if row["recipe"] in
                                           (recipes.SOURCE, recipes.OURS)], results.correct),
                   "CIFAR-100 top-1 test accuracy over the random seeds")
report.budget.budget_table(results, budgets)
report.budget.accuracy_by_parameters(results.rows)

# %% [markdown]
# ## Training and validation loss per model
#
# The source report found that its large models overfit after about 5 epochs while the small ones
# needed 10 to 20. The curves of the source models by its own recipe and of our family (first random
# seed), the dot marking each model's kept epoch:

# %% tags=["hide-input"]
report.budget.loss_curves(trained)

# %% [markdown]
# ## Which differences are real?
#
# For each source model, our recipe against the source recipe on the same test images (McNemar's
# test: the source models by our recipe train once); for each budget both families trained with
# several random seeds, our family's model by our recipe against the source model of its budget by
# the source recipe (Welch's t-test over the random seeds: two different networks share nothing
# but the test images). That comparison is of model and recipe together - what a student gets by
# taking both - while the first kind tells what the recipe alone does to the source models.
# Holm's correction runs over the whole family.

# %% tags=["hide-input"]
family = stats.Family(results.correct)
for (label, recipe), (_, plan) in plans.items():
    if label.startswith("source_") and recipe == recipes.OURS:
        family.on_images(label, recipes.OURS, recipes.SOURCE, seed)
    if label.startswith("ours_"):
        family.over_seeds(label, recipes.OURS, recipes.SOURCE, second_model=plan["reference_key"])
report.family_table(family.frame(), "The notebook's comparisons, Holm's correction over all")

# %% tags=["findings"]
report.conclusions.budget(results, family, variant_trials, chosen_variants, trained)

# %% tags=["appendix"]
report.results_table([e.row for e in trained.values()], "Every model, first random seed: the "
                     "kept epoch and its figures", extra={"train_loss": "cross-entropy, train",
                                                          "test_loss": "cross-entropy, test"})
