"""Centroids, aperture flux and the star from time/flux tables and lightkurve objects."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from exohunt import LightCurve
from exohunt.cli import main
from exohunt.errors import DataQualityWarning
from exohunt.io import read
from exohunt.io.series import table_series_columns
from extras_samples import aperture_cards, write_flavour

N = 200


def _table(path, names, columns):
    lines = [",".join(names)]
    lines += [",".join("" if not np.isfinite(v) else repr(float(v)) for v in row)
              for row in np.column_stack(columns)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _quality_warnings(function, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = function(*args)
    return out, [w for w in caught if issubclass(w.category, DataQualityWarning)]


def test_a_table_with_centroids_aperture_flux_and_background(tmp_path):
    time = np.arange(N) * 0.02
    flux = 1 + np.random.default_rng(2).normal(0, 1e-4, N)
    flux[7] = np.nan                                  # dropped: its series go with it
    col, row = 300 + 0.001 * np.arange(N), 400 + 0.002 * np.arange(N)
    path = _table(tmp_path / "star.csv",
                  ["time", "flux", "MOM_CENTR1", "MOM_CENTR2", "sap_flux", "sap_bkg"],
                  [time, flux, col, row, 5000 + time, 20 + time])
    lc, caught = _quality_warnings(read, path)
    assert not caught and len(lc) == N - 1
    keep = np.arange(N) != 7
    np.testing.assert_allclose(lc.columns["centroid_col"], col[keep])
    np.testing.assert_allclose(lc.columns["centroid_row"], row[keep])
    np.testing.assert_allclose(lc.columns["background"], 20 + time[keep])
    assert lc.meta["column_sources"] == {"centroid_col": "MOM_CENTR1",
                                         "centroid_row": "MOM_CENTR2",
                                         "sap_flux": "sap_flux", "background": "sap_bkg"}


@pytest.mark.parametrize(("names", "expected"), [
    (["time", "flux", "x", "y"], ("x", "y")),
    (["time", "flux", "col", "row"], ("col", "row")),
    (["time", "flux", "x", "y", "col", "row"], None),           # which pair? ambiguous
    (["time", "flux", "x", "y", "centroid_col", "centroid_row"], ("centroid_col",
                                                                 "centroid_row")),
    (["x", "y"], None),                                          # x is the time here
    (["time", "flux", "x"], None)])
def test_which_table_columns_are_centroids(names, expected):
    used = [names.index(n) for n in ("time", "flux") if n in names] or [0, 1]
    found = table_series_columns(names, used)
    pair = (names[found["centroid_col"]], names[found["centroid_row"]]) \
        if "centroid_col" in found else None
    assert pair == expected


def test_a_table_whose_centroids_are_empty_warns_once(tmp_path):
    time = np.arange(N) * 0.02
    path = _table(tmp_path / "empty.csv", ["time", "flux", "centroid_col", "centroid_row"],
                  [time, np.ones(N) + 1e-4 * np.sin(time), np.full(N, np.nan),
                   300 + 0.01 * np.sin(time)])
    lc, caught = _quality_warnings(read, path)
    assert lc.columns == {} and len(caught) == 1
    assert "empty.csv" in str(caught[0].message)
    assert "centroid_col is NaN at every cadence" in str(caught[0].message)


class _FakeLightkurve:
    """Duck-typed lightkurve light curve: columns as attributes, FITS headers in meta."""

    def __init__(self, meta, n=N, **columns):
        self.time = np.arange(n) * 0.02
        self.flux = 1 + 1e-4 * np.sin(self.time)
        self.flux_err = np.full(n, 1e-4)
        self.meta = meta
        self.colnames = ["time", "flux", "flux_err", *columns]
        for name, values in columns.items():
            setattr(self, name, values)


def test_from_lightkurve_keeps_series_star_and_crowding():
    meta = {"TELESCOP": "TESS", "OBJECT": "TIC 9", "TEFF": 5000.0, "LOGG": 4.5,
            "RADIUS": 0.8, "TESSMAG": 9.0, "TICVER": "8.2", "CROWDSAP": 0.9,
            "FLFRCSAP": 0.8, "SECTOR": 14}
    col = 100 + 0.001 * np.arange(N)
    lk = _FakeLightkurve(meta, centroid_col=col, centroid_row=col + 5,
                         sap_flux=np.full(N, 3000.0) + np.arange(N), sap_bkg=np.arange(N) * 1.0)
    lc, caught = _quality_warnings(LightCurve.from_lightkurve, lk)
    assert not caught
    assert sorted(lc.columns) == ["background", "centroid_col", "centroid_row", "sap_flux"]
    np.testing.assert_allclose(lc.columns["centroid_row"], col + 5)
    assert lc.meta["star"]["teff"] == 5000.0 and lc.meta["star"]["catalog"] == "TIC"
    assert (lc.meta["crowdsap"], lc.meta["flfrcsap"], lc.meta["sector"]) == (0.9, 0.8, 14)
    assert all(math.isnan(v) for v in lc.meta["target_pixel"])   # no aperture WCS here


def test_from_lightkurve_with_bad_values_warns_once_and_never_crashes():
    meta = {"TELESCOP": "Kepler", "OBJECT": "KIC 1", "TEFF": "hot", "RADIUS": -2.0,
            "LOGG": 12.0}
    lk = _FakeLightkurve(meta, centroid_col=np.full(N, 7.0), centroid_row=np.arange(N) * 1.0,
                         sap_flux=np.arange(N - 1) * 1.0)
    lc, caught = _quality_warnings(LightCurve.from_lightkurve, lk)
    assert lc.columns == {} and len(caught) == 1
    message = str(caught[0].message)
    for text in ("KIC 1", "TEFF='hot'", "RADIUS=-2", "LOGG=12", "centroid_col is constant",
                 "sap_flux has shape (199,)"):
        assert text in message
    assert all(math.isnan(lc.meta["star"][k]) for k in ("teff", "logg", "radius"))


def test_info_shows_unit_star_crowding_centroids_and_target(tmp_path, capsys):
    path = write_flavour(tmp_path / "tasoc.fits", "tasoc", aperture=aperture_cards(290.0, 45.0),
                         primary={"RA_OBJ": 290.0, "DEC_OBJ": 45.0, "TEFF": 5000.0,
                                  "LOGG": 4.5, "RADIUS": 0.8, "TESSMAG": 9.5, "TICVER": "8.2"},
                         header={"CROWDSAP": 0.93, "FLFRCSAP": 0.81})
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("tasoc.fits: light curve [fits]")
    details = [line.strip() for line in out[1:]]
    assert details[0] == "flux unit: ppm (ppm → relative flux: 1 + x·1e-06)"
    assert details[1].startswith("star (TIC v8.2): Teff 5000 K, logg 4.50, R 0.8 R_sun")
    assert details[2] == "crowding: CROWDSAP 0.9300, FLFRCSAP 0.8100"
    assert details[3].startswith("centroids: MOM_CENTR1/MOM_CENTR2, point-to-point scatter")
    assert "target pixel (603.20, 202.70)" in details[3] and "3.98″/px" in details[3]
    assert details[4] == "also: FLUX_RAW (aperture flux), FLUX_BKG (background)"
    assert details[5] == "sector 2"


def test_an_ecsv_table_in_ppm_is_read_as_relative_flux(tmp_path):
    from astropy.table import Table

    time = np.arange(N) * 0.02
    flux = 1 + np.random.default_rng(4).normal(0, 1e-4, N)
    table = Table({"time": time, "flux": (flux - 1) * 1e6, "flux_err": np.full(N, 100.0)})
    table["flux"].unit = table["flux_err"].unit = "ppm"
    table.write(tmp_path / "star.ecsv", format="ascii.ecsv")
    lc = read(tmp_path / "star.ecsv")
    np.testing.assert_allclose(lc.flux, flux, atol=1e-9)
    np.testing.assert_allclose(lc.flux_err, 1e-4)
    assert lc.meta["flux_unit"] == "ppm" and "1 + x" in lc.meta["flux_conversion"]


def test_info_words_a_data_quality_warning_as_one_line(tmp_path, capsys):
    path = write_flavour(tmp_path / "odd.fits", "kepler", primary={"TEFF": 100, "LOGG": 12.0})
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("exohunt info: warning: ")
    assert "odd.fits" in err[0] and "TEFF=100" in err[0] and "LOGG=12" in err[0]
    assert "Traceback" not in captured.err and "DataQualityWarning" not in captured.err
    assert any(line.startswith("  set aside: TEFF=100") for line in captured.out.splitlines())
