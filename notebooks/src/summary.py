# %% [markdown]
# # Summary of the run
#
# Every model the notebooks trained in this profile, read back from their results files: our figure
# beside the seed's for both recipes, the goals of our recipes, accuracy against size, and what the
# run cost. Nothing here is retrained or typed in; the notebooks' own reports hold the curves,
# confusion matrices and discussion.

# %% tags=["parameters"]
profile = "full"  # the profile whose reports are summarised
device = "auto"  # the device named in the environment table

# %%
import pandas as pd

from helpers import plots, references, report, summary, timings as run_timings

run, _ = report.start(NOTEBOOK, profile=profile, device=device, seed=0, data_root="",
                      trains=False)
record = run_timings.run_record(run.layout)
facts = {"profile": f"{run.profile.name} ({run.profile.description})",
         "run started": record.get("started", "unknown (notebooks run by hand)"),
         "parameters": record.get("parameters", "the notebooks' defaults"),
         **summary.environment(device)}
report.table(pd.DataFrame(facts.items(), columns=["", "value"]), "Where and how this run was made")

# %% [markdown]
# ## Every trained model against the seed
#
# The seed's figure is the one its document gives for that model (test accuracy where it has one,
# validation accuracy for the CIFAR-10 study, ...); the difference is in percentage points. The
# goal is ours, for our recipe, on the real data.

# %%
results = summary.collect_results(run.layout)
models_table = summary.model_table(results)
report.table(models_table, f"{len(models_table)} trainings from "
             f"{models_table['notebook'].nunique()} notebooks",
             formats={"ours": "ratio", "seed": "ratio"})

# %% [markdown]
# ## Accuracy against size
#
# Test accuracy of every model against its trainable parameters, one colour per notebook (the data
# sets differ, so compare within a colour), with seed 001's published CIFAR-100 budget points.

# %%
plots.accuracy_by_parameters(models_table.assign(family=models_table["notebook"]),
                             {count: values[0] for count, values in references.BUDGET_TABLE.items()},
                             "Test accuracy against trainable parameters", lines=False);

# %% [markdown]
# ## What the run cost

# %%
timings = run_timings.notebook_times(run.layout)
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

# %% [markdown]
# ## In short

# %%
compared = models_table.dropna(subset=["seed"])
with_goal = models_table[models_table["goal met"].notna()]
total = record.get("seconds", timings["seconds"].sum())
report.bullets([
    f"**{len(models_table)} trainings** in {models_table['notebook'].nunique()} notebooks; "
    f"{len(compared)} have a figure in the seed documents.",
    *(f"{name}: this run's figure is above the seed document's in "
      f"{int((group['difference'] > 0).sum())} of {len(group)} training"
      f"{'s' if len(group) != 1 else ''} (median difference {group['difference'].median():+.1f} "
      "points)."
      for recipe, name in (("seed", "The seed's recipe"), ("ours", "Our recipe"))
      if len(group := compared[compared["recipe"] == recipe])),
    f"Our recipes met {int(with_goal['goal met'].sum())} of {len(with_goal)} goals"
    + (": missed by " + ", ".join(dict.fromkeys(
        with_goal.loc[~with_goal["goal met"].astype(bool), "model"]))
       if (~with_goal["goal met"].astype(bool)).any() else "") + "." if len(with_goal) else "",
    f"**Wall time:** {total / 60:.1f} minutes for the run on {facts['device']}"
    + (f", the slowest notebook {timings.loc[timings['seconds'].idxmax(), 'notebook']} "
       f"({timings['seconds'].max() / 60:.1f} minutes)." if len(timings) else "."),
    f"**Estimated full run** on this device: "
    f"{estimate['estimated full seconds'].iloc[-1] / 3600:.1f} hours." if estimate is not None
    else "",
])
