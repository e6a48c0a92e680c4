"""scikit-learn's weighted feature binning for gradient boosting, computed in one pass.

``HistGradientBoostingClassifier.fit(X, y, sample_weight=w)`` first bins every feature at
254 weighted quantiles. scikit-learn 1.9 computes them with one call of its array-API
``_weighted_percentile`` per quantile, each sorting the column again: a 50-tree weighted fit
of 1,400 × 90 took 5.05 s with it and takes 0.29 s with this module
(``benchmarks/bench_gbm_binning.py``), twice per ``fit_gbm`` (fit, then refit), in every
weighted training run (``exohunt demo``'s planets weighted to the true prevalence, the
bundled default's members). Here the same quantiles ("averaged inverted CDF" of Hyndman and
Fan, as scikit-learn defines them) come from one cumulative sum and one ``searchsorted`` per
column, with the same floating-point operations in the same order, so the thresholds, and
hence the trees, are the same to the bit (``tests/test_fast_binning.py``).

:func:`exact_weighted_binning` swaps scikit-learn's private ``_find_binning_thresholds`` for
this one only while a fit runs, and only after checking, once per process, that both give
identical thresholds on a test problem with ties, missing values and zero weights; on any
other scikit-learn (or any difference) it leaves scikit-learn's own in place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

__all__ = ["exact_weighted_binning", "find_binning_thresholds"]

_LOCK = threading.Lock()
_CHECKED: list[bool] = []  # [whether this module's thresholds match scikit-learn's]
_ACTIVE: list = []  # [scikit-learn's function, then one entry per open block]


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                        percentiles: np.ndarray) -> np.ndarray:
    """scikit-learn's ``_weighted_percentile(values, weights, percentiles, average=True)``
    for sorted ``values`` with positive ``weights``, all percentiles at once."""
    cdf = np.cumsum(weights)
    rank = percentiles / 100 * cdf[-1]
    at_zero = rank == 0  # leading zero weights are skipped (scikit-learn #20528)
    rank[at_zero] = np.nextafter(rank[at_zero], rank[at_zero] + 1)
    last = values.shape[0] - 1
    index = np.clip(np.searchsorted(cdf, rank), 0, last)
    above = (cdf[index] - rank) > np.finfo(np.float64).eps
    following = np.clip(index + 1, 0, last)
    return np.where(above, values[index], (values[index] + values[following]) / 2)


def find_binning_thresholds(col_data: np.ndarray, max_bins: int,
                            sample_weight: np.ndarray | None = None) -> np.ndarray:
    """scikit-learn 1.9's ``_find_binning_thresholds`` (same steps, same results), with the
    weighted quantiles of :func:`_weighted_quantiles`.

    Parameters
    ----------
    col_data : ndarray, shape (n_samples,)
        One feature (NaN = missing, ignored).
    max_bins : int
        Bins for the non-missing values.
    sample_weight : ndarray, shape (n_samples,), optional

    Returns
    -------
    ndarray, shape (≤ max_bins − 1,)
        Increasing thresholds between bins.
    """
    from numpy.lib.stride_tricks import sliding_window_view
    from sklearn.ensemble._hist_gradient_boosting.common import ALMOST_INF, X_DTYPE

    missing_mask = np.isnan(col_data)
    any_missing = missing_mask.any()
    if any_missing:
        col_data = col_data[~missing_mask]
    if sample_weight is not None:
        if any_missing:
            sample_weight = sample_weight[~missing_mask]
        nonzero = sample_weight != 0
        col_data = col_data[nonzero]
        sample_weight = sample_weight[nonzero]
    order = np.argsort(col_data)
    col_data = col_data[order]
    if sample_weight is not None:
        sample_weight = sample_weight[order]
    distinct_values = np.unique(col_data).astype(X_DTYPE)
    if len(distinct_values) == 1:
        return np.asarray([])
    if len(distinct_values) <= max_bins:
        thresholds = sliding_window_view(distinct_values, 2).mean(axis=1)
    else:
        percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
        if sample_weight is None:
            thresholds = np.percentile(col_data, percentiles, method="averaged_inverted_cdf")
        else:
            thresholds = _weighted_quantiles(np.asarray(col_data, np.float64),
                                             np.asarray(sample_weight, np.float64),
                                             percentiles)
    unique = np.unique(thresholds)
    if unique.shape[0] != thresholds.shape[0]:
        thresholds = unique
    np.clip(thresholds, a_min=None, a_max=ALMOST_INF, out=thresholds)
    return thresholds


def _matches_scikit_learn(binning) -> bool:
    """Both functions give identical thresholds on a weighted problem with ties, NaNs, zero
    weights, a feature with few distinct values and one with many."""
    rng = np.random.default_rng(0)
    n = 700
    columns = [rng.normal(size=n), np.round(rng.normal(size=n), 1),
               rng.integers(0, 40, n).astype(float), np.repeat(rng.normal(size=n // 7), 7)]
    columns[1][::13] = np.nan
    weights = rng.uniform(0.01, 3.0, n)
    weights[::17] = 0.0
    weights[::5] *= 40.0
    for column in columns:
        for weight in (weights, None):
            ours = find_binning_thresholds(column, 255, weight)
            theirs = binning._find_binning_thresholds(column, 255, weight)
            if ours.shape != theirs.shape or not np.array_equal(ours, theirs):
                return False
    return True


@contextmanager
def exact_weighted_binning() -> Iterator[None]:
    """Within the block, gradient boosting bins weighted features with
    :func:`find_binning_thresholds` (the same thresholds, in one pass), where this
    scikit-learn's own function was checked to give the same; otherwise a no-op. Blocks may
    nest or overlap in threads: scikit-learn's function is back once the last one ends."""
    try:
        from sklearn.ensemble._hist_gradient_boosting import binning
    except ImportError:  # pragma: no cover - another scikit-learn layout
        yield
        return
    with _LOCK:
        if not _CHECKED:
            try:
                _CHECKED.append(hasattr(binning, "_find_binning_thresholds")
                                and _matches_scikit_learn(binning))
            except Exception:  # pragma: no cover - any surprise: scikit-learn's own
                _CHECKED.append(False)
        active = _CHECKED[0]
        if active:
            if not _ACTIVE:
                _ACTIVE.append(binning._find_binning_thresholds)
                binning._find_binning_thresholds = find_binning_thresholds
            _ACTIVE.append(None)  # one entry per open block after the original
    try:
        yield
    finally:
        if active:
            with _LOCK:
                _ACTIVE.pop()
                if len(_ACTIVE) == 1:
                    binning._find_binning_thresholds = _ACTIVE.pop()
