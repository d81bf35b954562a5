"""Notebook 01's and the summary's findings."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ...data import channel_stats
from .. import names, sentences
from ..headline import findings_table
from ..run_summary import notebooks_rerun


def eda(datasets: Mapping[str, tuple[Any, Any]], cifar10_counts: pd.DataFrame,
        hierarchy: pd.DataFrame, eurosat_counts: pd.DataFrame) -> None:
    """Notebook 01: the three data sets in the project's splits, and one finding each."""
    overview = pd.DataFrame([
        {"data set": name, "classes": len(dataset.classes),
         "image side (pixels)": splits.train.images.shape[-1], "train": len(splits.train),
         "validation": len(splits.val), "test": len(splits.test)}
        for name, (dataset, splits) in datasets.items()])
    cifar10, splits = datasets["CIFAR-10"]
    mean, std = channel_stats(splits.train.images)
    ratio = (cifar10_counts["train"].max() / cifar10_counts["train"].min())
    balance = "balanced" if ratio == 1 else f"largest-to-smallest ratio {ratio:.2f}"
    cifar100, eurosat = datasets["CIFAR-100"][0], datasets["EuroSAT"][0]
    total = eurosat_counts.sum(axis=1)
    findings_table(overview, [
        f"**CIFAR-10**: {len(cifar10.classes)} classes ({balance} in training); channel means "
        f"{', '.join(f'{m:.4f}' for m in mean)} and standard deviations "
        f"{', '.join(f'{s:.4f}' for s in std)} (R, G, B, on a 0-1 scale) on the training split.",
        f"**CIFAR-100**: {len(cifar100.classes)} fine classes in {len(cifar100.coarse_classes)} "
        f"superclasses of {sentences.value_range(hierarchy['classes'].min(), hierarchy['classes'].max())} "
        "classes each.",
        f"**EuroSAT**: {len(eurosat.classes)} classes of "
        f"{sentences.value_range(total.min(), total.max())} images; the ImageNet models of "
        "notebooks 04 and 05 resize them on the device where a model takes another side.",
    ], "The three data sets in the project's splits (images per split)")


def summary(headline: pd.DataFrame, models: pd.DataFrame, timings: pd.DataFrame,
            record: Mapping[str, Any]) -> None:
    """The run's findings: our goals by their verdicts, our recipe against the source recipe over
    every model trained by both, and the time the run took."""
    verdicts = headline.get("goal verdict", pd.Series("", index=headline.index)).fillna("")
    judged = headline.assign(**{"goal verdict": verdicts})[verdicts != ""]
    counts = judged["goal verdict"].map(lambda v: v.split()[-1]).value_counts()
    missed = judged[judged["goal verdict"].str.endswith("missed")]["model"]
    means = models[models["recipe"].isin(["source", "ours"])].groupby(
        ["notebook", "model", "recipe"])["test_acc"].mean().unstack("recipe").dropna()
    ahead = int((means["ours"] > means["source"]).sum()) if len(means) else 0
    notebooks = timings["seconds"].sum()
    slowest = timings.loc[timings["seconds"].idxmax()] if len(timings) else None
    findings_table(headline, [
        "Our recipe's goals, each judged on its 95% interval over random seeds and test images "
        "(met, missed, or undecided where the interval holds the goal): "
        + ", ".join(f"{count} {verdict}" for verdict, count in counts.items())
        + (f" (missed: {'; '.join(names.model_name(m) for m in missed)})" if len(missed) else "")
        + "." if len(judged) else "",
        f"Our recipe's mean test accuracy is above the source recipe's for {ahead} of the "
        f"{len(means)} models trained by both (every such model of the run, the table's and the "
        "others); each notebook tests its differences." if len(means) else "",
        f"**Time:** the notebooks took {notebooks / 60:.1f} minutes in all"
        + (f" (the slowest, {names.notebook_name(slowest['notebook'])}, "
           f"{slowest['seconds'] / 60:.1f} minutes)" if slowest is not None else "")
        + _latest_run(record, timings) + ".",
    ], "Each model with a source figure or a goal: means over random seeds; the source recipe at "
       "the epoch its source report read; the interval over random seeds and test images",
        conclusions_first=True)


def _latest_run(record: Mapping[str, Any], timings: pd.DataFrame) -> str:
    """The latest run's time; where it ran some notebooks only, which, and that the others' times
    are from earlier runs."""
    if "seconds" not in record:
        return ""
    ran = notebooks_rerun(record, timings)
    minutes = f"{record['seconds'] / 60:.1f} minutes"
    if not ran:
        return f"; the run, with its PDFs, {minutes} before this summary"
    return (f"; the latest run, {minutes} with its PDFs, ran "
            f"{', '.join(names.notebook_name(n) for n in ran)} only, and the other "
            "notebooks' times are from earlier runs")
