"""Validation metrics recorded in a run's ``metrics.json``."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score

from exohunt.training.loop import FitResult
from exohunt.training.threshold import ThresholdChoice, safe_average_precision

__all__ = ["count_parameters", "validation_metrics"]


def count_parameters(model: Any) -> int:
    """Trainable parameters of a network; tree nodes of the boosted-trees baseline."""
    if hasattr(model, "parameters"):
        return int(sum(p.numel() for p in model.parameters()))
    trees = model[-1]
    return int(sum(len(predictor.nodes) for stage in trees._predictors for predictor in stage))


def validation_metrics(labels: np.ndarray, result: FitResult, choice: ThresholdChoice,
                       model: Any, wall_seconds: float, preprocessing_seconds: float, *,
                       sample_weight: np.ndarray | None = None) -> dict:
    """Planet-class metrics on the validation split at the chosen threshold, plus costs;
    ``sample_weight`` (one per row) weights every metric and the confusion matrix (planet-free
    stars searched in part, :mod:`exohunt.training.budget`)."""
    probability = result.val_probability
    predicted = (probability >= choice.threshold).astype(int)
    labels = np.asarray(labels).astype(int)
    both = len(np.unique(labels)) == 2
    w = {"sample_weight": sample_weight}
    matrix = confusion_matrix(labels, predicted, labels=[0, 1], **w)
    return {
        "split": "validation",
        "precision": float(precision_score(labels, predicted, zero_division=0, **w)),
        "recall": float(recall_score(labels, predicted, zero_division=0, **w)),
        "f1": float(f1_score(labels, predicted, zero_division=0, **w)),
        "average_precision": safe_average_precision(labels, probability, **w),
        "roc_auc": float(roc_auc_score(labels, probability, **w)) if both else float("nan"),
        "threshold": choice.threshold, "objective": choice.objective,
        "confusion_matrix": (matrix.tolist() if sample_weight is None
                             else np.round(matrix, 1).tolist()),
        "n_positive": int(labels.sum()), "n_total": len(labels),
        "best_epoch": result.best_epoch, "epochs_run": len(result.history),
        "stopped": result.stopped,
        "training_seconds": wall_seconds, "preprocessing_seconds": preprocessing_seconds,
        "fit_seconds": result.seconds, "seconds_per_batch": result.seconds_per_batch,
        "n_params": count_parameters(model),
    }
