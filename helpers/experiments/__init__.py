"""Experiments: train a model by name and recipe and write its results row (``train``), heads of
frozen backbones (``frozen``), choices made on validation (``choice``, ``fitted``), the results
files (``results``) and the source documents' figures and our goals (``references``)."""

from .choice import Choice, choose_on_validation
from .fitted import Fitted
from .frozen import (CACHED_VIEWS, VIEWS_ON_THE_FLY, train_frozen_head, train_head_on_features,
                     train_head_on_images)
from .train import (Experiment, tests_by_model, train_built, train_model, train_over_seeds,
                    training_multiply_adds_per_image)

__all__ = ["CACHED_VIEWS", "Choice", "Experiment", "Fitted", "VIEWS_ON_THE_FLY",
           "choose_on_validation", "tests_by_model", "train_built", "train_frozen_head",
           "train_head_on_features", "train_head_on_images", "train_model", "train_over_seeds",
           "training_multiply_adds_per_image"]
