"""Physics of the injected signals: SNR targeting, durations, EB secondaries, dilution, inject."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from exohunt.batch import KEPLER_LONG_CADENCE_DAYS
from exohunt.lightcurve import LightCurve
from exohunt.simulate import (
    EclipsingBinaryParams,
    PlanetParams,
    a_over_rs,
    central_depth_snr,
    eb_model,
    inject,
    rp_rs_for_snr,
    secondary_depth,
    secondary_eclipse_time,
    transit_model,
)

TIME = np.arange(3197) * KEPLER_LONG_CADENCE_DAYS


def test_kepler_law_gives_earth_and_hot_jupiter_a_over_rs():
    assert a_over_rs(365.25, 1.408) == pytest.approx(215.0, rel=0.01)
    assert a_over_rs(3.0, 1.408) == pytest.approx(8.8, rel=0.02)  # textbook hot Jupiter


@pytest.mark.parametrize(("noise_ppm", "snr", "period", "impact"), [
    (100.0, 8.0, 3.3, 0.1), (800.0, 20.0, 11.7, 0.6), (1500.0, 50.0, 1.2, 0.8),
    (60.0, 7.0, 25.0, 0.3),
])
def test_injected_snr_within_10_percent_of_requested(noise_ppm, snr, period, impact):
    valid = np.ones_like(TIME, dtype=bool)
    valid[1000:1100] = False  # a gap must not count as in-transit data
    template = PlanetParams(period=period, t0=0.7 * period, rp_rs=0.02, impact=impact)
    planet = rp_rs_for_snr(TIME, template, noise_ppm, snr, valid)
    # measured on the noiseless, exposure-integrated signal: the matched-filter SNR over the
    # valid cadences
    deficit = 1.0 - transit_model(TIME, planet)
    measured = math.sqrt(float(np.sum(deficit[valid] ** 2))) / (noise_ppm * 1e-6)
    assert measured == pytest.approx(snr, rel=0.10)
    # the old scale (mid-transit depth × √cadences touching a transit) always overstated it
    assert central_depth_snr(TIME, planet, noise_ppm, valid) > 1.05 * measured


def test_injected_snr_matches_noisy_matched_filter(rng):
    """On noisy data, the known-signal matched filter recovers the requested SNR, and the
    known-ephemeris box (what a box search measures at best) a little less."""
    noise_ppm, snr = 300.0, 15.0
    sigma = noise_ppm * 1e-6
    planet = rp_rs_for_snr(TIME, PlanetParams(period=4.1, t0=2.0, rp_rs=0.02, impact=0.2),
                           noise_ppm, snr)
    template = 1.0 - transit_model(TIME, planet)
    full = template > 0.5 * template.max()  # cadences mostly inside the transit
    matched, box = [], []
    for _ in range(200):
        deficit = template + rng.normal(0, sigma, TIME.size)
        matched.append(template @ deficit / (sigma * np.sqrt(template @ template)))
        box.append(deficit[full].mean() / sigma * math.sqrt(full.sum()))
    # each estimate has unit standard deviation: the mean of 200 is good to ±0.07 (1σ)
    assert np.mean(matched) == pytest.approx(snr, abs=0.3)
    assert 0.8 * snr < np.mean(box) < snr


def test_depth_matches_small_planet_limb_darkening_formula():
    planet = PlanetParams(period=5.0, t0=1.0, rp_rs=0.03, impact=0.4, u1=0.4, u2=0.25)
    depth = 1.0 - transit_model(np.array([1.0]), planet, exposure_days=0.0)[0]
    mu = math.sqrt(1 - 0.4**2)
    intensity = 1 - 0.4 * (1 - mu) - 0.25 * (1 - mu) ** 2
    expected = 0.03**2 * intensity / (1 - 0.4 / 3 - 0.25 / 6)
    assert depth == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize(("period", "impact", "rp_rs", "density"), [
    (3.0, 0.0, 0.1, 1.4), (10.0, 0.5, 0.05, 0.5), (1.5, 0.8, 0.02, 3.0), (20.0, 0.3, 0.08, 1.0),
])
def test_transit_duration_within_5_percent_of_analytic_t14(period, impact, rp_rs, density):
    planet = PlanetParams(period=period, t0=2.0, rp_rs=rp_rs, impact=impact,
                          stellar_density=density)
    fine = np.linspace(2.0 - 0.5, 2.0 + 0.5, 200_001)
    inside = fine[transit_model(fine, planet, exposure_days=0.0) < 1.0]
    measured = inside[-1] - inside[0]
    a_rs = planet.a_rs
    inc = math.acos(impact / a_rs)
    t14 = period / math.pi * math.asin(math.sqrt((1 + rp_rs) ** 2 - impact**2)
                                       / (a_rs * math.sin(inc)))
    assert measured == pytest.approx(t14, rel=0.05)
    assert planet.t14 == pytest.approx(t14, rel=1e-9)


def _secondary_phase(params: EclipsingBinaryParams) -> float:
    phase = np.linspace(0.1, 0.9, 80_001)
    flux = eb_model(params.t0 + phase * params.period, replace(params, ellipsoidal=False),
                    exposure_days=0.0)
    dipped = phase[flux < flux.max() - 1e-9]
    return float(0.5 * (dipped[0] + dipped[-1]))


def test_eb_secondary_at_phase_half_for_circular_orbit():
    eb = EclipsingBinaryParams(period=2.5, t0=1.0, radius_ratio=0.7, impact=0.1,
                               surface_brightness_ratio=0.4)
    assert _secondary_phase(eb) == pytest.approx(0.5, abs=1e-3)
    assert (secondary_eclipse_time(eb) - eb.t0) / eb.period == pytest.approx(0.5, abs=1e-6)


def test_eb_secondary_shifted_for_eccentric_orbit():
    ecc, omega = 0.2, 30.0
    eb = EclipsingBinaryParams(period=8.0, t0=1.0, radius_ratio=0.6, impact=0.1, ecc=ecc,
                               omega_deg=omega, surface_brightness_ratio=0.5)
    expected = 0.5 + 2 * ecc * math.cos(math.radians(omega)) / math.pi  # first order in e
    measured = _secondary_phase(eb)
    assert abs(measured - 0.5) > 0.05
    assert measured == pytest.approx(expected, abs=0.02)


def test_eb_depths_primary_and_secondary():
    eb = EclipsingBinaryParams(period=3.0, t0=1.0, radius_ratio=0.5, impact=0.0,
                               surface_brightness_ratio=0.3, ellipsoidal=False)
    fp = 0.3 * 0.25
    # total secondary eclipse hides all of star 2's light
    assert secondary_depth(eb) == pytest.approx(fp / (1 + fp), rel=1e-6)
    primary = 1 - eb_model(np.array([1.0]), eb, exposure_days=0.0)[0]
    assert 0.2 / (1 + fp) < primary < 0.3 / (1 + fp)  # k² = 0.25 with limb darkening


def _bottom_fraction(params: EclipsingBinaryParams) -> float:
    """Fraction of the eclipse spent within 10 % of the depth of its minimum."""
    fine = np.linspace(0.8, 1.2, 8001)
    flux = eb_model(fine, params, exposure_days=0.0)
    return float((flux < flux.min() + 0.1 * (1 - flux.min())).sum() / (flux < 1).sum())


def test_grazing_eb_is_v_shaped():
    common = dict(period=3.0, t0=1.0, radius_ratio=0.3, ellipsoidal=False)
    grazing = EclipsingBinaryParams(impact=1.0, **common)
    flat = EclipsingBinaryParams(impact=0.0, **common)
    assert grazing.grazing and not flat.grazing
    # a V spends much less of the eclipse near its minimum than a flat-bottomed (U) eclipse
    assert _bottom_fraction(grazing) < 0.6 * _bottom_fraction(flat)


def test_diluted_eb_depth_is_undiluted_over_dilution():
    eb = EclipsingBinaryParams(period=1.7, t0=0.5, radius_ratio=0.8, impact=0.3)
    diluted = replace(eb, dilution=37.0)
    flux_1 = eb_model(TIME, eb)
    flux_d = eb_model(TIME, diluted)
    np.testing.assert_allclose(1 - flux_d, (1 - flux_1) / 37.0, rtol=1e-9, atol=1e-15)
    assert secondary_depth(diluted) == pytest.approx(secondary_depth(eb) / 37.0, rel=1e-9)


def test_ellipsoidal_variation_at_short_period():
    eb = EclipsingBinaryParams(period=0.8, t0=0.0, radius_ratio=0.9, impact=0.2, mass_ratio=0.9)
    quarter = np.array([0.25 * 0.8, 0.75 * 0.8])
    flux = eb_model(quarter, eb, exposure_days=0.0)
    assert eb.ellipsoidal_amplitude > 1e-3
    assert flux == pytest.approx(1 + eb.ellipsoidal_amplitude, rel=1e-6)  # maxima at quadrature


def test_inject_into_any_lightcurve():
    flux = np.full(TIME.size, 5e4)
    lc = LightCurve(TIME, flux, np.full(TIME.size, 10.0), {"target_id": "x"})
    planet = PlanetParams(period=6.0, t0=3.0, rp_rs=0.1, impact=0.2)
    out = inject(lc, planet)
    np.testing.assert_array_equal(out.time, lc.time)
    np.testing.assert_allclose(out.flux, 5e4 * transit_model(TIME, planet))
    assert out.meta["injected"][0]["period"] == 6.0
    eb_out = inject(out, EclipsingBinaryParams(period=2.0, t0=0.3, radius_ratio=0.5,
                                               dilution=50.0))
    assert len(eb_out.meta["injected"]) == 2
    with pytest.raises(ValueError, match="positive level"):
        inject(LightCurve(TIME, np.random.default_rng(0).normal(-0.1, 1, TIME.size)), planet)
    with pytest.raises(TypeError):
        inject(lc, {"period": 3})


def _batman_full(params, rp, transittype="primary", fp=None, t_secondary=None):
    import batman

    bp = batman.TransitParams()
    bp.t0, bp.per, bp.rp, bp.a = params.t0, params.period, rp, params.a_rs
    bp.inc, bp.ecc, bp.w = params.inclination_deg, params.ecc, params.omega_deg
    bp.u, bp.limb_dark = [params.u1, params.u2], "quadratic"
    if fp is not None:
        bp.fp, bp.t_secondary = fp, t_secondary
    model = batman.TransitModel(bp, TIME, supersample_factor=7,
                                exp_time=KEPLER_LONG_CADENCE_DAYS, transittype=transittype)
    return model.light_curve(bp)


@pytest.mark.parametrize("planet", [
    PlanetParams(period=0.6, t0=0.2, rp_rs=0.2, impact=0.9, stellar_density=0.3),
    PlanetParams(period=13.0, t0=5.0, rp_rs=0.05, impact=0.1),
    PlanetParams(period=4.0, t0=1.0, rp_rs=0.1, impact=0.5, ecc=0.4, omega_deg=200.0),
])
def test_windowed_transit_model_equals_full_batman(planet):
    np.testing.assert_allclose(transit_model(TIME, planet), _batman_full(planet, planet.rp_rs),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize(("ecc", "omega", "impact"), [(0.0, 90.0, 0.3), (0.5, 10.0, 0.2),
                                                      (0.45, 250.0, 0.1), (0.3, 120.0, 0.8)])
def test_windowed_eb_model_equals_full_batman(ecc, omega, impact):
    eb = EclipsingBinaryParams(period=6.0, t0=2.0, radius_ratio=0.6, impact=impact, ecc=ecc,
                               omega_deg=omega, surface_brightness_ratio=0.7, ellipsoidal=False)
    fp = eb.flux_ratio
    primary = _batman_full(eb, eb.radius_ratio)
    secondary = _batman_full(eb, eb.radius_ratio, "secondary", fp, secondary_eclipse_time(eb))
    expected = (primary + secondary - 1) / (1 + fp)
    np.testing.assert_allclose(eb_model(TIME, eb), expected, rtol=0, atol=1e-12)
    assert (secondary < 1 + fp - 1e-6).any()  # the secondary eclipse is really there


def test_planet_day_side_occultation_is_albedo_times_rp_over_a_squared():
    """HAT-P-7 b-like: Rp/R* 0.078, a/R* ≈ 4.1, A = 0.3: a ~110 ppm occultation half an orbit
    after the transit, the transit itself unchanged (to the day side's ~1e-4 dilution)."""
    planet = PlanetParams(period=2.2047, t0=1.0, rp_rs=0.078, stellar_density=0.26, albedo=0.3)
    expected = 0.3 * 0.078**2 / planet.a_rs**2
    assert planet.occultation_depth == pytest.approx(expected)
    time = np.arange(0.0, 6.0, 1.0 / 1440)
    flux = transit_model(time, planet, exposure_days=0.0)
    at = lambda t: flux[np.argmin(np.abs(time - t))]  # noqa: E731
    assert 1 - at(1.0 + 0.5 * planet.period) == pytest.approx(expected, rel=0.02)
    assert at(1.0 + 0.25 * planet.period) == pytest.approx(1.0, abs=1e-12)
    dark = transit_model(time, replace(planet, albedo=0.0), exposure_days=0.0)
    assert 1 - at(1.0) == pytest.approx(1 - dark[np.argmin(np.abs(time - 1.0))], rel=1e-3)
    with pytest.raises(ValueError, match="albedo"):
        PlanetParams(period=2.0, t0=0.0, rp_rs=0.1, albedo=-0.1)


def test_bright_share_draws_hot_jupiter_snrs_and_every_planet_a_day_side():
    from exohunt.simulate.dataset import PRESETS, iter_split
    from exohunt.simulate.params import BRIGHT_SNR_RANGE
    from exohunt.simulate.simulator import time_grid

    spec = replace(PRESETS["vetting"]["test"], bright_share=0.5).resized(400)
    time = time_grid(3197, KEPLER_LONG_CADENCE_DAYS)
    planets = [s.truth for s in iter_split(spec, 3, "test", time) if s.truth["label"] == 1]
    targets = np.array([t["target_snr"] for t in planets])
    bright = targets >= BRIGHT_SNR_RANGE[0]
    assert len(planets) == 16 and 3 <= bright.sum() <= 13          # half, binomial(16, 0.5)
    assert (targets[~bright] <= spec.planet_snr[1]).all()
    assert all(0.05 <= t["albedo"] <= 1.0 and t["occultation_ppm"] > 0 for t in planets)
