# %% [markdown]
# # Summary of the run
#
# Every model the seven notebooks trained in this run, read back from their results files: our
# figure beside the seed's, accuracy against size, and what the run cost. Nothing here is retrained
# or typed in; the notebooks' own reports hold the curves, confusion matrices and discussion.

# %% tags=["parameters"]
profile = "full"  # the profile whose reports are summarised
device = "auto"  # the device named in the environment table

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers import config, plots, references, summary

run = config.setup(profile=profile, device=device)
display(Markdown(run.data_notice()))
display(Markdown(run.weights_notice()))
record = summary.run_record(run.reports_dir)
facts = {"profile": f"{run.profile.name} ({run.profile.description})",
         "run started": record.get("started", "unknown (notebooks run by hand)"),
         **summary.environment(device)}
display(pd.DataFrame(facts.items(), columns=["", "value"]).style.hide(axis="index")
        .set_caption("Where and how this run was made"))

# %% [markdown]
# ## Every trained model against the seed
#
# The seed's figure is the one its document gives for that model (test accuracy where it has one,
# validation accuracy for the CIFAR-10 study, ...); the difference is in percentage points.

# %%
results = summary.collect_results(run.results_dir)
models_table = summary.model_table(results)
display(models_table.style.format(
    {"params": "{:,}", "test_acc": "{:.2%}", "ours": "{:.3f}", "seed": "{:.3f}",
     "difference": "{:+.1f}", "seconds": "{:.1f}"}, na_rep="").hide(axis="index")
    .set_caption(f"{len(models_table)} models from {models_table['notebook'].nunique()} notebooks"))

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
timings = summary.timings_table(run.reports_dir)
display(timings.style.format({"seconds": "{:.1f}"}).hide(axis="index")
        .set_caption("Wall time of each notebook (latest run of each)"))
estimate = summary.estimate_table(run.reports_dir) if run.profile.rehearsal_batches else None
if estimate is not None:
    display(Markdown(
        "A rehearsal cuts every pass over the data to a few batches and times them. Below, each "
        "notebook's rehearsal time with every cut pass replaced by the time of the whole pass, "
        "and every training's epoch counted as often as the full profile plans it: the full "
        "run's time on this device, an upper bound where early stopping ends trainings sooner."))
    estimate["estimated full hours"] = estimate["estimated full seconds"] / 3600
    display(estimate.style.format({"rehearsal seconds": "{:.0f}", "timed seconds": "{:.1f}",
                                   "estimated full seconds": "{:,.0f}",
                                   "estimated full hours": "{:.2f}",
                                   "peak memory (MiB)": "{:,.0f}"}, na_rep="").hide(axis="index")
            .set_caption("Estimated time of the full run, from this rehearsal"))

# %% [markdown]
# ## In short

# %%
compared = models_table.dropna(subset=["seed"])
ahead = compared[compared["difference"] > 0]
total = record.get("seconds", timings["seconds"].sum())
display(Markdown("\n".join([
    f"- **{len(models_table)} models** were trained in {models_table['notebook'].nunique()} "
    f"notebooks; {len(compared)} have a figure in the seed documents, and ours is ahead on "
    f"{len(ahead)} of them"
    + (f" (by {compared['difference'].median():+.1f} points at the median)." if len(compared)
       else "."),
    f"- **Wall time:** {total / 60:.1f} minutes for the run on {facts['device']}"
    + (f", the slowest notebook {timings.loc[timings['seconds'].idxmax(), 'notebook']} "
       f"({timings['seconds'].max() / 60:.1f} minutes)." if len(timings) else "."),
] + ([f"- **Estimated full run** on this device: "
      f"{estimate['estimated full seconds'].iloc[-1] / 3600:.1f} hours."]
     if estimate is not None else []))))
