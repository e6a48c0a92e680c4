"""Plain-text renderings shared by the terminal, the demo and the HTML report."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["HEADLINE_NAMES", "format_confusion", "format_headline", "format_interval",
           "format_table"]

HEADLINE_NAMES = {
    "precision": "precision",
    "recall": "recall",
    "f1": "F1",
    "average_precision": "average precision",
    "roc_auc": "ROC AUC",
}


def format_interval(value: float, interval, digits: int = 3) -> str:
    """``0.833 [0.571, 1.000]``; ``n/a`` for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:.{digits}f}"
    if interval is not None and all(v is not None and math.isfinite(v) for v in interval):
        text += f" [{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]"
    return text


def format_headline(metrics: dict) -> str:
    """The planet-class rates with their 95% intervals, one per line."""
    lines = [f"Planet class at threshold {metrics['threshold']:.3g} "
             f"({metrics['n_positive']} planets among {metrics['n_total']} stars; "
             "95% bootstrap intervals):"]
    for key, name in HEADLINE_NAMES.items():
        lines.append(f"  {name:<18} {format_interval(metrics[key], metrics.get(key + '_ci'))}")
    return "\n".join(lines)


def format_confusion(metrics: dict) -> str:
    """The confusion matrix at the stored threshold as a small text table."""
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]
    width = max(6, *(len(str(v)) for v in (tn, fp, fn, tp)))
    return "\n".join([
        "Confusion matrix (rows: truth, columns: predicted):",
        f"  {'':<12}{'not planet':>{width + 4}}{'planet':>{width + 4}}",
        f"  {'not planet':<12}{tn:>{width + 4}}{fp:>{width + 4}}",
        f"  {'planet':<12}{fn:>{width + 4}}{tp:>{width + 4}}",
    ])


def format_table(frame: pd.DataFrame, columns: dict[str, str], floats: str = "{:.3f}") -> str:
    """A DataFrame as an aligned plain-text table with renamed columns."""
    shown = frame[list(columns)].rename(columns=columns)
    return shown.to_string(index=False, float_format=lambda v: floats.format(v))
