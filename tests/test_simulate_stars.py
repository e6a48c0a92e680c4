"""Stellar noise, variability and systematics of the simulator."""

from __future__ import annotations

import numpy as np
import pytest

from exohunt.batch import KEPLER_LONG_CADENCE_DAYS
from exohunt.simulate.stars import (
    StarParams,
    flare_model,
    granulation_noise,
    rotation_model,
    star_flux,
    star_noise,
    systematics_model,
)

CADENCE = KEPLER_LONG_CADENCE_DAYS
TIME = np.arange(3197) * CADENCE


def _peak_period(time, flux, low, high):
    from astropy.timeseries import LombScargle

    frequency = np.linspace(1 / high, 1 / low, 20000)
    power = LombScargle(time, flux).power(frequency)
    return 1 / frequency[np.argmax(power)]


def test_white_noise_level(rng):
    noise = star_noise(50_000, 400.0, rng)
    assert np.std(noise) == pytest.approx(400e-6, rel=0.02)


def test_granulation_is_stationary_with_the_requested_correlation_time(rng):
    tau_hours = 2.0
    noise = granulation_noise(200_000, 150.0, tau_hours, CADENCE, rng)
    assert np.std(noise) == pytest.approx(150e-6, rel=0.05)
    lag1 = np.corrcoef(noise[:-1], noise[1:])[0, 1]
    assert lag1 == pytest.approx(np.exp(-CADENCE * 24 / tau_hours), abs=0.02)


@pytest.mark.parametrize("period", [0.7, 4.0, 15.0])
def test_rotation_period_is_recovered(rng, period):
    flux = rotation_model(TIME, period, 0.01, 3 * period, rng)
    assert _peak_period(TIME, flux, 0.3, 30.0) == pytest.approx(period, rel=0.05)
    assert 0.003 < np.std(flux) < 0.03


def test_rotation_evolves():
    flux = rotation_model(TIME, 2.0, 0.01, 2.0, np.random.default_rng(3))
    first, last = (np.ptp(flux[i:i + 98]) for i in (0, 3000))  # one rotation each
    assert abs(first - last) > 0.05 * max(first, last)


def test_flare_shape():
    fine = np.arange(0, 2, 0.0005)
    flux = flare_model(fine, ((1.0, 0.01, 0.05),), exposure_days=0.0005, supersample=1)
    assert flux[fine < 0.98].max() == 0.0
    assert flux.max() == pytest.approx(0.05, rel=0.05)
    assert fine[np.argmax(flux)] == pytest.approx(1.0, abs=0.002)
    after = flux[fine > 1.0]
    assert np.all(np.diff(after[after > 0]) <= 1e-12)  # monotonic decay
    binned = flare_model(TIME, ((10.0, 0.005, 0.05),), exposure_days=CADENCE)
    assert 0 < binned.max() < 0.05  # a short flare is smeared by the 29.4-min exposure


def test_roll_sawtooth_period(rng):
    star = StarParams(noise_ppm=100.0, sawtooth_amplitude=0.005, sawtooth_period=0.245)
    flux = systematics_model(TIME, star, rng)
    assert np.ptp(flux) == pytest.approx(0.01, rel=0.15)
    assert _peak_period(TIME, flux, 0.1, 2.0) == pytest.approx(0.245, rel=0.03)


def test_thruster_firing_dips(rng):
    star = StarParams(noise_ppm=100.0, sawtooth_amplitude=0.002, firing_dip=0.01)
    flux = systematics_model(TIME, star, rng)
    dips = flux < 1 - 0.002 - 0.004  # below the sawtooth by at least 0.5 × firing_dip
    n_firings = (TIME[-1] - TIME[0]) / 0.245
    assert 0.3 * n_firings < dips.sum() < 0.7 * n_firings
    assert not (dips[:-1] & dips[1:]).any()  # one cadence each


def test_thermal_ramp_after_each_gap(rng):
    star = StarParams(noise_ppm=100.0, ramp_amplitude=0.004, ramp_tau=0.5,
                      gaps=((20.0, 21.0), (40.0, 41.5)))
    flux = systematics_model(TIME, star, rng)
    for _, stop in star.gaps:
        first = np.searchsorted(TIME, stop)
        assert abs(flux[first] - 1.0) == pytest.approx(0.004, rel=0.1)
        assert abs(flux[first + 150] - 1.0) < 0.0005  # decayed after ~3 days


def test_star_flux_gaps_outliers_and_signal(rng):
    star = StarParams(noise_ppm=200.0, gaps=((10.0, 12.0),), n_cosmic_rays=4,
                      n_low_outliers=2)
    signal = np.ones_like(TIME)
    signal[1500:1510] = 0.99
    flux, valid = star_flux(TIME, star, rng, signal)
    assert np.isnan(flux[~valid]).all() and np.isfinite(flux[valid]).all()
    assert (~valid).sum() == pytest.approx(2.0 / CADENCE, abs=2)
    residual = (flux - signal) / 200e-6
    assert 1 <= (residual[valid] > 5).sum() <= 4
    assert (residual[valid] < -4).sum() >= 1
    assert np.nanmean(flux[1500:1510]) == pytest.approx(0.99, abs=3e-4)
