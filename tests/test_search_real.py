"""Known planets and flaring stars in real Kepler, K2 and TESS data (../shared/data)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exohunt.lightcurve import LightCurve
from exohunt.search import search

pytestmark = [pytest.mark.shared, pytest.mark.slow]

KEPLER_90 = (7.008151, 8.719375, 14.44912, 59.73667, 91.93913, 124.9144, 210.60697, 331.60059)


def _read(path) -> LightCurve:
    from exohunt.io import read

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read(path)


def _matches(period: float, known: tuple[float, ...], tol: float = 0.005) -> bool:
    """Within ``tol`` of a known period or of its ½ / 2× alias."""
    return any(abs(period / (k * f) - 1) < tol for k in known for f in (0.5, 1.0, 2.0))


def _search(lc: LightCurve, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search(lc, **options)


def _check(result, known: tuple[float, ...], must_find: tuple[float, ...]):
    periods = [s.period for s in result.signals]
    for target in must_find:
        assert any(abs(p / target - 1) < 0.005 for p in periods), (target, periods)
    vetted = [s.period for s in result.signals if s.passes_vetting]
    assert all(_matches(p, known) for p in vetted), vetted


def test_wasp47_in_raw_k2(lightcurve_dir):
    known = (4.1591287, 0.789592, 9.03077)
    result = _search(_read(lightcurve_dir / "ktwo206103150-c03_llc.fits"), max_signals=3)
    _check(result, known, must_find=(4.1591287,))
    assert all(_matches(s.period, known) for s in result.signals)
    assert result.signals[0].passes_vetting


def test_hat_p_7_with_secondary_eclipse(lightcurve_dir):
    lc = _read(lightcurve_dir / "kplr010666592-2009131110544_slc.fits")
    result = _search(lc, max_signals=2)
    _check(result, (2.204737,), must_find=(2.204737,))
    best = result.signals[0]
    assert best.depth_ppm == pytest.approx(6700, rel=0.15)
    # its occultation (~70 ppm in the literature): 5 σ with white errors; the red-noise factor
    # of Kepler SC (β ≈ 2.2 on the transit's timescale) leaves ~2.5-2.9 σ in one month
    assert 20 < best.secondary_depth_ppm < 200
    assert best.red_noise_beta > 1.5
    assert best.secondary_sigma > 2.0 and best.secondary_sigma * best.red_noise_beta > 4.0
    assert all(_matches(s.period, (2.204737,)) for s in result.signals)


def test_pi_men_c_in_tess(lightcurve_dir):
    lc = _read(lightcurve_dir / "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits")
    result = _search(lc, max_signals=2)
    _check(result, (6.2679,), must_find=(6.2679,))
    assert result.signals[0].depth_ppm == pytest.approx(300, rel=0.3)
    assert all(_matches(s.period, (6.2679,)) for s in result.signals)


def test_kepler_90_stitched_quarters(lightcurve_dir):
    """Three files stitched (each median-normalised): b, c and d periodic; the two deep
    long-period transits (g, h) are single events, not periods."""
    parts = [_read(p).normalize() for p in sorted(lightcurve_dir.glob("kplr011442793*.fits"))]
    lc = LightCurve(np.concatenate([p.time for p in parts]),
                    np.concatenate([p.flux for p in parts]))
    result = _search(lc, max_signals=5, min_sde=6.5)
    _check(result, KEPLER_90, must_find=(7.008151, 8.719375, 59.73667))
    deep = [e for e in result.single_events if e.depth_ppm > 3000]
    assert len(deep) == 2 and all(e.duration > 0.4 for e in deep)


@pytest.mark.parametrize("name", [
    "kplr010002792-2009259160929_llc.fits", "kplr010002792-2010174085026_llc.fits",
    "ktwo211117077-c04_llc.fits", "tess2018206045859-s0001-0000000358108509-0120-s_lc.fits",
])
def test_flaring_stars_have_no_vetted_signal(lightcurve_dir, name):
    result = _search(_read(lightcurve_dir / name), max_signals=3)
    assert not any(s.passes_vetting for s in result.signals)


def test_wasp47_second_signal_is_planet_d(lightcurve_dir):
    """Several signals per star (predict --signals): WASP-47's second row is WASP-47 d
    (9.031 d), and its first row is b, as with one signal per star."""
    from exohunt.search.features import star_signal_features

    lc = _read(lightcurve_dir / "ktwo206103150-c03_llc.fits")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = star_signal_features(lc, signals_per_star=2)
    periods = [row["period_days"] for _, _, row in rows]
    assert len(periods) == 2
    assert periods[0] == pytest.approx(4.1591287, rel=1e-3)
    assert periods[1] == pytest.approx(9.03077, rel=1e-3)


@pytest.mark.parametrize("name, known", [
    ("ktwo206103150-c03_llc.fits", (4.1591287, 0.789592, 9.03077)),
    ("kplr010666592-2009131110544_slc.fits", (2.204737,)),
    ("tess2018206045859-s0001-0000000261136679-0120-s_lc.fits", (6.2679,)),
    ("kplr011442793-2009350155506_llc.fits", KEPLER_90),
])
def test_known_planets_do_not_sit_on_their_stars_trends(lightcurve_dir, name, known):
    """The variability statistics are finite for every signal, and a known planet's transits
    are not where the removed trend moves by more than a fraction of their depth (a spotted
    star's detrending residual sits where it moves by several depths)."""
    from exohunt.search.variability import VARIABILITY_COLUMNS

    result = _search(_read(lightcurve_dir / name), max_signals=3)
    assert result.signals
    for s in result.signals:
        assert all(np.isfinite(getattr(s, c)) for c in VARIABILITY_COLUMNS), s
        assert s.variability_period_days > 0 and s.variability_amplitude_sigma >= 0
    planets = [s for s in result.signals if _matches(s.period, known)]
    assert planets
    assert all(s.trend_under_transit < 0.5 for s in planets), [
        (s.period, s.trend_under_transit) for s in planets]


def test_flaring_star_signals_sit_at_its_rotation(lightcurve_dir):
    """KIC 10002792 (a flaring, spotted star, no KOI): its short-period signals are its
    1.16-day rotation or half of it, with the trend moving by several of their depths."""
    for name in ("kplr010002792-2009259160929_llc.fits", "kplr010002792-2010174085026_llc.fits"):
        result = _search(_read(lightcurve_dir / name), max_signals=3)
        short = [s for s in result.signals if s.period < 2.0]
        assert short, name
        for s in short:
            assert s.variability_period_days == pytest.approx(1.16, rel=0.03)
            assert s.rotation_harmonic_offset < 0.01
            assert s.trend_under_transit > 2.0
