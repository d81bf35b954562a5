"""The evidence on real images: notebooks 02 and 03's recipes on Fashion-MNIST, the one real image
data set on a machine without internet (Debian's package ``dataset-fashion-mnist``).

``python -m helpers.commands.fashion_mnist`` trains the baseline, CNNV2 and CNNV3 with the recipe
objects of notebooks 02 and 03 (the values of their parameters cells). Validation chooses, test
reports: first **trials on the 6,000 validation images** - our recipe's augmentation (flips
alone, or crops and flips) on CNNV2, and CNNV3's dropout under our recipe (``--augment`` or
``--dropout`` names an option instead) - then **the comparison**: each model by the source recipe
at our epochs and by ours over several random seeds, the goal judged on the bootstrap's interval
over seeds and test images, ours against the source recipe by Welch's t-test over the seeds
(McNemar's test with one). The table is rewritten after each model; ``--resume`` reads finished
trainings back from their checkpoints.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Mapping, Sequence

import pandas as pd

from ..training.checkpoints import clear_notebook_checkpoints
from ..core.config import Run, setup
from ..data import CROP_FLIP, Augment, Splits, load_fashion_mnist, standard_splits

from ..experiments import Experiment, choose_on_validation, train_over_seeds
from ..core.paths import paths_for
from ..report import formats
from ..training.recipes import (CNN_V3_DROPOUT_OPTIONS, EQUAL_EPOCHS, OURS, Recipe, equal_epochs,
                      our_recipe, source_recipe)
from ..experiments.references import FASHION_MNIST_GOALS
from ..experiments.results import ResultsFile, right_answers
from ..stats.bootstrap import goal_verdict
from ..stats.family import Family
from ..stats.spread import mean_with_interval, over_seeds

# Published Fashion-MNIST test accuracies (the data set's README, in Debian's
# /usr/share/doc/dataset-fashion-mnist/), to read our figures against.
PUBLISHED_FASHION_MNIST = {
    "5 conv + BN + pooling": 0.931,
    "2 conv + 2 FC, random horizontal flips": 0.939,
    "ResNet-18, normalisation and augmentation": 0.949,
    "WRN-40-4 (8.9 M parameters), crops and flips": 0.967,
    "humans (crowd, no fashion expertise)": 0.835,
}
# Notebooks 02 and 03's recipes: the values of their parameters cells (a test reads the cells).
SOURCE_LR, SOURCE_BATCH_SIZE, CNN_V3_SOURCE_WEIGHT_DECAY = 0.001, 64, 1e-4
OUR_LR, OUR_BATCH_SIZE = 0.1, 256
# Epochs of both recipes per model, for CPU time (the baseline and CNNV2 with the trials: two
# hours on 2 CPU cores; CNNV3 with its trial: about 80 minutes more).
FASHION_EPOCHS = {"baseline_cnn": 15, "cnn_v2": 20, "cnn_v3": 20}
# Our recipe's augmentation candidates on Fashion-MNIST (garments are centred and upright).
AUGMENT_OPTIONS: dict[str, Augment] = {"flip": Augment(flip=True), "crop+flip": CROP_FLIP}
SOURCE_DROPOUT = "0.2 to 0.5 (source)"  # of recipes.CNN_V3_DROPOUT_OPTIONS


def notebook_recipes(model: str, epochs: int, augment: Augment) -> tuple[Recipe, Recipe]:
    """Notebooks 02 and 03's source recipe of ``model`` trained for our ``epochs`` (the
    equal-epochs control) and our recipe with our augmentation ``augment``."""
    ours = our_recipe(epochs, lr=OUR_LR, batch_size=OUR_BATCH_SIZE, augment=augment)
    source = source_recipe(epochs, lr=SOURCE_LR, batch_size=SOURCE_BATCH_SIZE,
                           weight_decay=CNN_V3_SOURCE_WEIGHT_DECAY if model == "cnn_v3" else 0.0)
    return equal_epochs(source, ours), ours


def choose(run: Run, results: ResultsFile, splits: Splits, question: str, model: str,
           options: Mapping[str, Mapping[str, Any]], seeds: int, recipe: Recipe
           ) -> tuple[str, list[str]]:
    """One choice of our recipe, trained by ``recipe`` (an option may replace it) and made on the
    validation images; returns the chosen option and its table in Markdown."""
    chosen, frame = choose_on_validation(
        run, results, label=f"{model} trial ({question})", options=options, seeds=range(seeds),
        model=model, splits=splits, recipe=recipe, dataset="Fashion-MNIST",
        notes=fashion_notes(None))
    return chosen, trial_markdown(question, model, recipe.epochs, frame)


def fashion_notes(goal: float | None) -> dict[str, Any]:
    """Results-row values for Fashion-MNIST: no source figure and the Fashion-MNIST goal."""
    return {"source_figure": None, "source_metric": None, "source_document": None, "goal": goal}


def train_model_over_seeds(run: Run, results: ResultsFile, splits: Splits, model: str,
                           recipes: Sequence[Recipe], seeds: int, dropout: Mapping[str, float]):
    """Each recipe of ``model`` with random seeds 0 .. ``seeds`` - 1 (our recipe's CNNV3 with
    ``dropout``; the source recipe keeps the source report's architecture)."""
    return {recipe.name: train_over_seeds(
        run, results, seeds=range(seeds), label=model, model=model, splits=splits, recipe=recipe,
        dataset="Fashion-MNIST", notes=fashion_notes(FASHION_MNIST_GOALS.get(model)
                                                     if recipe.name == OURS else None),
        **(dropout if model == "cnn_v3" and recipe.name == OURS else {})) for recipe in recipes}


def model_rows(model: str, trained: Mapping[str, Sequence[Experiment]]) -> list[dict[str, Any]]:
    """Both recipes of ``model`` over their seeds: test accuracy's mean, standard deviation and
    95 % interval over seeds and test images, validation's mean, the goal's verdict; our row also
    compares with the source recipe (Welch's t-test over seeds, or McNemar's test with one)."""
    rows, correct = [], {(model, name, e.row["seed"]): right_answers(e.test)
                         for name, runs in trained.items() for e in runs}
    for name, experiments in trained.items():
        spread = over_seeds([e.row["test_acc"] for e in experiments])
        interval = mean_with_interval(correct, model, name)
        goal = FASHION_MNIST_GOALS.get(model) if name == OURS else None
        rows.append({"model": model, "recipe": name, "epochs": experiments[0].row["epochs_run"],
                     "random seeds": len(experiments), "test accuracy": spread.mean,
                     "std": spread.std, "95% interval": (interval.low, interval.high),
                     "validation": over_seeds([e.row["val_acc"] for e in experiments]).mean,
                     "without TTA": over_seeds([e.row.get("test_acc_no_tta", e.row["test_acc"])
                                                for e in experiments]).mean,
                     "goal": goal, "verdict": goal_verdict(interval, goal),
                     "minutes per training": sum(e.history.seconds for e in experiments)
                     / 60 / len(experiments)})
    family = Family(correct)
    family.over_seeds(model, OURS, EQUAL_EPOCHS)
    if not family.rows:
        family.on_images(model, OURS, EQUAL_EPOCHS, trained[OURS][0].row["seed"])
    result = family.rows[0]
    rows[-1].update({"difference": result["difference"], "p-value": result["p-value"],
                     "test": result["test"].split(",")[0]})
    return rows


def percent(value: float | None) -> str:
    """Two decimals, as the published Fashion-MNIST figures are given; "-" for none."""
    return "-" if value is None or pd.isna(value) else formats.percent(value, 2)


def trial_markdown(question: str, model: str, epochs: int, frame: pd.DataFrame) -> list[str]:
    lines = [f"Choice of {question} ({model}, our recipe; validation accuracy of the kept epoch, "
             "6,000 validation images):", "",
             "| option | random seeds | epochs | validation accuracy (mean) | std | chosen |",
             "|---|---:|---:|---:|---:|---|"]
    for row in frame.to_dict("records"):
        std = "-" if pd.isna(row["std"]) else f"{100 * row['std']:.2f} points"
        lines.append(f"| {row['option']} | {row['random seeds']} | {epochs} | "
                     f"{percent(row['validation accuracy (mean)'])} | {std} | "
                     f"{'yes' if row['chosen'] else 'no'} |")
    return lines + [""]


def comparison_markdown(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = ["| model | recipe | epochs | random seeds | test accuracy (mean) | std | 95% interval "
             "| ours without TTA | validation (mean) | goal | goal met | ours - source | p (test) "
             "| minutes per training |",
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---|---:|"]
    for row in rows:
        low, high = row["95% interval"]
        interval = "-" if pd.isna(low) else f"{percent(low)} to {percent(high)}"
        std = "-" if pd.isna(row["std"]) else f"{100 * row['std']:.2f} points"
        difference = f"{100 * row['difference']:+.2f} points" if "difference" in row else ""
        p_value = f"{formats.p_value(row['p-value'])} ({row['test']})" if "p-value" in row else ""
        recipe = "ours" if row["recipe"] == OURS else "source, our epochs"
        lines.append(
            f"| {row['model']} | {recipe} | {row['epochs']} | {row['random seeds']} | "
            f"{percent(row['test accuracy'])} | {std} | {interval} | "
            f"{percent(row['without TTA']) if row['recipe'] == OURS else '-'} | "
            f"{percent(row['validation'])} | {percent(row['goal']) if row['goal'] else '-'} | "
            f"{row['verdict'] or '-'} | {difference} | {p_value} | "
            f"{row['minutes per training']:.1f} |")
    return lines + [""]


def published_line() -> str:
    return "Published (Fashion-MNIST README): " + "; ".join(
        f"{name} {value:.1%}" for name, value in PUBLISHED_FASHION_MNIST.items())


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.commands.fashion_mnist",
        description="Notebooks 02 and 03's recipes on Fashion-MNIST: trials on validation, then "
                    "the source recipe at our epochs and ours over several random seeds.")
    parser.add_argument("--models", nargs="+", default=list(FASHION_EPOCHS),
                        choices=list(FASHION_EPOCHS))
    parser.add_argument("--seeds", type=int, default=3,
                        help="random seeds of each recipe of the baseline and CNNV2 (default 3)")
    parser.add_argument("--cnn-v3-seeds", type=int, default=1,
                        help="random seeds of each recipe of CNNV3 (default 1: 25 minutes each "
                             "on 2 CPU cores)")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"epochs of both recipes of every model (default: {FASHION_EPOCHS})")
    parser.add_argument("--augment", choices=["choose", *AUGMENT_OPTIONS], default="choose",
                        help="our recipe's augmentation; 'choose' runs the trial (default)")
    parser.add_argument("--dropout", choices=["choose", *CNN_V3_DROPOUT_OPTIONS], default="choose",
                        help="CNNV3's dropout under our recipe; 'choose' runs the trial (default)")
    parser.add_argument("--trial-epochs", type=int, default=6)
    parser.add_argument("--trial-seeds", type=int, default=2,
                        help="random seeds of each option of the augmentation trial (default 2; "
                             "the dropout trial trains one)")
    parser.add_argument("--resume", action="store_true",
                        help="read finished trainings back from their checkpoints")
    parser.add_argument("--device", default="auto")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the trials and the comparison; print and save the table after each model."""
    args = parse(argv)
    started = time.perf_counter()
    layout = paths_for("fashion-mnist")
    run = setup(profile="full", device=args.device, notebook="fashion_mnist", layout=layout,
                resume=args.resume)
    splits = standard_splits("fashion_mnist", load_fashion_mnist())
    results = ResultsFile(run.results_file)
    lines = [f"Trained on {run.device}; notebooks 02 and 03's recipes; choices on validation.", ""]

    def save() -> None:
        minutes = (time.perf_counter() - started) / 60
        text = "\n".join(lines + [published_line(), "",
                                  f"Wall time of the command so far: {minutes:.1f} min."])
        (layout.root / "table.md").write_text(text + "\n")
        print(text, flush=True)

    augment_name = args.augment
    if augment_name == "choose":
        augment_name, table = choose(
            run, results, splits, "augmentation of our recipe", "cnn_v2",
            {name: {"recipe": notebook_recipes("cnn_v2", args.trial_epochs, augment)[1]}
             for name, augment in AUGMENT_OPTIONS.items()}, args.trial_seeds,
            notebook_recipes("cnn_v2", args.trial_epochs, AUGMENT_OPTIONS["flip"])[1])
        lines += table
        save()
    augment = AUGMENT_OPTIONS[augment_name]
    dropout_name = args.dropout
    if dropout_name == "choose" and "cnn_v3" in args.models:
        dropout_name, table = choose(
            run, results, splits, "dropout", "cnn_v3", CNN_V3_DROPOUT_OPTIONS, 1,
            notebook_recipes("cnn_v3", args.trial_epochs, augment)[1])
        lines += table
        save()
    dropout = CNN_V3_DROPOUT_OPTIONS.get(dropout_name, CNN_V3_DROPOUT_OPTIONS[SOURCE_DROPOUT])
    lines += [f"Test accuracy (10,000 test images); our recipe's augmentation: {augment_name}"
              + (f"; CNNV3's dropout under our recipe: {dropout_name}" if "cnn_v3" in args.models
                 else "") + ":", ""]
    table_at = len(lines)
    rows: list[dict[str, Any]] = []
    for model in args.models:
        recipes = notebook_recipes(model, args.epochs or FASHION_EPOCHS[model], augment)
        seeds = args.cnn_v3_seeds if model == "cnn_v3" else args.seeds
        rows += model_rows(model, train_model_over_seeds(run, results, splits, model, recipes,
                                                         seeds, dropout))
        lines[table_at:] = comparison_markdown(rows)
        save()
    clear_notebook_checkpoints(layout, run.notebook)  # kept only while the command runs
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
