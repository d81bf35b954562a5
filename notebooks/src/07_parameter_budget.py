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
# and trained beside a family of ours: one design with a width knob, made of the things the seed did
# not use - depthwise-separable convolutions, residual connections and global average pooling - at
# the widest setting that stays within each budget, including a 1K budget the seed had no model for.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # weight initialisation and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
budgets = [1000, 5000, 10000, 50000, 100000, 500000, 1000000]  # parameter budgets of our family
batch_size = 128  # images per training step
seed_epochs = 30  # the most epochs of the seed models (early stopping decides)
seed_lr = 0.001  # Adam learning rate of the seed models, no augmentation
seed_patience = 5  # early stopping of the seed models on validation loss
our_epochs = 30  # epochs of our models (cosine schedule, early stopping as a safeguard)
our_lr = 0.003  # AdamW learning rate of our models
our_weight_decay = 0.0005  # AdamW weight decay of our models
our_patience = 8  # early stopping of our models on validation loss
max_train_batches = 0  # training batches per epoch, 0 for all (smoke runs cap it)

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from helpers import config, data, evaluation, experiments, models, plots, references

run = config.setup(profile=profile, device=device, seed=seed, data_root=data_root)
print(run.describe())
display(Markdown(run.data_notice()))
results = evaluation.ResultsFile(run.results_dir, "07_parameter_budget")

# %% [markdown]
# ## Data
#
# CIFAR-100's 100 classes with the project's fixed split (40,000 / 10,000 / 10,000 on the real
# data), normalised by the training split's statistics. The seed models train without augmentation,
# as in the seed; ours with random crops and flips.

# %%
cifar100 = data.load_dataset("cifar100", run)
splits = data.standard_splits("cifar100", cifar100).with_targets("fine")
cap = max_train_batches or None
plain = data.make_loaders(splits, batch_size=batch_size, device=run.device, seed=seed,
                          max_train_batches=cap)
augmented = data.make_loaders(splits, batch_size=batch_size, device=run.device, seed=seed,
                              augment=data.CROP_FLIP, max_train_batches=cap)
print(f"train / validation / test: {splits.sizes()}")

# %% [markdown]
# ## The seed's seven models, as read from its slides
#
# Where a slide's layer list and its parameter count disagree, the count wins; every count below is
# that of the model we build, and a unit test pins each to the seed's.

# %%
seed_layers = pd.DataFrame([
    {"parameters (ours)": models.count_parameters(models.build_model("seed_budget", params=count)),
     "parameters (seed)": count, "layers, as we read them": reading}
    for count, (_, reading) in models.SEED_BUDGET_LAYERS.items()])
display(seed_layers.style.format({"parameters (ours)": "{:,}", "parameters (seed)": "{:,}"})
        .hide(axis="index").set_caption("Seed 001's models"))

# %% [markdown]
# ## Our family
#
# A 3 x 3 stem, then three stages at 32, 16 and 8 pixels of separable blocks (depthwise 3 x 3,
# pointwise 1 x 1, batch norm, a residual connection where the shape allows), global average pooling
# and one linear layer. The width sets the channels of the stages (w, 2w, 4w); the depth grows with
# the budget (1, 2 or 3 blocks per stage). For each budget the widest network within it is used.

# %%
ours_plan = pd.DataFrame([
    {"budget": budget, "width": models.width_for_budget(budget),
     "channels": " / ".join(map(str, models.stage_widths(models.width_for_budget(budget)))),
     "blocks per stage": models.blocks_for_budget(budget),
     "parameters": models.count_parameters(models.build_model("compact_budget", budget=budget))}
    for budget in budgets])
display(ours_plan.style.format({"budget": "{:,}", "width": "{:.2f}", "parameters": "{:,}"})
        .hide(axis="index").set_caption("Our models: the widest of the family within each budget"))

# %% [markdown]
# ## Training
#
# Every model trains until early stopping on the validation loss ends it (or the epoch limit), and
# its best epoch's weights are evaluated on the test set. The seed models get the seed's setting:
# Adam with learning rate 0.001, no augmentation. Ours get AdamW, a cosine schedule with one warm-up
# epoch, and crop + flip augmentation.

# %%
seed_recipe = experiments.Recipe(epochs=seed_epochs, lr=seed_lr, patience=seed_patience or None,
                                 notes={"family": "seed 001"})
trained = {}
for count in models.SEED_BUDGET_LAYERS:
    trained[f"seed_{count}"] = experiments.train_model(
        run, results, f"seed_{count}", "seed_budget", plain, seed_recipe, "CIFAR-100", seed,
        params=count)
for budget in budgets:
    label = f"ours_{budget // 1000}k" if budget < 1_000_000 else f"ours_{budget // 1_000_000}m"
    our_recipe = experiments.Recipe(
        epochs=our_epochs, optimizer="adamw", lr=our_lr, weight_decay=our_weight_decay,
        scheduler="cosine", warmup_epochs=1, patience=our_patience or None,
        notes={"family": "ours", "budget": budget})
    trained[label] = experiments.train_model(
        run, results, label, "compact_budget", augmented, our_recipe, "CIFAR-100", seed,
        reference_key=f"seed_{references.BUDGET_PAIRS.get(budget, 0)}", budget=budget)

# %% [markdown]
# ## Results

# %%
table = evaluation.with_seed_figures(results.frame(),
                                    ["test_acc", "train_loss", "test_loss", "best_epoch"])
columns = {"model": "model", "params": "parameters", "test_acc": "top-1", "test_top5": "top-5",
           "train_loss": "CE train", "test_loss": "CE test", "best_epoch": "best epoch",
           "epochs_run": "epochs run", "seconds": "seconds", "seed test_acc": "seed: top-1",
           "seed train_loss": "seed: CE train", "seed test_loss": "seed: CE test",
           "seed best_epoch": "seed: epochs"}
display(table[list(columns)].rename(columns=columns).style.format(
    {"parameters": "{:,}", "top-1": "{:.2%}", "top-5": "{:.2%}", "CE train": "{:.2f}",
     "CE test": "{:.2f}", "seconds": "{:.0f}", "seed: top-1": "{:.2%}", "seed: CE train": "{:.2f}",
     "seed: CE test": "{:.2f}", "seed: epochs": "{:.0f}"},
    na_rep="").hide(axis="index").set_caption(
        "CIFAR-100 test set. CE train: the training loss at the best epoch (on augmented images for "
        "our models). Beside each model, the published figures of the seed model of its budget"))

# %%
table["family"] = table["family"].map({"seed 001": "seed 001 models", "ours": "our family"})
plots.accuracy_by_parameters(table, {count: values[0] for count, values in
                                     references.BUDGET_TABLE.items()},
                             "CIFAR-100: test accuracy against parameters");

# %% [markdown]
# ## Training and validation loss per model
#
# The seed found that its large models overfit after about 5 epochs while the small ones needed
# 10-20. The curves of both families, the dot marking each model's lowest validation loss:

# %%
for family, prefix in [("Seed 001's models", "seed_"), ("Our family", "ours_")]:
    plots.loss_curves_by_model({label: experiment.history.frame()
                                for label, experiment in trained.items()
                                if label.startswith(prefix)}, family)
    plt.show()

# %% [markdown]
# ## Conclusion

# %%
seed_rows = table[table["model"].str.startswith("seed_")].sort_values("params")
our_rows = table[table["model"].str.startswith("ours_")].sort_values("params")
gains = pd.Series({row["model"]: 100 * (row["test_acc"] - row["seed test_acc"])
                   for _, row in our_rows.iterrows() if row["budget"] != 1000})
small, large = seed_rows.head(3)["best_epoch"].mean(), seed_rows.tail(2)["best_epoch"].mean()
met = (gains >= references.BUDGET_GOAL_POINTS).sum()
display(Markdown("\n".join([
    f"- **Our family against the seed's models.** At the six budgets where the seed has a model, "
    f"ours changed top-1 test accuracy by {gains.min():+.1f} to {gains.max():+.1f} points "
    f"(goal: at least +{references.BUDGET_GOAL_POINTS} everywhere, met at {met} of {len(gains)}), "
    f"with the same or fewer parameters.",
    f"- **The smallest budget.** Our {our_rows.iloc[0]['params']:,}-parameter model reached "
    f"{our_rows.iloc[0]['test_acc']:.1%}; the seed's smallest ({seed_rows.iloc[0]['params']:,} "
    f"parameters) reached {seed_rows.iloc[0]['test_acc']:.1%} here and "
    f"{seed_rows.iloc[0]['seed test_acc']:.1%} in the seed.",
    f"- **Reproducing the seed.** Its models reached {seed_rows['test_acc'].min():.1%} to "
    f"{seed_rows['test_acc'].max():.1%} here (published: {seed_rows['seed test_acc'].min():.1%} to "
    f"{seed_rows['seed test_acc'].max():.1%}).",
    f"- **When do models peak?** The seed's three smallest models reached their lowest validation "
    f"loss at epoch {small:.1f} on average, its two largest at epoch {large:.1f}: "
    + ("as the seed found, the large models peak earlier and then overfit."
       if large < small else
       "unlike the seed's finding, the large models did not peak earlier than the small ones in "
       "this run."),
])))
