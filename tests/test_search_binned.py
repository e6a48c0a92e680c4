"""Trends of short-cadence light curves fitted on 10-min bin medians (search/binned.py)."""

import numpy as np
import pytest

from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.binned import BINNED_CADENCE_LIMIT, bin_means, median_cadence, uses_bins
from exohunt.search.biweight import biweight_trend
from exohunt.search.detrend import TREND_STEPS, _trend, detrend, robust_std
from exohunt.search.pspline import bspline_rows, fit_modulated
from exohunt.search.rotation import PENALTY, _harmonics, rotation_trend


def _sector(cadence_minutes: float) -> np.ndarray:
    """A TESS-like sector (27.4 d, a 1.2-d orbit gap) at the given cadence, days."""
    time = np.arange(0.0, 27.4, cadence_minutes / 1440)
    return time[(time < 13.2) | (time > 14.4)]


def _spots(time: np.ndarray, period: float = 1.7) -> np.ndarray:
    """1 % spot modulation with a second harmonic and a slowly changing amplitude."""
    phase = 2 * np.pi * time / period
    return (0.01 * np.sin(phase) * (1 + 0.3 * np.sin(2 * np.pi * time / 9))
            + 0.004 * np.cos(2 * phase + 0.5))


@pytest.mark.parametrize("minutes", [2.0, 200 / 60, 58.85 / 60])
def test_short_cadences_use_bins(minutes):
    assert uses_bins(_sector(minutes)[:2000])


@pytest.mark.parametrize("minutes", [29.4, 10.0, 5.5])
def test_long_cadence_trend_is_the_unbinned_biweight_bit_for_bit(minutes):
    # the binned trend is used only below the cadence limit: longer cadences (Kaggle rows,
    # Kepler LC, TESS 30- and 10-min frames) keep exactly the features they had
    rng = np.random.default_rng(1)
    time = _sector(minutes)
    assert np.median(np.diff(time)) > BINNED_CADENCE_LIMIT and not uses_bins(time)
    flux = 1 + _spots(time) + 1e-3 * rng.standard_normal(time.size)
    mask = np.zeros(time.size, dtype=bool)
    mask[40:52] = True
    for window in (0.8, 0.4):
        step = window / TREND_STEPS
        cadence = float(np.median(np.diff(time)))
        plain = biweight_trend(time, flux, window_length=window, break_tolerance=0.5, mask=mask,
                               step=step if cadence <= 0.5 * step else None)
        ours = _trend(time, flux, method="biweight", window_length=window,
                      break_tolerance=0.5, mask=mask)
        assert np.array_equal(ours, plain)
    # the spot model too: the full-cadence robust fit, unchanged
    trend, _ = rotation_trend(time, flux, period=1.7, spacing=3.4, n_iter=1)
    rows, funcs = bspline_rows(time, 3.4), _harmonics(time, 1.7)
    level = float(np.median(flux))
    direct = fit_modulated(rows, funcs, flux - level, np.ones(time.size), PENALTY) + level
    assert np.array_equal(trend, direct)


def test_bins_leave_masked_points_and_flares_out():
    rng = np.random.default_rng(2)
    time = np.arange(0.0, 1.0, 2 / 1440)
    flux = 1 + 3e-4 * rng.standard_normal(time.size)
    flux[7] = 50.0                        # a cosmic ray: beyond the clip of its bin's median
    mask = np.zeros(time.size, dtype=bool)
    mask[20:30] = True                    # two whole bins masked
    times, values, good, counts = bin_means(time, flux, ~mask, 10 / 1440, clip=3e-3)
    assert np.abs(values[good] - 1).max() < 2e-3
    assert (~good).sum() == 2 and counts[~good].sum() == 0
    assert counts.sum() == (~mask).sum() - 1
    assert np.all(np.diff(times) > 0)
    # without a clip a bin is the plain mean of its usable points
    _, values, good, counts = bin_means(time, flux, ~mask, 10 / 1440)
    assert values[1] == pytest.approx(np.mean(flux[5:10])) and counts[1] == 5


def test_binned_biweight_matches_the_full_cadence_trend_on_a_spotted_star():
    rng = np.random.default_rng(3)
    time = _sector(2.0)
    truth = 1 + _spots(time, period=4.0)
    flux = truth + 1e-3 * rng.standard_normal(time.size)
    full = biweight_trend(time, flux, window_length=0.8, step=0.8 / TREND_STEPS)
    binned = _trend(time, flux, method="biweight", window_length=0.8, break_tolerance=0.5,
                    mask=None)
    # the full trend itself errs by ~6e-4 rms on this star (a 0.8-d window against a 4-d
    # modulation); the binned one stays within 0.2 of the per-point noise (rms) of it, and
    # at least as close to the truth
    assert robust_std(binned - full) < 1e-4 and np.std(binned - full) < 2e-4
    assert np.std(binned - truth) < 1.05 * np.std(full - truth)


def test_binned_spot_model_matches_the_full_cadence_fit():
    rng = np.random.default_rng(4)
    time = _sector(2.0)
    truth = _spots(time)
    flux = 1 + truth + 1e-3 * rng.standard_normal(time.size)
    binned, _ = rotation_trend(time, flux, period=1.7, spacing=3.4, n_iter=1)
    rows, funcs = bspline_rows(time, 3.4), _harmonics(time, 1.7)
    level = float(np.median(flux))
    full = fit_modulated(rows, funcs, flux - level, np.ones(time.size), PENALTY) + level
    # a 1 % modulation modelled to 5e-5 rms (5 % of the noise) of the full-cadence fit
    assert np.std(binned - full) < 5e-5
    assert np.std(binned - 1 - truth) < 1.2 * np.std(full - 1 - truth)


def test_transit_depth_kept_after_detrending_a_2min_series():
    rng = np.random.default_rng(5)
    time = _sector(2.0)
    period, t0, duration, depth = 3.3, 1.1, 0.125, 2e-3
    phase0 = (time - t0 + period / 2) % period - period / 2
    model = np.where(np.abs(phase0) < duration / 2, 1 - depth, 1.0)
    flux = (1 + 0.001 * np.sin(2 * np.pi * time / 5.0)
            + 1e-3 * rng.standard_normal(time.size)) * model
    det = detrend(LightCurve(time, flux))
    assert det.meta["window_length"] == pytest.approx(0.8, abs=0.05)
    phase = (det.time - t0 + period / 2) % period - period / 2
    inside = np.abs(phase) < 0.4 * duration
    outside = np.abs(phase) > duration
    measured = np.mean(det.flux[outside]) - np.mean(det.flux[inside])
    assert measured == pytest.approx(depth, rel=0.10)
    # the full-cadence biweight eats more of a 3-h transit (~10 %): in-transit bins lie
    # further out in the bins' narrower spread, so they weigh less
    full = flux / biweight_trend(time, flux, window_length=0.8, step=0.8 / TREND_STEPS)
    full_depth = (np.mean(full[np.abs(phase0) > duration])
                  - np.mean(full[np.abs(phase0) < 0.4 * duration]))
    assert measured >= full_depth - 0.02 * depth
    # with the transits masked the trend goes under them: the depth in full
    det = detrend(LightCurve(time, flux), mask=np.abs(phase0) < duration)
    measured = np.mean(det.flux[outside]) - np.mean(det.flux[inside])
    assert measured == pytest.approx(depth, rel=0.05)


def test_centroid_trends_stay_at_full_cadence():
    # the centroid statistics detrend the centroids at every cadence, also at 2 min
    from exohunt.search import centroid

    rng = np.random.default_rng(7)
    time = _sector(2.0)[:3000]
    values = 100 + 0.01 * rng.standard_normal(time.size)
    columns = {"centroid_col": values, "centroid_row": values[::-1].copy()}
    lc = LightCurve(time, np.ones(time.size), columns=columns, meta={"window_length": 0.5})
    out = centroid.centroid_residuals(lc, period=1.3, t0=0.4, duration=0.1)
    masked = np.abs(fold_phase(time, 1.3, 0.4)) < 0.5 * centroid._MASK_WIDTH * 0.1
    step = 0.5 / TREND_STEPS
    plain = biweight_trend(time, values, window_length=0.5, mask=masked, step=step)
    assert np.array_equal(out[:, 0], values - plain)


def test_median_cadence_is_numpys_median_of_the_steps_to_the_bit():
    """The compiled median cadence gives ``np.median(np.diff(time))`` exactly, for odd and even
    numbers of steps, ties, gaps and non-contiguous views; the default below two times."""
    rng = np.random.default_rng(8)
    for n in (2, 3, 4, 5, 64, 65, 3197):
        irregular = np.cumsum(rng.exponential(0.02, n))
        ties = np.cumsum(rng.choice([0.0204, 0.0204, 0.05], n))
        for time in (irregular, ties, np.arange(n) * 0.0204336 + 100.0, irregular[::-1][::-1]):
            assert median_cadence(time) == float(np.median(np.diff(time)))
    stepped = np.r_[np.arange(50) * 0.02, 5.0 + np.arange(50) * 0.02][::2]  # a strided view
    assert median_cadence(stepped) == float(np.median(np.diff(stepped)))
    assert np.isnan(median_cadence(np.array([3.0])))
    assert median_cadence(np.array([]), default=0.25) == 0.25
    assert not uses_bins(np.array([1.0])) and not uses_bins(np.array([]))
    assert uses_bins(np.arange(100) * (2 / 1440)) and not uses_bins(np.arange(100) * 0.0204)
