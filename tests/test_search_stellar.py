"""Transit-implied vs catalogue stellar density, and the implied planet radius."""

from __future__ import annotations

import math
import warnings

import batman
import numpy as np
import pytest

from exohunt.errors import DataQualityWarning
from exohunt.lightcurve import fold_phase
from exohunt.search.stellar import (
    G_CGS,
    MAX_PLANET_RADIUS_EARTH,
    STELLAR_COLUMNS,
    catalogue_density,
    limb_darkened_density,
    stellar_statistics,
    transit_density,
)
from exohunt.search.transit_fit import fit_trapezoid

SUN = {"teff": 5772.0, "logg": 4.438, "radius": 1.0, "catalog": "TIC"}
CADENCE = 0.0204  # days (Kepler long cadence)


def a_over_r(rho: float, period: float) -> float:
    """Kepler's third law: a/R* of a circular orbit around a star of density rho (g/cm³)."""
    return (G_CGS * rho * (period * 86400.0) ** 2 / (3 * math.pi)) ** (1 / 3)


def fitted_statistics(star: dict | None, *, period: float = 5.0, k: float = 0.1,
                      b: float = 0.3, rho: float = 1.41, ecc: float = 0.0, omega: float = 90.0,
                      noise: float = 3e-4, seed: int = 0, **meta) -> dict[str, float]:
    """A limb-darkened batman transit (60 days, 30-min cadence) fitted with the search's
    trapezoid at the true ephemeris, then :func:`stellar_statistics` on it and the light
    curve."""
    rng = np.random.default_rng(seed)
    time = np.arange(0.0, 60.0, CADENCE)
    params = batman.TransitParams()
    params.t0, params.per, params.rp = 1.1, period, k
    params.a = a_over_r(rho, period)
    params.inc = math.degrees(math.acos(b / params.a))
    params.ecc, params.w, params.u, params.limb_dark = ecc, omega, [0.4, 0.25], "quadratic"
    model = batman.TransitModel(params, time, supersample_factor=5, exp_time=CADENCE)
    flux = model.light_curve(params) + rng.normal(0, noise, time.size)
    guess = period / math.pi / params.a
    fit = fit_trapezoid(fold_phase(time, period, 1.1), flux - 1.0, guess, noise,
                        exposure=CADENCE)
    meta = {"flux_column": "PDCSAP_FLUX", "source": "synthetic.fits", **meta}
    if star is not None:
        meta["star"] = star
    return stellar_statistics(meta, period=period, duration=fit.duration,
                              ingress_fraction=fit.ingress_fraction, depth=fit.depth,
                              snr=fit.snr, cadence=CADENCE, time=time, flux=flux,
                              t0=1.1 + fit.t0_offset, noise=noise)


def test_seager_mallen_ornelas_inversion_is_exact_for_a_trapezoid():
    period, k, b, rho = 4.0, 0.08, 0.5, 1.2
    a = a_over_r(rho, period)
    inc = math.acos(b / a)
    t14 = period / math.pi * math.asin(math.sqrt((1 + k) ** 2 - b**2) / (a * math.sin(inc)))
    t23 = period / math.pi * math.asin(math.sqrt((1 - k) ** 2 - b**2) / (a * math.sin(inc)))
    f = (t14 - t23) / (2 * t14)
    assert transit_density(period, t14, f, k**2) == pytest.approx(rho, rel=1e-6)
    # b = 0 is the largest density a transit of that length allows
    assert transit_density(period, t14, 0.0, k**2) > rho
    assert math.isnan(transit_density(period, -1.0, 0.1, 0.01))
    assert math.isnan(transit_density(period, 0.1, 0.1, 1.5))


def test_catalogue_density_of_the_sun():
    rho, sigma_dex = catalogue_density(SUN)
    assert rho == pytest.approx(1.41, rel=0.02)
    assert 0.1 <= sigma_dex < 0.15  # TIC-8: 0.1 dex in logg, 10 % in radius
    kic = catalogue_density({**SUN, "catalog": "KIC"})[1]
    assert kic > 0.4  # 0.4 dex in logg, 40 % in radius
    assert catalogue_density({**SUN, "catalog": "simulated"})[1] >= kic  # unknown: wide
    assert all(math.isnan(v) for v in catalogue_density({"logg": 4.4}))


@pytest.mark.parametrize("b", [0.0, 0.3, 0.6, 0.85])
def test_planet_around_a_sun_like_star_is_consistent(b):
    stats = fitted_statistics(SUN, b=b)
    assert stats["density_mismatch_sigma"] == 0.0
    # k = 0.1 at SNR ~ 150: the limb-darkened fit resolves the ingress, and with it b
    assert abs(stats["density_ratio_log10"]) < 0.2
    # Rp/R* = 0.1 around one solar radius: 10.9 R_earth (the flat-bottom depth of a
    # limb-darkened transit is a little deeper than k²)
    assert stats["planet_radius_earth"] == pytest.approx(10.9, rel=0.12)
    assert stats["radius_too_large"] == 0.0


@pytest.mark.parametrize("b", [0.0, 0.3, 0.6, 0.85])
def test_small_planet_is_consistent_with_its_host(b):
    # Rp/R* = 0.02 (2.2 R_earth), SNR ~ 60: limb darkening, not geometry, sets the trapezoid's
    # ingress (~0.2 of T14 against a geometric ~0.02); the robust test, which allows every
    # impact parameter, must find no mismatch. The limb-darkened fit cannot tell b here (a
    # 4-min ingress in 30-min cadences): it gives the density near b = 0.5, the posterior
    # median of a uniform b, so within 0.3 dex of the truth up to b = 0.6 and ~0.6 dex high
    # at b = 0.85 (((1.02² − 0.25) / (1.02² − 0.85²))^1.5 = 3.9), where the trapezoid's
    # ingress read ~1 dex low at every b
    stats = fitted_statistics(SUN, k=0.02, b=b, noise=6e-5)
    assert stats["density_mismatch_sigma"] == 0.0
    assert stats["radius_too_large"] == 0.0
    if b <= 0.6:
        assert abs(stats["density_ratio_log10"]) < 0.3
    else:
        assert 0.3 < stats["density_ratio_log10"] < 0.8


@pytest.mark.parametrize("omega", [90.0, -90.0])
def test_eccentric_planet_is_not_rejected(omega):
    assert fitted_statistics(SUN, ecc=0.3, omega=omega)["density_mismatch_sigma"] == 0.0


def test_a_sun_like_transit_on_a_catalogued_giant_is_a_mismatch():
    giant = {"logg": 3.0, "radius": 5.0, "catalog": "TIC"}
    stats = fitted_statistics(giant)
    assert stats["density_ratio_log10"] > 1.0
    assert stats["density_mismatch_sigma"] > 5.0
    assert stats["radius_too_large"] == 1.0  # k = 0.1 of 5 R_sun is a star
    assert stats["planet_radius_earth"] > MAX_PLANET_RADIUS_EARTH


def test_an_eclipse_of_low_density_stars_on_a_catalogued_dwarf_is_a_mismatch():
    # a background pair of evolved stars (0.02 g/cm³): its eclipse lasts far too long
    stats = fitted_statistics(SUN, rho=0.02, period=8.0)
    assert stats["density_ratio_log10"] < -1.0
    assert stats["density_mismatch_sigma"] > 5.0
    kic = fitted_statistics({**SUN, "catalog": "KIC"}, rho=0.02, period=8.0)
    assert 0 < kic["density_mismatch_sigma"] < stats["density_mismatch_sigma"]


def test_sap_flux_depth_is_undiluted_for_the_radius():
    pdc = fitted_statistics(SUN, crowdsap=0.5)
    sap = fitted_statistics(SUN, crowdsap=0.5, flux_column="SAP_FLUX")
    assert sap["planet_radius_earth"] == pytest.approx(pdc["planet_radius_earth"] * math.sqrt(2))


@pytest.mark.parametrize("star", [None, {}, {"logg": float("nan"), "radius": float("nan")}])
def test_missing_catalogue_gives_nan_quietly(star):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = fitted_statistics(star)
    assert set(stats) == set(STELLAR_COLUMNS)
    assert all(math.isnan(stats[c]) for c in STELLAR_COLUMNS if c != "transit_density")
    assert stats["transit_density"] > 0


@pytest.mark.parametrize(("field", "value"), [("logg", 12.0), ("radius", -1.0),
                                              ("radius", "big")])
def test_absurd_catalogue_values_warn_and_give_nan(field, value):
    with pytest.warns(DataQualityWarning, match=f"synthetic.fits: stellar {field}"):
        stats = fitted_statistics({**SUN, field: value})
    assert math.isnan(stats["density_mismatch_sigma"])
    assert math.isnan(stats["density_ratio_log10"])


def test_additive_flux_has_no_physical_depth():
    stats = fitted_statistics(SUN, flux_mode="additive")
    assert all(math.isnan(v) for v in stats.values())


def test_limb_darkened_density_refuses_what_it_cannot_fit():
    time = np.arange(0.0, 30.0, CADENCE)
    flux = np.ones_like(time)
    common = {"period": 5.0, "t0": 1.0, "exposure": CADENCE}
    for bad in ({"duration": 0.0, "depth": 1e-3, "noise": 1e-4},
                {"duration": 0.1, "depth": -1e-3, "noise": 1e-4},
                {"duration": 0.1, "depth": 1e-3, "noise": 0.0},
                {"duration": 3.0, "depth": 1e-3, "noise": 1e-4}):  # longer than P/2
        assert math.isnan(limb_darkened_density(time, flux, **common, **bad))
    # the transits fall in gaps: too few binned points in transit
    gappy = np.abs(fold_phase(time, 5.0, 1.0)) > 0.045
    assert math.isnan(limb_darkened_density(time[gappy], flux[gappy], duration=0.1,
                                            depth=1e-3, noise=1e-4, **common))


def test_limb_darkened_density_resolves_b_at_short_cadence():
    # k = 0.05, b = 0.8 at 2-min cadence and SNR ~ 200: the ingress (~20 min) is resolved,
    # so the profile over b is narrow and the density right, not the b = 0.5 compromise
    # (which would read ((1.05² − 0.25) / (1.05² − 0.64))^1.5 = 2.3×, +0.36 dex, high)
    cadence, period, k, b, rho = 2.0 / 1440.0, 3.0, 0.05, 0.8, 1.41
    time = np.arange(0.0, 27.0, cadence)
    params = batman.TransitParams()
    params.t0, params.per, params.rp = 0.7, period, k
    params.a = a_over_r(rho, period)
    params.inc = math.degrees(math.acos(b / params.a))
    params.ecc, params.w, params.u, params.limb_dark = 0.0, 90.0, [0.4, 0.25], "quadratic"
    noise = 4e-4
    flux = (batman.TransitModel(params, time).light_curve(params)
            + np.random.default_rng(3).normal(0.0, noise, time.size))
    fit = fit_trapezoid(fold_phase(time, period, 0.7), flux - 1.0, 0.08, noise,
                        exposure=cadence)
    assert fit.snr > 100
    estimate = limb_darkened_density(time, flux, period=period, t0=0.7 + fit.t0_offset,
                                     duration=fit.duration, depth=fit.depth, noise=noise,
                                     exposure=cadence)
    assert abs(math.log10(estimate / rho)) < 0.15


@pytest.mark.parametrize("fraction", [0.0, 0.45, 0.87])
def test_hand_written_fit_finds_scipys_minimum(fraction):
    """The density fit's Levenberg-Marquardt (hand-written for speed) against scipy's
    least_squares on the same residuals: the same (k, log10 ρ) and χ²."""
    from scipy.optimize import least_squares

    from exohunt.search.stellar import _FIT_LOWER, _FIT_UPPER, _levenberg_marquardt

    period, k, rho, noise = 4.0, 0.06, 1.2, 3e-4
    x = np.linspace(-0.2, 0.2, 80)
    params = batman.TransitParams()
    params.t0, params.per, params.ecc, params.w = 0.0, period, 0.0, 90.0
    params.u, params.limb_dark = [0.4, 0.25], "quadratic"

    def model(theta):
        params.rp, params.a = theta[0], a_over_r(10.0 ** theta[1], period)
        params.inc = math.degrees(math.acos(min(fraction * (1 + theta[0]) / params.a, 1.0)))
        return batman.TransitModel(params, x).light_curve(params) - 1.0

    y = model(np.array([k, math.log10(rho)])) + np.random.default_rng(7).normal(0, noise, x.size)

    def residuals(theta):
        return (model(theta) - y) / noise

    start = np.array([0.05, math.log10(rho) - 0.2])
    ours, chi2 = _levenberg_marquardt(residuals, start)
    theirs = least_squares(residuals, start, bounds=(_FIT_LOWER, _FIT_UPPER), x_scale=[0.05, 0.1])
    assert ours[0] == pytest.approx(theirs.x[0], rel=0.01)
    assert ours[1] == pytest.approx(theirs.x[1], abs=0.01)
    assert chi2 == pytest.approx(2 * theirs.cost, abs=0.05)


def test_kaggle_rows_fit_no_density(monkeypatch):
    """Kaggle-layout rows get no density fit: NaN, as before search-20, and none of the
    fit's cost on the demo's and Kaggle users' path."""
    import exohunt.search.stellar as stellar
    from exohunt.search.features import extract_features
    from exohunt.simulate import simulate

    calls = []
    monkeypatch.setattr(stellar, "limb_darkened_density",
                        lambda *a, **k: calls.append(1) or float("nan"))
    data = simulate(preset="kaggle", seed=3, n_train=4, n_test=60)
    stats = extract_features(data.test, jobs=1).stats
    assert int((stats["has_signal"] > 0).sum()) > 30
    assert stats["transit_density"].isna().all()
    assert not calls
