"""Kaggle-layout CSV reader: values, labels, NaNs, chunking and every malformed-file error."""

from __future__ import annotations

import numpy as np
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io import kaggle_csv, read
from io_samples import kaggle_text


def _flux(rng, n=6, t=150):
    return np.round(rng.normal(100, 20, (n, t)), 2)


def test_reads_flux_and_kaggle_labels(tmp_path, rng):
    flux = _flux(rng)
    path = tmp_path / "train.csv"
    path.write_text(kaggle_text(flux, [2, 1, 1, 2, 1, 1]))
    batch = read(path)
    assert isinstance(batch, exohunt.LightCurveBatch)
    assert batch.flux.dtype == np.float32 and batch.flux.shape == (6, 150)
    np.testing.assert_array_equal(batch.flux, flux.astype(np.float32))
    np.testing.assert_array_equal(batch.labels, [1, 0, 0, 1, 0, 0])
    assert batch.labels.dtype == np.int8
    assert batch.meta["label_convention"] == "kaggle-1-2"
    assert batch.meta["format"] == "kaggle_csv" and batch.source == str(path)


def test_binary_labels_are_accepted(tmp_path, rng):
    path = tmp_path / "b.csv"
    path.write_text(kaggle_text(_flux(rng, 3), [0, 1, 0]))
    batch = read(path)
    np.testing.assert_array_equal(batch.labels, [0, 1, 0])
    assert batch.meta["label_convention"] == "binary-0-1"


def test_float_labels_and_label_column_not_first(tmp_path, rng):
    flux = _flux(rng, 2, 120)
    header = ",".join([f"FLUX.{i + 1}" for i in range(120)] + ["LABEL"])
    rows = [",".join([*map(str, row), label]) for row, label in zip(flux, ["2.0", "1.0"])]
    path = tmp_path / "last.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    batch = read(path)
    np.testing.assert_array_equal(batch.labels, [1, 0])
    np.testing.assert_array_equal(batch.flux, flux.astype(np.float32))


def test_nan_and_inf_cells_are_kept_as_nan_and_counted(tmp_path, rng):
    flux = _flux(rng, 3)
    flux[0, 5] = np.nan
    flux[1, 7] = np.inf
    path = tmp_path / "nan.csv"
    text = kaggle_text(flux, [1, 1, 2]).replace(",,", ",nan,", 1)
    path.write_text(text)
    batch = read(path)
    assert np.isnan(batch.flux[0, 5]) and np.isnan(batch.flux[1, 7])
    assert batch.meta["n_nonfinite"] == 2
    star = batch.lightcurve(1)
    assert len(star) == 149 and star.meta["n_dropped_nonfinite"] == 1


def test_many_chunks_crlf_and_no_final_newline(tmp_path, rng, monkeypatch):
    monkeypatch.setattr(kaggle_csv, "CHUNK_BYTES", 4096)  # forces many slices and a grow
    flux = _flux(rng, 40, 300)
    labels = rng.integers(1, 3, 40)
    text = kaggle_text(flux, labels).replace("\n", "\r\n").rstrip("\r\n")
    path = tmp_path / "crlf.csv"
    path.write_bytes(text.encode())
    batch = read(path)
    np.testing.assert_array_equal(batch.flux, flux.astype(np.float32))
    np.testing.assert_array_equal(batch.labels, labels - 1)


def test_error_line_numbers_are_right_across_chunks(tmp_path, rng, monkeypatch):
    monkeypatch.setattr(kaggle_csv, "CHUNK_BYTES", 8192)
    flux = _flux(rng, 60, 200)
    lines = kaggle_text(flux, [1] * 60).splitlines()
    lines[47] = lines[47].replace(",", ",oops,", 1).rsplit(",", 1)[0]  # line 48, field 2
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"bad\.csv: line 48, column 2 \(FLUX\.1\): 'oops'"):
        read(path)


def test_blank_lines_are_ignored(tmp_path, rng):
    flux = _flux(rng, 3)
    text = kaggle_text(flux, [1, 2, 1]).replace("\n", "\n\n", 2)
    path = tmp_path / "blank.csv"
    path.write_text(text)
    batch = read(path)
    assert batch.flux.shape == (3, 150)
    np.testing.assert_array_equal(batch.labels, [0, 1, 0])


@pytest.mark.parametrize("grid", [False, True])
def test_round_trip_with_simulator_writer(tmp_path, rng, grid):
    from exohunt.io import write_kaggle_csv

    flux = rng.normal(0, 50, (12, 400))
    flux = (np.round(flux, 2) if grid else flux).astype(np.float32)  # Kaggle-like or not
    flux[3, 10:20] = np.nan
    labels = np.array([0] * 10 + [1, 1], dtype=np.int8)
    batch = exohunt.LightCurveBatch(flux, labels)
    path = write_kaggle_csv(tmp_path / "sim.csv", batch)
    back = read(path)
    np.testing.assert_array_equal(back.flux, flux)  # NaN == NaN for this assertion
    np.testing.assert_array_equal(back.labels, labels)
    assert back.meta["n_nonfinite"] == 10


# -- malformed files -----------------------------------------------------------------------
def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_header_without_label(tmp_path, rng):
    text = kaggle_text(_flux(rng, 2), [1, 2]).split("\n", 1)[1]
    header = ",".join(f"FLUX.{i + 1}" for i in range(150))
    path = _write(tmp_path, "nolabel.csv", header + "\n" + text)
    # FLUX-only headers are read unlabelled now; rows that still carry a LABEL cell are one
    # field too long, and the error says so
    with pytest.raises(InputError, match=r"nolabel\.csv: line 2 has 151 fields; expected 150"):
        read(path)


@pytest.mark.parametrize(("labels", "shown"), [([1, 3, 2], "3"), ([0, 2, 1], "2"),
                                               ([1, 0.5, 1], "0.5"), ([1, "", 2], "nan")])
def test_labels_outside_conventions(tmp_path, rng, labels, shown):
    path = _write(tmp_path, "labels.csv", kaggle_text(_flux(rng, 3), labels))
    with pytest.raises(InputError, match=rf"labels\.csv: line 3 \(star 1\): LABEL is {shown}"):
        read(path)


def test_ragged_row(tmp_path, rng):
    lines = kaggle_text(_flux(rng, 4), [1, 1, 1, 2]).splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0]
    path = _write(tmp_path, "ragged.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"ragged\.csv: line 4 has 150 fields; expected 151"):
        read(path)


def test_non_numeric_cell(tmp_path, rng):
    lines = kaggle_text(_flux(rng, 3), [1, 1, 2]).splitlines()
    cells = lines[2].split(",")
    cells[5] = "abc"
    lines[2] = ",".join(cells)
    path = _write(tmp_path, "words.csv", "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"words\.csv: line 3, column 6 \(FLUX\.5\): 'abc'"):
        read(path)


def test_all_nan_row(tmp_path, rng):
    flux = _flux(rng, 3)
    flux[2] = np.nan
    path = _write(tmp_path, "allnan.csv", kaggle_text(flux, [1, 1, 2]))
    with pytest.raises(InputError, match=r"allnan\.csv: line 4 \(star 2\): every flux value"):
        read(path)


def test_header_only_and_too_few_columns(tmp_path, rng):
    header_only = _write(tmp_path, "header.csv", "LABEL,FLUX.1,FLUX.2\n")
    with pytest.raises(InputError, match="no data rows"):
        read(header_only)
    short = _write(tmp_path, "short.csv", kaggle_text(_flux(rng, 2, 20), [1, 2]))
    with pytest.raises(InputError, match="only 20 cadences; expected at least 100"):
        read(short)
    assert read(short, min_cadences=10).flux.shape == (2, 20)


def test_unexpected_column_name(tmp_path, rng):
    text = kaggle_text(_flux(rng, 2), [1, 2]).replace("FLUX.7,", "KEPID,", 1)
    with pytest.raises(InputError, match=r"column 8: unexpected column name 'KEPID'"):
        read(_write(tmp_path, "extra.csv", text))
