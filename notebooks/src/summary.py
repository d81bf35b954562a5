# %% [markdown]
# # Summary of the run
#
# What the seven notebooks found, read back from their results files: each model that has a figure
# in the **source reports** (the course documents the project reproduces) or a goal of ours, trained
# with **the source recipe** (the reports' training) and with **our recipe**; accuracy against size;
# what the run cost and where it was made. Nothing here is retrained or typed in; each notebook's
# PDF holds its curves, confusion matrices and discussion, and the appendix lists every training.

# %% tags=["parameters"]
profile = "full"  # the profile whose reports are summarised
device = "auto"  # the device named in the environment table

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import pandas as pd

from helpers import plots, records, references, report, summary

run, _ = report.start(NOTEBOOK, profile=profile, device=device, seed=0, data_root="",
                      trains=False)
results = summary.collect_results(run.layout)
headline = summary.headline_table(results)
models_table = summary.model_table(results)
timings = records.notebook_times(run.layout)
record = records.run_record(run.layout)

# %% tags=["findings"]
with_goal = headline[headline["goal met"].fillna("") != ""] if "goal met" in headline else \
    headline.iloc[0:0]
met = with_goal["goal met"].str.startswith("✓") if len(with_goal) else pd.Series(dtype=bool)
both = headline[headline["metric"] == "test accuracy"].dropna(
    subset=["source recipe, this run", "our recipe, this run"])
ahead = both["our recipe, this run"] > both["source recipe, this run"]
total = record.get("seconds", timings["seconds"].sum())
report.findings_table(headline.drop(columns=["random seeds"]), [
    f"Our recipe met {int(met.sum())} of {len(with_goal)} goals on the mean over its random seeds"
    + (": missed for " + ", ".join(with_goal.loc[~met, "model"]) if (~met).any() else "") + "."
    if len(with_goal) else "",
    f"Our recipe's mean test accuracy is above the source recipe's for {int(ahead.sum())} of the "
    f"{len(both)} models trained by both (per-notebook tests of each difference are in the "
    "notebooks)." if len(both) else "",
    f"**Wall time:** {total / 60:.1f} minutes for the run"
    + (f"; the slowest notebook {timings.loc[timings['seconds'].idxmax(), 'notebook']} "
       f"({timings['seconds'].max() / 60:.1f} minutes)." if len(timings) else "."),
], "Each model with a source figure or a goal (this run: the mean over its random seeds)",
   conclusions_first=True)

# %% [markdown]
# ## Accuracy against size
#
# Test accuracy of every model against its trainable parameters, one panel per data set, one
# colour per recipe; on CIFAR-100 the crosses are source report 001's published budget models.

# %% tags=["hide-input"]
both_recipes = models_table[models_table["recipe"].isin(["source", "ours"])].replace(
    {"recipe": {"source": "source recipe", "ours": "our recipe"}})
published = {"CIFAR-100": {count: values[0] for count, values in references.BUDGET_TABLE.items()}}
plots.accuracy_by_parameters_by_dataset(both_recipes, published,
                                        "Test accuracy against trainable parameters");

# %% [markdown]
# ## Accuracy against training compute
#
# The same models against the work of their training: the multiply-adds of one forward pass,
# counted by PyTorch on one image, times three (forward and backward) for every training image of
# every epoch run. A classifier on cached frozen features counts its own training only (the
# backbone ran once, for the cache); one trained on the fly behind frozen backbones (05's option)
# counts their forward pass and its own forward and backward. No source report gives its training compute, so there are no
# published points here.

# %% tags=["hide-input"]
with_compute = both_recipes.dropna(subset=["train_multiply_adds"])
if with_compute.empty:
    report.text("No training compute in these results files: a rehearsal counts its work pass by "
                "pass instead (the estimate below).")
else:
    plots.accuracy_against_by_dataset(with_compute, "train_multiply_adds",
                                      "training multiply-adds (log scale)", {},
                                      "Test accuracy against training compute")
    plt.show()

# %% [markdown]
# ## Calibration
#
# How far each headline model's confidence is from its accuracy: the expected calibration error
# (ECE, 15 bins, test set; lower is better) by the source recipe and by ours, and ours after
# temperature scaling - one number fitted on the validation images that divides the logits,
# leaving every prediction as it was. A temperature above 1 means the model was over-confident.

# %% tags=["hide-input"]
calibration = summary.calibration_table(results)
if calibration.empty:
    report.text("No calibration figures in these results files (they predate them).")
else:
    report.table(calibration, "Expected calibration error on the test set (means over random "
                 "seeds)", formats={"temperature (ours)": "ratio", **{
                     column: "percent" for column in calibration if column.startswith("ECE")}})

# %% [markdown]
# ## What the run cost, and where it was made

# %% tags=["hide-input"]
report.table(timings, "Wall time of each notebook (latest run of each)")
estimate = summary.estimate_table(run.layout) if run.profile.rehearsal_batches else None
if estimate is not None:
    report.text(
        "A rehearsal cuts every pass over the data to a few batches and times them. Below, each "
        "notebook's rehearsal time with every cut pass replaced by the time of the whole pass, "
        "and every training's epoch counted as often as the full profile plans it: the full "
        "run's time on this device, an upper bound where early stopping ends trainings sooner. "
        "The work (multiply-adds of the full run, counted on each pass's first batch) is the same "
        "on any device: set against the time, it shows where a notebook is bound by arithmetic.")
    estimate["estimated full hours"] = estimate["estimated full seconds"] / 3600
    report.table(estimate, "Estimated time of the full run, from this rehearsal",
                 formats={"estimated full hours": "ratio", "multiply-adds (T)": "count",
                          "peak memory (MiB)": "count"})
facts = {"profile": f"{run.profile.name} ({run.profile.description})",
         "run started": record.get("started", "unknown (notebooks run by hand)"),
         "parameters": record.get("parameters", "the notebooks' defaults"),
         **summary.environment(device)}
report.table(pd.DataFrame(facts.items(), columns=["", "value"]), "Where and how this run was made")

# %% tags=["appendix"]
report.table(models_table.drop(columns=["metric", "ours"]).rename(
    columns={"source": "source figure", "difference": "difference (points)",
             "test_acc": "test acc", "seed": "random seed"}),
    f"Every training: {len(models_table)} from {models_table['notebook'].nunique()} notebooks "
    "(the source figure in its own metric; the difference is this run's figure in that metric "
    "minus it)", formats={"source figure": "percent"})
