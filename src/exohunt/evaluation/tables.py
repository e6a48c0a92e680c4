"""Tables for the report: the notebook's classification report, a threshold sweep, recall by
injected SNR and false-positive rate by kind of star."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import classification_report

from exohunt.evaluation.metrics import wilson_interval

__all__ = [
    "DEFAULT_SNR_BINS",
    "BestThreshold",
    "best_threshold",
    "classification_report_text",
    "fp_rate_by_kind",
    "recall_by_snr",
    "threshold_sweep",
]

DEFAULT_SNR_BINS = (0.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0, 60.0, np.inf)
BEST_THRESHOLD_NOTE = ("for information only, not for model selection: the stored threshold was "
                       "chosen on validation data, as thresholds must be")


def classification_report_text(y_true, probability, threshold: float) -> str:
    """scikit-learn's classification report, as the seed notebook printed it.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        1 = planet, 0 = not.
    probability : array_like, shape (N,)
        Planet probability; a star is called a planet when ``probability >= threshold``.
    threshold : float
        Decision threshold.

    Returns
    -------
    str
        Per-class precision, recall, F1 and support; accuracy; macro and weighted averages.
    """
    y = np.asarray(y_true).astype(int)
    predicted = (np.asarray(probability) >= threshold).astype(int)
    return classification_report(y, predicted, labels=[0, 1],
                                 target_names=["not planet", "planet"], digits=3,
                                 zero_division=0)


def threshold_sweep(y_true, probability, thresholds=None) -> pd.DataFrame:
    """Planet-class precision, recall and F1 at many thresholds.

    Parameters
    ----------
    y_true, probability : array_like, shape (N,)
    thresholds : array_like, optional
        Default: 0.01, 0.02, … 0.99.

    Returns
    -------
    DataFrame
        Columns ``threshold, precision, recall, f1, n_predicted``; precision is 0 where
        nothing is predicted.
    """
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(probability, dtype=float)
    t = np.round(np.arange(1, 100) / 100, 2) if thresholds is None else np.asarray(thresholds)
    predicted = p[None, :] >= t[:, None]
    tp = (predicted & y).sum(axis=1)
    n_pred = predicted.sum(axis=1)
    precision = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), 0.0)
    recall = tp / y.sum() if y.any() else np.full(t.size, np.nan)
    f1 = np.where(precision + recall > 0,
                  2 * precision * recall / np.maximum(precision + recall, 1e-300), 0.0)
    return pd.DataFrame({"threshold": t, "precision": precision, "recall": recall, "f1": f1,
                         "n_predicted": n_pred})


@dataclass(frozen=True)
class BestThreshold:
    """The F1-maximising threshold *on the evaluated data* (never use it to pick models)."""

    threshold: float
    precision: float
    recall: float
    f1: float
    note: str = BEST_THRESHOLD_NOTE

    def line(self) -> str:
        """One line for the terminal and the report."""
        return (f"Best threshold on this data: {self.threshold:.2f} (F1 {self.f1:.3f}, "
                f"precision {self.precision:.3f}, recall {self.recall:.3f}) — {self.note}")


def best_threshold(sweep: pd.DataFrame) -> BestThreshold:
    """The row of a :func:`threshold_sweep` with the highest F1 (ties: lowest threshold)."""
    row = sweep.iloc[int(np.nanargmax(sweep["f1"].to_numpy()))] if sweep["f1"].notna().any() \
        else sweep.iloc[0]
    return BestThreshold(float(row.threshold), float(row.precision), float(row.recall),
                         float(row.f1))


def _with_wilson(frame: pd.DataFrame, hits: str, total: str, rate: str) -> pd.DataFrame:
    intervals = [wilson_interval(k, n) for k, n in zip(frame[hits], frame[total])]
    frame[rate] = np.where(frame[total] > 0, frame[hits] / frame[total].clip(lower=1), np.nan)
    frame[f"{rate}_ci_low"] = [low for low, _ in intervals]
    frame[f"{rate}_ci_high"] = [high for _, high in intervals]
    return frame


def _aligned(truth: pd.DataFrame, predicted) -> tuple[pd.DataFrame, np.ndarray]:
    predicted = np.asarray(predicted, dtype=bool)
    if len(truth) != predicted.size:
        raise ValueError(f"truth table has {len(truth)} rows but there are {predicted.size} "
                         "predictions")
    return truth.reset_index(drop=True), predicted


def recall_by_snr(truth: pd.DataFrame, predicted, bins=DEFAULT_SNR_BINS) -> pd.DataFrame:
    """Fraction of injected planets found, per bin of injected SNR.

    Parameters
    ----------
    truth : DataFrame
        One row per star in the order of ``predicted``, with ``label`` (1 = planet) and ``snr``.
    predicted : array_like of bool, shape (N,)
        Whether each star was called a planet.
    bins : sequence of float
        SNR bin edges; empty bins are dropped.

    Returns
    -------
    DataFrame
        ``snr_bin, snr_low, snr_high, n_planets, n_found, recall, recall_ci_low,
        recall_ci_high`` (Wilson 95%).
    """
    truth, predicted = _aligned(truth, predicted)
    planets = (truth["label"].to_numpy() == 1) & truth["snr"].notna().to_numpy()
    snr = truth["snr"].to_numpy(dtype=float)[planets]
    found = predicted[planets]
    edges = np.asarray(bins, dtype=float)
    which = np.digitize(snr, edges[1:-1])
    rows = []
    for i in range(edges.size - 1):
        members = which == i
        if members.any():
            high = "∞" if np.isinf(edges[i + 1]) else f"{edges[i + 1]:g}"
            rows.append({"snr_bin": f"{edges[i]:g}–{high}", "snr_low": edges[i],
                         "snr_high": edges[i + 1], "n_planets": int(members.sum()),
                         "n_found": int(found[members].sum())})
    frame = pd.DataFrame(rows, columns=["snr_bin", "snr_low", "snr_high", "n_planets",
                                        "n_found"])
    return _with_wilson(frame, "n_found", "n_planets", "recall")


def fp_rate_by_kind(truth: pd.DataFrame, predicted) -> pd.DataFrame:
    """False-positive rate for each kind of non-planet star (``eb``, ``rotator``, …).

    Parameters
    ----------
    truth : DataFrame
        One row per star in the order of ``predicted``, with ``label`` and ``kind``.
    predicted : array_like of bool, shape (N,)

    Returns
    -------
    DataFrame
        ``kind, n_stars, n_flagged, fp_rate, fp_rate_ci_low, fp_rate_ci_high`` (Wilson 95%),
        sorted by false-positive rate, highest first.
    """
    truth, predicted = _aligned(truth, predicted)
    negatives = truth["label"].to_numpy() != 1
    frame = pd.DataFrame({"kind": truth["kind"].to_numpy()[negatives].astype(str),
                          "flagged": predicted[negatives]})
    grouped = frame.groupby("kind")["flagged"].agg(n_stars="size", n_flagged="sum")
    grouped = grouped.reset_index().astype({"n_stars": int, "n_flagged": int})
    grouped = _with_wilson(grouped, "n_flagged", "n_stars", "fp_rate")
    return grouped.sort_values(["fp_rate", "n_stars"], ascending=[False, False],
                               ignore_index=True)
