"""Simulated datasets: presets and proportions, determinism, truth tables, flux styles, writers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from exohunt.errors import InputError
from exohunt.io.writers import write_fits, write_kaggle_csv
from exohunt.lightcurve import LightCurve
from exohunt.simulate import (
    KINDS,
    PRESETS,
    TESS_CADENCE_DAYS,
    EclipsingBinaryParams,
    PlanetParams,
    expected_snr,
    simulate,
)
from exohunt.simulate.dataset import count_kinds, split_kinds
from exohunt.simulate.stars import gap_mask


@pytest.fixture(scope="module")
def small():
    return simulate("kaggle", seed=3, n_train=400, n_test=150)


def test_kaggle_preset_counts_are_exact():
    for split, (n, n_planets) in {"train": (5087, 37), "test": (570, 5)}.items():
        kinds = split_kinds(PRESETS["kaggle"][split], seed=42, split=split)
        assert len(kinds) == n
        assert (kinds == "planet").sum() == n_planets
        assert set(kinds) == set(KINDS)


def test_big_preset_test_split_targets():
    spec = PRESETS["big"]["test"]
    counts = count_kinds(spec)
    assert spec.n_stars >= 5000 and counts["planet"] >= 100
    assert (counts["eb"] + counts["background-eb"]) / spec.n_stars >= 0.10
    assert spec.planet_snr == (5.0, 60.0)
    assert PRESETS["big"]["train"] == PRESETS["kaggle"]["train"]


@pytest.mark.parametrize("preset", ["kaggle", "big"])
def test_kind_proportions_with_small_overrides(preset):
    data = simulate(preset, seed=11, n_train=300, n_test=250)
    for split, truth in (("train", data.train_truth), ("test", data.test_truth)):
        spec = PRESETS[preset][split].resized(len(truth))
        observed = truth["kind"].value_counts().to_dict()
        assert observed == {k: v for k, v in count_kinds(spec).items() if v}
        n_neg = len(truth) - observed["planet"]
        total = sum(spec.mix.values())
        for kind, share in spec.mix.items():
            assert abs(observed.get(kind, 0) - share / total * n_neg) <= 1
        assert (truth["label"] == (truth["kind"] == "planet")).all()


def test_truth_table_columns_and_labels(small):
    truth = small.train_truth
    for column in ("index", "kind", "label", "period_days", "t0_days", "duration_hours",
                   "depth_ppm", "snr", "rp_rs", "impact", "noise_ppm", "secondary_depth_ppm",
                   "eccentricity", "dilution"):
        assert column in truth.columns
    assert (truth["index"].to_numpy() == np.arange(len(truth))).all()
    np.testing.assert_array_equal(small.train.labels, truth["label"].to_numpy())
    quiet = truth[truth["kind"] == "quiet"]
    assert quiet["period_days"].isna().all() and quiet["dilution"].isna().all()
    with_signal = truth["kind"].isin(["planet", "eb", "background-eb"])
    assert truth.loc[~with_signal, "host_kind"].eq("").all()
    assert truth.loc[with_signal, "host_kind"].isin(["quiet", "rotator", "flare",
                                                     "systematics"]).all()
    assert truth["noise_ppm"].between(50, 2000).all()


def test_planet_snr_in_preset_range_and_reproducible_from_truth(small):
    truth = small.train_truth
    planets = truth[truth["kind"] == "planet"]
    assert planets["snr"].between(8 * 0.99, 60 * 1.01).all()
    assert (planets["n_transits"] >= 2).all()
    for _, row in planets.iterrows():
        params = PlanetParams(period=row.period_days, t0=row.t0_days, rp_rs=row.rp_rs,
                              impact=row.impact, stellar_density=row.stellar_density,
                              u1=row.u1, u2=row.u2)
        assert row.duration_hours == pytest.approx(params.t14 * 24)
        assert row.snr == pytest.approx(row.target_snr, rel=0.10)
    # the pre-2026-11-30 scale, kept for comparison, always sat above the matched-filter SNR
    ratio = planets["central_depth_snr"] / planets["snr"]
    assert ratio.between(1.05, 2.5).all()


def test_background_ebs_look_planetary_and_ebs_are_deep(small):
    truth = pd.concat([small.train_truth, small.test_truth])
    beb = truth[truth["kind"] == "background-eb"]
    eb = truth[truth["kind"] == "eb"]
    assert len(beb) and len(eb)
    assert beb["snr"].between(8 * 0.99, 60 * 1.01).all()
    assert (beb["dilution"] > 1).all() and (eb["dilution"] == 1).all()
    np.testing.assert_allclose(beb["depth_ppm"] * beb["dilution"], beb["undiluted_depth_ppm"])
    assert eb["depth_ppm"].median() > 20_000
    assert eb["grazing"].astype(bool).any() and not eb["grazing"].astype(bool).all()
    row = beb.iloc[0]
    params = EclipsingBinaryParams(
        period=row.period_days, t0=row.t0_days, radius_ratio=row.rp_rs, impact=row.impact,
        surface_brightness_ratio=row.surface_brightness_ratio, mass_ratio=row.mass_ratio,
        stellar_density=row.stellar_density, ecc=row.eccentricity, omega_deg=row.omega_deg,
        u1=row.u1, u2=row.u2, dilution=row.dilution)
    assert params.grazing == bool(row.grazing)
    time = small.train.time
    assert row.depth_ppm == pytest.approx(1e6 * (row.undiluted_depth_ppm / 1e6) / row.dilution)
    assert expected_snr(time, params, row.noise_ppm, None) >= row.snr * 0.999


def test_kaggle_style_rows_are_rounded_and_mean_subtracted(small):
    flux = small.train.flux.astype(np.float64)
    assert np.isfinite(flux).all()
    np.testing.assert_allclose(np.round(flux, 2), flux, atol=2e-3)
    level = small.train_truth["flux_level"].to_numpy()
    assert (np.abs(flux.mean(axis=1)) < 1e-3 * level + 0.01).all()


def test_normalized_style_has_gaps_and_white_noise_level():
    data = simulate("kaggle", seed=5, n_train=40, n_test=5, flux_style="normalized")
    truth = data.train_truth
    for i in np.flatnonzero((truth["kind"] == "quiet").to_numpy())[:8]:
        flux = data.train.flux[i].astype(float)
        assert np.isnan(flux).sum() == len(flux) - truth.loc[i, "n_valid"]
        good = np.isfinite(flux)
        point_to_point = np.nanmedian(np.abs(np.diff(flux[good]))) / (math.sqrt(2) * 0.6745)
        white = truth.loc[i, "noise_ppm"] * 1e-6
        assert white * 0.85 < point_to_point < white * 1.5  # granulation adds a little
        assert np.nanmedian(flux) == pytest.approx(1.0, abs=0.05)


def test_tess_cadence_and_length_on_request():
    data = simulate("kaggle", seed=2, n_train=12, n_test=3, n_points=4000,
                    cadence_days=TESS_CADENCE_DAYS)
    assert data.train.flux.shape == (12, 4000)
    assert np.diff(data.train.time).mean() == pytest.approx(TESS_CADENCE_DAYS)


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    paths = []
    for name, seed in (("a", 9), ("b", 9), ("c", 10)):
        data = simulate("kaggle", seed=seed, n_train=60, n_test=20)
        paths.append(write_kaggle_csv(tmp_path / f"{name}.csv", data.train))
        data.train_truth.to_csv(tmp_path / f"{name}_truth.csv", index=False)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    assert (tmp_path / "a_truth.csv").read_bytes() == (tmp_path / "b_truth.csv").read_bytes()


def test_train_and_test_never_share_stars_and_big_train_equals_kaggle_train():
    kaggle = simulate("kaggle", seed=4, n_train=30, n_test=30)
    big = simulate("big", seed=4, n_train=30, n_test=30)
    np.testing.assert_array_equal(kaggle.train.flux, big.train.flux)
    shared = set(map(bytes, kaggle.train.flux)) & set(map(bytes, kaggle.test.flux))
    assert not shared
    assert not np.allclose(kaggle.train_truth["noise_ppm"], kaggle.test_truth["noise_ppm"])


def test_kaggle_csv_round_trip_is_exact(small, tmp_path):
    path = write_kaggle_csv(tmp_path / "test.csv", small.test)
    frame = pd.read_csv(path)
    assert list(frame.columns[:2]) == ["LABEL", "FLUX.1"] and frame.shape[1] == 3198
    np.testing.assert_array_equal(frame["LABEL"].to_numpy(), small.test.labels + 1)
    np.testing.assert_array_equal(frame.iloc[:, 1:].to_numpy(np.float32), small.test.flux)


def test_kaggle_csv_keeps_full_precision_for_normalized_flux(tmp_path):
    data = simulate("kaggle", seed=8, n_train=12, n_test=3, flux_style="normalized")
    path = write_kaggle_csv(tmp_path / "norm.csv", data.train)
    values = pd.read_csv(path).iloc[:, 1:].to_numpy(np.float32)
    np.testing.assert_array_equal(values, data.train.flux)  # NaN gaps included
    assert np.isnan(values).any()


def test_fits_writer_kepler_layout(tmp_path):
    from astropy.io import fits

    time = np.arange(100) * 0.0204
    flux = np.full(100, 1e4)
    flux[10:20] = np.nan
    path = write_fits(tmp_path / "x_llc.fits", LightCurve(time, flux, flux * 1e-4,
                                                          {"target_id": "SIM 1"}))
    with fits.open(path) as hdul:
        assert hdul[0].header["TELESCOP"] == "Kepler" and hdul[0].header["OBJECT"] == "SIM 1"
        table = hdul["LIGHTCURVE"].data
        # real Kepler *_llc files call the quality column SAP_QUALITY (TESS: QUALITY)
        for column in ("TIME", "PDCSAP_FLUX", "PDCSAP_FLUX_ERR", "SAP_FLUX", "SAP_QUALITY"):
            assert column in table.columns.names
        np.testing.assert_allclose(table["TIME"], time)
        quality = table["SAP_QUALITY"]
        assert (quality[10:20] > 0).all() and (quality[:10] == 0).all()
        assert "MOM_CENTR1" not in table.columns.names  # no centroids given: none written


def test_invalid_options_are_input_errors():
    with pytest.raises(InputError, match="kaggle, big"):
        simulate("huge")
    with pytest.raises(InputError, match="normalized"):
        simulate(flux_style="raw")
    with pytest.raises(InputError):
        simulate(n_train=0)
    with pytest.raises(InputError, match="2 days"):
        simulate(n_points=60)
    with pytest.raises(InputError, match="seed"):
        simulate(seed=-1)


def test_gap_mask():
    time = np.arange(10.0)
    np.testing.assert_array_equal(gap_mask(time, ((2.0, 4.0),)), [1, 1, 0, 0, 1, 1, 1, 1, 1, 1])


def test_kaggle_preset_test_split_generated_in_full():
    data = simulate("kaggle", seed=42, n_train=20)
    assert len(data.test) == 570 and int(data.test.labels.sum()) == 5
    assert data.test.flux.shape == (570, 3197)
    assert set(data.test_truth["kind"]) == set(KINDS)


def test_top_level_name_stays_callable_after_subpackage_import():
    import exohunt
    import exohunt.simulate
    from exohunt.simulate import SimulatedDataset, inject

    assert isinstance(exohunt.simulate("kaggle", seed=1, n_train=5, n_test=2), SimulatedDataset)
    assert exohunt.inject is inject
