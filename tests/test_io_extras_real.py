"""What the real Kepler/K2/TESS files in ../shared/data carry beyond flux, as read."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from exohunt import LightCurve
from exohunt.commands.info_extras import robust_scatter
from exohunt.errors import DataQualityWarning
from exohunt.io import read
from exohunt.io.stellar import catalogue_uncertainty

pytestmark = pytest.mark.shared

PIXEL_SCALE = {"Kepler": (3.9, 4.05), "K2": (3.9, 4.05), "TESS": (18.0, 22.0)}  # arcsec/px
KEPLER90 = "kplr011442793-2009350155506_llc.fits"
PI_MEN = "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits"


@pytest.fixture(scope="module")
def light_curves(lightcurve_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)   # real files: nothing absurd
        return {p.name: read(p) for p in sorted(lightcurve_dir.glob("*.fits"))}


def test_every_file_has_finite_centroids_with_plausible_scatter(light_curves):
    assert len(light_curves) == 10
    for name, lc in light_curves.items():
        col, row = lc.columns["centroid_col"], lc.columns["centroid_row"]
        assert lc.meta["column_sources"]["centroid_col"] == "MOM_CENTR1", name
        assert np.mean(np.isfinite(col) & np.isfinite(row)) > 0.99, name
        for series in (col, row):
            # white-noise level: 1e-4 px (bright Kepler) to ~0.1 px (K2 roll), and the
            # star stays within a pixel or two of where it started
            assert 1e-5 < robust_scatter(series) < 0.1, (name, robust_scatter(series))
            assert np.nanpercentile(series, 99) - np.nanpercentile(series, 1) < 3, name
        assert {"sap_flux", "sap_flux_err", "background"} <= set(lc.columns), name
        assert np.nanmedian(lc.columns["sap_flux"]) > 0, name


def test_star_parameters_for_kepler_and_tess_and_none_in_k2(light_curves):
    for name, lc in light_curves.items():
        star, mission = lc.meta["star"], lc.meta["mission"]
        assert star["catalog"] == {"Kepler": "KIC", "K2": "EPIC", "TESS": "TIC"}[mission]
        assert math.isfinite(star["mag"]), name        # KEPMAG is in K2 headers too
        fields = [star[k] for k in ("teff", "logg", "radius")]
        if mission == "K2":
            assert all(math.isnan(v) for v in fields), name
            assert all(math.isnan(v) for v in catalogue_uncertainty(star).values()
                       if isinstance(v, float))
        else:
            assert 2500 < star["teff"] < 7000 and 3.5 < star["logg"] < 5.5, name
            assert 0.1 < star["radius"] < 2.5, name
            sigma = catalogue_uncertainty(star)
            assert sigma["teff"] > 0 and sigma["radius"] > 0, name
    assert light_curves[PI_MEN].meta["star"]["catalog_version"] == "8.1"


def test_crowding_segment_and_pixel_scale(light_curves):
    for name, lc in light_curves.items():
        meta = lc.meta
        assert 0.7 < meta["crowdsap"] <= 1 and 0.7 < meta["flfrcsap"] <= 1, name
        assert any(k in meta for k in ("quarter", "campaign", "sector")), name
        assert ("module" in meta) == (meta["mission"] != "TESS"), name
        jacobian = np.asarray(meta["pixel_to_sky"])
        low, high = PIXEL_SCALE[meta["mission"]]
        scale = math.sqrt(abs(np.linalg.det(jacobian)))
        assert low < scale < high, name
        # nearly square pixels: a rotation (and a reflection) times the scale; the TESS
        # WCS near a camera's edge carries a few degrees of skew from the optics' distortion
        np.testing.assert_allclose(jacobian.T @ jacobian / scale**2, np.eye(2),
                                   atol=0.02 if meta["mission"] != "TESS" else 0.1,
                                   err_msg=name)


def test_target_pixel_sits_on_the_centroid_of_isolated_stars(light_curves):
    isolated = 0
    for name, lc in light_curves.items():
        target = np.asarray(lc.meta["target_pixel"])
        assert np.isfinite(target).all(), name
        median = np.array([np.nanmedian(lc.columns["centroid_col"]),
                           np.nanmedian(lc.columns["centroid_row"])])
        offset = float(np.hypot(*(median - target)))
        if lc.meta["crowdsap"] >= 0.99:        # nothing else in the aperture to pull it
            isolated += 1
            assert offset < 0.5, (name, offset)
        else:
            assert offset < 2.0, (name, offset)
    assert isolated >= 6


def test_series_are_the_files_own_cadences(light_curves, lightcurve_dir):
    from astropy.io import fits

    lc = light_curves[KEPLER90]
    with fits.open(lightcurve_dir / KEPLER90) as hdus:
        data = hdus["LIGHTCURVE"].data
        time, mom1, bkg = (np.asarray(data[c], float) for c in ("TIME", "MOM_CENTR1",
                                                                 "SAP_BKG"))
    finite = np.isfinite(time)
    time, mom1, bkg = time[finite], mom1[finite], bkg[finite]
    index = np.searchsorted(time, lc.time)
    np.testing.assert_array_equal(time[index], lc.time)
    np.testing.assert_array_equal(lc.columns["centroid_col"], mom1[index])
    np.testing.assert_array_equal(lc.columns["background"], bkg[index])


def test_a_ppm_rewrite_of_pi_men_gives_the_same_relative_flux(light_curves, tmp_path):
    from astropy.io import fits

    original = light_curves[PI_MEN]
    median = np.median(original.flux)
    ppm = (original.flux / median - 1) * 1e6
    table = fits.BinTableHDU.from_columns([
        fits.Column("TIME", "D", array=original.time),
        fits.Column("FLUX_CORR", "D", unit="ppm", array=ppm),
        fits.Column("FLUX_CORR_ERR", "D", unit="ppm", array=original.flux_err / median * 1e6),
        fits.Column("MOM_CENTR1", "D", unit="pixel", array=original.columns["centroid_col"]),
        fits.Column("MOM_CENTR2", "D", unit="pixel", array=original.columns["centroid_row"])],
        name="LIGHTCURVE")
    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = "TESS"
    fits.HDUList([primary, table]).writeto(tmp_path / "tasoc.fits")
    rewritten = read(tmp_path / "tasoc.fits")
    np.testing.assert_allclose(rewritten.flux, original.normalize().flux, rtol=0, atol=1e-9)
    np.testing.assert_allclose(rewritten.flux_err, original.normalize().flux_err, rtol=1e-9)
    np.testing.assert_array_equal(rewritten.columns["centroid_col"],
                                  original.columns["centroid_col"])


@pytest.mark.parametrize("name", [KEPLER90, "ktwo206103150-c03_llc.fits", PI_MEN])
def test_lightkurve_gives_the_same_columns_and_star(light_curves, lightcurve_dir, name):
    lk = pytest.importorskip("lightkurve")
    ours = light_curves[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)   # lightkurve's own chatter
        theirs = LightCurve.from_lightkurve(
            lk.read(lightcurve_dir / name, quality_bitmask=ours.meta["quality_bitmask"]))
    np.testing.assert_array_equal(theirs.time, ours.time)
    assert sorted(theirs.columns) == sorted(ours.columns)
    for column, values in ours.columns.items():
        np.testing.assert_allclose(theirs.columns[column], values, rtol=1e-6,
                                   equal_nan=True, err_msg=column)
    for key in ("teff", "logg", "radius", "feh", "mag"):
        assert theirs.meta["star"][key] == pytest.approx(ours.meta["star"][key],
                                                         nan_ok=True), key
    assert theirs.meta["star"]["catalog"] == ours.meta["star"]["catalog"]
    for key in ("crowdsap", "flfrcsap", "target_pixel", "pixel_to_sky"):
        np.testing.assert_allclose(theirs.meta[key], ours.meta[key], err_msg=key)


def test_lightkurve_to_fits_is_read_with_its_centroids(lightcurve_dir, tmp_path):
    lk = pytest.importorskip("lightkurve")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        lk_lc = lk.read(lightcurve_dir / KEPLER90)
        lk_lc.to_fits(tmp_path / "lk.fits")
    lc = read(tmp_path / "lk.fits")
    assert lc.meta["flux_column"] == "FLUX"
    keep = np.isin(np.asarray(lk_lc.time.value), lc.time)
    np.testing.assert_allclose(lc.columns["centroid_col"],
                               np.asarray(lk_lc.centroid_col.value)[keep])


def test_a_stitched_lightkurve_curve_leaves_out_what_differs_by_quarter(lightcurve_dir):
    lk = pytest.importorskip("lightkurve")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        stitched = lk.LightCurveCollection(
            [lk.read(lightcurve_dir / KEPLER90),
             lk.read(lightcurve_dir / "kplr011442793-2010009091648_llc.fits")]).stitch()
    with pytest.warns(DataQualityWarning, match="spans several files"):
        lc = LightCurve.from_lightkurve(stitched)
    assert "centroid_col" not in lc.columns and "sap_flux" in lc.columns
    assert lc.meta["stitched"] and math.isnan(lc.meta["crowdsap"])
    assert all(math.isnan(v) for v in lc.meta["target_pixel"])
    assert lc.meta["star"]["teff"] == 5970.0                      # the same star throughout
