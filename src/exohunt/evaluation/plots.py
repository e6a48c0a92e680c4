"""The report's figures, each written to a PNG file (matplotlib, non-interactive backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import binned_statistic
from sklearn.metrics import precision_recall_curve, roc_curve

from exohunt.lightcurve import fold_phase

__all__ = [
    "plot_confusion_matrix",
    "plot_history",
    "plot_pr_curve",
    "plot_recall_vs_snr",
    "plot_roc_curve",
    "plot_star",
    "plot_threshold_sweep",
]

DPI = 80
PLANET = "#1f77b4"
ALARM = "#d62728"


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def plot_history(history: Sequence[dict], path: Path) -> Path | None:
    """Training and validation loss, and validation average precision, per epoch.

    Returns ``None`` (nothing written) when the history is empty, e.g. a gradient-boosting run.
    """
    frame = pd.DataFrame(list(history))
    if frame.empty or "epoch" not in frame:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    for column, label in (("train_loss", "training"), ("val_loss", "validation")):
        if column in frame and frame[column].notna().any():
            left.plot(frame["epoch"], frame[column], marker=".", label=label)
    left.set(xlabel="epoch", ylabel="loss", title="Loss")
    left.legend(frameon=False)
    if "val_average_precision" in frame:
        right.plot(frame["epoch"], frame["val_average_precision"], marker=".", color=PLANET)
    right.set(xlabel="epoch", ylabel="average precision", title="Validation average precision",
              ylim=(0, 1.02))
    return _save(fig, path)


def plot_pr_curve(y_true, probability, threshold: float, path: Path) -> Path:
    """Precision-recall curve, with the operating point at ``threshold`` marked."""
    y, p = np.asarray(y_true), np.asarray(probability)
    fig, ax = plt.subplots(figsize=(4.4, 3.6))
    if y.any():
        precision, recall, _ = precision_recall_curve(y, p)
        ax.step(recall, precision, where="post", color=PLANET)
        chosen = p >= threshold
        tp = np.sum(chosen & (y == 1))
        ax.plot(tp / y.sum(), tp / max(1, chosen.sum()), "o", color=ALARM,
                label=f"threshold {threshold:.2f}")
        ax.axhline(y.mean(), ls=":", color="grey", label=f"chance ({y.mean():.3f})")
        ax.legend(frameon=False, loc="lower left")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (planet class)",
           xlim=(0, 1.02), ylim=(0, 1.02))
    return _save(fig, path)


def plot_roc_curve(y_true, probability, threshold: float, path: Path) -> Path:
    """ROC curve, with the operating point at ``threshold`` marked."""
    y, p = np.asarray(y_true), np.asarray(probability)
    fig, ax = plt.subplots(figsize=(4.4, 3.6))
    if y.any() and not y.all():
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, color=PLANET)
        chosen = p >= threshold
        ax.plot(np.mean(chosen[y == 0]), np.mean(chosen[y == 1]), "o", color=ALARM,
                label=f"threshold {threshold:.2f}")
        ax.legend(frameon=False, loc="lower right")
    ax.plot([0, 1], [0, 1], ls=":", color="grey")
    ax.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title="ROC",
           xlim=(0, 1), ylim=(0, 1.02))
    return _save(fig, path)


def plot_confusion_matrix(matrix: Sequence[Sequence[int]], threshold: float, path: Path) -> Path:
    """The 2×2 confusion matrix (rows: truth, columns: prediction) with counts."""
    m = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(3.8, 3.4))
    ax.imshow(np.log1p(m), cmap="Blues")
    for (i, j), count in np.ndenumerate(m):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=14,
                color="white" if np.log1p(count) > 0.6 * np.log1p(m.max()) else "black")
    labels = ["not planet", "planet"]
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=labels, yticklabels=labels,
           xlabel="predicted", ylabel="true", title=f"Confusion matrix (threshold {threshold:.2f})")
    return _save(fig, path)


def plot_threshold_sweep(sweep: pd.DataFrame, threshold: float, best: float, path: Path) -> Path:
    """Precision, recall and F1 against threshold; stored and best-on-this-data marked."""
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    for column in ("precision", "recall", "f1"):
        ax.plot(sweep["threshold"], sweep[column], label=column)
    ax.axvline(threshold, color="black", ls="--", label=f"stored threshold {threshold:.2f}")
    ax.axvline(best, color="grey", ls=":", label=f"best here {best:.2f} (not for selection)")
    ax.set(xlabel="threshold", ylabel="planet class", ylim=(0, 1.02), xlim=(0, 1),
           title="Threshold sweep")
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return _save(fig, path)


def plot_recall_vs_snr(table: pd.DataFrame, path: Path) -> Path | None:
    """Recall per injected-SNR bin with Wilson 95% intervals; ``None`` if the table is empty."""
    if table.empty:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.4))
    x = np.arange(len(table))
    recall = table["recall"].to_numpy()
    errors = np.clip(np.vstack([recall - table["recall_ci_low"],
                                table["recall_ci_high"] - recall]), 0, None)
    ax.errorbar(x, recall, yerr=errors, fmt="o-", color=PLANET, capsize=3)
    for xi, row in zip(x, table.itertuples()):
        ax.annotate(f"{row.n_found}/{row.n_planets}", (xi, row.recall), textcoords="offset points",
                    xytext=(0, 8), ha="center", fontsize=8)
    ax.set(xticks=x, xticklabels=table["snr_bin"], xlabel="injected SNR", ylabel="recall",
           ylim=(0, 1.1), title="Recall vs injected SNR")
    return _save(fig, path)


def _detrended(time: np.ndarray, flux: np.ndarray, duration_days: float | None) -> np.ndarray:
    """Flux minus a robust (wotan biweight) trend, so that folds are not hidden by stellar
    variability; subtracted rather than divided, so mean-subtracted (Kaggle) flux works too."""
    import warnings

    from wotan import flatten

    window = max(0.5, 3 * duration_days) if duration_days and np.isfinite(duration_days) else 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, trend = flatten(time, flux, window_length=window, method="biweight",
                           return_trend=True, edge_cutoff=0)
    residual = flux - trend
    if np.mean(np.isfinite(residual)) < 0.5:
        return flux - np.median(flux)
    return residual


def _robust_ylim(ax, values: np.ndarray) -> None:
    """Keep deep dips, clip the highest 0.5% (cosmic rays, flares) so the star stays visible."""
    values = values[np.isfinite(values)]
    if values.size:
        low, high = np.min(values), np.percentile(values, 99.5)
        pad = 0.08 * (high - low) if high > low else 1.0
        ax.set_ylim(low - pad, high + pad)


def _fold_panel(ax, t, f, period: float, t0, duration_days, fold_label: str) -> None:
    phase = fold_phase(t, period, t0 if t0 is not None and np.isfinite(t0) else 0.0) * 24
    residual = _detrended(t, f, duration_days)
    span = period * 12
    if duration_days and np.isfinite(duration_days) and duration_days > 0:
        span = min(3 * duration_days * 24, span)
    ax.plot(phase, residual, ".", ms=2, color=PLANET, alpha=0.5)
    edges = np.linspace(-span, span, 41)
    inside = (phase >= -span) & (phase <= span) & np.isfinite(residual)
    if inside.sum() > 10:
        medians = binned_statistic(phase[inside], residual[inside], "median", bins=edges)[0]
        ax.plot(0.5 * (edges[1:] + edges[:-1]), medians, "-", color=ALARM, lw=1.5)
        _robust_ylim(ax, residual[inside])
    ax.set_xlim(-span, span)
    ax.set(xlabel="hours from mid-transit", ylabel="detrended flux",
           title=f"folded, P = {period:.4g} d" + (f" ({fold_label})" if fold_label else ""))
    ax.title.set_fontsize(9)


def plot_star(time, flux, title: str, path: Path, *, period: float | None = None,
              t0: float | None = None, duration_days: float | None = None,
              fold_label: str = "") -> Path:
    """Raw light curve and, when a period is known, the detrended light curve folded on it.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Days and flux (any unit).
    title : str
        Figure title (star, probability, truth); empty for none.
    period, t0, duration_days : float, optional
        Fold on ``period`` (days) about ``t0``; the folded panel spans ±3 durations when the
        duration is known, else ±12 periods' worth of hours; red line: binned medians.
    fold_label : str
        Where the period came from (e.g. "found", "injected").
    """
    t, f = np.asarray(time, float), np.asarray(flux, float)
    good = np.isfinite(t) & np.isfinite(f)
    t, f = t[good], f[good]
    folded = period is not None and np.isfinite(period) and period > 0 and t.size > 10
    fig, axes = plt.subplots(1, 2 if folded else 1, figsize=(7.2, 2.4),
                             squeeze=False, gridspec_kw={"width_ratios": [3, 2] if folded else [1]})
    axes[0, 0].plot(t, f, ".", ms=1.5, color="black")
    _robust_ylim(axes[0, 0], f)
    axes[0, 0].set(xlabel="time [days]", ylabel="flux", title="raw")
    if folded:
        _fold_panel(axes[0, 1], t, f, period, t0, duration_days, fold_label)
    if title:
        fig.suptitle(title, fontsize=10)
    return _save(fig, path)
