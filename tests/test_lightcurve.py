import numpy as np
import pytest

from exohunt import LightCurve, LightCurveBatch


def make_lc(n: int = 200) -> LightCurve:
    time = np.linspace(0.0, 10.0, n)
    flux = 1000.0 + np.sin(time)
    return LightCurve(time, flux, np.full(n, 2.0), {"target_id": "x"})


def test_arrays_are_readonly_and_methods_return_new_objects():
    lc = make_lc()
    with pytest.raises(ValueError):
        lc.flux[0] = 1.0
    normalized = lc.normalize()
    assert normalized is not lc
    assert np.isclose(np.median(normalized.flux), 1.0)
    assert np.isclose(lc.flux[0], 1000.0)  # original untouched
    assert normalized.flux_err[0] == pytest.approx(2.0 / np.median(lc.flux))


def test_remove_nans_counts_dropped_cadences():
    lc = make_lc()
    flux = lc.flux.copy()
    flux[[3, 7, 11]] = [np.nan, np.inf, -np.inf]
    cleaned = lc.replace(flux=flux).remove_nans()
    assert len(cleaned) == len(lc) - 3
    assert cleaned.meta["n_dropped_nonfinite"] == 3
    assert cleaned.meta["target_id"] == "x"


def test_head_tail_between_and_chaining():
    lc = make_lc()
    assert len(lc.head(10)) == 10 and len(lc.tail(10)) == 10
    window = lc.between(2.0, 4.0)
    assert window.time.min() >= 2.0 and window.time.max() < 4.0
    folded = lc.remove_nans().normalize().fold(period=2.5, t0=1.0)
    assert np.all(np.diff(folded.phase) >= 0)
    assert np.all(np.abs(folded.phase) <= 1.25)


def test_mismatched_shapes_are_rejected():
    with pytest.raises(ValueError, match="equal length"):
        LightCurve(np.arange(5.0), np.arange(4.0))


def test_batch_rows_become_lightcurves():
    flux = np.ones((3, 50), dtype=np.float32)
    flux[1, 5] = np.nan
    batch = LightCurveBatch(flux, np.array([0, 1, 0]), source="mem")
    lc = batch.lightcurve(1)
    assert len(lc) == 49 and lc.meta["index"] == 1
    assert np.isclose(lc.cadence, 29.4244 / 1440)
    assert len(batch.subset([0, 2])) == 2


def test_columns_follow_every_slice_and_survive_the_worker_payload():
    time = np.arange(10.0)
    flux = np.ones(10)
    flux[3] = np.nan
    col = np.arange(10.0) + 100.0
    lc = LightCurve(time, flux, None, {"star": {"teff": 5777.0}}, {"centroid_col": col})
    clean = lc.remove_nans()
    assert len(clean.columns["centroid_col"]) == 9
    assert 103.0 not in clean.columns["centroid_col"]
    assert np.array_equal(clean.between(5, 8).columns["centroid_col"], [105.0, 106.0, 107.0])
    assert not clean.columns["centroid_col"].flags.writeable
    again = LightCurve.from_payload(clean.to_payload())
    assert np.array_equal(again.columns["centroid_col"], clean.columns["centroid_col"])
    assert again.meta["star"]["teff"] == 5777.0
    assert np.array_equal(clean.normalize().columns["centroid_col"], clean.columns["centroid_col"])


def test_a_column_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="centroid_row"):
        LightCurve(np.arange(5.0), np.ones(5), None, {}, {"centroid_row": np.ones(4)})
