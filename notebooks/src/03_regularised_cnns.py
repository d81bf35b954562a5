# %% [markdown]
# # 03 · Regularised CNNs on CIFAR-10: CNNV2, CNNV3 and a hyperparameter study
#
# The baseline of notebook 02 is small and unregularised. Here we follow the seed report's two
# steps up: **CNNV2** (four convolutional layers of 16-128 filters, batch normalisation and max
# pooling after each, dropout 0.4 in the fully connected layers) and **CNNV3** (five blocks up to
# 512 filters, each with batch normalisation, pooling and dropout rising from 0.2 to 0.5, trained
# with weight decay 1e-4). Then the seed's four-configuration study of CNNV3's learning rate, dropout
# and weight decay - run over several seeds, so that we can tell which differences are real - and,
# beyond the seed, CNNV3 with data augmentation: regularisation by data next to regularisation by
# dropout and weight decay.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # seed of the main models (the study uses seeds 0, 1, 2, ...)
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
epochs = 25  # training epochs of CNNV2 and CNNV3 (the seed trained 25)
batch_size = 64  # images per training step
lr = 0.001  # Adam learning rate of CNNV2 and CNNV3 (as in the seed)
cnn_v3_weight_decay = 0.0001  # weight decay of CNNV3 (as in the seed)
study_seeds = 3  # runs per configuration of the hyperparameter study
study_epochs = 25  # training epochs of each study run
augmented_epochs = 25  # training epochs of CNNV3 with augmentation

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers import config, data, evaluation, experiments, plots, references

run = config.setup(profile=profile, device=device, seed=seed, data_root=data_root)
print(run.describe())
display(Markdown(run.data_notice()))
results = evaluation.ResultsFile(run.results_dir, "03_regularised_cnns")

# %% [markdown]
# ## Data
#
# The same split and normalisation as notebook 02. The plain loaders have no augmentation (as in the
# seed); the augmented ones add a random crop after 4 pixels of reflect padding and a horizontal
# flip, done on whole batches on the device.

# %%
cifar10 = data.load_dataset("cifar10", run)
splits = data.standard_splits("cifar10", cifar10)
plain = data.make_loaders(splits, batch_size=batch_size, device=run.device, seed=seed)
augmented = data.make_loaders(splits, batch_size=batch_size, device=run.device, seed=seed,
                              augment=data.CROP_FLIP)
print(f"train / validation / test: {splits.sizes()}")

# %% [markdown]
# ## CNNV2
#
# Four 3 x 3 convolutions (16, 32, 64, 128 filters), each followed by batch normalisation, ReLU and
# 2 x 2 max pooling; the 128 x 2 x 2 map goes through dropout 0.4, a hidden layer of 256 units,
# dropout 0.4 and the output layer. Adam, learning rate 0.001, as in the seed.

# %%
cnn_v2 = experiments.train_model(run, results, "cnn_v2", "cnn_v2", plain,
                                 experiments.Recipe(epochs=epochs, lr=lr), "CIFAR-10", seed)
plots.training_report("CNNV2", cnn_v2.history.frame(), evaluation.report_table(
    cnn_v2.test, cifar10.classes, "CNNV2: classification report, test set"),
    evaluation.confusion(cnn_v2.test, 10), cifar10.classes)

# %% [markdown]
# ## CNNV3
#
# Five blocks of 3 x 3 convolution, batch normalisation, ReLU, 2 x 2 max pooling and dropout, with
# 32, 64, 128, 256 and 512 filters and dropout 0.2, 0.275, 0.35, 0.425 and 0.5; the 512 x 1 x 1 map
# goes to a hidden layer of 256 units with dropout 0.5. Adam with weight decay 1e-4.

# %%
cnn_v3 = experiments.train_model(
    run, results, "cnn_v3", "cnn_v3", plain,
    experiments.Recipe(epochs=epochs, lr=lr, weight_decay=cnn_v3_weight_decay), "CIFAR-10", seed)
plots.training_report("CNNV3", cnn_v3.history.frame(), evaluation.report_table(
    cnn_v3.test, cifar10.classes, "CNNV3: classification report, test set"),
    evaluation.confusion(cnn_v3.test, 10), cifar10.classes)

# %% [markdown]
# ## CNNV3 with data augmentation (beyond the seed)
#
# The same model and optimiser, trained on randomly cropped and flipped images.

# %%
cnn_v3_aug = experiments.train_model(
    run, results, "cnn_v3_augmented", "cnn_v3", augmented,
    experiments.Recipe(epochs=augmented_epochs, lr=lr, weight_decay=cnn_v3_weight_decay,
                       notes={"augmentation": "crop + flip"}), "CIFAR-10", seed)
plots.history_curves(cnn_v3_aug.history.frame(), "CNNV3 with augmentation");

# %% [markdown]
# ## Baseline, CNNV2 and CNNV3 side by side
#
# The baseline's row is read from notebook 02's results file, not retrained. The gap is training
# minus validation accuracy at the best epoch: the larger it is, the more the model memorises.

# %%
baseline_file = run.results_dir / "02_baseline_cnn.csv"
if not baseline_file.is_file():
    raise FileNotFoundError(f"{baseline_file} is missing: run notebook 02 first "
                            "(./run_all.sh --only 02)")
comparison = pd.concat([pd.read_csv(baseline_file),
                        results.frame().query("model in ['cnn_v2', 'cnn_v3', 'cnn_v3_augmented']")])
comparison["gap"] = comparison["train_acc"] - comparison["val_acc"]
comparison["goal"] = comparison["model"].map(references.GOALS)
display(comparison[["model", "params", "train_acc", "val_acc", "gap", "test_acc", "goal",
                    "seconds"]].style.format(
    {"params": "{:,}", "train_acc": "{:.2%}", "val_acc": "{:.2%}", "gap": "{:+.2%}",
     "test_acc": "{:.2%}", "goal": "{:.0%}", "seconds": "{:.0f}"},
    na_rep="").hide(axis="index").set_caption("Goals: our targets for test accuracy on real data"))
display(evaluation.seed_comparison(comparison.to_dict("records")).style.format(
    {"ours": "{:.2%}", "seed": "{:.2%}", "difference": "{:+.1f}"}).hide(axis="index")
    .set_caption("Our figures beside the seed report's"))

# %% [markdown]
# ## The hyperparameter study
#
# The seed's four configurations of CNNV3 (learning rate, dropout, weight decay), each trained with
# several seeds. The dropout value sets the deepest block's rate and the classifier's; the blocks
# rise to it from 0.2. The seed reported one validation accuracy per configuration; with several
# runs we can say which differences are larger than the run-to-run spread.

# %%
study_rows = []
for number, (study_lr, study_dropout, study_wd) in references.CNN_V3_STUDY.items():
    for study_seed in range(study_seeds):
        study_rows.append(experiments.train_model(
            run, results, f"cnn_v3_study_{number}_seed_{study_seed}", "cnn_v3", plain,
            experiments.Recipe(epochs=study_epochs, lr=study_lr, weight_decay=study_wd,
                               notes={"config": number, "lr": study_lr, "dropout": study_dropout,
                                      "weight_decay": study_wd}),
            "CIFAR-10", study_seed, reference_key=f"cnn_v3_study_{number}",
            dropout_end=study_dropout).row)
study = pd.DataFrame(study_rows)
study["configuration"] = [f"{c}: lr {l:g}, dropout {d:g}, wd {w:g}"
                          for c, l, d, w in study[["config", "lr", "dropout", "weight_decay"]].values]

# %%
spread = experiments.spread_summary(study, "configuration", ["val_acc", "test_acc"])
spread["seed val_acc"] = [references.seed_figure(f"cnn_v3_study_{c}").value
                          for c in references.CNN_V3_STUDY]
display(spread.style.format("{:.2%}", subset=[c for c in spread.columns if "count" not in c])
        .set_caption("Validation and test accuracy over seeds (mean, std) beside the seed's "
                     "single validation figure"))
study["validation accuracy (%)"] = 100 * study["val_acc"]
plots.spread_by_group(study, "config", "validation accuracy (%)",
                      {c: 100 * references.seed_figure(f"cnn_v3_study_{c}").value
                       for c in references.CNN_V3_STUDY},
                      "CNNV3 study: validation accuracy per configuration");

# %%
differences = experiments.pairwise_differences(study, "configuration", "val_acc")
display(differences.style.format({"difference": "{:+.2%}", "2 x standard error": "{:.2%}"},
                                 na_rep="n/a").hide(axis="index")
        .set_caption("Pairwise differences of mean validation accuracy"))

# %% [markdown]
# ## Conclusion

# %%
rows = comparison.set_index("model")
best_config = spread["val_acc mean"].idxmax()
real = differences[differences["larger than the spread"] == True]  # noqa: E712 - None means unknown
display(Markdown(
    f"- **Capacity and regularisation.** Test accuracy rose from {rows.loc['baseline_cnn', 'test_acc']:.1%} "
    f"(baseline) to {rows.loc['cnn_v2', 'test_acc']:.1%} (CNNV2, goal "
    f"{references.GOALS['cnn_v2']:.0%}) and {rows.loc['cnn_v3', 'test_acc']:.1%} (CNNV3). The "
    f"train-minus-validation gap was {rows.loc['cnn_v2', 'gap']:+.1%} for CNNV2 and "
    f"{rows.loc['cnn_v3', 'gap']:+.1%} for CNNV3: "
    f"{evaluation.fit_diagnosis(cnn_v2.history)['verdict']} (CNNV2); "
    f"{evaluation.fit_diagnosis(cnn_v3.history)['verdict']} (CNNV3).\n"
    f"- **Regularisation by data.** With crop and flip, CNNV3 reached "
    f"{rows.loc['cnn_v3_augmented', 'test_acc']:.1%} test accuracy (goal "
    f"{references.GOALS['cnn_v3_augmented']:.0%}), "
    f"{100 * (rows.loc['cnn_v3_augmented', 'test_acc'] - rows.loc['cnn_v3', 'test_acc']):+.1f} points "
    f"against the same model without augmentation.\n"
    f"- **The study.** Over {study_seeds} seed(s) per configuration, the best mean validation "
    f"accuracy was {spread.loc[best_config, 'val_acc mean']:.1%} for configuration {best_config}. "
    + (f"{len(real)} of {len(differences)} pairwise differences are larger than twice their "
       f"standard error: " + "; ".join(f"{r['first'][:1]} vs {r['second'][:1]} "
                                      f"({r['difference']:+.1%})" for _, r in real.iterrows())
       if study_seeds > 1 else
       "With one seed per configuration there is no spread to compare the differences with; the "
       "full profile runs several.") + "."))
