"""Evaluation: predictions with optional test-time augmentation, metrics, reports and work
(``predictions``), calibration (``calibration``), fine-to-coarse mappings (``superclasses``)."""

from .predictions import (TTA_VIEWS, Predictions, confusion, fit_diagnosis, misclassified,
                          multiply_adds_per_image, per_class_accuracy, per_class_summary, predict,
                          predict_heads, report_frame, throughput)

__all__ = ["TTA_VIEWS", "Predictions", "confusion", "fit_diagnosis", "misclassified", "multiply_adds_per_image",
           "per_class_accuracy", "per_class_summary", "predict", "predict_heads", "report_frame",
           "throughput"]
