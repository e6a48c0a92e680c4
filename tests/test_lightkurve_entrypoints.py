"""Every public entry point takes lightkurve objects (the real package) and gives what it gives
on exohunt's own reading of the same file."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io.lightkurve_compat import as_exohunt, is_lightkurve
from exohunt.search import make_views

lk = pytest.importorskip("lightkurve")

pytestmark = pytest.mark.shared

TESS = "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits"  # pi Men, sector 1
KEPLER = "kplr011442793-2009350155506_llc.fits"  # Kepler-90, one quarter
# exohunt's TESS "default" quality bitmask is lightkurve 2.6's (17087); read both with it
# explicitly so that an older lightkurve (default 175) compares the same cadences
TESS_BITMASK = 17087


def _lk_read(path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lk.read(path, **options)


@pytest.fixture(scope="module")
def tess(lightcurve_dir):
    path = lightcurve_dir / TESS
    return _lk_read(path, quality_bitmask=TESS_BITMASK), exohunt.read(path)


@pytest.fixture(scope="module")
def kepler(lightcurve_dir):
    path = lightcurve_dir / KEPLER
    return _lk_read(path), exohunt.read(path)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A gbm trained in seconds on synthetic stars (as in test_predict)."""
    from _search_synth import noise_lightcurve, planet_lightcurve
    from exohunt.training import train

    rng = np.random.default_rng(4)
    curves = [planet_lightcurve(rng, period=float(p), snr=float(snr))[0]
              for p, snr in zip(rng.uniform(1.5, 9.0, 16), rng.uniform(8, 30, 16))]
    curves += [noise_lightcurve(rng) for _ in range(24)]
    labels = np.array([1] * 16 + [0] * 24, np.int8)
    data = exohunt.LightCurveBatch(np.stack([lc.flux for lc in curves]), labels,
                                   curves[0].time, source="synthetic")
    return train(data, model="gbm", imbalance="weights", config={"max_iter": 20}, jobs=1,
                 out=tmp_path_factory.mktemp("run") / "gbm")


def test_conversion_matches_the_fits_reader(tess, kepler):
    for lk_lc, ours in (tess, kepler):
        assert is_lightkurve(lk_lc) and not is_lightkurve(ours)
        lc = exohunt.read(lk_lc)
        assert isinstance(lc, exohunt.LightCurve)
        np.testing.assert_array_equal(lc.time, ours.time)
        np.testing.assert_array_equal(lc.flux, ours.flux)
        np.testing.assert_array_equal(lc.flux_err, ours.flux_err)
        for key in ("mission", "target_id", "cadence_days", "flux_column", "source",
                    "time_offset"):
            assert lc.meta[key] == ours.meta[key], key
        assert set(lc.columns) >= {"centroid_col", "centroid_row", "sap_flux"}
        # the extras themselves, not only their names, are the FITS reader's
        np.testing.assert_equal({k: lc.meta[k] for k in ("star", "crowdsap", "flfrcsap")},
                                {k: ours.meta[k] for k in ("star", "crowdsap", "flfrcsap")})
        for name in set(lc.columns) & set(ours.columns):
            np.testing.assert_array_equal(lc.columns[name], ours.columns[name], err_msg=name)
    star = exohunt.read(tess[0]).meta["star"]
    assert star["catalog"] == "TIC" and 5000 < star["teff"] < 7000  # pi Men: G0 V
    # a collection, and a list mixing both kinds, become lists in order
    both = as_exohunt(lk.LightCurveCollection([tess[0], kepler[0]]))
    assert [len(x) for x in both] == [len(tess[1]), len(kepler[1])]
    mixed = as_exohunt([kepler[1], lk.LightCurveCollection([tess[0]])])
    assert mixed[0] is kepler[1] and len(mixed[1]) == len(tess[1])


def _signal_rows(result):
    return pd.DataFrame([{"period": s.period, "t0": s.t0, "duration": s.duration,
                          "depth": s.depth, "snr": s.snr} for s in result.signals])


@pytest.mark.slow
def test_search_and_make_views(tess):
    lk_lc, ours = tess
    theirs_result = exohunt.search(lk_lc, max_signals=2)
    ours_result = exohunt.search(ours, max_signals=2)
    pd.testing.assert_frame_equal(_signal_rows(theirs_result), _signal_rows(ours_result),
                                  rtol=1e-9)
    best = ours_result.signals[0]
    assert abs(best.period - 6.268) < 0.01  # pi Men c
    flat = lk_lc.flatten(window_length=1001)
    views_lk = make_views(flat, best)
    views_ours = make_views(exohunt.read(flat), best)
    for name in ("global_", "local", "secondary", "odd", "even"):
        np.testing.assert_array_equal(getattr(views_lk, name), getattr(views_ours, name))
    with pytest.raises(InputError, match="search takes one light curve; got 2"):
        exohunt.search(lk.LightCurveCollection([lk_lc, lk_lc]))


@pytest.mark.slow
def test_run_predict_score_and_predict_api(tiny_run, kepler, tess, tmp_path):
    from exohunt.predict import predict

    collection = lk.LightCurveCollection([kepler[0], tess[0]])
    ours = [kepler[1], tess[1]]
    got = tiny_run.predict(collection, jobs=1)
    expected = tiny_run.predict(ours, jobs=1)
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9)
    np.testing.assert_allclose(tiny_run.score(kepler[0], jobs=1),
                               tiny_run.score(kepler[1], jobs=1), rtol=1e-12)
    predict(tiny_run, collection, out=tmp_path / "lk.csv", jobs=1, progress=False)
    predict(tiny_run, ours, out=tmp_path / "ours.csv", jobs=1, progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "lk.csv"),
                                  pd.read_csv(tmp_path / "ours.csv"), rtol=1e-9)


@pytest.mark.slow
def test_evaluate(tiny_run, kepler, tess, tmp_path):
    lk_stars = [kepler[0].copy(), tess[0].copy()]
    for star, label in zip(lk_stars, (1, 0)):
        star.meta["label"] = label
    ours = [kepler[1].replace(meta={"label": 1}), tess[1].replace(meta={"label": 0})]
    options = {"n_bootstrap": 50, "jobs": 1, "record": False}
    got = exohunt.evaluate(tiny_run, lk.LightCurveCollection(lk_stars),
                           out=tmp_path / "lk", **options)
    expected = exohunt.evaluate(tiny_run, ours, out=tmp_path / "ours", **options)
    for key in ("precision", "recall", "average_precision", "threshold", "n_positive",
                "n_total", "confusion_matrix"):
        assert got[key] == expected[key], key


@pytest.mark.slow
def test_train_on_labelled_lightkurve_objects():
    """train on lightkurve light curves labelled in their meta, as on exohunt's own."""
    from _search_synth import noise_lightcurve, planet_lightcurve

    rng = np.random.default_rng(5)
    curves = [planet_lightcurve(rng, period=float(p), snr=float(snr))[0]
              for p, snr in zip(rng.uniform(1.5, 9.0, 10), rng.uniform(10, 30, 10))]
    curves += [noise_lightcurve(rng) for _ in range(14)]
    labels = [1] * 10 + [0] * 14
    ours = [lc.replace(meta={"label": y, "source": f"star{i}"})
            for i, (lc, y) in enumerate(zip(curves, labels))]
    theirs = [lk.LightCurve(time=lc.time, flux=lc.flux, flux_err=lc.flux_err,
                            meta={"label": y, "FILENAME": f"star{i}"})
              for i, (lc, y) in enumerate(zip(curves, labels))]
    options = {"model": "gbm", "config": {"max_iter": 20}, "jobs": 1, "seed": 3}
    run_lk = exohunt.train(theirs, **options)
    run_ours = exohunt.train(ours, **options)
    assert run_lk.threshold == run_ours.threshold
    pd.testing.assert_frame_equal(run_lk.predict(ours[8:14], jobs=1),
                                  run_ours.predict(ours[8:14], jobs=1), rtol=1e-9)


def test_non_lightcurve_lightkurve_objects_are_refused():
    class TargetPixelFile:  # stands in for lightkurve's, as its module name says
        __module__ = "lightkurve.targetpixelfile"

    with pytest.raises(InputError, match="cannot use a lightkurve TargetPixelFile"):
        exohunt.read(TargetPixelFile())
