"""exohunt.evaluation.known_planets: transits with data and SNR of a known planet."""

from __future__ import annotations

import numpy as np
import pytest

from exohunt.evaluation.known_planets import measure_known_planets
from exohunt.lightcurve import LightCurve
from exohunt.simulate import PlanetParams, transit_model
from exohunt.simulate.signals import expected_snr, rp_rs_for_snr


def _star(snr: float, period: float = 3.3, noise_ppm: float = 400.0, seed: int = 0):
    time = np.arange(0.0, 27.0, 10 / 1440)
    planet = rp_rs_for_snr(time, PlanetParams(period=period, t0=1.3, rp_rs=0.03, impact=0.2),
                           noise_ppm, snr)
    rng = np.random.default_rng(seed)
    flux = transit_model(time, planet) + rng.normal(0, noise_ppm * 1e-6, time.size)
    return time, flux, planet


@pytest.mark.parametrize("snr", [12.0, 40.0])
def test_snr_and_transit_count_of_a_known_planet(snr):
    time, flux, planet = _star(snr)
    (found,) = measure_known_planets(LightCurve(time, flux), [planet.period])
    truth = expected_snr(time, planet, 400.0)
    assert found.snr == pytest.approx(truth, rel=0.25)  # box vs matched filter, noise
    assert found.n_transits == 8  # t0 1.3 d, P 3.3 d, 27 d: transits at 1.3 ... 24.4
    assert abs((found.t0 - planet.t0 + 0.5 * planet.period) % planet.period
               - 0.5 * planet.period) < 0.05


def test_a_gap_removes_transits_and_another_planets_single_transit_is_ignored():
    time, flux, planet = _star(30.0)
    keep = (time < 7.0) | (time > 18.0)  # transits at 7.9, 11.2, 14.5, 17.8 lost
    big = np.abs(time - 20.6) < 0.15  # one deep transit of an outer planet (1 %)
    flux = np.where(big, flux - 0.01, flux)
    (found,) = measure_known_planets(LightCurve(time[keep], flux[keep]), [planet.period])
    assert found.n_transits == 4
    assert found.depth < 0.005  # not the outer planet's 1 % transit
    assert found.snr < 40.0


def test_no_planet_gives_low_snr():
    rng = np.random.default_rng(4)
    time = np.arange(0.0, 27.0, 10 / 1440)
    flux = 1.0 + rng.normal(0, 400e-6, time.size)
    (found,) = measure_known_planets(LightCurve(time, flux), [4.2])
    assert found.snr < 7.0
