"""Settling ramps after gaps (exohunt.search.sawtooth.ramp_model): the batched normal-equation
fit against numpy's SVD least squares, and the ramps it finds or leaves alone."""

import numpy as np
import pytest

from exohunt.search.detrend import robust_std
from exohunt.search.sawtooth import RAMP_TAUS, _ramp_fits, ramp_model


def _lstsq_reference(x, y, tau):
    """The fit as it was written before (round 16): SVD least squares and a pseudo-inverse."""
    design = np.column_stack([np.ones_like(x), x, np.exp(-x / tau)])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return coef[2], np.linalg.pinv(design.T @ design)[2, 2], float(np.sum(resid**2))


@pytest.mark.parametrize("seed", range(5))
def test_batched_fit_matches_numpy_lstsq(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 2.0, 96))
    y = 1e-3 * rng.standard_normal(x.size) + 3e-3 * np.exp(-x / 0.1) + 2e-4 * x
    taus = np.asarray(RAMP_TAUS)
    amplitude, inverse, resid, chi2 = _ramp_fits(x, y, taus)
    for j, tau in enumerate(taus):
        a, inv22, c2 = _lstsq_reference(x, y, tau)
        assert amplitude[j] == pytest.approx(a, rel=1e-8, abs=1e-12)
        assert inverse[j] == pytest.approx(inv22, rel=1e-8)
        assert chi2[j] == pytest.approx(c2, rel=1e-8)
        assert np.sum(resid[j] ** 2) == pytest.approx(c2, rel=1e-8)


def test_ramp_after_a_gap_is_found_and_removed():
    rng = np.random.default_rng(3)
    cadence = 29.4 / 1440
    time = np.r_[np.arange(0, 10, cadence), np.arange(12, 22, cadence)]
    noise = 2e-4
    truth = np.where(time >= 12, 5e-3 * np.exp(-(time - 12) / 0.2), 0.0)
    flux = truth + noise * rng.standard_normal(time.size)
    model = ramp_model(time, flux)
    after = (time >= 12) & (time < 14)
    # the ramp is taken out down to the noise (a 25-sigma ramp at first)
    assert robust_std((flux - model)[after]) < 1.2 * noise
    assert np.abs(model[after] - truth[after]).max() < 5 * noise
    # the first stretch has no ramp: nothing, or nothing significant, is subtracted there
    assert np.abs(model[time < 2]).max() < 3 * noise


def test_no_ramp_in_white_noise_and_short_stretches_are_nan():
    rng = np.random.default_rng(4)
    time = np.r_[np.arange(0, 5, 0.02), np.arange(5.5, 5.8, 0.02)]
    flux = 1e-3 * rng.standard_normal(time.size)
    model = ramp_model(time, flux)
    assert np.all(model[time < 5] == 0)
    assert np.all(np.isnan(model[time > 5.4]))  # 15 cadences: too short a stretch
