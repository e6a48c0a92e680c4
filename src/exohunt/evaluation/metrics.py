"""Planet-class metrics with stratified-bootstrap 95% intervals.

At 1% prevalence accuracy says nothing; what matters is how many planets were found (recall),
how many alarms were real (precision), their balance (F1) and the ranking quality (average
precision, ROC AUC). With five test planets each of these wobbles a lot, so every rate carries
a 95% interval.

Intervals
---------
The bootstrap is *stratified*: each resample draws ``n_positive`` stars with replacement from
the positives and ``n_negative`` from the negatives, so every resample has exactly as many
planets as the data and AP, AUC and recall are always defined. Resamples are represented as
multinomial counts per star, so all of them are evaluated at once with array operations
(1,000 resamples of 5,000 stars take well under a second).

Precision and recall are binomial proportions. With a handful of positives the bootstrap
percentile interval collapses to a point whenever every positive is found (5/5 gives
``[1, 1]``), which claims a certainty five planets cannot give. For these two rates the interval
is therefore the envelope of the bootstrap interval and the Wilson score interval (5/5 gives
about ``[0.57, 1]``). F1, AP and ROC AUC use the bootstrap percentile interval alone. With no
positives (or no negatives) the rates that need them are NaN, and so are their intervals.
Precision with no predicted positives is 0 (scikit-learn's ``zero_division=0``).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = ["classification_metrics", "ranking_metrics", "wilson_interval"]

_RATES = ("precision", "recall", "f1", "average_precision", "roc_auc")
_MAX_CELLS = 4_000_000  # resamples × stars evaluated per block (bounds memory to ~100 MB)


def wilson_interval(successes: float, trials: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes, trials : float
        Counts; ``trials == 0`` gives ``(nan, nan)``.
    level : float
        Coverage, e.g. 0.95.

    Returns
    -------
    tuple of float
        Lower and upper bound, within ``[0, 1]``.
    """
    if trials <= 0:
        return (float("nan"), float("nan"))
    z = norm.ppf(0.5 + level / 2)
    p = successes / trials
    denominator = 1 + z**2 / trials
    centre = (p + z**2 / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / denominator
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def _check_inputs(y_true, probability) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(np.int64).ravel()
    p = np.asarray(probability, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} values but probability has {p.size}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must contain only 0 (not planet) and 1 (planet)")
    if not np.isfinite(p).all():
        raise ValueError("probability contains NaN or infinite values")
    return y, p


def ranking_metrics(y_true: np.ndarray, score: np.ndarray,
                    weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Average precision and ROC AUC for many weightings of the same stars at once.

    Parameters
    ----------
    y_true : ndarray, shape (N,)
        1 = planet, 0 = not.
    score : ndarray, shape (N,)
        Higher = more planet-like.
    weights : ndarray, shape (B, N), optional
        Non-negative weight (bootstrap count) of each star in each of B resamples;
        default one resample with every weight 1.

    Returns
    -------
    average_precision, roc_auc : ndarray, shape (B,)
        Identical to scikit-learn's ``average_precision_score`` and ``roc_auc_score`` with
        ``sample_weight``; NaN where a resample has no positives (AP, AUC) or no negatives (AUC).
    """
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(score, dtype=float)
    w = np.ones((1, y.size)) if weights is None else np.atleast_2d(np.asarray(weights, float))
    order = np.argsort(-s, kind="mergesort")
    s_sorted = s[order]
    starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]])
    w_sorted = w[:, order]
    group_pos = np.add.reduceat(w_sorted * y[order], starts, axis=1)
    group_neg = np.add.reduceat(w_sorted * (1 - y[order]), starts, axis=1)
    cum_pos = np.cumsum(group_pos, axis=1)
    cum_neg = np.cumsum(group_neg, axis=1)
    total_pos, total_neg = cum_pos[:, -1], cum_neg[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision_at = np.where(cum_pos > 0, cum_pos / (cum_pos + cum_neg), 0.0)
        ap = (group_pos * precision_at).sum(axis=1) / total_pos
        below = total_neg[:, None] - cum_neg + 0.5 * group_neg
        auc = (group_pos * below).sum(axis=1) / (total_pos * total_neg)
    ap[total_pos == 0] = np.nan
    auc[(total_pos == 0) | (total_neg == 0)] = np.nan
    return ap, auc


def _threshold_rates(tp: np.ndarray, fp: np.ndarray, n_pos: float) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1e-300), 0.0)
        recall = tp / n_pos if n_pos > 0 else np.full_like(tp, np.nan, dtype=float)
        f1 = np.where(precision + recall > 0, 2 * precision * recall /
                      np.maximum(precision + recall, 1e-300), 0.0)
    if n_pos == 0:
        f1 = np.full_like(tp, np.nan, dtype=float)
    return {"precision": precision, "recall": recall, "f1": f1}


def _bootstrap(y: np.ndarray, p: np.ndarray, predicted: np.ndarray, n_bootstrap: int,
               seed: int) -> dict[str, np.ndarray]:
    """All five rates on ``n_bootstrap`` stratified resamples, in memory-bounded blocks."""
    rng = np.random.default_rng(seed)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    block = max(1, _MAX_CELLS // max(1, y.size))
    out: dict[str, list[np.ndarray]] = {name: [] for name in _RATES}
    for start in range(0, n_bootstrap, block):
        b = min(block, n_bootstrap - start)
        weights = np.zeros((b, y.size))
        for members in (pos, neg):
            if members.size:
                weights[:, members] = rng.multinomial(
                    members.size, np.full(members.size, 1.0 / members.size), size=b)
        tp = weights[:, pos] @ predicted[pos].astype(float)
        fp = weights[:, neg] @ predicted[neg].astype(float)
        for name, values in _threshold_rates(tp, fp, float(pos.size)).items():
            out[name].append(values)
        ap, auc = ranking_metrics(y, p, weights)
        out["average_precision"].append(ap)
        out["roc_auc"].append(auc)
    return {name: np.concatenate(parts) for name, parts in out.items()}


def _percentile_ci(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [float("nan"), float("nan")]
    low, high = np.percentile(finite, [2.5, 97.5])
    return [float(low), float(high)]


def classification_metrics(y_true, probability, threshold: float, *, n_bootstrap: int = 1000,
                           seed: int = 0) -> dict:
    """Planet-class metrics at a decision threshold, with 95% bootstrap intervals.

    Parameters
    ----------
    y_true : array_like, shape (N,)
        1 = planet host, 0 = not.
    probability : array_like, shape (N,)
        Predicted planet probability (or any score; higher = more planet-like).
    threshold : float
        A star is a candidate when ``probability >= threshold``.
    n_bootstrap : int
        Stratified bootstrap resamples (0 = no intervals).
    seed : int
        Seed of the resampling.

    Returns
    -------
    dict
        ``precision, recall, f1, average_precision, roc_auc`` (planet class) each with a
        ``<name>_ci`` ``[low, high]``; ``accuracy``, ``threshold``, ``confusion_matrix``
        (``[[TN, FP], [FN, TP]]``, rows = truth), ``n_positive``, ``n_negative``, ``n_total``,
        ``n_predicted_positive``, ``n_bootstrap``, ``bootstrap_seed`` and ``ci_method``.
        See the module docstring for how intervals behave with few positives.
    """
    y, p = _check_inputs(y_true, probability)
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be >= 0, got {n_bootstrap}")
    predicted = p >= threshold
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    tn = int(np.sum(~predicted & (y == 0)))
    n_pos = tp + fn
    point = {k: float(v[0]) for k, v in _threshold_rates(
        np.array([tp], float), np.array([fp], float), float(n_pos)).items()}
    ap, auc = ranking_metrics(y, p)
    point.update(average_precision=float(ap[0]), roc_auc=float(auc[0]))
    result: dict = {}
    samples = _bootstrap(y, p, predicted, n_bootstrap, seed) if n_bootstrap else None
    for name in _RATES:
        result[name] = point[name]
        result[f"{name}_ci"] = (_percentile_ci(samples[name]) if samples is not None
                                else [float("nan"), float("nan")])
    for name, (k, n) in {"precision": (tp, tp + fp), "recall": (tp, n_pos)}.items():
        low, high = wilson_interval(k, n)
        ci = result[f"{name}_ci"]
        if np.isfinite(low):
            result[f"{name}_ci"] = [float(np.nanmin([ci[0], low])), float(np.nanmax([ci[1], high]))]
    result.update(
        accuracy=float((tp + tn) / max(1, y.size)), threshold=float(threshold),
        confusion_matrix=[[tn, fp], [fn, tp]], n_positive=n_pos, n_negative=tn + fp,
        n_total=int(y.size), n_predicted_positive=tp + fp, n_bootstrap=int(n_bootstrap),
        bootstrap_seed=int(seed),
        ci_method="stratified bootstrap percentile, 95%; precision/recall: envelope with Wilson",
    )
    return result
