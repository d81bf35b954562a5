# %% [markdown]
# # Summary of the run
#
# What the seven notebooks found, read back from their results files: each model that has a figure
# in the **source reports** (the course documents the project reproduces, numbered 000 to 004) or a goal of ours, trained
# with **the source recipe** (the reports' training) and with **our recipe**; accuracy against size;
# what the run cost and where it was made. Nothing here is retrained or typed in; each notebook's
# PDF holds its curves, confusion matrices and discussion, and the appendix lists every training.

# %% tags=["parameters"]
profile = "full"  # the profile whose reports are summarised
device = "auto"  # auto: the best there is (the environment table names the one used)

# %% tags=["hide-input"]
from helpers import records, report, summary

run, _ = report.start(NOTEBOOK, globals(), trains=False, pretrained=True)
results = summary.collect_results(run.layout)
models_table = summary.model_table(results)
timings = records.notebook_times(run.layout)
record = records.run_record(run.layout)

# %% tags=["findings"]
report.conclusions.summary(summary.headline_table(results, summary.collect_correct(run.layout)),
                           models_table, timings, record)

# %% [markdown]
# ## Accuracy against size
#
# Test accuracy of every training against its trainable parameters, one panel per data set, one
# colour per recipe; on CIFAR-100 the crosses are source report 001's published budget models.

# %% tags=["hide-input"]
report.summary_pages.accuracy_by_size(models_table)

# %% [markdown]
# ## Accuracy against training compute
#
# The same trainings against the work of their training: the multiply-adds of one forward pass,
# counted on one image, times three (forward and backward) for every training image of every epoch
# run. A classifier on cached frozen features counts its own training only (the backbone ran once,
# for the cache); one trained behind frozen backbones on the fly counts their forward pass and its
# own forward and backward. No source report gives its training compute.

# %% tags=["hide-input"]
report.summary_pages.accuracy_by_compute(models_table)

# %% [markdown]
# ## Calibration
#
# How far each headline model's confidence is from its accuracy: the expected calibration error
# (ECE, 15 bins, test set; lower is better) by the source recipe and by ours, and ours after
# temperature scaling - one number fitted on the validation images that divides the logits,
# leaving every prediction as it was. A temperature above 1 means the model was over-confident.
# The temperature minimises the validation images' cross-entropy, not the calibration error: on
# few validation images, or for a model near chance, it can raise the test set's error, and a
# temperature at the fit's bound of 20 means the model's confidence told little about its answers.

# %% tags=["hide-input"]
report.summary_pages.calibration(results)

# %% [markdown]
# ## What the run cost, and where it was made

# %% tags=["hide-input"]
report.summary_pages.costs(run, timings, record, device)

# %% tags=["appendix"]
report.summary_pages.every_training(models_table)
