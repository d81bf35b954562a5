"""Experiments: train a model by name and recipe and write its results row (``train``), heads of
frozen backbones (``frozen``), choices made on validation (``choice``), the results
files (``results``) and the source documents' figures and our goals (``references``)."""

from . import hierarchy, studies
from .choice import Choice, choose_on_validation
from .frozen import (CACHED_VIEWS, VIEWS_ON_THE_FLY, train_frozen_head, train_head_on_features,
                     train_head_on_images)
from .train import (Built, Experiment, build, record, train_built, train_model,
                    train_over_seeds, train_with_control, training_multiply_adds_per_image)

__all__ = ["Built", "CACHED_VIEWS", "Choice", "Experiment", "build", "hierarchy", "record", "studies", "VIEWS_ON_THE_FLY",
           "choose_on_validation", "train_built", "train_frozen_head",
           "train_head_on_features", "train_head_on_images", "train_model", "train_over_seeds",
           "train_with_control",
           "training_multiply_adds_per_image"]
