# %% [markdown]
# # 02 · The baseline CNN on CIFAR-10
#
# The starting point of every comparison that follows: a deliberately small convolutional network
# (three convolutional layers with 8, 32 and 16 filters, max pooling and a fully connected head),
# trained the way the seed report trained it - Adam with learning rate 0.001, 25 epochs,
# cross-entropy, no augmentation, no regularisation. We measure where it ends up on the held-out
# validation and test sets and whether the gap between training and validation accuracy says it
# overfits, which is the question notebook 03 takes up.

# %% tags=["parameters"]
profile = "full"  # full: real data | smoke: small synthetic, offline | rehearsal: full-size synthetic, timed
device = "auto"  # auto | cpu | cuda | mps
seed = 0  # weight initialisation and batch order
data_root = ""  # empty: the DATA_ROOT variable, else the default folder of the profile
epochs = 25  # training epochs (the seed trained 25)
batch_size = 64  # images per training step
lr = 0.001  # Adam learning rate (as in the seed)
early_stopping_patience = 0  # epochs without a lower validation loss before stopping, 0 for never
misclassified_examples = 24  # test images shown in the gallery of mistakes

# %%
from IPython.display import Markdown, display
from torchinfo import summary

from helpers import config, data, evaluation, models, plots, references, training

run = config.setup(profile=profile, device=device, seed=seed, data_root=data_root)
print(run.describe())
display(Markdown(run.data_notice()))

# %% [markdown]
# ## Data
#
# The project's fixed CIFAR-10 split (45,000 / 5,000 / 10,000 on the real data), normalised with the
# training split's channel statistics (notebook 01). No augmentation: the seed's baseline had none.

# %%
cifar10 = data.load_dataset("cifar10", run)
splits = data.standard_splits("cifar10", cifar10)
train_loader, val_loader, test_loader = data.make_loaders(splits, batch_size=batch_size,
                                                          device=run.device, seed=seed)
print(f"train / validation / test: {splits.sizes()}")

# %% [markdown]
# ## The model
#
# The seed names only the filter counts; the assignment figure with the remaining details is not in
# the seed. Our choices, kept as small as the original: 3 x 3 convolutions with padding 1, ReLU and
# 2 x 2 max pooling after each (32 -> 16 -> 8 -> 4 pixels), then a hidden layer of 64 units and the
# 10-way output.

# %%
model = models.build_model("baseline_cnn").to(run.device)
print(summary(model, input_size=(1, 3, 32, 32), device=run.device, verbose=0,
              col_names=("output_size", "num_params")))

# %% [markdown]
# ## Training

# %%
optimizer = training.make_optimizer(model, "adam", lr=lr)
history = training.fit(model, train_loader, val_loader, epochs=epochs, optimizer=optimizer,
                       patience=early_stopping_patience or None, description="baseline_cnn",
                       checkpoint_dir=run.checkpoint_dir("02_baseline_cnn", "baseline_cnn"))
plots.history_curves(history.frame(), "Baseline CNN");

# %% [markdown]
# ## Test set evaluation
#
# The weights evaluated are those of the epoch with the lowest validation loss (marked in the
# curves above), restored by `fit`.

# %%
test = evaluation.predict(model, test_loader)
display(evaluation.report_table(test, cifar10.classes, "Classification report, test set"))

# %%
matrix = evaluation.confusion(test, len(cifar10.classes))
plots.confusion_heatmap(matrix, cifar10.classes, "Baseline CNN: confusion matrix (test set)");

# %%
class_accuracy = evaluation.per_class_accuracy(matrix, cifar10.classes)
class_summary = evaluation.per_class_summary(class_accuracy)
plots.per_class_bars(class_accuracy, "Baseline CNN: test accuracy per class");
display(Markdown(
    f"Per-class accuracy ranges from {class_summary['min']:.1%} to {class_summary['max']:.1%} "
    f"(mean {class_summary['mean']:.1%}, standard deviation {class_summary['std']:.1%}). Hardest: "
    f"{', '.join(class_summary['worst'])}; easiest: {', '.join(class_summary['best'])}."))

# %%
wrong = evaluation.misclassified(test, misclassified_examples, seed)
plots.labelled_images(
    splits.test.images[wrong],
    [f"{cifar10.classes[t]}\n→ {cifar10.classes[p]}"
     for t, p in zip(test.labels[wrong].tolist(), test.predicted[wrong].tolist())],
    columns=8, title="Misclassified test images (true → predicted)");

# %% [markdown]
# ## Results against the seed

# %%
results = evaluation.ResultsFile(run.results_dir, "02_baseline_cnn")
row = evaluation.result_row("baseline_cnn", "CIFAR-10", models.count_parameters(model), history, test,
                            seed, **evaluation.throughput(model, test_loader))
results.add(row)
display(results.frame()[["model", "params", "epochs_run", "best_epoch", "train_acc", "val_acc",
                         "test_acc", "test_top5", "seconds"]].style.format(
    {"train_acc": "{:.2%}", "val_acc": "{:.2%}", "test_acc": "{:.2%}", "test_top5": "{:.2%}",
     "seconds": "{:.0f}"}).hide(axis="index"))
print(f"Inference: {row['images_per_s']:,.0f} test images/s on {run.device}")
display(evaluation.seed_comparison([row]).style.format(
    {"ours": "{:.2%}", "seed": "{:.2%}", "difference": "{:+.1f}"}).hide(axis="index")
    .set_caption("Our figures beside the seed report's"))

# %% [markdown]
# ## Conclusion

# %%
diagnosis = evaluation.fit_diagnosis(history)
last = history.rows[-1]
seed_test, seed_val = (references.seed_figure("baseline_cnn", metric).value
                       for metric in ("test_acc", "val_acc"))
display(Markdown(
    f"The baseline CNN ({row['params']:,} parameters) reached **{row['test_acc']:.1%}** test accuracy "
    f"(top-5 {row['test_top5']:.1%}) with the weights of epoch {row['best_epoch']} of "
    f"{row['epochs_run']}, against the seed's {seed_test:.0%}; its validation accuracy at that "
    f"epoch was {row['val_acc']:.1%} (seed: about {seed_val:.1%}). After the last epoch, training accuracy was "
    f"{last['train_acc']:.1%} and validation accuracy {last['val_acc']:.1%}: {diagnosis['verdict']}. "
    f"Training took {row['seconds']:.0f} s on {run.device}."))
