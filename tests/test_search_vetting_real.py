"""Centroid and stellar-density vetting on real Kepler, K2 and TESS files (../shared/data):
known planets must not look off-target or inconsistent with their host star."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from exohunt.search import search

pytestmark = pytest.mark.shared

FILES = {
    "hat-p-7": "kplr010666592-2009131110544_slc.fits",
    "pi-men": "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits",
    "kepler-90": "kplr011442793-2009350155506_llc.fits",
    "wasp-47": "ktwo206103150-c03_llc.fits",
}


def _signals(path, max_signals: int):
    from exohunt.io import read

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = read(path)
    if "centroid_col" not in lc.columns:
        pytest.skip("this exohunt's FITS reader does not fill the centroid columns")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lc, search(lc, max_signals=max_signals).signals


def _signal_at(signals, period: float):
    found = [s for s in signals if abs(s.period / period - 1) < 0.005]
    assert found, [s.period for s in signals]
    return found[0]


@pytest.mark.parametrize(("name", "period", "radius_earth", "max_signals"), [
    ("hat-p-7", 2.204737, 16.0, 1),     # HAT-P-7 b: 1.43 R_Jup
    ("pi-men", 6.2679, 2.04, 1),        # pi Men c (Huang et al. 2018)
    ("kepler-90", 8.719375, 1.2, 2),    # Kepler-90 c: 1.2 R_earth
])
def test_known_planets_are_on_target_and_fit_their_host(lightcurve_dir, name, period,
                                                        radius_earth, max_signals):
    _, signals = _signals(lightcurve_dir / FILES[name], max_signals)
    planet = _signal_at(signals, period)
    assert np.isfinite(planet.centroid_shift_sigma)
    # 3.5 σ: a 2-degree-of-freedom distance beyond it has a chance of 0.2 %. pi Men c, a 300 ppm
    # transit of a bright isolated star, reads 2.90 σ on search-20 and 3.03 σ on search-21,
    # which leaves in-transit centroid spikes out (benchmarks/results_vetting_context.md); the
    # bundled default still makes it a candidate (tests/test_bundled_default.py)
    assert planet.centroid_offset_sigma < 3.5
    assert planet.centroid_offset_from_oot == 0.0  # the target's pixel is known
    assert planet.density_mismatch_sigma < 1.0
    assert planet.radius_too_large == 0.0
    assert planet.planet_radius_earth == pytest.approx(radius_earth, rel=0.5)


def test_k2_planet_is_on_target_and_has_no_catalogue_density(lightcurve_dir):
    _, signals = _signals(lightcurve_dir / FILES["wasp-47"], 1)
    planet = _signal_at(signals, 4.1591287)
    assert planet.centroid_offset_sigma < 3.0
    assert math.isnan(planet.density_mismatch_sigma)  # K2 headers carry no TEFF/LOGG/RADIUS
    assert math.isnan(planet.planet_radius_earth)


def test_every_file_with_centroids_gives_finite_centroid_statistics(lightcurve_dir):
    for path in sorted(lightcurve_dir.glob("*.fits")):
        lc, signals = _signals(path, 1)
        for signal in signals:
            assert np.isfinite(signal.centroid_shift_sigma), path.name
            assert signal.centroid_shift_sigma >= 0
            has_star = np.isfinite(lc.meta["star"]["logg"]) and np.isfinite(
                lc.meta["star"]["radius"])
            assert np.isfinite(signal.density_mismatch_sigma) == has_star, path.name
