"""``exohunt.io.read`` / ``iter_inputs``: detection, registry, folders, globs, objects."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io import (
    available_formats,
    detect_format,
    iter_inputs,
    read,
    register_reader,
    registry,
)
from io_samples import kaggle_text, write_fits, write_tfrecord


def _kaggle(path, rng, n=3, t=120):
    path.write_text(kaggle_text(np.round(rng.normal(0, 1, (n, t)), 2), [1] * (n - 1) + [2]))
    return path


def test_top_level_read_is_io_read():
    assert exohunt.read is read


def test_available_formats():
    assert available_formats()[-6:] == ["fits", "npy", "npz", "tfrecord", "kaggle_csv", "table"]


def test_detection_by_content_not_only_extension(tmp_path, rng):
    fits_path = write_fits(tmp_path / "lc.fits", "tess-spoc")
    disguised = tmp_path / "lightcurve.data"
    disguised.write_bytes(fits_path.read_bytes())
    assert detect_format(disguised) == "fits"
    kaggle = _kaggle(tmp_path / "exo.txt", rng)
    assert detect_format(kaggle) == "kaggle_csv"
    np.save(tmp_path / "X_a.npy", np.zeros((2, 2)))
    (tmp_path / "arr").write_bytes((tmp_path / "X_a.npy").read_bytes())
    assert detect_format(tmp_path / "arr") == "npy"
    assert detect_format(write_tfrecord(tmp_path / "views")) == "tfrecord"


def test_explicit_format_and_aliases(tmp_path, rng):
    path = _kaggle(tmp_path / "exo.csv", rng)
    assert isinstance(read(path, format="kaggle"), exohunt.LightCurveBatch)
    with pytest.raises(InputError, match="unknown format 'parquet'"):
        read(path, format="parquet")


def test_register_reader_takes_precedence_and_gets_options(tmp_path):
    seen = {}

    def detect(path, head):
        return head.startswith(b"MYLC")

    def reader(path, options):
        seen["flux_column"] = options.flux_column
        t = np.arange(200.0)
        return exohunt.LightCurve(t, np.ones(200), meta={"source": str(path)})

    (tmp_path / "star.csv").write_bytes(b"MYLC\n1,2\n")
    register_reader("mylc", detect, reader)
    try:
        assert available_formats()[0] == "mylc"
        lc = read(tmp_path / "star.csv", flux_column="X")
        assert len(lc) == 200 and seen["flux_column"] == "X"
    finally:
        registry._READERS[:] = [e for e in registry._READERS if e.name != "mylc"]


def test_folder_gives_list_and_skips_unrecognised_files(tmp_path):
    write_fits(tmp_path / "a.fits", "kepler")
    write_fits(tmp_path / "b.fits", "tess-spoc")
    (tmp_path / "manifest.csv").write_text("file,mission\na.fits,Kepler\n")
    (tmp_path / "README.md").write_text("# notes\n")
    (tmp_path / ".hidden.fits").write_bytes(b"junk")
    lcs = read(tmp_path)
    assert [lc.meta["mission"] for lc in lcs] == ["Kepler", "TESS"]


def test_glob_and_list_of_paths(tmp_path, rng):
    _kaggle(tmp_path / "part1.csv", rng, n=3)
    _kaggle(tmp_path / "part2.csv", rng, n=4)
    batch = read(tmp_path / "part*.csv")
    assert isinstance(batch, exohunt.LightCurveBatch) and len(batch) == 7
    assert [p["rows"] for p in batch.meta["parts"]] == [3, 4]
    np.testing.assert_array_equal(batch.labels, [0, 0, 1, 0, 0, 0, 1])
    assert len(read([tmp_path / "part1.csv", tmp_path / "part2.csv"])) == 7
    with pytest.raises(InputError, match="no file matches"):
        read(tmp_path / "nothing*.csv")


def test_mixed_kinds_and_unequal_batches_are_refused(tmp_path, rng):
    _kaggle(tmp_path / "a.csv", rng, t=120)
    write_fits(tmp_path / "b.fits", "kepler")
    with pytest.raises(InputError, match="different kinds of data"):
        read(tmp_path)
    _kaggle(tmp_path / "c.csv", rng, t=130)
    with pytest.raises(InputError, match=r"different lengths \(a\.csv: 120, c\.csv: 130\)"):
        read(tmp_path / "*.csv")


def test_objects_pass_through_or_convert():
    lc = exohunt.LightCurve(np.arange(150.0), np.ones(150))
    assert read(lc) is lc
    batch = exohunt.LightCurveBatch(np.zeros((2, 3)))
    assert read(batch) is batch

    class Quantity:
        def __init__(self, value):
            self.value = value

    fake_lk = SimpleNamespace(time=Quantity(np.arange(300.0)), flux=Quantity(np.ones(300)),
                              flux_err=Quantity(np.full(300, 0.1)),
                              meta={"MISSION": "TESS", "OBJECT": "TIC 9"})
    converted = read(fake_lk)
    assert isinstance(converted, exohunt.LightCurve) and len(converted) == 300
    assert converted.meta["target_id"] == "TIC 9" and converted.meta["cadence_days"] == 1.0
    with pytest.raises(InputError, match="cannot read a int"):
        read(42)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match=r"nope\.fits: no such file"):
        read(tmp_path / "nope.fits")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        read(tmp_path / "empty.csv")


def test_unknown_format_lists_what_is_expected(tmp_path):
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError) as error:
        read(tmp_path / "blob.bin")
    message = str(error.value)
    assert "blob.bin: unknown format" in message and "FITS" in message and "Kaggle" in message
    assert "\n" not in message


def test_iter_inputs_reports_and_goes_on(tmp_path, rng):
    write_fits(tmp_path / "good.fits", "tess-spoc")
    (tmp_path / "bad.fits").write_bytes(b"SIMPLE  =" + b" " * 2871)
    _kaggle(tmp_path / "k.csv", rng)
    results = list(iter_inputs([tmp_path / "*.fits", tmp_path / "k.csv",
                                tmp_path / "missing.fits"]))
    kinds = [(source.rsplit("/", 1)[-1], type(obj).__name__) for source, obj in results]
    assert kinds == [("bad.fits", "InputError"), ("good.fits", "LightCurve"),
                     ("k.csv", "LightCurveBatch"), ("missing.fits", "InputError")]


def test_iter_inputs_single_path_and_options(tmp_path):
    path = write_fits(tmp_path / "t.fits", "tess-spoc")
    [(source, lc)] = list(iter_inputs(path, flux_column="SAP_FLUX"))
    assert source == str(path) and lc.meta["flux_column"] == "SAP_FLUX"
    with pytest.raises(TypeError):
        list(iter_inputs(path, colour="red"))


def test_fits_round_trip_with_simulator_writer(tmp_path, rng):
    from exohunt.io import write_fits as write_sim_fits

    time = 131.5 + np.arange(500) * 0.0204
    flux = rng.normal(1000, 5, 500)
    flux[[7, 100]] = np.nan
    lc = exohunt.LightCurve(time, flux, np.full(500, 2.0), {"target_id": "SIM 1"})
    path = write_sim_fits(tmp_path / "sim_llc.fits", lc)
    back = read(path)
    good = np.isfinite(flux)
    np.testing.assert_allclose(back.time, time[good])
    np.testing.assert_allclose(back.flux, flux[good].astype(np.float32))
    assert back.meta["target_id"] == "SIM 1" and back.meta["mission"] == "Kepler"
    assert back.meta["n_dropped_quality"] + back.meta["n_dropped_nonfinite"] == 2
    assert back.meta["cadence_days"] == pytest.approx(0.0204)
