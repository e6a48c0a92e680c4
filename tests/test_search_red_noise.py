"""The red-noise factor β of the vetting statistics (exohunt.search.vetting.red_noise_beta):
about 1 on white noise, > 1 on noise correlated over a transit's duration, and the odd/even
test it scales no longer reads red noise as an eclipsing binary's unequal eclipses."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exohunt.search.vetting import red_noise_beta, transit_statistics

CADENCE = 0.0204  # days (Kepler long cadence)
DURATION = 0.125  # days (3 h: ~6 cadences)


def _time(days: float = 80.0) -> np.ndarray:
    return np.arange(0.0, days, CADENCE)


def _red(rng, n: int, *, sigma: float, timescale_cadences: float) -> np.ndarray:
    """AR(1) noise of standard deviation ``sigma`` correlated over ``timescale_cadences``."""
    phi = np.exp(-1.0 / timescale_cadences)
    innovations = rng.normal(0.0, sigma * np.sqrt(1 - phi**2), n)
    out = np.empty(n)
    out[0] = rng.normal(0.0, sigma)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + innovations[i]
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white_noise_gives_beta_near_one(seed):
    rng = np.random.default_rng(seed)
    time = _time()
    resid = rng.normal(0.0, 1e-3, time.size)
    beta = red_noise_beta(time, resid, np.ones(time.size, bool), duration=DURATION, noise=1e-3)
    # ~640 bins: the MAD of their means is good to ~5 %
    assert beta == pytest.approx(1.0, abs=0.15)


def test_correlated_noise_gives_beta_of_its_time_averaging():
    rng = np.random.default_rng(3)
    time = _time()
    white = rng.normal(0.0, 1e-3, time.size)
    red = _red(rng, time.size, sigma=1e-3, timescale_cadences=20.0)
    resid = white + red
    # the white per-point noise a search measures from point-to-point differences: ~1e-3
    beta = red_noise_beta(time, resid, np.ones(time.size, bool), duration=DURATION, noise=1e-3)
    # a 6-cadence mean keeps nearly all of the red part (σ_red ≈ 1e-3) and 1/√6 of the white:
    # expected sqrt(1 + 1/6) / sqrt(1/6) ≈ 2.6
    assert 2.0 < beta < 3.2


def test_gaps_edges_and_outliers_do_not_set_beta():
    rng = np.random.default_rng(4)
    time = _time()
    resid = rng.normal(0.0, 1e-3, time.size)
    keep = np.ones(time.size, bool)
    keep[(time > 20) & (time < 30)] = False            # a data gap
    resid[::97] += 0.05                                # flares / cosmic rays
    beta = red_noise_beta(time, resid, keep, duration=DURATION, noise=1e-3)
    assert beta == pytest.approx(1.0, abs=0.2)


def test_beta_is_nan_without_enough_bins_or_noise():
    time = _time(0.5)
    resid = np.zeros(time.size)
    keep = np.ones(time.size, bool)
    assert np.isnan(red_noise_beta(time, resid, keep, duration=DURATION, noise=1e-3))
    time = _time()
    keep = np.ones(time.size, bool)
    assert np.isnan(red_noise_beta(time, np.zeros(time.size), keep, duration=DURATION,
                                   noise=0.0))
    assert np.isnan(red_noise_beta(time, np.zeros(time.size), np.zeros(time.size, bool),
                                   duration=DURATION, noise=1e-3))


def _planet(time: np.ndarray, *, period: float, t0: float, depth: float) -> np.ndarray:
    phase = (time - t0 + 0.5 * period) % period - 0.5 * period
    return np.where(np.abs(phase) < 0.5 * DURATION, -depth, 0.0)


def test_odd_even_on_red_noise_is_scaled_by_beta_and_stays_white_on_white_noise():
    """Equal transits in red noise: the white odd/even significance is inflated by β; the
    reported one is not. On white noise nothing changes."""
    period, t0, depth = 3.3, 1.1, 2e-3
    odd_even_white, odd_even_red, betas = [], [], []
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        time = _time()
        red = _red(rng, time.size, sigma=6e-4, timescale_cadences=20.0)
        flux = 1.0 + _planet(time, period=period, t0=t0, depth=depth) + red \
            + rng.normal(0.0, 5e-4, time.size)
        stats = transit_statistics(time, flux, period=period, t0=t0, duration=DURATION,
                                   noise=5e-4)
        betas.append(stats["red_noise_beta"])
        odd_even_red.append(stats["odd_even_sigma"])
        odd_even_white.append(stats["odd_even_sigma"] * max(stats["red_noise_beta"], 1.0))
    assert np.median(betas) > 1.8
    # white errors call equal transits unequal (> 3 σ) far more often than the scaled ones
    assert np.mean(np.array(odd_even_white) > 3.0) > 2 * np.mean(np.array(odd_even_red) > 3.0)
    assert np.median(odd_even_red) < 1.5

    rng = np.random.default_rng(7)
    time = _time()
    flux = 1.0 + _planet(time, period=period, t0=t0, depth=depth) \
        + rng.normal(0.0, 5e-4, time.size)
    stats = transit_statistics(time, flux, period=period, t0=t0, duration=DURATION, noise=5e-4)
    assert stats["red_noise_beta"] == pytest.approx(1.0, abs=0.2)


def test_eclipsing_binary_odd_even_survives_the_scaling():
    """Unequal eclipses (depths 3 and 2 parts per thousand) stay > 3 σ in red noise."""
    rng = np.random.default_rng(11)
    time = _time()
    period, t0 = 3.3, 1.1
    epoch = np.round((time - t0) / period).astype(int)
    dips = _planet(time, period=period, t0=t0, depth=1.0)
    depth = np.where(epoch % 2 == 0, 3e-3, 2e-3)
    flux = 1.0 + dips * depth + _red(rng, time.size, sigma=3e-4, timescale_cadences=20.0) \
        + rng.normal(0.0, 5e-4, time.size)
    stats = transit_statistics(time, flux, period=period, t0=t0, duration=DURATION, noise=5e-4)
    assert stats["red_noise_beta"] > 1.2
    assert stats["odd_even_sigma"] > 3.0


@pytest.mark.shared
def test_wasp47_d_in_k2_red_noise_is_no_odd_even_failure(lightcurve_dir):
    """WASP-47 d (K2 C3, 9.03 d, 8 transits): with white errors its odd/even difference was
    4.0-4.2 σ and its single-transit depth scatter 5.0-5.2 (both failing the vetting
    thresholds: K2's roll residuals are red on its 3-6 h transits); scaled by β both pass."""
    from exohunt.io import read
    from exohunt.search import search

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = read(lightcurve_dir / "ktwo206103150-c03_llc.fits")
        signals = search(lc, max_signals=3).signals
    found = [s for s in signals if abs(s.period / 9.0307 - 1) < 0.005]
    assert found, [s.period for s in signals]
    d = found[0]
    assert d.red_noise_beta > 1.2
    assert d.odd_even_sigma < 3.0
    assert d.depth_scatter < 5.0
    assert d.passes_vetting
