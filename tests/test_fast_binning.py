"""Weighted gradient-boosting bins computed in one pass: the same thresholds and trees as
scikit-learn's own, and scikit-learn's function back after every block."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting import binning

from exohunt.training.fast_binning import exact_weighted_binning, find_binning_thresholds


def _columns(rng, n):
    skewed = rng.lognormal(0.0, 2.0, n)
    skewed[::9] = np.nan
    return {"normal": rng.normal(size=n), "rounded (ties)": np.round(rng.normal(size=n), 2),
            "few values": rng.integers(0, 30, n).astype(float), "skewed with NaN": skewed,
            "constant": np.full(n, 3.0), "repeated blocks": np.repeat(rng.normal(size=n // 5), 5)}


@pytest.mark.parametrize("n", [50, 400, 3000])
def test_thresholds_are_scikit_learns_to_the_bit(n):
    rng = np.random.default_rng(n)
    weights = rng.uniform(0.0, 2.0, n) * np.where(rng.random(n) < 0.05, 50.0, 1.0)
    weights[::11] = 0.0  # zero weights are dropped first
    for name, column in _columns(rng, n).items():
        for weight in (weights, np.ones(n), None):
            ours = find_binning_thresholds(column, 255, weight)
            theirs = binning._find_binning_thresholds(column, 255, weight)
            assert ours.shape == theirs.shape and np.array_equal(ours, theirs), name


def test_weighted_trees_are_the_same_and_scikit_learns_function_comes_back():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 6))
    x[::7, 2] = np.nan
    y = (x[:, 0] + 0.5 * rng.normal(size=600) > 1.0).astype(int)
    weight = np.where(y == 1, 0.2, 1.0) * rng.uniform(0.5, 1.5, 600)
    plain = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(
        x, y, sample_weight=weight)
    original = binning._find_binning_thresholds
    with exact_weighted_binning():
        assert binning._find_binning_thresholds is find_binning_thresholds
        with exact_weighted_binning():  # blocks nest
            pass
        assert binning._find_binning_thresholds is find_binning_thresholds
        fast = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(
            x, y, sample_weight=weight)
    assert binning._find_binning_thresholds is original
    assert np.array_equal(plain.predict_proba(x), fast.predict_proba(x))
