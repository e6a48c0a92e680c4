"""Plain time/flux tables: CSV/TXT/DAT/TSV/ECSV, header or not, comma or whitespace."""

from __future__ import annotations

import numpy as np
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io import detect_format, read


def _columns(n=200):
    time = 100.0 + np.arange(n) * 0.02
    flux = 1.0 + 0.001 * np.sin(np.arange(n))
    err = np.full(n, 0.0005)
    return time, flux, err


def _lines(delimiter, *columns):
    return [delimiter.join(repr(float(v)) for v in row) for row in zip(*columns)]


@pytest.mark.parametrize(("name", "header", "delimiter"), [
    ("a.csv", "time,flux,flux_err", ","),
    ("b.csv", None, ","),
    ("c.txt", "# time flux flux_err\nTIME FLUX FLUX_ERR", " "),
    ("d.txt", None, "   "),
    ("e.dat", "bjd\tflux\terr", "\t"),
    ("f.tsv", None, "\t"),
    ("g.csv", "t; rel_flux; sigma", "; "),
])
def test_layouts(tmp_path, name, header, delimiter):
    time, flux, err = _columns()
    text = "\n".join(([header] if header else []) + _lines(delimiter, time, flux, err)) + "\n"
    path = tmp_path / name
    path.write_text(text)
    assert detect_format(path) == "table"
    lc = read(path)
    assert isinstance(lc, exohunt.LightCurve)
    np.testing.assert_allclose(lc.time, time)
    np.testing.assert_allclose(lc.flux, flux)
    np.testing.assert_allclose(lc.flux_err, err)
    assert lc.meta["format"] == "table" and lc.meta["cadence_days"] == pytest.approx(0.02)


def test_two_columns_without_error(tmp_path):
    time, flux, _ = _columns()
    path = tmp_path / "two.txt"
    path.write_text("\n".join(_lines(" ", time, flux)))
    lc = read(path)
    assert lc.flux_err is None and len(lc) == 200


def test_ecsv_written_by_astropy(tmp_path):
    from astropy.table import Table

    time, flux, err = _columns()
    Table({"time": time, "flux": flux, "flux_err": err, "quality": np.zeros(200, int)}).write(
        tmp_path / "lc.ecsv")
    lc = read(tmp_path / "lc.ecsv")
    np.testing.assert_allclose(lc.flux, flux)
    np.testing.assert_allclose(lc.flux_err, err)


def test_flux_column_option_and_extra_columns(tmp_path):
    time, flux, err = _columns()
    lines = ["time,sap_flux,pdcsap_flux,pdcsap_flux_err"]
    lines += _lines(",", time, flux * 2, flux, err)
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines))
    assert np.median(read(path).flux) == pytest.approx(1.0, abs=0.01)  # pdcsap preferred
    sap = read(path, flux_column="SAP_FLUX")
    assert np.median(sap.flux) == pytest.approx(2.0, abs=0.01)
    with pytest.raises(InputError, match=r"many\.csv: no flux column 'KSPSAP'.*sap_flux"):
        read(path, flux_column="KSPSAP")


def test_nan_rows_dropped_and_counted(tmp_path):
    time, flux, _ = _columns()
    flux[[4, 9]] = np.nan
    lines = ["time,flux", *_lines(",", time, flux)]
    lines[20] = f"{float(time[19])!r},"  # empty cell = missing
    path = tmp_path / "nan.csv"
    path.write_text("\n".join(lines))
    lc = read(path)
    assert len(lc) == 197 and lc.meta["n_dropped_nonfinite"] == 3


def test_errors(tmp_path):
    time, flux, _ = _columns()
    ragged = ["time,flux", *_lines(",", time, flux)]
    ragged[7] += ",3"
    (tmp_path / "ragged.csv").write_text("\n".join(ragged))
    with pytest.raises(InputError, match=r"ragged\.csv: line 8 has 3 fields; expected 2"):
        read(tmp_path / "ragged.csv")

    words = ["time flux", *_lines(" ", time, flux)]
    words[11] = f"{time[10]} bright"
    (tmp_path / "words.txt").write_text("\n".join(words))
    with pytest.raises(InputError, match=r"words\.txt: line 12, column 2 \(flux\): 'bright'"):
        read(tmp_path / "words.txt")

    (tmp_path / "wide.csv").write_text("\n".join(_lines(",", time, flux, flux, flux)))
    with pytest.raises(InputError, match=r"wide\.csv: 4 columns and no header"):
        read(tmp_path / "wide.csv")

    (tmp_path / "short.csv").write_text("\n".join(["time,flux", *_lines(",", time, flux)[:50]]))
    with pytest.raises(InputError, match=r"short\.csv: only 50 valid cadences"):
        read(tmp_path / "short.csv")

    (tmp_path / "names.csv").write_text("\n".join(["time,value", *_lines(",", time, flux)]))
    with pytest.raises(InputError, match=r"names\.csv: no flux column"):
        read(tmp_path / "names.csv", format="table")
