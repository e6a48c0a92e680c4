"""Vetting statistics measured off folded views (exohunt.training.view_stats)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from exohunt.batch import ViewBatch
from exohunt.training.features import VIEWBATCH_FEATURE_VERSION, extract
from exohunt.training.run import _check_preprocessing
from exohunt.training.view_stats import VIEW_STAT_COLUMNS, local_moments, view_statistics

G, L = 201, 61


def _views(n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((n, G)), np.zeros((n, L))


def _dip(view: np.ndarray, centre: int, half: int, depth: float, shape: str = "box") -> None:
    rows = np.arange(centre - half, centre + half + 1)
    if shape == "box":
        view[rows % view.size] -= depth
    else:  # "v": linear to the bottom and back
        view[rows % view.size] -= depth * (1 - np.abs(np.linspace(-1, 1, len(rows))))


def _stats(global_view, local_view, period=3.0, duration=3.0, depth=1000.0):
    n = len(global_view)
    return view_statistics(global_view, local_view, np.full(n, period), np.full(n, duration),
                           np.full(n, depth))


def test_a_secondary_eclipse_at_phase_half_is_measured_relative_to_the_primary():
    g, local = _views(2)
    for row in g:
        _dip(row, G // 2, 2, 1.0)
    _dip(g[1], 0, 2, 0.3)  # phase ±0.5 wraps around the view's two ends
    stats = _stats(g, local)
    assert abs(stats["view_secondary_rel"][0]) < 1e-9
    assert abs(stats["view_secondary_rel"][1] - 0.3) < 0.3 * 0.10
    # the mean over ±0.02 in phase (8 bins) of a 5-bin dip: 0.3 × 5 / 8
    assert abs(stats["view_phase_half_rel"][1] - 0.3 * 5 / 8) < 0.01
    assert abs(stats["view_phase_half_rel"][0]) < 1e-9
    assert stats["view_secondary_sigma"][1] > 50  # noiseless: far above the floor


def test_an_eccentric_secondary_away_from_phase_half_is_still_found():
    g, local = _views()
    _dip(g[0], G // 2, 2, 1.0)
    _dip(g[0], 160, 3, 0.4)
    stats = _stats(g, local)
    assert abs(stats["view_secondary_rel"][0] - 0.4) < 0.04
    assert stats["view_phase_half_rel"][0] < 0.05


def test_the_primarys_own_wings_are_not_taken_for_a_secondary():
    g, local = _views()
    # A 6 h transit of a 1-day orbit spans 25 % of the phase: ±25 bins of the global view.
    _dip(g[0], G // 2, 25, 1.0, shape="v")
    stats = _stats(g, local, period=1.0, duration=6.0)
    assert stats["view_secondary_rel"][0] < 0.05


def test_a_flat_bottomed_transit_and_a_v_shaped_eclipse_differ_in_shape():
    g, local = _views(2)
    _dip(local[0], L // 2, 8, 1.0, "box")
    _dip(local[1], L // 2, 8, 1.0, "v")
    stats = _stats(g, local)
    assert stats["view_flat_bottom"][0] > 0.7  # 3-bin smoothing rounds the corners
    assert stats["view_flat_bottom"][1] < 0.35
    assert 15 <= stats["view_width_15"][0] <= 19  # the 17-bin box, give or take the smoothing
    assert abs(stats["view_asymmetry"]).max() < 1e-9


def test_the_density_proxy_gives_the_suns_density_for_an_earth_transit():
    g, local = _views()
    # Earth: P = 365.25 d, central transit 13.0 h. ρ* ≈ 3P / (G π² T³) in cgs.
    stats = _stats(g, local, period=365.25, duration=13.0)
    rho = 3 * 365.25 * 86400 / (6.674e-8 * math.pi**2 * (13.0 * 3600) ** 3)
    assert abs(rho - 1.41) < 0.1
    assert abs(stats["log10_density_proxy"][0] - 3.21 - math.log10(rho)) < 0.01


def test_local_moments_agree_with_scipy_with_and_without_missing_bins():
    rng = np.random.default_rng(1)
    local = rng.normal(0, 0.3, (5, L)) - np.exp(-np.linspace(-3, 3, L) ** 2)
    local[3, [0, 7, 40]] = np.nan
    moments = local_moments(local)
    expected_std = np.nanstd(local, axis=1)
    np.testing.assert_allclose(moments["view_local_std"], expected_std, rtol=1e-12)
    np.testing.assert_allclose(moments["view_local_skew"],
                               scipy_stats.skew(local, axis=1, nan_policy="omit"), rtol=1e-9)
    np.testing.assert_allclose(moments["view_local_kurtosis"],
                               scipy_stats.kurtosis(local, axis=1, nan_policy="omit"), rtol=1e-9)
    np.testing.assert_allclose(moments["view_local_max"], np.nanmax(local, axis=1), rtol=1e-12)
    np.testing.assert_allclose(moments["view_local_p5"], np.nanpercentile(local, 5, axis=1),
                               rtol=1e-12)
    # the lag-1 autocorrelation of a complete row: the textbook estimator
    row = local[0] - local[0].mean()
    assert abs(moments["view_local_lag1"][0] - row[:-1] @ row[1:] / (row @ row)) < 1e-12


def test_local_moments_tell_a_resolved_dip_from_noise_and_from_a_single_outlier_bin():
    rng = np.random.default_rng(2)
    noise = rng.normal(0, 0.3, (200, L))
    dip = -np.exp(-np.linspace(-3, 3, L) ** 2 * 2)[None, :] + rng.normal(0, 0.02, (1, L))
    outlier = np.zeros((1, L))
    outlier[0, L // 2] = -1.0
    moments = local_moments(np.vstack([noise, dip, outlier]))
    # white noise: bin-to-bin differences scatter √2 times the values, no autocorrelation
    assert abs(np.median(moments["view_local_roughness"][:200]) - math.sqrt(2)) < 0.1
    assert abs(np.median(moments["view_local_lag1"][:200])) < 0.05
    assert moments["view_local_roughness"][200] < 0.3
    assert moments["view_local_lag1"][200] > 0.9
    assert moments["view_local_p5"][200] < -0.9  # many bins near the bottom
    assert abs(moments["view_local_p5"][201]) < 1e-9  # one bin at -1 only
    assert moments["view_local_below_half"][201] == pytest.approx(1 / L)


def test_local_moments_of_rows_without_two_finite_bins_are_nan_without_warnings():
    local = np.full((2, L), np.nan)
    local[1, 3] = -1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        moments = local_moments(local)
    for values in moments.values():
        assert np.isnan(values).all()


def test_unknown_period_or_duration_leave_the_view_statistics_finite():
    rng = np.random.default_rng(0)
    g, local = rng.normal(0, 0.1, (4, G)), rng.normal(0, 0.1, (4, L))
    stats = view_statistics(g, local, np.full(4, np.nan), np.full(4, np.nan), np.full(4, np.nan))
    assert set(stats) == set(VIEW_STAT_COLUMNS)
    for name, values in stats.items():
        assert values.shape == (4,)
        if name not in ("log10_density_proxy", "log10_depth_ppm"):
            assert np.isfinite(values).all(), name
    assert np.isnan(stats["log10_density_proxy"]).all()


def test_folded_view_records_get_the_view_statistics_as_model_inputs():
    g, local = _views(3)
    table = pd.DataFrame({"disposition": ["PC", "EB", "J"], "period_days": [3.0, 2.0, 1.0],
                          "duration_hours": [2.0, 3.0, 4.0], "depth_ppm": [500.0, 9e3, 100.0],
                          "tic_id": [1, 2, 3]})
    raw = extract(ViewBatch(g, local, None, table, source="views"), "tabular")
    assert raw.feature_version == VIEWBATCH_FEATURE_VERSION
    assert set(VIEW_STAT_COLUMNS) <= set(raw.stats.columns)
    assert "tic_id" not in raw.stats.columns  # identifiers never become inputs
    assert "disposition" not in raw.stats.columns


def test_runs_of_every_view_feature_version_load_and_unknown_ones_are_refused(tmp_path):
    from exohunt.errors import RunDirectoryError

    for version in ("viewbatch", "viewbatch-2", VIEWBATCH_FEATURE_VERSION, None):
        config = {"preprocessing": {"kind": "views", "feature_version": version}}
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning would fail here
            _check_preprocessing(config, tmp_path)
    stale = {"preprocessing": {"kind": "tabular", "feature_version": "search-1"}}
    with pytest.raises(RunDirectoryError, match="retrain"):
        _check_preprocessing(stale, tmp_path)
    future = {"preprocessing": {"kind": "views", "feature_version": "viewbatch-99"}}
    with pytest.raises(RunDirectoryError, match="'viewbatch-99'"):
        _check_preprocessing(future, tmp_path)
