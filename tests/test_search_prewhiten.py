"""Pre-whitening before the biweight: P-spline fits, K2 roll sawtooth, fast rotators."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import CADENCE, noise_lightcurve, planet_lightcurve
from exohunt.search import search
from exohunt.search.pspline import bspline_rows, fit_modulated
from exohunt.search.sawtooth import find_firings, interpolated, sawtooth_template
from exohunt.simulate.stars import StarParams, rotation_model, systematics_model


def test_pspline_fit_matches_dense_penalised_least_squares():
    rng = np.random.default_rng(3)
    time = np.sort(rng.uniform(0, 30, 1500))
    time = time[(time < 10) | (time > 11.5)]  # a gap: the penalty keeps it defined
    funcs = np.column_stack([np.ones_like(time), np.sin(3 * time), np.cos(3 * time)])
    y = (1 + 0.1 * time) * np.sin(3 * time) + 0.05 * rng.standard_normal(time.size)
    rows = bspline_rows(time, 1.0)
    first, values, n_basis = rows
    fast = fit_modulated(rows, funcs, y, np.ones_like(time), penalty=1e-3)
    design = np.zeros((time.size, 3 * n_basis))
    for a in range(12):
        design[np.arange(time.size), first * 3 + a] = values[:, a // 3] * funcs[:, a % 3]
    diff = np.diff(np.eye(n_basis), 2, axis=0)
    penalty = np.zeros((3 * n_basis, 3 * n_basis))
    for j in range(3):
        idx = np.arange(n_basis) * 3 + j
        penalty[np.ix_(idx, idx)] = diff.T @ diff
    normal = design.T @ design + 1e-3 * time.size / n_basis * penalty
    dense = design @ np.linalg.solve(normal, design.T @ y)
    assert np.max(np.abs(fast - dense)) < 1e-6
    assert np.std(y - fast) < 0.06


def _sawtooth(time: np.ndarray, amplitude: float, seed: int) -> np.ndarray:
    star = StarParams(noise_ppm=100.0, sawtooth_amplitude=amplitude, sawtooth_period=0.245,
                      firing_dip=2 * amplitude)
    return systematics_model(time, star, np.random.default_rng(seed))


def test_firings_of_a_jittered_sawtooth_are_found():
    time = np.arange(3197) * CADENCE
    rng = np.random.default_rng(5)
    flux = _sawtooth(time, 2e-3, seed=11) + 2e-4 * rng.standard_normal(time.size)
    index = find_firings(time, flux - 1, 0.245)
    jumps = np.flatnonzero(np.diff(flux) < -2e-3) + 1  # true resets (dip or not)
    assert abs(index.size - jumps.size) <= 2
    assert np.mean(np.isin(index, jumps)) > 0.97
    firings = time[index] - CADENCE / 2
    template = sawtooth_template(time, firings)[(time > firings[0]) & (time < firings[-1])]
    assert template.min() >= -1 and template.max() <= 1
    assert np.median(template) == pytest.approx(0, abs=0.1)


def test_linearly_filled_gaps_are_flagged():
    rng = np.random.default_rng(1)
    flux = rng.standard_normal(500)
    flux[200:230] = np.linspace(flux[199], flux[230], 32)[1:-1]
    flagged = interpolated(np.round(flux * 100, 2))
    assert flagged[201:229].all() and flagged.sum() <= 32


def test_planet_under_k2_sawtooth_stronger_than_transit_is_recovered():
    rng = np.random.default_rng(21)
    lc, truth = planet_lightcurve(rng, period=3.37, snr=20)
    sawtooth = _sawtooth(lc.time, 5 * truth["depth"], seed=4)
    assert 5 * truth["depth"] > 3e-3  # the roll sawtooth is several times the transit
    kaggle = np.round((lc.flux * sawtooth - 1) * 1e5, 2)  # mean-subtracted counts
    result = search(lc.replace(flux=kaggle), max_signals=1)
    assert result.detrended.meta["sawtooth_period"] == pytest.approx(0.245, rel=0.05)
    assert result.signals[0].period == pytest.approx(truth["period"], rel=1e-3)


def test_planet_on_fast_two_percent_rotator_is_recovered():
    rng = np.random.default_rng(8)
    lc, truth = planet_lightcurve(rng, period=4.13, snr=20)
    spots = rotation_model(lc.time, 1.3, 0.02, 2.6, np.random.default_rng(9))
    assert np.ptp(spots) > 0.03
    result = search(lc.replace(flux=lc.flux * (1 + spots)), max_signals=1)
    assert result.detrended.meta["rotation_period_removed"] == pytest.approx(1.3, rel=0.05)
    assert result.signals[0].period == pytest.approx(truth["period"], rel=1e-3)


def test_quiet_star_is_not_prewhitened():
    result = search(noise_lightcurve(np.random.default_rng(4)), max_signals=1)
    meta = result.detrended.meta
    assert "sawtooth_period" not in meta and "rotation_period_removed" not in meta


def test_sawtooth_that_leaves_too_few_cadences_is_not_applied():
    """Regression: a simulated eclipsing binary (dev seed 11, star 104) whose 'firings'
    describe no cadence at all used to crash the ramp fit."""
    from exohunt.lightcurve import LightCurve
    from exohunt.simulate import simulate

    data = simulate(preset="big", seed=11, n_train=1, n_test=105)
    lc = LightCurve(data.test.time, data.test.flux[104]).remove_nans()
    result = search(lc, max_signals=1)
    assert "sawtooth_period" not in result.detrended.meta


def test_spot_model_keeps_the_input_flux_convention():
    """Kaggle-style counts (unknown zero point) stay additive after the spot model: the
    level it leaves is not a flux zero point, so depths must not become ppm (two stars of
    this simulated set were detrended as relative flux before)."""
    import warnings

    from exohunt.simulate import simulate

    data = simulate(preset="kaggle", seed=5, n_train=10, n_test=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = search(data.test.lightcurve(18), max_signals=1)
    assert "rotation_period_removed" in result.detrended.meta
    assert result.flux_mode == "additive"
    assert all(np.isnan(s.depth_ppm) for s in result.signals)
