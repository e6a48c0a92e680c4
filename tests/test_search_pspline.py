"""The P-spline's numba pieces against their library or numpy references, to the bit: the
search's features must not move when they are rewritten for speed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import BSpline

from exohunt.search.pspline import _add_penalty, _predict, bspline_rows, fit_modulated


def _scipy_rows(time, spacing, span=None):
    """The former implementation: scipy's sparse design matrix, values placed by column."""
    start, end = (time[0], time[-1]) if span is None else span
    n_int = max(int(np.ceil((end - start) / spacing)), 1)
    inner = np.linspace(start, end, n_int + 1)
    knots = np.r_[[inner[0]] * 3, inner, [inner[-1]] * 3]
    matrix = BSpline.design_matrix(time, knots, 3).tocsr()
    matrix.sort_indices()
    first = np.clip(np.searchsorted(inner, time, side="right") - 1, 0, n_int - 1)
    values = np.zeros((time.size, 4))
    rows = np.repeat(np.arange(time.size), np.diff(matrix.indptr))
    values[rows, matrix.indices - first[rows]] = matrix.data
    return first, values, n_int + 3


@pytest.mark.parametrize("seed", range(6))
def test_basis_is_scipys_design_matrix_bit_for_bit(seed):
    """Random times, a Kaggle-like regular grid, and times exactly on the inner knots and the
    span's ends (where the interval choice matters) give scipy's values exactly."""
    rng = np.random.default_rng(seed)
    if seed % 2:
        time = np.arange(3197) * 0.0204336 + rng.uniform(0, 100)
    else:
        time = np.sort(rng.uniform(-5.0, 40.0, 2000))
    spacing = float(rng.uniform(0.3, 6.0))
    start, end = time[0], time[-1]
    n_int = max(int(np.ceil((end - start) / spacing)), 1)
    on_knots = np.linspace(start, end, n_int + 1)
    time = np.sort(np.r_[time, on_knots[1:-1]])
    for span in (None, (start - 0.5, end + 0.25)):
        first, values, n_basis = bspline_rows(time, spacing, span=span)
        ref_first, ref_values, ref_n = _scipy_rows(time, spacing, span=span)
        assert n_basis == ref_n
        np.testing.assert_array_equal(first, ref_first)
        np.testing.assert_array_equal(values, ref_values)
    np.testing.assert_allclose(values.sum(axis=1), 1.0, rtol=1e-12)  # partition of unity


def test_basis_refuses_times_outside_the_span():
    with pytest.raises(ValueError, match="knots' span"):
        bspline_rows(np.array([0.0, 1.0, 2.0]), 0.5, span=(0.5, 2.0))


def _numpy_penalty(band, n_basis, m, strength):
    """The former numpy implementation of ``_add_penalty``."""
    width = band.shape[0]
    main = np.full(n_basis, 6.0)
    main[[0, -1]], main[[1, -2]] = 1.0, 5.0
    first = np.full(n_basis - 1, -4.0)
    first[[0, -1]] = -2.0
    for lag, diagonal in enumerate((main, first, np.ones(n_basis - 2))):
        for j in range(m):
            cols = np.arange(lag, n_basis) * m + j
            band[width - 1 - lag * m, cols] += strength * diagonal


@pytest.mark.parametrize(("n_basis", "m"), [(4, 1), (5, 2), (9, 5), (30, 5)])
def test_penalty_matches_the_numpy_sums(n_basis, m):
    rng = np.random.default_rng(n_basis)
    band = rng.normal(size=(4 * m, n_basis * m))
    expected = band.copy()
    _numpy_penalty(expected, n_basis, m, 0.37)
    _add_penalty(band, n_basis, m, 0.37)
    np.testing.assert_array_equal(band, expected)


def test_predict_matches_the_direct_sums():
    rng = np.random.default_rng(3)
    time = np.sort(rng.uniform(0, 12.0, 900))
    first, values, n_basis = bspline_rows(time, 0.9)
    funcs = np.column_stack([np.ones_like(time), np.sin(time), np.cos(time),
                             np.sin(2 * time), np.cos(2 * time)])
    m = funcs.shape[1]
    coef = rng.normal(size=n_basis * m)
    expected = np.zeros((time.size, m))
    for i in range(time.size):  # the former loop order: a = 0 .. 4m - 1
        for a in range(4 * m):
            expected[i, a % m] += values[i, a // m] * funcs[i, a % m] * coef[first[i] * m + a]
    np.testing.assert_array_equal(_predict(first, values, funcs, coef), expected)


def test_fit_recovers_a_modulated_sinusoid():
    """The whole fit still does its job: a sinusoid whose amplitude drifts is recovered to
    well within the noise."""
    rng = np.random.default_rng(5)
    time = np.arange(0, 30, 0.02)
    truth = (0.01 + 0.002 * time / 30) * np.sin(2 * np.pi * time / 1.3)
    flux = truth + rng.normal(0, 1e-3, time.size)
    funcs = np.column_stack([np.ones_like(time), np.sin(2 * np.pi * time / 1.3),
                             np.cos(2 * np.pi * time / 1.3)])
    model = fit_modulated(bspline_rows(time, 4.0), funcs, flux, np.ones_like(time), 2e-4)
    assert np.std(model - truth) < 3e-4
