# %% [markdown]
# # 07 · CIFAR-100 under a parameter budget: from about 1K to 1M parameters
#
# How much accuracy does a parameter buy? Seed 001 built CIFAR-100 classifiers limited to about 2K,
# 5K, 10K, 50K, 100K, 500K and 1M trainable parameters from convolutions, max pooling, batch norm
# and fully connected layers (no dropout, no global average pooling, no transfer learning), and
# reached 11.67 % at 2,250 parameters and 43.13 % at 1,001,362. Its finding: big models overfit after
# about 5 epochs, small ones need 10-20.
#
# Here the seven seed models are rebuilt layer by layer (each with the seed's exact parameter count)
# and trained twice: with **the seed's recipe** (Adam, no augmentation, stopped early) and with
# **ours** (crops and flips, SGD with a warm-up and cosine schedule, label smoothing, test-time
# flips) - what the recipe alone buys. Beside them, **a family of ours**: one design with a width
# knob, made of the things the seed did not use - depthwise-separable convolutions, residual
# connections and global average pooling - at the widest setting within each budget, including a
# 1K budget the seed had no model for. Our goals (`helpers/references.py`, in the table below): a
# margin over the seed's published figure where the two models have the same size; at 1K, where
# ours has fewer than half the parameters of the seed's smallest model, that model's figure.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # weight initialisation and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
resume = False  # True: continue or read back trainings from checkpoints (run_all.sh --resume)
budgets = [1000, 5000, 10000, 50000, 100000, 500000, 1000000]  # parameter budgets of our family
batch_size = 128  # images per step, seed's recipe
seed_epochs = 30  # the most epochs of the seed's recipe (early stopping decides)
seed_lr = 0.001  # Adam learning rate, seed's recipe
seed_patience = 5  # early stopping of the seed's recipe on validation loss
our_epochs = 30  # epochs of our recipe
our_batch_size = 256  # images per step, our recipe
our_lr = 0.1  # peak SGD learning rate, our recipe
seeds = 3  # random seeds of each model up to seeds_up_to parameters
seeds_up_to = 100000  # larger models train once

# %%
import matplotlib.pyplot as plt
import pandas as pd

from helpers import data, experiments, models, plots, recipes, references, report, sentences
from helpers import spread

run, results = report.start(NOTEBOOK, profile=profile, device=device, seed=seed,
                            data_root=data_root, resume=resume)

# %% [markdown]
# ## Data
#
# CIFAR-100's 100 classes with the project's fixed split (40,000 / 10,000 / 10,000 on the real
# data), normalised by the training split's statistics.

# %%
cifar100 = data.load_dataset("cifar100", run)
splits = data.standard_splits("cifar100", cifar100).with_targets("fine")
print(f"train / validation / test: {splits.sizes()}")

# %% [markdown]
# ## The seed's seven models, as read from its slides
#
# Where a slide's layer list and its parameter count disagree, the count wins; every count below is
# that of the model we build, and a unit test pins each to the seed's.

# %%
report.table(pd.DataFrame([
    {"parameters (ours)": models.count_parameters(models.build_model("seed_budget", params=count)),
     "parameters (seed)": count, "layers, as we read them": reading}
    for count, (_, reading) in models.SEED_BUDGET_LAYERS.items()]), "Seed 001's models")

# %% [markdown]
# ## Our family
#
# A 3 x 3 stem, then three stages at 32, 16 and 8 pixels of separable blocks (depthwise 3 x 3,
# pointwise 1 x 1, batch norm, a residual connection where the shape allows), global average pooling
# and one linear layer. The width sets the channels of the stages (w, 2w, 4w); the depth grows with
# the budget (1, 2 or 3 blocks per stage). For each budget the widest network within it is used.

# %%
report.table(pd.DataFrame([
    {"budget": budget, "width": models.width_for_budget(budget),
     "channels": " / ".join(map(str, models.stage_widths(models.width_for_budget(budget)))),
     "blocks per stage": models.blocks_for_budget(budget),
     "parameters": models.count_parameters(models.build_model("compact_budget", budget=budget))}
    for budget in budgets]), "Our models: the widest of the family within each budget",
    formats={"width": "ratio"})

# %% [markdown]
# ## Training
#
# The seed's models by both recipes, ours by our recipe; every model is reported at its kept epoch
# (highest validation accuracy).

# %%
seed_recipe = recipes.seed_recipe(seed_epochs, lr=seed_lr, batch_size=batch_size,
                                  patience=seed_patience or None)
our_recipe = recipes.our_recipe(our_epochs, lr=our_lr, batch_size=our_batch_size)
plans = {}  # each training's model and recipe, by (label, recipe)
for count in models.SEED_BUDGET_LAYERS:
    for recipe in (seed_recipe, our_recipe):
        plans[f"seed_{count}", recipe.name] = dict(
            label=f"seed_{count}", model="seed_budget", recipe=recipe,
            notes={"family": "seed 001"}, params=count)
for budget in budgets:
    label = f"ours_{budget // 1000}k" if budget < 1_000_000 else f"ours_{budget // 1_000_000}m"
    plans[label, "ours"] = dict(
        label=label, model="compact_budget", recipe=our_recipe,
        reference_key=f"seed_{references.BUDGET_PAIRS[budget]}",
        notes={"family": "ours", "budget": budget}, budget=budget)
trained = {key: experiments.train_model(run, results, splits=splits, dataset="CIFAR-100", **plan)
           for key, plan in plans.items()}

# %% [markdown]
# ## Over seeds, where it is cheap
#
# The models up to `seeds_up_to` parameters train in seconds on a GPU, so each of them - the
# seed's models by the seed's recipe, our family's by ours - is trained with `seeds` random seeds
# and read by its mean and the 95 % t-interval of the mean: a goal is *met* by the mean and *met
# with confidence* by the interval's lower end.

# %%
cheap = [key for key, experiment in trained.items() if experiment.row["params"] <= seeds_up_to
         and (key[1] == recipes.SEED or key[0].startswith("ours_"))]
for key in cheap:
    experiments.train_over_seeds(run, results, seeds=range(seed + 1, seed + seeds),
                                 splits=splits, dataset="CIFAR-100", **plans[key])
budget_spread = spread.spread_by_recipe(
    [row for row in results.rows if (row["model"], row["recipe"]) in cheap])
report.seeds_table(budget_spread, f"CIFAR-100 top-1 test accuracy over {seeds} random seeds, "
                   f"models up to {seeds_up_to:,} parameters")

# %% [markdown]
# ## Results
#
# One row per budget: the seed's model by both recipes and our family's model by ours, beside the
# seed's published top-1 and our goal (the published figure plus the budget's margin).

# %%
frame = pd.DataFrame([experiment.row for experiment in trained.values()])
seed_rows = frame[frame["family"] == "seed 001"]
by_recipe = seed_rows.pivot(index="params", columns="recipe", values="test_acc")
ours_rows = frame[frame["family"] == "ours"].assign(
    paired=lambda f: f["budget"].map(references.BUDGET_PAIRS)).set_index("paired")
budget_table = pd.DataFrame({
    "budget": ours_rows["budget"], "seed model params": ours_rows.index,
    "published top-1": [references.BUDGET_TABLE[p][0] for p in ours_rows.index],
    "seed model, seed recipe": by_recipe["seed"].reindex(ours_rows.index),
    "seed model, our recipe": by_recipe["ours"].reindex(ours_rows.index),
    "our family params": ours_rows["params"], "our family top-1": ours_rows["test_acc"],
    "goal margin (points)": [references.BUDGET_GOAL_POINTS[b] for b in ours_rows["budget"]],
    "goal": ours_rows["goal"]}).reset_index(drop=True)
budget_table["goal met"] = budget_table["our family top-1"] >= budget_table["goal"]
report.table(budget_table, "CIFAR-100 top-1 test accuracy by budget. The 1K budget is compared "
             "with the seed's smallest model (2,250 parameters): its goal is that model's figure",
             formats={"seed model params": "count"})
report.results_table(frame.to_dict("records"), "Every model: the kept epoch and its figures",
                     extra={"train_loss": "CE train", "test_loss": "CE test"})

# %%
frame["family"] = [f"{family} models, {recipe} recipe" if family == "seed 001" else "our family"
                   for family, recipe in zip(frame["family"], frame["recipe"])]
plots.accuracy_by_parameters(frame, {count: values[0] for count, values in
                                     references.BUDGET_TABLE.items()},
                             "CIFAR-100: test accuracy against parameters");

# %% [markdown]
# ## Training and validation loss per model
#
# The seed found that its large models overfit after about 5 epochs while the small ones needed
# 10-20. The curves of the seed's models by its own recipe and of our family, the dot marking each
# model's kept epoch:

# %%
for title, keys in [("Seed 001's models, seed's recipe", [k for k in trained if k[1] == "seed"]),
                    ("Our family, our recipe", [k for k in trained if k[0].startswith("ours_")])]:
    plots.loss_curves_by_model({key[0]: trained[key].history for key in keys}, title)
    plt.show()

# %% [markdown]
# ## Conclusion

# %%
compared = budget_table[budget_table["goal"].notna()]
gains = 100 * (compared["our family top-1"] - compared["published top-1"])
recipe_gains = 100 * (by_recipe["ours"] - by_recipe["seed"])
seed_models = seed_rows[seed_rows["recipe"] == "seed"].sort_values("params")
small, large = seed_models.head(3)["best_epoch"].mean(), seed_models.tail(2)["best_epoch"].mean()
report.bullets([
    f"Our family against the seed's published figures, at the {len(compared)} budgets with a goal: "
    f"{gains.min():+.1f} to {gains.max():+.1f} points; the goal is met at "
    f"{int(compared['goal met'].sum())} of {len(compared)}.",
    *(sentences.spread_goal_sentence(row) for row in budget_spread.to_dict("records")
      if not pd.isna(row["goal"])),
    f"The recipe alone: the seed's own models gained {recipe_gains.min():+.1f} to "
    f"{recipe_gains.max():+.1f} points (median {recipe_gains.median():+.1f}) from our recipe.",
    f"The smallest budget: our {int(budget_table['our family params'].iloc[0]):,}-parameter model "
    f"reached {budget_table['our family top-1'].iloc[0]:.1%}; the seed's smallest (2,250 "
    f"parameters) reached {budget_table['seed model, seed recipe'].iloc[0]:.1%} here by its "
    f"recipe and {budget_table['published top-1'].iloc[0]:.1%} in the seed.",
    f"Reproducing the seed: its models reached {seed_models['test_acc'].min():.1%} to "
    f"{seed_models['test_acc'].max():.1%} by its recipe here (published: "
    f"{min(v[0] for v in references.BUDGET_TABLE.values()):.1%} to "
    f"{max(v[0] for v in references.BUDGET_TABLE.values()):.1%}).",
    f"When do models peak? By the seed's recipe, its three smallest models reached their kept "
    f"epoch at epoch {small:.1f} on average, its two largest at epoch {large:.1f}: "
    + ("as the seed found, the large models peak earlier and then overfit." if large < small else
       "unlike the seed's finding, the large models did not peak earlier than the small ones."),
])
