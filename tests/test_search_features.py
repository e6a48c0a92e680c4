"""Views, vetting statistics and the extract_features front end."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import CADENCE, N_POINTS, noise_lightcurve, planet_lightcurve, transit_model
from exohunt.batch import LightCurveBatch
from exohunt.lightcurve import LightCurve
from exohunt.search import FEATURE_VERSION, extract_features, make_views, search
from exohunt.search.context import CONTEXT_COLUMNS
from exohunt.search.features import SIGNAL_COLUMNS, STAT_COLUMNS
from exohunt.search.views import VIEW_NAMES


def _eclipsing_binary(rng, *, secondary_rp):
    """Period 2.5 d: 2 % primary eclipses and a secondary eclipse at phase 0.5."""
    time = np.arange(N_POINTS) * CADENCE
    period, a = 2.5, 8.0
    primary = transit_model(time, period=period, t0=0.9, rp=0.14, a=a)
    secondary = transit_model(time, period=period, t0=0.9 + period / 2, rp=secondary_rp, a=a)
    flux = primary * secondary * (1 + 5e-4 * rng.standard_normal(N_POINTS))
    return LightCurve(time, flux)


def test_views_shape_and_normalisation():
    rng = np.random.default_rng(3)
    lc, _ = planet_lightcurve(rng, period=4.2, snr=30)
    result = search(lc, max_signals=1)
    views = make_views(result.detrended, result.signals[0])
    assert views.global_.shape == (201,) and views.local.shape == (61,)
    for name, view in views.as_dict().items():
        assert view.dtype == np.float32 and np.isfinite(view).all(), name
    assert views.local.min() == pytest.approx(-1.0) and abs(np.median(views.local)) < 1e-6
    assert views.global_.min() == pytest.approx(-1.0)
    assert abs(int(np.argmin(views.local)) - 30) <= 4  # transit centred
    assert views.secondary.min() > -0.5  # no secondary eclipse
    assert views.odd.min() == pytest.approx(views.even.min(), abs=0.35)


def test_vetting_flags_secondary_eclipse():
    lc = _eclipsing_binary(np.random.default_rng(8), secondary_rp=0.06)  # 0.4 % secondary
    best = search(lc, max_signals=1).signals[0]
    assert best.period == pytest.approx(2.5, rel=1e-3)
    assert best.secondary_sigma > 3 and best.secondary_flag
    assert best.secondary_depth_ppm == pytest.approx(0.06**2 * 1e6, rel=0.4)
    assert not best.passes_vetting  # secondary deeper than 10 % of the primary
    views = make_views(search(lc, max_signals=1).detrended, best)
    assert views.secondary.min() < -0.1


def test_vetting_flags_odd_even_at_half_period():
    """Nearly equal eclipses: the search finds half the period; odd/even depths differ."""
    lc = _eclipsing_binary(np.random.default_rng(9), secondary_rp=0.12)
    best = search(lc, max_signals=1).signals[0]
    assert best.period == pytest.approx(1.25, rel=1e-3)
    assert best.odd_even_sigma > 3 and best.odd_even_rel > 0.1
    assert not best.passes_vetting


def test_extract_features_batch_is_complete_and_nan_free():
    rng = np.random.default_rng(21)
    rows = [planet_lightcurve(rng, period=p, snr=20, additive=True)[0].flux
            for p in (2.1, 6.5)]
    rows.append(np.round(30 * rng.standard_normal(N_POINTS), 2))
    rows.append(np.full(N_POINTS, np.nan))  # nothing usable
    batch = LightCurveBatch(np.array(rows), np.array([1, 1, 0, 0]))
    features = extract_features(batch, jobs=1)
    assert isinstance(FEATURE_VERSION, str) and features.version == FEATURE_VERSION
    assert len(features) == 4 and list(features.stats.columns) == list(STAT_COLUMNS)
    flux_only = [c for c in STAT_COLUMNS if c not in CONTEXT_COLUMNS]
    assert np.isfinite(features.stats[flux_only].to_numpy()).all()
    # the Kaggle layout has no centroids and no catalogue: those columns are NaN, not 0
    assert features.stats[list(CONTEXT_COLUMNS)].isna().all().all()
    for name, view in {**features.views, **features.centroid_views}.items():
        assert view.shape[0] == 4 and view.dtype == np.float32 and np.isfinite(view).all(), name
    assert set(features.views) == set(VIEW_NAMES)
    assert not np.any(features.centroid_views["centroid_local"])
    assert set(SIGNAL_COLUMNS) <= set(features.signals.columns)
    assert features.signals["period_days"].iloc[0] == pytest.approx(2.1, rel=1e-3)
    assert features.signals["period_days"].iloc[1] == pytest.approx(6.5, rel=1e-3)
    assert features.stats["has_signal"].tolist() == [1, 1, 1, 0]
    assert features.stats["passes_vetting"].tolist()[:3] == [1, 1, 0]


@pytest.mark.slow
def test_extract_features_parallel_matches_serial():
    rng = np.random.default_rng(4)
    curves = [noise_lightcurve(rng) for _ in range(20)]
    curves[3] = planet_lightcurve(rng, period=3.3, snr=20)[0]
    serial = extract_features(curves, jobs=1)
    parallel = extract_features(curves, jobs=2)
    assert serial.stats.equals(parallel.stats)
    for name in serial.views:
        assert np.array_equal(serial.views[name], parallel.views[name])
    with pytest.raises(TypeError, match="LightCurve"):
        extract_features([np.zeros(10)], jobs=1)


def _two_planets(rng) -> LightCurve:
    """Two planets (3.3 d and 7.7 d, ~1,500 and ~1,200 ppm) on white noise of 500 ppm."""
    time = np.arange(N_POINTS) * CADENCE
    flux = (transit_model(time, period=3.3, t0=1.1, rp=0.04, a=11.0)
            * transit_model(time, period=7.7, t0=2.3, rp=0.035, a=19.0))
    return LightCurve(time, flux * (1 + 5e-4 * rng.standard_normal(N_POINTS)))


def test_several_signals_per_star_describe_both_planets():
    from exohunt.search.features import star_features, star_signal_features

    rng = np.random.default_rng(21)
    lc = _two_planets(rng)
    rows = star_signal_features(lc, signals_per_star=3)
    periods = sorted(row["period_days"] for _, _, row in rows[:2])
    assert periods[0] == pytest.approx(3.3, rel=1e-3)
    assert periods[1] == pytest.approx(7.7, rel=1e-3)
    assert all(set(views) == set(rows[0][0]) for views, _, _ in rows)
    # The first row is exactly what one signal per star gives.
    views, stats, row = star_features(lc)
    assert list(stats) == list(rows[0][1])  # (NaN context columns: NaN-aware comparison)
    assert np.array_equal(list(stats.values()), list(rows[0][1].values()), equal_nan=True)
    assert row["period_days"] == rows[0][2]["period_days"]
    assert all(np.array_equal(views[name], rows[0][0][name]) for name in views)

    curves = [lc, noise_lightcurve(rng)]
    several = extract_features(curves, jobs=1, signals_per_star=3)
    signals = several.signals
    assert signals["star"].tolist()[:2] == [0, 0] and signals["signal"].tolist()[:2] == [0, 1]
    assert (signals["star"] == 1).sum() >= 1           # every star keeps at least its top row
    assert len(several.stats) == len(signals) == len(several.views["local"])
    single = extract_features(curves, jobs=1)
    assert "star" not in single.signals and len(single.signals) == 2
    with pytest.raises(ValueError, match="signals_per_star"):
        extract_features(curves, jobs=1, signals_per_star=0)


def test_runs_of_compatible_search_versions_load_and_older_ones_are_refused(tmp_path):
    import warnings

    from exohunt.search.features import COMPATIBLE_FEATURE_VERSIONS
    from exohunt.training.run import _check_preprocessing

    assert FEATURE_VERSION not in COMPATIBLE_FEATURE_VERSIONS
    assert FEATURE_VERSION.startswith("search-22:")
    # none since search-15 (its SDE moved), search-16 (β, short-cadence trends),
    # search-17 (own LM fit, plateau peaks), search-18 (every third coarse frequency),
    # search-19 (the roll removed from K2-like centroids), search-20 (the limb-darkened
    # transit density), search-21 (in-transit centroid spikes left out) and search-22
    # (the period test)
    for version in COMPATIBLE_FEATURE_VERSIONS:
        assert version.startswith("search-")
        config = {"preprocessing": {"kind": "tabular", "feature_version": version}}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _check_preprocessing(config, tmp_path)
    from exohunt.errors import RunDirectoryError

    for older in ("search-20:x", "search-21:x"):
        with pytest.raises(RunDirectoryError, match=rf"'{older[:9]}'.*retrain"):
            _check_preprocessing({"preprocessing": {"kind": "tabular",
                                                    "feature_version": older}}, tmp_path)
    with pytest.raises(RunDirectoryError, match=r"'search-11'.*retrain"):
        _check_preprocessing({"preprocessing": {"kind": "tabular",
                                                "feature_version": "search-11"}}, tmp_path)
    search14 = ("search-14:cpu-independent+thinned-trend+centroid-density+trapezoid-fit"
                "+input-flux-mode+lone-dip-retry+packed-bls+shape-tests+sawtooth-lsq+ramps"
                "+pspline-spots+biweight-adaptive+bls-ofir1.5+robust-sde+views201/61")
    with pytest.raises(RunDirectoryError, match=r"'search-14.*retrain"):
        _check_preprocessing({"preprocessing": {"kind": "tabular",
                                                "feature_version": search14}}, tmp_path)
