"""Readable names for what the code calls by an identifier: models, recipes, classes and results
columns. The .ipynb and the results files keep the identifiers; tables, charts and sentences show
these."""

from __future__ import annotations

import re

from ..training.recipes import recipe_label

MODELS = {
    "baseline_cnn": "baseline CNN", "cnn_v2": "CNNV2", "cnn_v3": "CNNV3",
    "alexnet_scratch": "AlexNet, from scratch", "mobilenet_v2_scratch": "MobileNetV2, from scratch",
    "alexnet_pretrained": "AlexNet, frozen ImageNet backbone",
    "mobilenet_v2_pretrained": "MobileNetV2, frozen ImageNet backbone",
    "alexnet_finetuned": "AlexNet, fine-tuned", "mobilenet_v2_finetuned": "MobileNetV2, fine-tuned",
    "middle_fusion": "middle fusion", "alexnet_only": "AlexNet's maps alone",
    "mobilenet_v2_only": "MobileNetV2's maps alone",
    "fine100": "fine100 (100 classes)", "coarse20": "coarse20 (20 superclasses)",
    "multihead": "two heads (100 + 20)", "cnn_v3_study": "CNNV3 study",
    "multihead_subset": "two heads, superclasses 0-9 (50 + 10)",
    "alexnet": "AlexNet", "mobilenet_v2": "MobileNetV2",
}


def model_name(model: str) -> str:
    """"baseline CNN", "AlexNet, from scratch", "our family, 1K", "source model, 2,250 parameters"."""
    if model in MODELS:
        return MODELS[model]
    if match := re.fullmatch(r"ours_(\d+)([km])", model):
        return f"our family, {match.group(1)}{match.group(2).upper()}"
    if match := re.fullmatch(r"source_(\d+)", model):
        return f"source model, {int(match.group(1)):,} parameters"
    if match := re.fullmatch(r"cnn_v3_study_(\d+)", model):
        return f"CNNV3 study, configuration {match.group(1)}"
    if ": " in model:  # a trial's training: "<label>: <option>"
        label, option = model.split(": ", 1)
        return f"{model_name(label.removesuffix(' trial'))}, trial of {option}"
    known = next((key for key in sorted(MODELS, key=len, reverse=True)
                  if model.startswith(key) and model[len(key):len(key) + 1] in (" ", "_")), None)
    if known:  # a study's model: "mobilenet_v2_frozen_32px" -> "MobileNetV2, frozen 32 px"
        rest = re.sub(r"(\d+)px\b", r"\1 px", model[len(known):].strip(" _").replace("_", " "))
        return f"{MODELS[known]}, {rest}"
    return model.replace("_", " ")


def recipe_name(recipe: str) -> str:
    """"source recipe", "our recipe", "source recipe, our epochs", ..."""
    return recipe_label(recipe)


def notebook_name(notebook: str) -> str:
    """"02 baseline CNN" for "02_baseline_cnn"."""
    number, _, rest = notebook.partition("_")
    words = {"cnn": "CNN", "cnns": "CNNs", "eda": "data", "cifar100": "CIFAR-100"}
    return " ".join([number] + [words.get(word, word) for word in rest.split("_")]) if rest \
        else notebook


def training_name(training: str) -> str:
    """"baseline CNN (our recipe, random seed 2)" for a rehearsal's "baseline_cnn (ours, random
    seed 2)"; a notebook by its name; anything else as it is."""
    if re.fullmatch(r"\d\d_\w+", training):
        return notebook_name(training)
    if not (match := re.fullmatch(r"([^()]+?) \(([^,()]+)([^()]*)\)(?: \([^()]*\))?", training)):
        return training  # the last brackets, where there are two, repeat a trial's recipe
    model, recipe, rest = match.groups()
    return f"{model_name(model)} ({recipe_name(recipe)}{rest})"


def class_name(name: str) -> str:
    """"aquatic mammals" for "aquatic_mammals"."""
    return name.replace("_", " ")


COLUMNS = {
    "model": "model", "recipe": "recipe", "seed": "random seed", "params": "trainable parameters",
    "params_total": "all parameters", "epochs_run": "epochs run", "best_epoch": "kept epoch",
    "val_acc": "validation accuracy", "test_acc": "test accuracy", "test_top5": "top-5 accuracy",
    "test_acc_no_tta": "test accuracy, no test-time views",
    "test_acc_final_epoch": "test accuracy, final epoch", "train_acc": "training accuracy",
    "train_loss": "cross-entropy, training", "test_loss": "cross-entropy, test",
    "seconds": "seconds", "test_acc_coarse": "coarse head accuracy",
    "train_multiply_adds": "training multiply-adds", "test_ece": "calibration error (ECE)",
}


def column_name(column: str) -> str:
    return COLUMNS.get(column, column.replace("_", " "))
