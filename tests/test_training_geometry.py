"""The smallest companion a dip allows (:mod:`exohunt.training.geometry`): a planet's own
radius ratio for a full transit, a star's for a binary's grazing eclipse."""

import numpy as np
import pandas as pd
import pytest


def _chord_duration(k: float, b: float, period: float, density: float) -> float:
    """T14 (days) of a circular orbit at impact ``b`` around a star of ``density``."""
    import math

    from exohunt.search.stellar import _a_over_r

    a_over_r = _a_over_r(math.log10(density), period)
    return period / math.pi * math.asin(math.sqrt((1 + k) ** 2 - b**2) / a_over_r)


def test_min_companion_radius_ratio_of_a_full_transit_is_its_own():
    from exohunt.training.geometry import min_companion_radius_ratio

    for k, b in ((0.1, 0.0), (0.1, 0.6), (0.05, 0.3)):
        duration = _chord_duration(k, b, 5.0, 1.41)
        assert min_companion_radius_ratio(k**2, duration, 5.0, 1.41) == pytest.approx(k, abs=0.003)


def test_min_companion_radius_ratio_sees_through_a_grazing_eclipse():
    """A binary's grazing eclipse: shallow enough for a planet by its depth (√depth < 0.2),
    but its duration on the catalogue star asks for a companion far larger than any planet."""
    from exohunt.training.geometry import min_companion_radius_ratio, overlap_fraction

    k, b, period, density = 0.5, 1.3, 6.0, 1.41
    depth = float(overlap_fraction(np.array([k]), np.array([b]))[0])
    assert np.sqrt(depth) < 0.2
    estimate = min_companion_radius_ratio(depth, _chord_duration(k, b, period, density),
                                          period, density)
    # the smallest companion the chord allows (0.27 here), not the true 0.5: still a star
    assert 0.25 < estimate <= k + 0.002
    # a grazing planet stays a planet
    k, b = 0.12, 1.0
    depth = float(overlap_fraction(np.array([k]), np.array([b]))[0])
    estimate = min_companion_radius_ratio(depth, _chord_duration(k, b, period, density),
                                          period, density)
    assert estimate <= k + 0.002


def test_min_companion_radius_ratio_limits_and_missing_inputs():
    from exohunt.training.geometry import MAX_RADIUS_RATIO, min_companion_radius_ratio

    # far too short for a 1 % dip on this star at any impact parameter
    assert min_companion_radius_ratio(0.01, 0.001, 5.0, 1.41) == MAX_RADIUS_RATIO
    for args in ((np.nan, 0.1, 5.0, 1.4), (0.01, 0.1, 5.0, np.nan), (0.01, -0.1, 5.0, 1.4),
                 (1.5, 0.1, 5.0, 1.4), (0.01, 0.1, 0.0, 1.4)):
        assert np.isnan(min_companion_radius_ratio(*args))


def test_overlap_fraction_against_known_areas():
    from exohunt.training.geometry import overlap_fraction

    values = overlap_fraction(np.array([0.1, 0.1, 1.0, 2.0, 0.5]),
                               np.array([0.0, 1.2, 0.0, 0.0, 1.0]))
    assert values[0] == pytest.approx(0.01) and values[1] == 0.0
    assert values[2] == pytest.approx(1.0) and values[3] == pytest.approx(1.0)
    # a disc of radius 0.5 centred on the limb: Monte Carlo area
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (200_000, 2))
    inside = (np.hypot(*points.T) < 1) & (np.hypot(points[:, 0] - 1.0, points[:, 1]) < 0.5)
    assert values[4] == pytest.approx(inside.mean() * 4 / np.pi, rel=0.02)


def test_companion_ratios_read_a_feature_sets_statistics():
    from exohunt.training.geometry import companion_ratios

    duration = _chord_duration(0.1, 0.3, 5.0, 1.41)
    stats = pd.DataFrame({"depth_ppm_known": [1.0, 0.0, 1.0], "fit_depth_rel": [1.25, 1.25, 1.0],
                          "depth_ppm": [8000.0, 8000.0, 8000.0],
                          "fit_duration_ratio": [1.0, 1.0, 1.0], "duration_ratio": [1.0] * 3,
                          "duration_hours": [duration * 24] * 3,
                          "log10_period": [np.log10(5.0)] * 3,
                          "transit_density": [1.41, 1.41, np.nan],
                          "density_ratio_log10": [0.0, 0.0, 0.0]})
    ratios = companion_ratios(stats)
    assert ratios[0] == pytest.approx(0.1, abs=0.003)
    assert np.isnan(ratios[1]) and np.isnan(ratios[2])


def test_companion_ratios_read_the_fit_duration_against_the_expected_one():
    """``fit_duration_ratio`` and ``duration_ratio`` are both to the expected central-transit
    duration (search.vetting), not to each other: a box half the fit's length must not halve
    the chord (round 32's KMIN trial read it so)."""
    from exohunt.training.geometry import companion_ratios

    t14 = _chord_duration(0.1, 0.3, 5.0, 1.41)
    expected = 2.0 * t14  # any central-transit duration the vetting computed
    stats = pd.DataFrame({"depth_ppm_known": [1.0], "fit_depth_rel": [1.0],
                          "depth_ppm": [10000.0], "fit_duration_ratio": [t14 / expected],
                          "duration_hours": [0.5 * t14 * 24],
                          "duration_ratio": [0.5 * t14 / expected],
                          "log10_period": [np.log10(5.0)], "transit_density": [1.41],
                          "density_ratio_log10": [0.0]})
    assert companion_ratios(stats)[0] == pytest.approx(0.1, abs=0.003)
