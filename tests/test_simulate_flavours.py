"""Mission flavours of the simulator (exohunt.simulate.flavours / flavour_sets)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from exohunt.simulate.dataset import PRESETS, iter_split
from exohunt.simulate.flavour_sets import flavour_seed, iter_flavour
from exohunt.simulate.flavours import FLAVOURS, ffi_junk, flavour_time
from exohunt.simulate.simulator import time_grid


def _stars(name: str, n: int = 6, seed: int = 3) -> list:
    return list(iter_flavour(name, "train", seed, n))


@pytest.mark.parametrize("name", sorted(FLAVOURS))
def test_cadence_span_and_mission(name):
    flavour = FLAVOURS[name]
    for lc, truth in _stars(name, 4):
        cadence = float(np.median(np.diff(lc.time)))
        assert cadence == pytest.approx(flavour.cadence_days, rel=1e-6)
        lo, hi = flavour.span_days
        n_lo, n_hi = flavour.segments
        gap_lo, gap_hi = flavour.segment_gap_days
        span = truth["span_days"]
        assert n_lo * lo + (n_lo - 1) * gap_lo - 2 * cadence <= span
        assert span <= n_hi * hi + (n_hi - 1) * gap_hi
        assert lc.meta["mission"] == flavour.mission and lc.meta["flavour"] == name
        assert {"centroid_col", "centroid_row", "sap_flux", "background"} <= set(lc.columns)


def test_tess_sectors_have_their_mid_sector_gap():
    for lc, _ in _stars("tess-2min", 4):
        # the first orbit ends at 12.5-13.5 d and 0.7-1.3 d pass before the second
        valid = lc.time[np.isfinite(lc.flux)]
        gaps = np.diff(valid)
        mid = (gaps >= 0.69) & (valid[:-1] >= 12.45) & (valid[:-1] <= 13.5)
        assert mid.any()


def test_stitched_quarters_have_gaps_between_them():
    rng = np.random.default_rng(0)
    for _ in range(5):
        _time, segments = flavour_time(FLAVOURS["kepler-lc-stitched"], rng)
        assert 2 <= len(segments) <= 3
        for (_, stop), (start, _) in itertools.pairwise(segments):
            assert 1.0 <= start - stop <= 4.0
    for lc, _ in _stars("kepler-lc-stitched", 3):
        gaps = np.diff(lc.time[np.isfinite(lc.flux)])
        assert gaps.max() >= 0.99  # at least the quarter gap


def test_k2_rolls_and_has_no_stellar_parameters():
    for lc, truth in _stars("k2", 5):
        assert truth["sawtooth_ppm"] >= 300 and truth["firing_dip_ppm"] == pytest.approx(
            2 * truth["sawtooth_ppm"])
        for key in ("teff", "logg", "radius", "feh"):
            assert math.isnan(lc.meta["star"][key])
        assert math.isfinite(lc.meta["star"]["mag"])
    for name in ("kepler-lc", "tess-2min"):
        for lc, truth in _stars(name, 4):
            assert truth["sawtooth_ppm"] == 0.0  # the 6-hour roll is K2's alone
            assert math.isfinite(lc.meta["star"]["teff"])


def test_noise_per_cadence_scales_with_cadence():
    """The simulator's 50-2,000 ppm per 29.4 min becomes sqrt(29.4/2) times more at 2 min."""
    factor = math.sqrt(29.4244 / 2.0)
    noise = [truth["noise_ppm"] for _, truth in _stars("tess-2min", 8)]
    assert min(noise) >= 50 * factor * 0.999 and max(noise) <= 2000 * factor * 1.001


def test_planets_keep_their_snr_and_host_density_on_the_flavour_grid():
    truths = [t for _, t in iter_flavour("tess-10min", "train", 5, 12, planet_fraction=0.5)]
    planets = [t for t in truths if t["kind"] == "planet"]
    assert len(planets) == 6
    for truth in planets:
        assert 5.0 * 0.99 <= truth["snr"] <= 400.0 * 1.01 or truth["rp_rs"] == pytest.approx(0.3)
        assert truth["n_transits"] >= 2
        assert truth["stellar_density"] == pytest.approx(truth["star_density"])


def test_deterministic_and_flavours_differ():
    (a, _), = _stars("kepler-sc", 1)
    (b, _), = _stars("kepler-sc", 1)
    np.testing.assert_array_equal(a.flux, b.flux)
    np.testing.assert_array_equal(a.columns["centroid_col"], b.columns["centroid_col"])
    assert flavour_seed(3, "kepler-sc") != flavour_seed(3, "kepler-lc")
    assert flavour_seed(3, "kepler-sc") != flavour_seed(4, "kepler-sc")


def test_presets_unchanged_without_a_flavour():
    """make_star(flavour=None) draws exactly what it drew before flavours existed."""
    time = time_grid(300)
    star = next(iter_split(PRESETS["kaggle"]["train"].resized(3), 42, "train", time))
    again = next(iter_split(PRESETS["kaggle"]["train"].resized(3), 42, "train", time))
    np.testing.assert_array_equal(star.flux, again.flux)
    assert star.truth["mission"] == "Kepler"
    assert star.truth["sawtooth_ppm"] >= 0.0


def test_ffi_junk_ramps_dumps_and_background():
    time = np.arange(0.0, 27.0, 30 / 1440)
    segments = [(0.0, 13.0), (14.0, 27.0)]
    change, shape = ffi_junk(time, segments, 200.0, np.random.default_rng(1))
    start = time < 0.1
    middle = (time > 5.0) & (time < 6.0)
    assert shape[start].min() > 0.4 and shape[middle].max() == 0.0
    assert np.median(change[start]) > 5e-4  # scattered light adds flux (≥ 0.3 × 0.4 × 5,000 ppm)
    dumps = change < -2e-3  # momentum-dump losses (0.75-1.5 % over 10 minutes)
    assert 6 <= dumps.sum() <= 12  # one or two bins per dump, a dump every 3.125 d
    lcs = _stars("tess-ffi", 3)
    for lc, _ in lcs:
        background = lc.columns["background"]
        early = (lc.time < 0.3) & np.isfinite(background)
        calm = (lc.time > 5) & (lc.time < 7) & np.isfinite(background)
        assert np.median(background[early]) > 2 * np.median(background[calm])


def test_unknown_flavour():
    with pytest.raises(ValueError, match="unknown flavour"):
        next(iter_flavour("hubble"))
