"""Training injections into light-curve files carry consistent centroids and catalogues."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from exohunt.lightcurve import LightCurve
from exohunt.search.features import star_features
from exohunt.search.stellar import catalogue_density
from exohunt.simulate import split_spec, time_grid
from exohunt.simulate.dataset import make_star
from exohunt.simulate.lightcurves import star_lightcurve
from exohunt.simulate.params import EclipsingBinaryParams
from exohunt.training.augment import injected_features
from exohunt.training.inject_context import beb_offset, inject_lightcurve, time_reversed

GRID = time_grid(2400, 29.4244 / 1440.0)
SPEC = split_spec("vetting", "test", 100)


def host(index: int = 3, crowded: bool | None = False) -> LightCurve:
    """A quiet simulated star with centroids and catalogue (with or without a neighbour)."""
    for i in range(index, index + 200):
        star = make_star(GRID, "quiet", i, np.random.default_rng(i), SPEC)
        if crowded is None or (star.scene.neighbour_share > 0.05) == crowded:
            return star_lightcurve(star, GRID)
    raise AssertionError("no such host")


@pytest.mark.parametrize("offset", [(2.0, 0.0), (0.0, -3.0)])
def test_background_eb_source_offset_found_where_injected(offset):
    """A background EB injected 2 (3) px away: the search's source offset is that distance."""
    lc = inject_lightcurve(host(), "binary", 40.0, np.random.default_rng(1), offset=offset)
    assert lc.meta["injected_offset_px"] == pytest.approx(np.hypot(*offset))
    _, stats, _row = star_features(lc)
    assert stats["snr"] > 20
    assert stats["centroid_offset_pixels"] == pytest.approx(np.hypot(*offset), abs=0.3)
    assert stats["centroid_offset_sigma"] > 5


def test_injected_planet_stays_on_target():
    lc = inject_lightcurve(host(), "planet", 40.0, np.random.default_rng(2))
    _, stats, row = star_features(lc)
    assert row["period_days"] == pytest.approx(lc.meta["injected"][-1]["period"], rel=0.01)
    assert stats["centroid_offset_pixels"] < 0.3 and stats["centroid_offset_sigma"] < 3


def test_planet_with_a_neighbour_moves_the_centroid_as_the_scene_says():
    """β = 1 − CROWDSAP, d from the out-of-transit centroid: Δc = (c_oot − target)
    (1 / ((1 − β) m + β) − 1) (exohunt.simulate.scene); SAP dims by (1 − β) × depth."""
    lc = host(crowded=True)
    beta = 1 - lc.meta["crowdsap"]
    out = inject_lightcurve(lc, "planet", 200.0, np.random.default_rng(3), day_side=False)
    model = out.flux / lc.flux
    for axis, name in enumerate(("centroid_col", "centroid_row")):
        before = np.asarray(lc.columns[name])
        expected = ((np.nanmedian(before) - lc.meta["target_pixel"][axis])
                    * (1 / ((1 - beta) * model + beta) - 1))
        np.testing.assert_allclose(out.columns[name] - before, expected, atol=1e-9)
    sap = out.columns["sap_flux"] / lc.columns["sap_flux"]
    np.testing.assert_allclose(1 - sap, (1 - beta) * (1 - model), rtol=1e-9, atol=1e-12)


def test_planet_host_density_follows_the_catalogue():
    lc = host()
    rho, error_dex = catalogue_density(lc.meta["star"])
    drawn = [inject_lightcurve(lc, "planet", 20.0, np.random.default_rng(s)).meta["injected"][-1]
             ["stellar_density"] for s in range(40)]
    scatter = np.log10(np.asarray(drawn) / rho)
    assert abs(np.mean(scatter)) < 3 * error_dex / np.sqrt(40)
    assert np.std(scatter) == pytest.approx(error_dex, rel=0.35)


def test_injection_without_centroids_changes_only_the_flux():
    lc = host()
    bare = LightCurve(lc.time, lc.flux, lc.flux_err, {"source": "table.csv"})
    out = inject_lightcurve(bare, "binary", 30.0, np.random.default_rng(4))
    assert not out.columns and np.nanmin(out.flux / bare.flux) < 1 - 1e-4
    planet = inject_lightcurve(bare, "planet", 30.0, np.random.default_rng(4))
    assert not planet.columns and np.nanmin(planet.flux / bare.flux) < 1 - 1e-4


def test_beb_offsets_drawn_as_the_simulator_draws_them():
    distances = np.hypot(*np.array([beb_offset(np.random.default_rng(s)) for s in range(2000)]).T)
    assert distances.max() <= 4.0
    assert np.mean(distances < 1.0) == pytest.approx(0.2 + 0.8 / 16, abs=0.04)


def test_time_reversed_keeps_columns_aligned():
    lc = host()
    back = time_reversed(lc)
    np.testing.assert_array_equal(back.flux, lc.flux[::-1])
    np.testing.assert_array_equal(back.columns["centroid_col"], lc.columns["centroid_col"][::-1])
    # the stamps are mirrored: same span, the same spacings in reverse order
    assert back.time[0] == lc.time[0] and back.time[-1] == pytest.approx(lc.time[-1])
    np.testing.assert_allclose(np.diff(back.time), np.diff(lc.time)[::-1], atol=1e-9)


def test_time_reversed_keeps_the_period_across_a_gap():
    """A planet's reversed copy holds the same planet at the same period, also where the light
    curve has a gap off its middle (reversed flux on the original stamps moved every transit
    after the gap by the gap's asymmetry: round 23)."""
    lc = inject_lightcurve(host(), "planet", 40.0, np.random.default_rng(2))
    period = lc.meta["injected"][-1]["period"]
    start = lc.time[0] + 0.3 * (lc.time[-1] - lc.time[0])
    kept = ~((lc.time > start) & (lc.time < start + 0.4 * period))
    gapped = lc[kept]
    _, stats, row = star_features(gapped)
    _, back_stats, back_row = star_features(time_reversed(gapped))
    assert back_row["period_days"] == pytest.approx(period, rel=1e-3)
    assert back_row["depth_ppm"] == pytest.approx(row["depth_ppm"], rel=0.1)
    assert back_stats["snr"] == pytest.approx(stats["snr"], rel=0.2)


def test_injected_features_on_files_carry_centroid_statistics():
    """``--imbalance inject`` on single-star files: planets (label 1) on target, binaries
    (label 0) with measured source offsets; the searched rows have the context columns."""
    curves = [host(i) for i in (3, 40, 80, 120, 160, 200)]
    labels = np.array([1, 0, 0, 0, 0, 1], np.int8)
    raw, extra = injected_features(curves, np.arange(6), labels, "tabular", jobs=1,
                                   per_positive=1, binaries_per_planet=1.0, seed=5)
    assert list(extra) == [1, 1, 1, 1, 0, 0] and len(raw) == 6
    offsets = raw.stats["centroid_offset_pixels"].to_numpy()
    assert np.isfinite(offsets[:2]).all() and (offsets[:2] < 0.5).all()
    assert np.isfinite(raw.arrays["centroid_local"]).all()


def test_eb_on_target_keeps_the_centroid_on_target_and_follows_the_binary():
    """An on-target EB: undiluted binary (depth its own, >> a planet's), the centroid moved
    only as a planet on the target moves it (toward no source but the target), SAP diluted by
    the aperture's neighbours, the primary's density the host's catalogue density
    (scattered)."""
    lc = host(crowded=True)
    beta = 1 - lc.meta["crowdsap"]
    out = inject_lightcurve(lc, "eb", 0.0, np.random.default_rng(6))
    signal = out.meta["injected"][-1]
    assert signal["type"] == "EclipsingBinaryParams" and signal["dilution"] == 1.0
    assert out.meta["injected_offset_px"] == 0.0
    model = out.flux / lc.flux
    assert np.nanmin(model) < 1 - 0.01  # R2/R1 >= 0.25: at least a per-cent eclipse
    for axis, name in enumerate(("centroid_col", "centroid_row")):
        before = np.asarray(lc.columns[name])
        expected = ((np.nanmedian(before) - lc.meta["target_pixel"][axis])
                    * (1 / ((1 - beta) * model + beta) - 1))
        np.testing.assert_allclose(out.columns[name] - before, expected, atol=1e-9)
    np.testing.assert_allclose(out.columns["sap_flux"] / lc.columns["sap_flux"],
                               (1 - beta) * model + beta, rtol=1e-9)
    lc = host()
    rho, error_dex = catalogue_density(lc.meta["star"])
    drawn = [inject_lightcurve(lc, "eb", 0.0, np.random.default_rng(s)).meta["injected"][-1]
             for s in range(60)]
    binaries = [EclipsingBinaryParams(**{k: v for k, v in d.items() if k != "type"})
                for d in drawn]
    # the primary's density is raised 4x where the stars would touch (as the simulator does)
    raised = np.array([replace(b, stellar_density=b.stellar_density / 4).a_rs * (1 - b.ecc)
                       < 1.5 * (1 + b.radius_ratio) for b in binaries])
    density = np.array([b.stellar_density for b in binaries]) / np.where(raised, 4.0, 1.0)
    scatter = np.log10(density / rho)
    assert abs(np.mean(scatter)) < 3 * error_dex / np.sqrt(len(scatter))
    assert np.std(scatter) == pytest.approx(error_dex, rel=0.35)
    assert {d["radius_ratio"] >= 0.25 for d in drawn} == {True}


def test_eb_on_target_found_on_target():
    """The search finds the on-target EB with a source offset ~0 (it cannot be told from a
    planet by its centroid)."""
    lc = inject_lightcurve(host(), "eb", 0.0, np.random.default_rng(11))
    _, stats, _row = star_features(lc)
    assert stats["snr"] > 20
    assert stats["centroid_offset_pixels"] < 0.3 and stats["centroid_offset_sigma"] < 3


def test_injected_features_add_on_target_ebs_as_negatives_without_changing_the_rest():
    curves = [host(i) for i in (3, 40, 80, 120, 160, 200)]
    labels = np.array([1, 0, 0, 0, 0, 1], np.int8)
    common = dict(per_positive=1, binaries_per_planet=1.0, seed=5, jobs=1)
    raw, extra = injected_features(curves, np.arange(6), labels, "tabular",
                                   target_binaries_per_planet=1.0, **common)
    plain, _ = injected_features(curves, np.arange(6), labels, "tabular", **common)
    assert list(extra) == [1, 1, 1, 1, 0, 0, 0, 0] and len(raw) == 8
    # the planets and background EBs are those drawn without on-target EBs
    np.testing.assert_array_equal(raw.stats["snr"].to_numpy()[:6], plain.stats["snr"].to_numpy())
    assert (raw.stats["centroid_offset_pixels"].to_numpy()[6:] < 0.5).all()


def test_planets_drawn_inside_a_giant_host_are_moved_out_and_others_left_as_drawn():
    """A giant's catalogue density (0.002 g/cm3) with a short drawn period put the orbit
    inside the star and crashed the injection; such orbits move out to a/R* = 2, while an
    orbit that was possible keeps its drawn period (the same stream as before the fix)."""
    from exohunt.simulate.params import a_over_rs
    from exohunt.training.augment import MIN_PLANET_A_RS, _random_period, _random_planet

    time = np.arange(0.0, 60.0, 29.4244 / 1440.0)
    valid = np.ones(time.size, bool)
    moved = 0
    for seed in range(30):
        drawn = _random_period(time, np.random.default_rng(seed))  # the first draw
        planet = _random_planet(time, np.random.default_rng(seed), valid, 12.0, density=0.002)
        if a_over_rs(drawn, 0.002) <= planet.impact:
            moved += 1
            assert planet.a_rs == pytest.approx(MIN_PLANET_A_RS, rel=1e-9)
            assert 0.0 < np.cos(np.radians(planet.inclination_deg)) < 1.0
        else:
            assert planet.period == drawn
    assert moved >= 2  # the case happens (4 of these 30 seeds), and the test checks it
    sun_like = _random_planet(time, np.random.default_rng(0), valid, 12.0, density=1.4)
    assert sun_like.period == _random_period(time, np.random.default_rng(0))


def test_eclipsing_binaries_on_giant_hosts_stay_detached_and_can_be_made():
    # a catalogue density of a giant (0.005 g/cm³): one fourfold raise left a/R* ~ 1.5 under
    # a grazing draw's impact parameter (up to 1.7), and the eclipse model raised ValueError
    from exohunt.simulate.signals import signal_model
    from exohunt.training.inject_context import random_target_binary

    time = np.arange(0.0, 30.0, 0.0204)
    valid = np.ones(time.size, dtype=bool)
    for seed in range(200):
        binary = random_target_binary(time, np.random.default_rng(seed), valid, density=0.005)
        k = binary.radius_ratio
        assert binary.a_rs * (1 - binary.ecc) >= 1.5 * (1 + k)
        assert binary.impact < binary.a_rs
    assert np.isfinite(signal_model(time, binary)).all()


def test_found_at_period_takes_the_period_and_its_simple_harmonics_only():
    """A planet counts as found at its period or 1/3, 1/2, 2, 3 times it (1 %); an unknown
    period (NaN) counts as found, no signal (NaN) as not."""
    from exohunt.training.augment import found_at_period

    found = [5.02, 10.0, 2.5, 15.0, 5 / 3, 7.3, 5.2, np.nan, 7.3]
    true = [5.0] * 8 + [np.nan]
    expected = [True, True, True, True, True, False, False, False, True]
    assert list(found_at_period(np.array(found), np.array(true))) == expected


def test_injected_planets_the_search_misses_are_left_out():
    """A planet injected into a star with a stronger signal of its own (a background EB at
    SNR 45, under the injection hosts' cap of 60) is found as that binary: its row would
    teach the model that such a binary is a planet, so with ``leave_out_unfound`` it is left
    out and reported."""
    curves = [host(i) for i in (3, 40, 80, 120, 160, 200)]
    rng = np.random.default_rng(9)
    curves[1:5] = [inject_lightcurve(lc, "binary", 45.0, rng) for lc in curves[1:5]]
    labels = np.array([1, 0, 0, 0, 0, 1], np.int8)
    report: dict = {}
    raw, extra = injected_features(curves, np.arange(6), labels, "tabular", jobs=1,
                                   per_positive=2, seed=5, report=report,
                                   leave_out_unfound=True)
    assert report["planets_injected"] == 4
    assert 1 <= report["planets_not_found"] <= 4
    kept = 4 - report["planets_not_found"]
    assert list(extra) == [1] * (kept + 2) and len(raw) == kept + 2
    # by default (keep) every injected planet stays a planet
    every, extra = injected_features(curves, np.arange(6), labels, "tabular", jobs=1,
                                     per_positive=2, seed=5)
    assert list(extra) == [1] * 6 and len(every) == 6
    # the rows kept are rows of the full set, in order, and every row left out is a planet
    # found as its host's binary (hosts 1-4, in order; one planet here lies at twice its
    # host's binary period, so it counts as found)
    from exohunt.training.augment import found_at_period

    snr_all, snr_kept = every.stats["snr"].to_numpy(), raw.stats["snr"].to_numpy()
    kept_rows = np.flatnonzero(np.isin(snr_all, snr_kept))
    np.testing.assert_array_equal(snr_all[kept_rows], snr_kept)
    left_out = np.setdiff1d(np.arange(4), kept_rows)
    assert len(left_out) == report["planets_not_found"]
    assert len(left_out) >= 3  # the binaries (SNR 45) win over these planets but that one
    binary_days = np.array([lc.meta["injected"][-1]["period"] for lc in curves[1:5]])
    assert found_at_period(every.signals["period_days"].to_numpy()[left_out],
                           binary_days[left_out]).all()


def test_injected_later_signals_are_labelled_by_the_injected_period():
    """A later signal of an injected planet's star is a planet at the injected period (or an
    alias of it) and not elsewhere; a reversed positive's is left out without a known period;
    a binary's is never a planet."""
    from exohunt.training.augment import _injected_later_labels
    from exohunt.training.features import RawFeatures

    def curve(meta):
        return LightCurve(np.arange(3.0), np.ones(3), None, {"source": "x.fits", **meta})

    curves = [curve({"injected": [{"period": 10.0}]}), curve({"injected": [{"period": 4.0}]}),
              curve({"label_period_days": 6.0}), curve({}), curve({"injected": [{"period": 3.0}]})]
    # later rows: planet 0 at 10 d and 3.3 d, planet 1 at 8 d (2x), reversed positive 2 at
    # 6 d, reversed positive 3 (no period), binary 4 at its own 3 d
    star = [0, 0, 1, 2, 3, 4]
    periods = [10.01, 3.3, 8.0, 6.0, 5.0, 3.0]
    signals = pd.DataFrame({"period_days": periods, "snr": np.arange(6.0), "star": star,
                            "signal": np.ones(6, int)})
    later = RawFeatures({"local": np.zeros((6, 1), np.float32)},
                        pd.DataFrame({"snr": np.arange(6.0)}), signals, "search-x")
    rows, y = _injected_later_labels(later, curves, n_planets=2, n_reversed=2)
    assert y.tolist() == [1, 0, 1, 1, 0]
    assert rows.signals["period_days"].tolist() == [10.01, 3.3, 8.0, 6.0, 3.0]
    assert "star" not in rows.signals
    assert _injected_later_labels(None, curves, 2, 2)[1].size == 0


def test_injected_stars_later_signals_are_added_after_the_unchanged_top_signals():
    """With two signals per star every injected star's second signal (a dip every 3.37 d on
    every host gives each one) becomes a row after the top signals, which stay those of a
    one-signal extraction; the on-target and background binaries' are negatives; without
    ``later_signals`` (the default) the injections are as before."""
    curves = [host(i) for i in (3, 40, 80, 120, 160, 200)]
    curves = [lc.replace(flux=lc.flux * (1 - 0.003 * (np.abs(
        (lc.time - 0.5 + 1.685) % 3.37 - 1.685) < 0.08))) for lc in curves]
    labels = np.array([1, 0, 0, 0, 0, 1], np.int8)
    common = dict(per_positive=1, binaries_per_planet=1.0, target_binaries_per_planet=1.0,
                  seed=5, jobs=1, reverse_positives=False)
    plain, plain_labels = injected_features(curves, np.arange(6), labels, "tabular", **common)
    report: dict = {}
    raw, extra = injected_features(curves, np.arange(6), labels, "tabular", signals_per_star=2,
                                   later_signals=True, report=report, **common)
    n_top = len(plain)
    assert n_top == 6 and report["later_signals_injected"] >= 5
    assert len(raw) == n_top + report["later_signals_injected"] == len(extra)
    np.testing.assert_array_equal(extra[:n_top], plain_labels)
    np.testing.assert_allclose(raw.stats["snr"].to_numpy()[:n_top], plain.stats["snr"].to_numpy())
    # a planet's star has two dips, the planet's and the host's: one of its rows is labelled
    # a planet whichever wins, so its later row is a planet only where the top one is not
    assert 1 <= report["later_signals_injected_planets"] <= 2
    assert extra[n_top:].sum() == report["later_signals_injected_planets"]
    same, same_labels = injected_features(curves, np.arange(6), labels, "tabular",
                                          signals_per_star=2, **common)
    np.testing.assert_array_equal(same_labels, plain_labels)
    assert len(same) == n_top


def test_target_binary_radius_ratio_range_is_drawn_from_and_checked():
    from exohunt.training.inject_context import random_target_binary

    valid = np.ones(GRID.size, bool)
    ks = [random_target_binary(GRID, np.random.default_rng(s), valid,
                               radius_ratio=(0.1, 0.15)).radius_ratio for s in range(20)]
    assert min(ks) >= 0.1 and max(ks) <= 0.15
    default = random_target_binary(GRID, np.random.default_rng(3), valid)
    assert 0.25 <= default.radius_ratio <= 1.0
    with pytest.raises(ValueError, match="radius_ratio"):
        random_target_binary(GRID, np.random.default_rng(3), valid, radius_ratio=(0.0, 0.5))


def test_injected_on_target_binaries_reach_low_mass_companions_by_default():
    """Round 31's K is the default: on-target binaries' radius ratios from 0.1, not the
    simulator's 0.25 (low-mass companions, the 1-6 % eclipses the models let through)."""
    import inspect

    parameters = inspect.signature(injected_features).parameters
    assert tuple(parameters["target_radius_ratio"].default) == (0.1, 1.0)
    assert parameters["target_grazing_share"].default == 0.3


def test_target_binary_grazing_share_sets_the_geometry_and_is_checked():
    """``grazing_share`` 1: every eclipse grazing (b >= 1 - k, V-shaped); 0: none; the other
    draws (period, radius ratio) do not move with it."""
    from exohunt.training.inject_context import random_target_binary

    valid = np.ones(GRID.size, bool)

    def draws(share):
        return [random_target_binary(GRID, np.random.default_rng(s), valid,
                                     grazing_share=share) for s in range(30)]

    grazing, central = draws(1.0), draws(0.0)
    assert all(b.impact >= 1 - b.radius_ratio for b in grazing)
    assert all(b.impact < 1 - b.radius_ratio for b in central)
    assert [b.radius_ratio for b in grazing] == [b.radius_ratio for b in central]
    assert [b.period for b in grazing] == [b.period for b in central]
    with pytest.raises(ValueError, match="grazing_share"):
        random_target_binary(GRID, np.random.default_rng(3), valid, grazing_share=1.5)


def test_injected_features_draw_on_target_binaries_from_the_radius_ratio_range(monkeypatch):
    """``target_radius_ratio`` and ``target_grazing_share`` reach every injected on-target
    binary."""
    from exohunt.training import inject_context

    drawn, impacts = [], []
    original = inject_context.inject_lightcurve

    def recording(lc, kind, *args, **kwargs):
        out = original(lc, kind, *args, **kwargs)
        if kind == "eb":
            drawn.append(out.meta["injected"][-1]["radius_ratio"])
            impacts.append(out.meta["injected"][-1]["impact"])
        return out

    monkeypatch.setattr(inject_context, "inject_lightcurve", recording)
    curves = [host(i) for i in (3, 40, 80, 120)]
    labels = np.array([1, 0, 0, 0], np.int8)
    _, extra = injected_features(curves, np.arange(4), labels, "tabular", per_positive=1,
                                 target_binaries_per_planet=2.0, reverse_positives=False,
                                 target_radius_ratio=(0.1, 0.11), target_grazing_share=1.0,
                                 seed=5, jobs=1)
    assert len(drawn) == 2 and all(0.1 <= k <= 0.11 for k in drawn)
    assert all(b >= 1 - k for b, k in zip(impacts, drawn))
    assert list(extra) == [1, 0, 0]
