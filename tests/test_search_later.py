"""The later iterations of the multi-signal search (exohunt.search.later): on spotted
planet-free stars the signals after the first stay at noise level, and a second planet is still
found. Stars are those of ``benchmarks/bench_tls.py`` (seed 7), whose round-8 run measured the
inflated later peaks."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from exohunt.lightcurve import LightCurve
from exohunt.search import search
from exohunt.search.later import transit_shaped
from exohunt.search.vetting import VETTING_THRESHOLDS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _tls_stars import make_star, plan

PLAN = plan(30, 15, 75)
#: The bench's matched 5 % false-alarm threshold on the first signal alone (round 8).
FIRST_SIGNAL_THRESHOLD = 9.84


def _searched(index: int):
    star = make_star(index, *PLAN[index], seed=7)
    return star, search(LightCurve(star.time, star.flux), max_signals=3, min_sde=0.0)


@pytest.mark.parametrize("index, before", [(357, 16.7), (377, 16.8), (417, 23.0), (388, 17.0)])
def test_later_signals_of_spotted_planet_free_stars_stay_at_noise_level(index, before):
    # 357, 377, 417: a noise peak at a rotation harmonic dropped the spot model and the next
    # searches ran on the red plain-biweight residual (SDE `before`); 388: a single event's
    # mask missed the interpolated trend at a gap
    star, result = _searched(index)
    assert star.n_planets == 0 and star.host == "rotator"
    assert result.signals, "the first signal is always reported"
    assert max(s.sde for s in result.signals) < FIRST_SIGNAL_THRESHOLD < before
    if index != 388:  # the spot model is back for the later searches
        assert np.isfinite(result.detrended.meta.get("rotation_period_removed", np.nan))


def test_second_planet_of_a_spotted_two_planet_star_is_still_found():
    star, result = _searched(340)  # spot-modelled rotator, planets at SNR 14.2 and 11.3
    assert star.n_planets == 2 and star.host == "rotator"
    for planet in star.planets:
        hits = [s for s in result.signals if abs(s.period / planet["period"] - 1) < 0.005]
        assert hits and hits[0].sde > FIRST_SIGNAL_THRESHOLD and hits[0].passes_vetting


def test_transit_shaped_rejects_boxes_and_fits_longer_than_the_vetting_limit():
    _, result = _searched(340)
    planet = result.signals[1]
    assert transit_shaped(planet, VETTING_THRESHOLDS)
    broad = dataclasses.replace(planet, duration_ratio=2.5)
    long_fit = dataclasses.replace(planet, fit_duration_ratio=6.0)
    short = dataclasses.replace(planet, duration_ratio=0.1)
    for signal in (broad, long_fit, short):
        assert not transit_shaped(signal, VETTING_THRESHOLDS)
    # a failed trapezoid fit, or unequal depths (systematics on real planets), do not reject
    assert transit_shaped(dataclasses.replace(planet, fit_duration_ratio=float("nan"),
                                              depth_scatter=18.0), VETTING_THRESHOLDS)
    # the user's vetting overrides are the limits
    assert transit_shaped(broad, {**VETTING_THRESHOLDS, "max_duration_ratio": 3.0})
