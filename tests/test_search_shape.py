"""Shape tests: a planet's flat-bottomed transit against a diluted stellar eclipse (V)."""

import numpy as np
import pytest

from exohunt.lightcurve import fold_phase
from exohunt.search.shape import secondary_search, v_shape_sigma
from exohunt.simulate import PlanetParams
from exohunt.simulate.signals import transit_model

PERIOD, T0 = 3.7, 1.3
TIME = np.arange(0.0, 65.0, 0.0204)  # Kepler long cadence, 65 days


def _folded(rp_rs: float, impact: float, depth: float, noise: float, seed: int):
    """Batman transit of ``rp_rs`` scaled to ``depth``, plus white noise; folded."""
    model = transit_model(TIME, PlanetParams(PERIOD, T0, rp_rs, impact=impact))
    dip = (1.0 - model) / (1.0 - model).max() * depth
    flux = -dip + np.random.default_rng(seed).normal(0.0, noise, TIME.size)
    duration = float(np.ptp(fold_phase(TIME, PERIOD, T0)[dip > 0]))
    return fold_phase(TIME, PERIOD, T0), flux, duration


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planet_is_u_shaped_and_diluted_binary_is_v_shaped(seed):
    # Same depth and noise (transit SNR ≈ 40): only the shape differs.
    noise = 1e-3
    phase, planet, duration = _folded(0.06, 0.2, 4e-3, noise, seed)
    u_like = v_shape_sigma(phase, planet, duration, noise, exposure=0.0204)
    phase, binary, duration = _folded(0.7, 0.3, 4e-3, noise, seed)
    v_like = v_shape_sigma(phase, binary, duration, noise, exposure=0.0204)
    assert u_like < -1.0 and v_like > 3.0


def test_shape_undecided_in_noise():
    noise = 1e-3
    phase, _, duration = _folded(0.06, 0.2, 4e-3, noise, 3)
    for seed in range(5):
        flux = np.random.default_rng(seed).normal(0.0, noise, phase.size)
        assert abs(v_shape_sigma(phase, flux, duration, noise)) < 3.0


def test_secondary_search_finds_an_eccentric_secondary_off_phase_half():
    rng = np.random.default_rng(4)
    noise, duration = 1e-3, 0.12
    phase = fold_phase(TIME, PERIOD, T0)
    flux = rng.normal(0.0, noise, TIME.size)
    flux[np.abs(phase) < duration / 2] -= 2e-3          # primary
    at = np.abs(phase - 0.3 * PERIOD) < duration / 2    # secondary at phase 0.3, not 0.5
    flux[at] -= 6e-4
    sigma, depth = secondary_search(phase, flux, PERIOD, duration, noise)
    expected = 6e-4 * np.sqrt(at.sum()) / noise
    assert sigma > 5 and abs(sigma - expected) < 0.35 * expected
    assert depth == pytest.approx(6e-4, rel=0.3)
    flux[at] += 6e-4  # without it, only noise: the best of ~60 trials stays below ~4.5σ
    sigma, _ = secondary_search(phase, flux, PERIOD, duration, noise)
    assert sigma < 4.5
