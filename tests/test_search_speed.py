"""The search's shortcuts (search-15) give what the long way gives: coarse-to-fine box search,
short cadences averaged before its first passes, no second detrending of white residuals, the
spline normal equations summed row by row."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import noise_lightcurve, planet_lightcurve
from exohunt.lightcurve import LightCurve
from exohunt.search import peaks
from exohunt.search.bls import bls_periodogram
from exohunt.search.detrend import robust_std


def _grid(lc: LightCurve) -> tuple:
    return peaks.search_grid(lc.time_span, 0.5, lc.time_span / 2, None, 1.5)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_coarse_to_fine_finds_the_full_grids_peak(monkeypatch, seed):
    """Every third frequency plus the skipped ones near the highest maxima: the same period
    (within the fine grid) and an SDE within 10 % of searching every frequency."""
    rng = np.random.default_rng(seed)
    lc, truth = planet_lightcurve(rng, period=float(rng.uniform(1.0, 20.0)), snr=12)
    flux = lc.flux - np.median(lc.flux)
    noise = robust_std(flux)
    grid = _grid(lc)
    fast = peaks.best_peak(lc.time, flux, noise, grid)
    stride = peaks.COARSE_STRIDE
    monkeypatch.setattr(peaks, "COARSE_STRIDE", 1)
    full = peaks.best_peak(lc.time, flux, noise, grid)
    assert abs(fast[1] / truth["period"] - 1) < 2e-3
    assert abs(fast[1] / full[1] - 1) < 1e-3
    assert fast[-1] == pytest.approx(full[-1], rel=0.1)
    assert fast[0].power.size == pytest.approx(full[0].power.size / stride, abs=1)


def test_coarse_to_fine_keeps_noise_sde_low():
    """Planet-free white noise: the best peak's SDE stays below the vetting threshold (8)."""
    for seed in range(4):
        lc = noise_lightcurve(np.random.default_rng(100 + seed))
        flux = lc.flux - 1
        assert peaks.best_peak(lc.time, flux, robust_std(flux), _grid(lc))[-1] < 8


def test_binned_means_keep_the_box_power():
    """Equal-count means of 2-min cadences: the box SNR of a transit is that of the points."""
    rng = np.random.default_rng(5)
    time = np.arange(0, 27.0, 2 / 1440)
    time = time[(time < 13.0) | (time > 14.0)]
    period, t0, duration, depth, sigma = 3.3, 1.1, 0.12, 8e-4, 1e-3
    phase = (time - t0 + 0.5 * period) % period - 0.5 * period
    flux = sigma * rng.standard_normal(time.size) - depth * (np.abs(phase) < duration / 2)
    bt, bf, bnoise = peaks._binned(time, flux, sigma, 0.005)
    size = int(0.005 / (2 / 1440))
    assert size == 3 and bnoise == pytest.approx(sigma / np.sqrt(3))
    assert bt.size == pytest.approx(time.size / 3, rel=0.01)
    assert np.all(np.diff(bt) > 0)
    options = {"frequencies": np.array([1 / period]), "bin_width": np.array([duration / 6]),
               "duration_bins": np.array([4, 6, 8])}
    raw = bls_periodogram(time, flux, sigma=sigma, **options).power[0]
    binned = bls_periodogram(bt, bf, sigma=bnoise, **options).power[0]
    assert binned == pytest.approx(raw, rel=0.05)
    # a 30-min sector stitched after a 2-min one: its points would fill no group, so none is
    # averaged
    mixed = np.r_[time, time[-1] + 0.02 + np.arange(2000) * 0.0208]
    assert peaks._binned(mixed, np.zeros(mixed.size), sigma, 0.005)[0] is mixed
    # Kepler long cadence (coarser than half a phase bin) is left as it is
    kt = np.arange(3197) * 0.0204336
    same = peaks._binned(kt, np.zeros(kt.size), 1.0, 0.005)
    assert same[0] is kt and same[2] == 1.0


def test_white_residual_is_detrended_once_and_red_one_gets_shorter_window(monkeypatch):
    import importlib

    detrend_module = importlib.import_module("exohunt.search.detrend")  # not the function
    calls = []
    trend = detrend_module._trend
    monkeypatch.setattr(detrend_module, "_trend",
                        lambda *a, **k: calls.append(k["window_length"]) or trend(*a, **k))
    white = noise_lightcurve(np.random.default_rng(7))
    out = detrend_module.detrend(white)
    assert len(calls) == 1 and out.meta["window_length"] == calls[0]
    calls.clear()
    time = white.time
    spotted = white.replace(flux=white.flux + 0.02 * np.sin(2 * np.pi * time / 0.9))
    out = detrend_module.detrend(spotted)
    assert len(calls) >= 2 and out.meta["window_length"] < calls[0]


def test_spline_normal_equations_match_the_direct_band_sums():
    """Row-by-row accumulation: the same bits as summing into the LAPACK band directly."""
    from exohunt.search.pspline import _accumulate, bspline_rows

    rng = np.random.default_rng(11)
    time = np.sort(rng.uniform(0, 9.0, 700))
    first, values, n_basis = bspline_rows(time, 0.7)
    funcs = np.column_stack([np.ones_like(time), np.sin(time), np.cos(time)])
    y = rng.normal(size=time.size)
    weight = (rng.uniform(size=time.size) > 0.1).astype(float)
    m = funcs.shape[1]
    width, n_coef = 4 * m, n_basis * m
    band, rhs = np.zeros((width, n_coef)), np.zeros(n_coef)
    for i in range(time.size):  # the direct sums, in the same order
        if weight[i] == 0.0:
            continue
        row = values[i, np.arange(width) // m] * funcs[i, np.arange(width) % m]
        base = first[i] * m
        for a in range(width):
            rhs[base + a] += weight[i] * row[a] * y[i]
            for b in range(a, width):
                band[width - 1 + a - b, base + b] += weight[i] * row[a] * row[b]
    got_band, got_rhs = _accumulate(first, values, funcs, y, weight, n_coef)
    np.testing.assert_array_equal(got_band, band)
    np.testing.assert_array_equal(got_rhs, rhs)


def test_rotation_period_on_a_prime_length_grid():
    """The spectrum is zero-padded to a fast length: a 19,727-cadence sector (prime) still
    gives the period within 1 %."""
    from exohunt.search.rotation import rotation_period

    time = np.arange(19728) * (2 / 1440)
    flux = 1 + 0.01 * np.sin(2 * np.pi * time / 2.7)
    assert rotation_period(time, flux) == pytest.approx(2.7, rel=0.01)


def test_first_pass_thins_only_long_grids():
    """Every third frequency where the pass keeps ≥ MIN_COARSE_FREQUENCIES of them (a Kaggle
    row's 65-day grid), every second on shorter grids (a TESS sector), whose SDE spread would
    otherwise rest on too few samples."""
    from exohunt.search.peaks import MIN_COARSE_FREQUENCIES, coarse_pass, search_grid

    kaggle = search_grid(65.3, 0.5, 65.3 / 2, None, 1.5)[0].size
    sector = search_grid(27.0, 0.5, 13.5, None, 1.5)[0].size
    assert kaggle // peaks.COARSE_STRIDE >= MIN_COARSE_FREQUENCIES > sector // 2
    assert coarse_pass(kaggle) == (peaks.COARSE_STRIDE, peaks.COARSE_PEAKS) == (3, 12)
    assert coarse_pass(sector) == (peaks.SHORT_GRID_STRIDE, peaks.SHORT_GRID_PEAKS) == (2, 8)
