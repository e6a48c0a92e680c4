"""The simulator with the rest of exohunt: files read back by exohunt.read, injection into real
light curves."""

from __future__ import annotations

import numpy as np
import pytest

import exohunt
from exohunt.cli import main
from exohunt.io.writers import write_kaggle_csv
from exohunt.simulate import PlanetParams, inject, simulate, transit_model


def test_kaggle_csv_reads_back_identically(tmp_path):
    data = simulate("kaggle", seed=21, n_train=30, n_test=10)
    batch = exohunt.read(write_kaggle_csv(tmp_path / "train.csv", data.train))
    np.testing.assert_array_equal(batch.flux, data.train.flux)
    np.testing.assert_array_equal(batch.labels, data.train.labels)


def test_fits_folder_reads_back_with_truth(tmp_path):
    import pandas as pd

    out = tmp_path / "fits"
    assert main(["simulate", str(out), "--format", "fits", "--n-train", "4", "--n-test", "2",
                 "--quiet", "--seed", "13"]) == 0
    truth = pd.read_csv(out / "train_truth.csv")
    for row in truth.itertuples():
        lc = exohunt.read(out / row.file)
        assert len(lc) == row.n_valid  # gap cadences (QUALITY-flagged, NaN) are dropped
        assert np.median(lc.flux) == pytest.approx(row.flux_level, rel=0.1)
        assert lc.meta["mission"] == "Kepler"
    assert len(exohunt.read(out / "test")) == 2


@pytest.mark.shared
def test_inject_into_real_kepler_lightcurve(lightcurve_dir):
    lc = exohunt.read(lightcurve_dir / "kplr010002792-2009259160929_llc.fits")
    planet = PlanetParams(period=3.3, t0=float(lc.time[0]) + 1.0, rp_rs=0.05, impact=0.3)
    out = inject(lc, planet)
    model = transit_model(lc.time, planet)
    np.testing.assert_allclose(out.flux / lc.flux, model, rtol=1e-12)
    np.testing.assert_allclose(out.flux_err / lc.flux_err, model, rtol=1e-12)
    assert 1 - model.min() == pytest.approx(0.05**2, rel=0.35)  # limb darkening, exposure
    assert (model < 1).sum() >= 2 * planet.t14 / lc.cadence
