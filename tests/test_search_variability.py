"""The signal's place in its star's variability (exohunt.search.variability)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from _search_synth import CADENCE, a_over_rstar, planet_lightcurve, transit_model
from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search import Signal, detrend, search
from exohunt.search.features import STAT_COLUMNS, extract_features
from exohunt.search.variability import (
    HARMONIC_RATIOS,
    VARIABILITY_COLUMNS,
    variability_statistics,
)

N = 3197
PERIOD, T0 = 3.7, 1.3


def _spotted_planet(rng, *, p_rot: float, amplitude: float, depth: float = 1e-3,
                    noise: float = 2e-4, period: float = PERIOD) -> tuple[LightCurve, np.ndarray]:
    """Relative flux: a planet times a spot wave of period ``p_rot``; also the true trend."""
    time = np.arange(N) * CADENCE
    a = a_over_rstar(period)
    model = transit_model(time, period=period, t0=T0, rp=float(np.sqrt(depth * 1.2)), a=a)
    trend = 1 + amplitude * np.sin(2 * np.pi * time / p_rot + 0.4)
    flux = model * trend + noise * rng.standard_normal(N)
    return LightCurve(time, flux), trend


def _true_trend_under_transit(time, trend, *, period, t0, duration, depth) -> float:
    inside = np.abs(fold_phase(time, period, t0)) < 0.5 * duration
    epoch = np.round((time - t0) / period)
    ranges = [np.ptp(trend[inside & (epoch == e)]) for e in np.unique(epoch[inside])
              if np.count_nonzero(inside & (epoch == e)) >= 2]
    return float(np.median(ranges) / depth)


def test_signal_rows_carry_the_variability_statistics_but_models_do_not_read_them():
    names = [f.name for f in dataclasses.fields(Signal)]
    start = names.index("passes_vetting") + 1
    assert names[start:start + len(VARIABILITY_COLUMNS)] == list(VARIABILITY_COLUMNS)
    assert set(VARIABILITY_COLUMNS) <= set(Signal.row_columns())
    # vetting outputs, not model inputs: on the development split they did not help gbm
    # (benchmarks/dev_context_recall.py var:/edge: recipes), and search-18 runs score unchanged
    assert not set(VARIABILITY_COLUMNS) & set(STAT_COLUMNS)


def test_quiet_star_planet_has_little_trend_and_no_variability():
    rng = np.random.default_rng(3)
    lc, _ = planet_lightcurve(rng, period=PERIOD, snr=40)
    signal = search(lc, max_signals=1).signals[0]
    assert signal.period == pytest.approx(PERIOD, rel=1e-3)
    assert signal.trend_under_transit < 0.15
    # white noise: the highest spectral peak's two harmonics are a few σ peak to peak at most
    assert signal.variability_amplitude_sigma < 3
    assert 0 <= signal.rotation_harmonic_offset


def test_rotation_period_amplitude_and_harmonic_offset_of_a_spotted_star():
    rng = np.random.default_rng(5)
    p_rot, amplitude, noise = 5.3, 5e-3, 2e-4
    lc, _ = _spotted_planet(rng, p_rot=p_rot, amplitude=amplitude, noise=noise)
    signal = search(lc, max_signals=1).signals[0]
    assert signal.period == pytest.approx(PERIOD, rel=1e-3)
    assert signal.variability_period_days == pytest.approx(p_rot, rel=0.03)
    # peak to peak 2 × amplitude, in units of the white noise: within 20 %
    assert signal.variability_amplitude_sigma == pytest.approx(2 * amplitude / noise, rel=0.2)
    expected = np.min(np.abs(np.log(signal.period / (signal.variability_period_days
                                               * np.asarray(HARMONIC_RATIOS)))))
    assert signal.rotation_harmonic_offset == pytest.approx(expected, rel=1e-9)
    assert signal.rotation_harmonic_offset > 0.03  # 3.7 / 5.3 = 0.70: 5 % from 2/3


def test_signal_at_a_harmonic_of_the_rotation_has_zero_offset():
    rng = np.random.default_rng(6)
    p_rot = PERIOD / 1.5  # the signal at 3/2 of the rotation period
    lc, _ = _spotted_planet(rng, p_rot=p_rot, amplitude=3e-3)
    det = detrend(lc)
    stats = variability_statistics(lc, det, period=PERIOD, t0=T0, duration=0.15, depth=1e-3)
    assert stats["variability_period_days"] == pytest.approx(p_rot, rel=0.02)
    assert stats["rotation_harmonic_offset"] < 0.02


@pytest.mark.parametrize("additive", [False, True])
def test_trend_under_transit_reads_the_trend_that_was_removed(additive):
    """Given a detrended light curve made with a known trend (relative: flux / trend;
    additive: 1 + (flux - trend) / s), the statistic is that trend's range across each
    transit over the depth, medianed: the same number in either flux convention."""
    rng = np.random.default_rng(7)
    depth, p_rot = 1e-3, 4.1
    lc, trend = _spotted_planet(rng, p_rot=p_rot, amplitude=4e-3, depth=depth, noise=1e-4)
    box = 0.8 * PERIOD / np.pi / a_over_rstar(PERIOD)
    expected = _true_trend_under_transit(lc.time, trend / np.median(trend), period=PERIOD,
                                         t0=T0, duration=box, depth=depth)
    assert expected > 0.2  # a real test: the wave moves under the transits
    if additive:  # Kaggle-style mean-subtracted counts, depth in units of s
        scale, offset = 1e-4, float(lc.flux.mean())
        counts = lc.replace(flux=(lc.flux - offset) * 1e5)
        det = LightCurve(lc.time, 1 + (lc.flux - trend) / scale,
                         meta={"flux_mode": "additive", "flux_scale": scale * 1e5,
                               "noise": 1.0})
        stats = variability_statistics(counts, det, period=PERIOD, t0=T0, duration=box,
                                       depth=depth / scale)
        expected *= np.median(trend)  # the additive trend is not divided by its level
    else:
        det = LightCurve(lc.time, lc.flux / trend, meta={"flux_mode": "relative",
                                                         "noise": 1e-4})
        stats = variability_statistics(lc, det, period=PERIOD, t0=T0, duration=box,
                                       depth=depth)
    assert stats["trend_under_transit"] == pytest.approx(expected, rel=0.02)


def test_detrending_leaves_a_spotted_star_trend_under_its_transits():
    """Through the search: a 0.5 % wave with a 1.3-day period moves by about a 1,000 ppm
    transit's depth under each transit; the same planet on a quiet star, by a few per cent
    of it (the biweight's noise)."""
    rng = np.random.default_rng(11)
    spotted, _ = _spotted_planet(rng, p_rot=1.3, amplitude=5e-3, depth=1e-3, noise=1e-4)
    quiet, _ = _spotted_planet(rng, p_rot=1.3, amplitude=0.0, depth=1e-3, noise=1e-4)
    on_spotted = search(spotted, max_signals=1, period_min=3.0, period_max=4.5).signals[0]
    on_quiet = search(quiet, max_signals=1, period_min=3.0, period_max=4.5).signals[0]
    assert on_spotted.period == pytest.approx(PERIOD, rel=1e-3)
    assert on_quiet.period == pytest.approx(PERIOD, rel=1e-3)
    assert on_spotted.trend_under_transit > 10 * on_quiet.trend_under_transit
    assert on_spotted.trend_under_transit > 0.5


def test_unmeasurable_inputs_give_nan():
    rng = np.random.default_rng(8)
    lc, _ = _spotted_planet(rng, p_rot=4.0, amplitude=1e-3)
    det = detrend(lc)
    shifted = det.replace(time=det.time + 0.5 * CADENCE)  # cadences not among the input's
    stats = variability_statistics(lc, shifted, period=PERIOD, t0=T0, duration=0.15,
                                   depth=1e-3)
    assert np.isnan(stats["trend_under_transit"])
    assert np.isfinite(stats["variability_period_days"])
    for bad in ({"period": 0.0}, {"duration": -1.0}):
        args = {"period": PERIOD, "t0": T0, "duration": 0.15, "depth": 1e-3, **bad}
        assert all(np.isnan(v) for v in variability_statistics(lc, det, **args).values())
    no_depth = variability_statistics(lc, det, period=PERIOD, t0=T0, duration=0.15, depth=0.0)
    assert np.isnan(no_depth["trend_under_transit"])
    tiny = lc[:10]
    assert all(np.isnan(v) for v in variability_statistics(
        tiny, det[:10], period=PERIOD, t0=T0, duration=0.15, depth=1e-3).values())


def test_signal_table_is_finite_on_kaggle_style_rows():
    rng = np.random.default_rng(9)
    curves = [planet_lightcurve(rng, period=PERIOD, snr=30, additive=True)[0],
              planet_lightcurve(rng, period=2.3, snr=25, additive=True, variability=0.01)[0]]
    signals = extract_features(curves, jobs=1).signals
    assert np.isfinite(signals[list(VARIABILITY_COLUMNS)].to_numpy()).all()
    assert signals["period_days"].to_numpy() == pytest.approx([PERIOD, 2.3], rel=1e-3)
    assert signals["variability_amplitude_sigma"].iloc[1] > 10 * max(
        signals["variability_amplitude_sigma"].iloc[0], 1.0)


def _boxes(time: np.ndarray, centres, *, duration: float, depth: float) -> np.ndarray:
    flux = np.ones_like(time)
    for c in centres:
        flux[np.abs(time - c) < 0.5 * duration] -= depth
    return flux


def test_gap_edge_share_counts_the_transits_that_touch_the_data_edges():
    """Noise-free boxes of equal depth: the share is the fraction of transits whose centre is
    within duration/2 + max(duration, 0.1 d) of the first/last cadence or of a gap."""
    time = np.arange(N) * CADENCE
    time = time[(time < 20.0) | (time > 22.0)]  # one two-day gap: edges at ~20.0 and ~22.0
    duration, period, t0 = 0.2, 6.0, 2.05
    centres = t0 + period * np.arange(11)
    centres = centres[centres < time[-1]]
    # transit at 20.05 sits 0.05 d after the gap's first edge: near; the rest are far
    lc = LightCurve(time, _boxes(time, centres, duration=duration, depth=1e-3))
    det = lc.replace(meta={"flux_mode": "relative", "noise": 1e-4})
    stats = variability_statistics(lc, det, period=period, t0=t0, duration=duration,
                                   depth=1e-3)
    # equal-depth boxes: each transit's χ² = n depth², so the share is the near transit's
    # share of the in-transit cadences (the one at 20.05, cut by the gap to a few)
    counts = np.array([np.count_nonzero(np.abs(time - c) < 0.5 * duration) for c in centres])
    near = np.isclose(centres, 20.05)
    assert near.sum() == 1 and 0 < counts[near][0] < counts.max() / 2
    assert stats["gap_edge_share"] == pytest.approx(counts[near].sum() / counts.sum(),
                                                    rel=1e-9)
    # every transit at an edge: two dips right after the gap and at the end, one period apart
    edge_lc = LightCurve(time, _boxes(time, [22.05, time[-1] - 0.05], duration=duration,
                                      depth=1e-3))
    edge_det = edge_lc.replace(meta={"flux_mode": "relative", "noise": 1e-4})
    edge = variability_statistics(edge_lc, edge_det, period=time[-1] - 0.05 - 22.05,
                                  t0=22.05, duration=duration, depth=1e-3)
    assert edge["gap_edge_share"] == pytest.approx(1.0)


def test_planet_transits_away_from_gaps_have_no_edge_share():
    rng = np.random.default_rng(12)
    lc, truth = planet_lightcurve(rng, period=PERIOD, snr=40)
    gap_start = truth["t0"] + 8.3 * PERIOD  # a 1.1-day gap between two transits
    lc = lc[(lc.time < gap_start) | (lc.time > gap_start + 1.1)]
    edges = np.array([lc.time[0], gap_start, gap_start + 1.1, lc.time[-1]])
    centres = truth["t0"] + PERIOD * np.arange(30)
    margin = 0.5 * truth["duration"] + max(truth["duration"], 0.1)
    assert np.min(np.abs(centres[:, None] - edges[None, :])) > 2 * margin  # the premise
    signal = search(lc, max_signals=1).signals[0]
    assert signal.period == pytest.approx(PERIOD, rel=1e-3)
    assert signal.gap_edge_share == 0.0


def test_training_skips_the_statistics_and_reads_the_same_inputs(tmp_path):
    """``variability=False`` (what training asks for) leaves the five columns NaN and every
    model input bit-identical; the feature cache keeps the two apart."""
    from exohunt.training.features import extract

    rng = np.random.default_rng(13)
    curves = [planet_lightcurve(rng, period=PERIOD, snr=30)[0],
              _spotted_planet(rng, p_rot=2.2, amplitude=4e-3)[0]]
    plain = search(curves[1], max_signals=1, variability=False).signals[0]
    assert all(np.isnan(getattr(plain, c)) for c in VARIABILITY_COLUMNS)
    full = extract(curves, "tabular", jobs=1, cache_dir=tmp_path)
    lean = extract(curves, "tabular", jobs=1, cache_dir=tmp_path, variability=False)
    assert np.isfinite(full.signals[list(VARIABILITY_COLUMNS)].to_numpy()).all()
    assert lean.signals[list(VARIABILITY_COLUMNS)].isna().all().all()
    assert full.stats.equals(lean.stats)
    for name, view in full.arrays.items():
        assert np.array_equal(view, lean.arrays[name])
    assert len(list(tmp_path.glob("features-*"))) == 2
    again = extract(curves, "tabular", jobs=1, cache_dir=tmp_path)  # from the cache
    assert np.isfinite(again.signals[list(VARIABILITY_COLUMNS)].to_numpy()).all()
