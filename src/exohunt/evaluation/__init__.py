"""Evaluation: planet-class metrics with bootstrap intervals, tables, plots and the HTML report.

Public API::

    from exohunt.evaluation import classification_metrics, evaluate
    m = classification_metrics(y_true, probability, threshold=0.5)   # dict with *_ci intervals
    result = evaluate(run, "test.csv", truth="test_truth.csv", out="report/")
"""

from __future__ import annotations

from exohunt.evaluation.evaluator import evaluate, model_name
from exohunt.evaluation.metrics import classification_metrics, ranking_metrics, wilson_interval
from exohunt.evaluation.tables import (
    BestThreshold,
    best_threshold,
    classification_report_text,
    fp_rate_by_kind,
    recall_by_snr,
    threshold_sweep,
)
from exohunt.evaluation.text import format_confusion, format_headline

__all__ = [
    "BestThreshold",
    "best_threshold",
    "classification_metrics",
    "classification_report_text",
    "evaluate",
    "format_confusion",
    "format_headline",
    "fp_rate_by_kind",
    "model_name",
    "ranking_metrics",
    "recall_by_snr",
    "threshold_sweep",
    "wilson_interval",
]
