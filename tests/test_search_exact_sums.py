"""The numba vetting kernels return exactly (bit for bit) what the numpy expressions they
replaced returned, and the direct MINPACK call takes the same steps as ``least_squares``."""

import numpy as np
import pytest
from scipy.optimize import least_squares

from exohunt.search import transit_fit
from exohunt.search.exact_sums import ingress_fraction_grid, pairwise_sum, template_chi2
from exohunt.search.shape import _SCALES, U_TEMPLATES, V_TEMPLATES, _table
from exohunt.search.vetting import _INGRESS_FRACTIONS, _INGRESS_SCALES


def test_pairwise_sum_is_numpys_sum():
    rng = np.random.default_rng(0)
    for size in [*range(0, 300), 1000, 1023, 4097, 8192, 8193, 20001]:
        values = rng.normal(size=size) * 10.0 ** rng.uniform(-6, 6, size=size)
        assert pairwise_sum(values) == np.sum(values), size


def _ingress_numpy(x, r, duration):
    """The numpy loop that ingress_fraction_grid replaced (vetting, before round 11)."""
    best, best_f = np.inf, float("nan")
    for scale in _INGRESS_SCALES:
        half = 0.5 * duration * scale
        for frac in _INGRESS_FRACTIONS:
            shape = np.clip((half - x) / (frac * 2 * half), 0.0, 1.0)
            norm = float(np.sum(shape * shape))
            if norm == 0:
                continue
            depth = -float(np.sum(shape * r)) / norm
            chi2 = float(np.sum((r + depth * shape) ** 2))
            if chi2 < best:
                best, best_f = chi2, float(frac)
    return best_f


def _templates_numpy(x, r, duration, templates, exposure, w):
    """The numpy code that template_chi2 replaced (shape._template_fits, before round 11)."""
    table = _table(templates)
    total = float(np.sum(w * r * r))
    best = total
    offsets = np.linspace(-0.4, 0.4, 5) * exposure if exposure > 0 else np.zeros(1)
    for scale in _SCALES:
        half = 0.5 * duration * scale
        shapes = np.zeros((len(templates), x.size))
        for offset in offsets:
            index = np.minimum(np.rint(np.abs(x + offset) / half * 1000), 1001).astype(np.intp)
            shapes += table[:, index]
        norms = np.sum(w * shapes * shapes, axis=1)
        projections = np.sum(shapes * (w * r), axis=1)
        ok = (norms > 0) & (projections < 0)
        if ok.any():
            best = min(best, total - float(np.max(projections[ok] ** 2 / norms[ok])))
    return best


def _dip(rng, size, duration):
    x = rng.uniform(-2 * duration, 2 * duration, size)
    depth = rng.uniform(0.0, 3e-3)
    r = rng.normal(0.0, 1e-3, size) - depth * np.clip(1 - 2 * np.abs(x) / duration, 0, 1)
    return x, np.round(r, 5) if size % 2 else r  # rounded: ties between trials


def test_ingress_grid_matches_the_numpy_loop():
    rng = np.random.default_rng(1)
    for size in (5, 17, 130, 700, 2500):
        for _ in range(10):
            duration = rng.uniform(0.03, 0.4)
            x, r = _dip(rng, size, duration)
            x = np.abs(x)
            got = ingress_fraction_grid(x, r, duration, _INGRESS_SCALES, _INGRESS_FRACTIONS)
            assert np.array_equal(got, _ingress_numpy(x, r, duration), equal_nan=True)


@pytest.mark.parametrize("exposure", [0.0, 0.0204, 2 / 1440])
def test_template_fits_match_the_numpy_code(exposure):
    rng = np.random.default_rng(2)
    for size in (10, 129, 900):
        duration = rng.uniform(0.05, 0.3)
        x, r = _dip(rng, size, duration)
        for w in (np.ones(size), rng.integers(1, 6, size).astype(float)):
            for templates in (U_TEMPLATES, V_TEMPLATES):
                got = template_chi2(x, r, w, _table(templates),
                                    0.5 * duration * np.asarray(_SCALES),
                                    np.linspace(-0.4, 0.4, 5) * exposure if exposure > 0
                                    else np.zeros(1))
                assert got == _templates_numpy(x, r, duration, templates, exposure, w)


def _fit_inputs(seed):
    """Unbounded start and data tuple of fit_trapezoid for a clear seeded transit."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(-3.0, 3.0, 1500)
    shape = transit_fit.trapezoid(phase, 0.15, 0.2, exposure=0.0204)
    resid = rng.normal(0.0, 1e-3, phase.size) - 4e-3 * shape
    near = np.abs(phase) < 2.5 * 0.15
    x, r = phase[near], resid[near]
    w = np.ones(x.size)
    offsets = ((np.arange(4) + 0.5) / 4 - 0.5) * 0.0204
    lo, hi = 0.25 * 0.15, 3.0 * 0.15
    data = (x, r, w, np.sqrt(w), offsets, 1e-3, 0.15, lo, hi)
    return transit_fit._unbounded(np.array([0.0, 0.15, 0.1]), 0.15, lo, hi), data


@pytest.mark.skipif(transit_fit._lmder is None or not transit_fit._SCIPY_FD_IN_PYTHON,
                    reason="needs scipy >= 1.16 with MINPACK's lmder")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_direct_minpack_takes_least_squares_steps(seed):
    u0, data = _fit_inputs(seed)
    reference = least_squares(transit_fit._residuals_unbounded, u0, args=data, method="lm",
                              max_nfev=50)
    u, residuals = transit_fit._levenberg_marquardt(u0, data)
    assert np.array_equal(u, reference.x)
    assert np.array_equal(residuals, reference.fun)
    assert not np.array_equal(u, u0)  # it did move


def test_without_lmder_falls_back_to_least_squares(monkeypatch):
    u0, data = _fit_inputs(3)
    monkeypatch.setattr(transit_fit, "_lmder", None)
    u, residuals = transit_fit._levenberg_marquardt(u0, data)
    reference = least_squares(transit_fit._residuals_unbounded, u0, args=data, method="lm",
                              max_nfev=50)
    assert np.array_equal(u, reference.x) and np.array_equal(residuals, reference.fun)


def test_a_changed_private_lmder_falls_back_to_least_squares(monkeypatch):
    """scipy's ``_lmder`` is private: if a release changes its signature the fit must still
    run, through the public ``least_squares``, instead of failing every search."""
    u0, data = _fit_inputs(4)

    def changed_signature(*args):
        raise TypeError("_lmder() takes 11 positional arguments but 12 were given")

    monkeypatch.setattr(transit_fit, "_lmder", changed_signature)
    monkeypatch.setattr(transit_fit, "_SCIPY_FD_IN_PYTHON", True)
    u, residuals = transit_fit._levenberg_marquardt(u0, data)
    reference = least_squares(transit_fit._residuals_unbounded, u0, args=data, method="lm",
                              max_nfev=50)
    assert np.array_equal(u, reference.x) and np.array_equal(residuals, reference.fun)
