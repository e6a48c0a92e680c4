"""The trapezoid transit fit: recovers a known trapezoid, and a batman transit within stated
tolerances; separates a planet's short ingress from a stellar companion's long one."""

import numpy as np
import pytest

from exohunt.lightcurve import LightCurve
from exohunt.search.transit_fit import TrapezoidFit, fit_trapezoid, trapezoid
from exohunt.simulate import PlanetParams, inject
from exohunt.simulate.params import EclipsingBinaryParams

CADENCE = 0.0204  # days, Kepler long cadence
TIME = np.arange(3197) * CADENCE


def _folded(flux: np.ndarray, period: float, t0: float) -> np.ndarray:
    return (TIME - t0 + 0.5 * period) % period - 0.5 * period


def _chi2(phase, flux, noise, duration, ingress, offset, window=0.25):
    """χ² of the best-depth trapezoid over the cadences within ``window`` days."""
    near = np.abs(phase) < window
    shape = trapezoid(phase[near] - offset, duration, ingress, exposure=CADENCE)
    depth = -(shape @ flux[near]) / (shape @ shape)
    return float(np.sum((flux[near] + depth * shape) ** 2) / noise**2)


def test_trapezoid_profile_limits():
    phase = np.linspace(-0.2, 0.2, 401)
    box = trapezoid(phase, 0.1, 0.0)
    assert box.max() == 1.0 and box[np.abs(phase) > 0.051].max() == 0.0
    v = trapezoid(phase, 0.1, 0.5)
    assert v[200] == pytest.approx(1.0) and v[np.abs(phase) < 0.05].min() > 0
    smeared = trapezoid(phase, 0.1, 0.1, exposure=CADENCE)
    assert smeared.max() == pytest.approx(1.0) and 0 < smeared.sum() <= trapezoid(
        phase, 0.1, 0.1).sum() * 1.001


@pytest.mark.parametrize("duration, ingress, depth", [(0.12, 0.1, 1e-3), (0.2, 0.4, 5e-4)])
def test_recovers_a_known_trapezoid(duration, ingress, depth):
    rng = np.random.default_rng(3)
    period, t0, noise = 2.7, 0.9, 1e-4
    phase = _folded(TIME, period, t0)
    flux = -depth * trapezoid(phase - 0.004, duration, ingress, exposure=CADENCE)
    flux = flux + rng.normal(0, noise, TIME.size)
    fit = fit_trapezoid(phase, flux, 0.1, noise, exposure=CADENCE)
    # T14 and the ingress trade off against each other at a 30-minute cadence: ~5 % and
    # ~0.05 are their 2σ errors here, while the fit's χ² must not exceed the truth's.
    assert fit.duration == pytest.approx(duration, rel=0.06)
    assert fit.ingress_fraction == pytest.approx(ingress, abs=0.06)
    truth = _chi2(phase, flux, noise, duration, ingress, 0.004)
    assert _chi2(phase, flux, noise, fit.duration, fit.ingress_fraction, fit.t0_offset) <= truth
    assert fit.depth == pytest.approx(depth, rel=0.05)
    assert fit.t0_offset == pytest.approx(0.004, abs=0.003)
    assert fit.snr == pytest.approx(fit.depth / fit.depth_err)


def test_batman_planet_duration_and_depth():
    """A limb-darkened planet (batman): T14 within 15 %, depth within 10 % of the model's
    deepest point, short ingress."""
    rng = np.random.default_rng(5)
    planet = PlanetParams(period=3.1, t0=1.2, rp_rs=0.06, impact=0.3, stellar_density=1.4)
    clean = inject(LightCurve(TIME, np.ones(TIME.size)), planet).flux - 1
    noisy = clean + rng.normal(0, 2e-4, TIME.size)
    fit = fit_trapezoid(_folded(TIME, 3.1, 1.2), noisy, 0.1, 2e-4, exposure=CADENCE)
    assert fit.duration == pytest.approx(planet.t14, rel=0.15)
    assert fit.depth == pytest.approx(-clean.min(), rel=0.10)
    assert fit.ingress_fraction < 0.3


def test_companion_star_has_longer_ingress_than_planet():
    rng = np.random.default_rng(6)
    planet = PlanetParams(period=3.1, t0=1.2, rp_rs=0.05, impact=0.2, stellar_density=1.4)
    binary = EclipsingBinaryParams(period=3.1, t0=1.2, radius_ratio=0.8, impact=0.2,
                                   surface_brightness_ratio=0.1, mass_ratio=0.75,
                                   stellar_density=1.4)
    fits = []
    for signal in (planet, binary):
        flux = inject(LightCurve(TIME, np.ones(TIME.size)), signal).flux - 1
        flux = flux / -flux.min() * 2e-3 + rng.normal(0, 1e-4, TIME.size)
        fits.append(fit_trapezoid(_folded(TIME, 3.1, 1.2), flux, 0.1, 1e-4, exposure=CADENCE))
    assert fits[1].ingress_fraction > fits[0].ingress_fraction + 0.15
    for fit, signal in zip(fits, (planet, binary)):
        assert fit.duration == pytest.approx(signal.t14, rel=0.2)


def test_binned_fit_matches_unbinned():
    """Many folded cadences are averaged into phase bins; the fit must not change."""
    rng = np.random.default_rng(8)
    period, t0, noise = 0.9, 0.3, 2e-4  # short period: ~1,000 cadences in the window
    phase = _folded(TIME, period, t0)
    flux = -1e-3 * trapezoid(phase, 0.08, 0.15, exposure=CADENCE)
    flux = flux + rng.normal(0, noise, TIME.size)
    binned = fit_trapezoid(phase, flux, 0.08, noise, exposure=CADENCE)
    assert binned.n_points > 160
    import exohunt.search.transit_fit as module

    old = module._MAX_POINTS
    module._MAX_POINTS = 10**6
    try:
        full = fit_trapezoid(phase, flux, 0.08, noise, exposure=CADENCE)
    finally:
        module._MAX_POINTS = old
    # Equivalent on the unbinned data: within Δχ² = 1 (1σ) of the unbinned optimum.
    chi2 = [_chi2(phase, flux, noise, f.duration, f.ingress_fraction, f.t0_offset, 0.2)
            for f in (binned, full)]
    assert chi2[0] - chi2[1] < 1.0
    assert binned.depth == pytest.approx(full.depth, rel=0.03)


def test_too_little_data_gives_nan():
    fit = fit_trapezoid(np.array([0.0, 0.5, 1.0]), np.zeros(3), 0.1, 1e-4)
    assert isinstance(fit, TrapezoidFit) and np.isnan(fit.duration) and fit.n_points == 1


def test_a_one_ulp_change_of_the_inputs_changes_nothing():
    """Upstream sums differ in their last bit between a serial and a parallel search; on a
    noise star's flat χ² the fit must not turn that into a different answer (before the inputs
    were snapped, 1-ulp changes altered ~70 % of these fits)."""
    for seed in range(30):
        rng = np.random.default_rng(seed)
        phase = np.sort(rng.uniform(-0.5, 0.5, 600))
        resid = rng.normal(0, 1e-3, 600)
        first = fit_trapezoid(phase, resid, 0.1, 1e-3, exposure=0.02)
        nudged = fit_trapezoid(np.nextafter(phase, np.inf), np.nextafter(resid, np.inf), 0.1,
                               np.nextafter(1e-3, 1.0), exposure=0.02)
        assert first == nudged
