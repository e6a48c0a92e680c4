"""Search: period grid, numba BLS versus astropy, detrending, multi-signal search, vetting."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from _search_synth import CADENCE, noise_lightcurve, planet_lightcurve, transit_model
from exohunt.lightcurve import LightCurve
from exohunt.search import bls_periodogram, detrend, search
from exohunt.search.grid import bin_widths, expected_duration, frequency_grid


def test_expected_duration_sun_like():
    assert expected_duration(365.25) * 24 == pytest.approx(13.0, abs=0.1)
    assert expected_duration(2.2047) * 24 == pytest.approx(2.36, abs=0.05)


def test_frequency_grid_is_ofir_spaced():
    freqs = frequency_grid(65.0, period_min=0.5, period_max=32.5, oversample=2)
    assert freqs[0] == pytest.approx(1 / 32.5) and freqs[-1] == pytest.approx(2.0)
    assert np.allclose(np.diff(freqs ** (1 / 3)), np.diff(freqs ** (1 / 3))[0])
    longer = frequency_grid(130.0, period_min=0.5, period_max=32.5, oversample=2)
    assert len(longer) == pytest.approx(2 * len(freqs), rel=0.01)
    with pytest.raises(ValueError, match="period_min"):
        frequency_grid(65.0, period_min=5, period_max=1)


@pytest.mark.slow
def test_bls_agrees_with_astropy_oracle():
    """Same best period as astropy's BoxLeastSquares (within one grid step) on 20 injections."""
    from astropy.timeseries import BoxLeastSquares

    rng = np.random.default_rng(2024)
    durations = np.array([0.06, 0.09, 0.12, 0.18, 0.24])
    agree = 0
    for _ in range(20):
        period = float(np.exp(rng.uniform(np.log(0.8), np.log(20))))
        lc, _ = planet_lightcurve(rng, period=period, snr=rng.uniform(10, 20))
        freqs = frequency_grid(lc.time_span, period_min=0.6, period_max=lc.time_span / 2)
        widths, bins = bin_widths(freqs, durations)
        ours = bls_periodogram(lc.time, lc.flux, frequencies=freqs, bin_width=widths,
                               duration_bins=bins, sigma=1e-3)
        oracle = BoxLeastSquares(lc.time, lc.flux).power(1 / freqs, durations,
                                                         objective="likelihood")
        k_ours, k_oracle = int(np.argmax(ours.power)), int(np.argmax(oracle.power))
        agree += abs(k_ours - k_oracle) <= 1
    assert agree / 20 >= 0.99


def _reference_bls(time, flux, freqs, widths, mbins, qmax=0.25, min_in=3):
    """Plain-numpy box search in floating point: the definition the packed-integer numba
    kernel must reproduce (power, best duration and box start at every frequency)."""
    t, y = time - time[0], flux - flux.mean()
    n = float(t.size)
    power, duration, t0 = (np.zeros(freqs.size) for _ in range(3))
    for k, (f, w) in enumerate(zip(freqs, widths, strict=True)):
        nb = max(int(1.0 / (f * w)), 4)
        x = t * f
        index = np.minimum(((x - np.floor(x)) * nb).astype(int), nb - 1)
        counts = np.bincount(index, minlength=nb).astype(float)
        sums = np.bincount(index, weights=y, minlength=nb)
        best, best_m, best_s = 0.0, 1, 0
        for m in mbins[mbins <= qmax * nb]:
            c = np.convolve(np.r_[counts, counts[:m]], np.ones(m), "valid")[:nb]
            v = np.convolve(np.r_[sums, sums[:m]], np.ones(m), "valid")[:nb]
            ok = (c >= min_in) & (c <= n - min_in) & (v < 0)
            score = np.where(ok, v**2 / np.maximum(c * (n - c), 1.0), 0.0)
            if score.max() > best:
                best, best_m, best_s = score.max(), m, int(np.argmax(score))
        power[k] = np.sqrt(best * n)
        duration[k] = best_m / (f * nb)
        t0[k] = time[0] + (best_s + 0.5 * best_m) / (f * nb)
    return power, duration, t0


@pytest.mark.parametrize("additive", [False, True])
def test_bls_kernel_matches_float_reference(additive):
    """The packed-integer kernel (counts and fixed-point flux in one int64, a reciprocal
    table for the box scores) gives the floating-point box search's values."""
    rng = np.random.default_rng(5)
    lc, _ = planet_lightcurve(rng, period=2.3, snr=12, additive=additive)
    freqs = frequency_grid(lc.time_span, period_min=0.5, period_max=lc.time_span / 2,
                           oversample=0.3)
    widths, bins = bin_widths(freqs, None)
    ours = bls_periodogram(lc.time, lc.flux, frequencies=freqs, bin_width=widths,
                           duration_bins=bins, sigma=1.0)
    power, duration, t0 = _reference_bls(lc.time, lc.flux, freqs, widths, bins)
    np.testing.assert_allclose(ours.power, power, rtol=1e-7, atol=1e-9 * power.max())
    assert np.mean(np.isclose(ours.duration, duration)) > 0.99
    assert np.mean(np.isclose(ours.t0, t0)) > 0.99


@pytest.mark.parametrize("additive", [False, True])
def test_search_recovers_injected_planet(additive):
    rng = np.random.default_rng(7)
    lc, truth = planet_lightcurve(rng, period=3.71, snr=15, additive=additive,
                                  variability=0.004)
    result = search(lc, max_signals=2)
    assert result.signals, "no signal found"
    best = result.signals[0]
    assert best.period == pytest.approx(truth["period"], rel=1e-3)
    phase = (best.t0 - truth["t0"] + best.period / 2) % best.period - best.period / 2
    assert abs(phase) < 0.3 * truth["duration"]
    assert best.duration == pytest.approx(truth["duration"], rel=0.5)
    assert best.snr == pytest.approx(15, rel=0.35)
    assert best.passes_vetting
    assert result.flux_mode == ("additive" if additive else "relative")
    if additive:
        assert np.isnan(best.depth_ppm)
    else:
        assert best.depth_ppm == pytest.approx(truth["depth"] * 1e6, rel=0.25)
    assert len(result.signals) == 1  # nothing else above the SDE threshold


def test_search_finds_two_planets():
    rng = np.random.default_rng(11)
    lc, first = planet_lightcurve(rng, period=5.3, snr=25)
    second = transit_model(lc.time, period=1.9, t0=0.7, rp=0.03,
                           a=215.03 * (1.9 / 365.25) ** (2 / 3))
    result = search(lc.replace(flux=lc.flux * second), max_signals=3)
    periods = sorted(s.period for s in result.signals)
    assert len(periods) == 2
    assert periods[0] == pytest.approx(1.9, rel=1e-3)
    assert periods[1] == pytest.approx(first["period"], rel=1e-3)


def test_search_on_noise_passes_nothing():
    rng = np.random.default_rng(5)
    found = [s for _ in range(8) for s in search(noise_lightcurve(rng), max_signals=2).signals]
    assert len(found) <= 2  # SDE >= 8 on white noise is rare …
    assert not any(s.passes_vetting for s in found)  # … and vetting rejects it


def test_search_validates_options():
    lc = noise_lightcurve(np.random.default_rng(0))
    with pytest.raises(ValueError, match="biweight"):
        search(lc, detrend_method="spline")
    with pytest.raises(ValueError, match="max_signals"):
        search(lc, max_signals=0)
    with pytest.raises(ValueError, match="unknown vetting"):
        search(lc, min_sde=0, vetting={"max_fun": 1})


def test_detrend_keeps_transit_and_clips_only_upward_outliers():
    time = np.arange(3000) * CADENCE
    model = transit_model(time, period=4.0, t0=1.0, rp=0.05, a=10.0)
    slow = 1 + 0.01 * np.sin(2 * np.pi * time / 15.0)
    noise = 1 + 2e-4 * np.random.default_rng(3).standard_normal(time.size)
    flux = 1000 * slow * model * noise
    flux[[100, 900]] *= 1.05  # flares
    flux[1500] *= 0.97        # a deep single-point dip is kept
    out = detrend(LightCurve(time, flux), window_length=0.75)
    assert out.meta["flux_mode"] == "relative"
    assert not np.isin(time[[100, 900]], out.time).any()  # flares clipped …
    assert 2 <= out.meta["n_clipped_high"] <= 10          # … and little else
    assert time[1500] in out.time and out.flux.min() == pytest.approx(0.97, abs=2e-3)
    in_transit = np.isin(out.time, time[model < 0.999])
    assert np.median(out.flux[~in_transit]) == pytest.approx(1.0, abs=5e-5)
    assert 1 - out.flux[in_transit].min() == pytest.approx(1 - model.min(), rel=0.1)
    with pytest.raises(ValueError, match="biweight"):
        detrend(LightCurve(time, flux), method="spline")


def test_detrend_median_and_additive_modes():
    rng = np.random.default_rng(1)
    time = np.arange(2000) * CADENCE
    flux = 50 * rng.standard_normal(2000) + 500 * np.sin(time)  # mean-subtracted counts
    out = detrend(LightCurve(time, flux), method="median")
    assert out.meta["flux_mode"] == "additive"
    assert np.median(out.flux) == pytest.approx(1.0, abs=0.05)
    assert np.std(out.flux) == pytest.approx(1.0, rel=0.15)  # in units of the noise
    mask = np.zeros(2000, dtype=bool)
    mask[500:520] = True
    masked = detrend(LightCurve(time, flux), mask=mask)
    assert np.all(np.isfinite(masked.flux))


def test_top_level_search_is_callable_after_subpackage_import():
    import exohunt
    import exohunt.search.detrend  # binds the subpackage as exohunt.search

    lc, truth = planet_lightcurve(np.random.default_rng(2), period=2.9, snr=20)
    assert exohunt.search(lc).signals[0].period == pytest.approx(truth["period"], rel=1e-3)


def test_fast_rotator_is_prewhitened_and_planet_found():
    from exohunt.search.rotation import rotation_period

    rng = np.random.default_rng(17)
    lc, truth = planet_lightcurve(rng, period=2.3, snr=25)
    time = lc.time
    spots = 0.01 * np.sin(2 * np.pi * time / 0.8) + 0.003 * np.sin(4 * np.pi * time / 0.8 + 1)
    rotator = lc.replace(flux=lc.flux * (1 + spots))
    assert rotation_period(time, rotator.flux) == pytest.approx(0.8, rel=0.02)
    result = search(rotator, max_signals=1)
    assert result.detrended.meta["rotation_period_removed"] == pytest.approx(0.8, rel=0.02)
    assert result.signals[0].period == pytest.approx(truth["period"], rel=1e-3)


def test_robust_std_and_chunk_medians_match_numpy():
    """The numba median paths give numpy's values exactly (odd, even sizes, NaNs dropped)."""
    from exohunt.search.detrend import robust_std
    from exohunt.search.peaks import _chunk_medians

    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 10, 3197):
        x = rng.standard_t(3, size=n)
        expected = 1.4826 * np.median(np.abs(x - np.median(x)))
        assert robust_std(x) == expected
        assert robust_std(np.r_[x, np.nan, np.inf].astype(np.float32)) == pytest.approx(
            1.4826 * np.median(np.abs(x.astype(np.float32) - np.median(x.astype(np.float32)))),
            rel=1e-6)
    assert robust_std(np.array([np.nan])) == 0.0
    edges = np.array([0, 7, 20, 21, 100])
    y = rng.normal(size=100)
    np.testing.assert_array_equal(_chunk_medians(y, edges),
                                  [np.median(y[a:b]) for a, b in pairwise(edges)])


def test_lone_deep_dip_is_masked_and_planet_found(monkeypatch):
    """One deep non-repeating dip (box SNR ~75) lifts the whole periodogram, so the planet's
    peak falls under the SDE threshold; masking the dip and searching again finds it."""
    import exohunt.search.core as core

    found, without = 0, 0
    for seed in (0, 1, 3):
        lc, truth = planet_lightcurve(np.random.default_rng(seed), period=4.3, snr=14)
        flux = lc.flux - 0.02 * (np.abs(lc.time - lc.time[0] - 20.0) < 0.15)
        lc = lc.replace(flux=flux)
        periods = [s.period for s in search(lc, max_signals=1).signals]
        found += bool(periods) and abs(periods[0] / truth["period"] - 1) < 1e-3
        with monkeypatch.context() as patch:
            patch.setattr(core, "RETRY_POWER", np.inf)
            without += bool(search(lc, max_signals=1).signals)
    assert found == 3 and without == 0


def test_search_stops_when_its_masks_cover_every_cadence(monkeypatch):
    """A signal whose masks (transits over the fitted width, secondary eclipse) cover the whole
    orbit leaves nothing to search: the search ends with what it found instead of failing (a
    fast-rotating flaring star of a development split did this, at twice its rotation
    period)."""
    import exohunt.search.core as core

    lc, truth = planet_lightcurve(np.random.default_rng(0), period=4.3, snr=20)
    everything = core._ephemeris(1e9, float(lc.time[0]), 1e6)
    monkeypatch.setattr(core, "_eclipse_masks", lambda det, exclude, signal: [everything])
    result = search(lc, max_signals=3)
    assert len(result.signals) == 1
    assert abs(result.signals[0].period / truth["period"] - 1) < 1e-3
