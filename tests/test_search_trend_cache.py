"""Reusing earlier biweight trends (detrend.TrendCache, biweight_trend's ``previous``) gives
the same bits as computing them afresh: a window's location depends only on its contents."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from exohunt.lightcurve import LightCurve
from exohunt.search import search
from exohunt.search.biweight import _unchanged_windows, biweight_trend
from exohunt.search.detrend import TrendCache, detrend

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _search_synth import planet_lightcurve


def _series(seed: int, size: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    time = np.arange(size) * 0.0204336
    time = time[(time < 20) | (time > 21.5)]  # a gap: two segments
    flux = 1 + 0.01 * np.sin(time / 1.7) + 1e-3 * rng.standard_normal(time.size)
    return time, flux


def _transit_mask(time: np.ndarray, period: float, t0: float, width: float) -> np.ndarray:
    return np.abs((time - t0 + 0.5 * period) % period - 0.5 * period) < 0.5 * width


@pytest.mark.parametrize("step", [None, 0.05])
def test_a_trend_reused_where_windows_did_not_change_is_bit_identical(step):
    time, flux = _series(1)
    first = _transit_mask(time, 7.3, 2.0, 0.2)
    more = first | _transit_mask(time, 3.1, 1.0, 0.15)
    # a stretch masked wider than the window: its windows hold no point (NaN, filled later)
    more |= (time > 40) & (time < 41.5)
    options = {"window_length": 0.8, "step": step}
    before = biweight_trend(time, flux, mask=first, **options)
    fresh = biweight_trend(time, flux, mask=more, **options)
    reused = biweight_trend(time, flux, mask=more, previous=(before, first), **options)
    assert np.isnan(fresh).any()
    np.testing.assert_array_equal(reused, fresh)  # NaN where NaN, every other bit equal
    # and it really is reused: a planted earlier trend is taken where no window changed, and
    # recomputed only near the newly masked cadences
    planted = biweight_trend(time, flux, mask=more, previous=(np.full(time.size, 7.0), first),
                             **options)
    unchanged = _unchanged_windows(time, ~more, ~first, 0.4)
    assert 0.3 < unchanged.mean() < 0.95
    near = ~unchanged & ~np.isnan(fresh)
    if step is None:
        assert np.all(planted[unchanged] == 7.0)
        np.testing.assert_array_equal(planted[near], fresh[near])
    else:  # cadences between anchors are interpolated from them
        assert np.mean(planted == 7.0) > 0.5 * unchanged.mean()
    unmasked = biweight_trend(time, flux, mask=None, previous=(fresh, more), **options)
    np.testing.assert_array_equal(unmasked, biweight_trend(time, flux, **options))


def test_only_windows_holding_a_changed_cadence_are_recomputed():
    time = np.arange(200) * 0.125  # exact in binary
    before = np.ones(time.size, dtype=bool)
    usable = before.copy()
    usable[100] = False  # t = 12.5: in the window [t - 0.5, t + 0.5) of 12.0 < t <= 13.0
    unchanged = _unchanged_windows(time, usable, before, 0.5)
    assert np.array_equal(np.flatnonzero(~unchanged), np.arange(97, 105))


def test_the_cache_compares_values_not_objects():
    time, flux = _series(2)
    cache = TrendCache()
    det = detrend(LightCurve(time, flux), window_length=0.8, trend_cache=cache)
    assert cache.lookup(time, flux, (0.8, 0.5, None)) is not None
    flux[10] += 1.0  # the caller changes its own array afterwards: the entry no longer applies
    assert cache.lookup(time, flux, (0.8, 0.5, None)) is None
    again = detrend(LightCurve(time, flux), window_length=0.8, trend_cache=cache)
    fresh = detrend(LightCurve(time, flux), window_length=0.8)
    np.testing.assert_array_equal(again.flux, fresh.flux)
    assert not np.array_equal(again.flux, det.flux)


def _binary_and_spotted_planet() -> list[LightCurve]:
    from test_search_later import _binary

    rng = np.random.default_rng(5)
    spotted, _ = planet_lightcurve(rng, period=4.7, snr=25, variability=0.02)
    quiet, _ = planet_lightcurve(np.random.default_rng(6), period=9.1, snr=15, additive=True)
    return [_binary(0)[0], spotted, quiet]


def test_searches_with_and_without_the_cache_are_identical(monkeypatch):
    curves = _binary_and_spotted_planet()
    lookup, hits = TrendCache.lookup, []

    def counted(self, *args):
        found = lookup(self, *args)
        hits.append(found is not None)
        return found

    monkeypatch.setattr(TrendCache, "lookup", counted)
    cached = [search(lc, max_signals=3, min_sde=0.0) for lc in curves]
    assert sum(hits) >= len(curves)  # every search reused a trend at least once
    monkeypatch.setattr(TrendCache, "lookup", lambda self, *args: None)
    fresh = [search(lc, max_signals=3, min_sde=0.0) for lc in curves]
    for a, b in zip(cached, fresh):
        assert len(a.signals) == len(b.signals) >= 1
        for x, y in zip(a.signals, b.signals):
            np.testing.assert_array_equal(np.array(list(x.as_row().values()), dtype=float),
                                          np.array(list(y.as_row().values()), dtype=float))
        np.testing.assert_array_equal(a.detrended.flux, b.detrended.flux)
