"""Reading what files carry beyond flux: centroids, SAP flux, background (quality-masked
like the flux), the host star, crowding, the target's pixel and the flux unit."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import exohunt
from exohunt.errors import DataQualityWarning
from exohunt.io import read
from exohunt.io.flux_units import classify_unit, to_relative_flux
from exohunt.io.series import checked_columns
from exohunt.io.stellar import CATALOGUE_UNCERTAINTIES, catalogue_uncertainty
from extras_samples import (
    CADENCE,
    FLAVOURS,
    T0,
    N,
    aperture_cards,
    encode_cadence,
    relative_flux,
    write_flavour,
    write_table_fits,
)


def _read_quietly(path, **options):
    """Read, returning the light curve and the DataQualityWarnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lc = read(path, **options)
    return lc, [w for w in caught if issubclass(w.category, DataQualityWarning)]


# -- per-cadence series in every flavour ----------------------------------------------------
@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
def test_each_flavour_gives_its_series_masked_like_the_flux(tmp_path, flavour):
    quality = np.zeros(N, np.int32)
    quality[10:20] = 1                      # attitude tweak: in every default bitmask
    _, flux_name, _, quality_name, pair, sap, background, _ = FLAVOURS[flavour]
    path = write_flavour(tmp_path / f"{flavour}.fits", flavour, quality=quality)
    lc, caught = _read_quietly(path)
    assert not caught
    assert lc.meta["flux_column"] == flux_name
    kept = np.round((lc.time - T0) / CADENCE).astype(int)   # which cadences survived
    if quality_name:
        assert len(lc) == N - 10 and not np.isin(np.arange(10, 20), kept).any()
    expected = {"sap_flux": sap, "background": background}
    if pair:
        expected.update(centroid_col=pair[0], centroid_row=pair[1])
        np.testing.assert_allclose(lc.columns["centroid_col"], encode_cadence(500.0)[kept])
        np.testing.assert_allclose(lc.columns["centroid_row"], encode_cadence(200.0)[kept])
    for name, column in expected.items():
        assert lc.meta["column_sources"][name] == column
    np.testing.assert_allclose(lc.columns["background"], 30.0 + kept)
    if lc.meta["flux_conversion"] is None:
        np.testing.assert_allclose(lc.columns["sap_flux"], 4000.0 + kept)
    # slicing and NaN removal keep every series aligned with time
    part = lc.between(T0 + 1.0, T0 + 2.0)
    assert all(len(v) == len(part) for v in part.columns.values())


def test_eleanor_pointing_model_positions_are_not_the_centroid(tmp_path):
    lc, _ = _read_quietly(write_flavour(tmp_path / "e.fits", "eleanor"))
    assert lc.meta["column_sources"]["centroid_col"] == "X_COM"
    assert np.all(lc.columns["centroid_col"] > 499)          # not X_CENTROID (~6.5)


def test_psf_centroids_when_the_flux_weighted_ones_are_nan(tmp_path):
    extra = {"MOM_CENTR1": (np.full(N, np.nan), "pixel"), "MOM_CENTR2": (np.full(N, np.nan),
                                                                         "pixel"),
             "PSF_CENTR1": (encode_cadence(700.0), "pixel"),
             "PSF_CENTR2": (encode_cadence(100.0), "pixel")}
    lc, caught = _read_quietly(write_flavour(tmp_path / "k.fits", "kepler", extra=extra))
    assert not caught and lc.meta["column_sources"]["centroid_col"] == "PSF_CENTR1"
    np.testing.assert_allclose(lc.columns["centroid_row"], encode_cadence(100.0))


def test_nan_flux_cadences_drop_the_series_too(tmp_path):
    flux = relative_flux()
    flux[[5, 6, 7]] = np.nan
    lc, _ = _read_quietly(write_flavour(tmp_path / "t.fits", "tess", flux=flux))
    kept = np.round((lc.time - T0) / CADENCE).astype(int)
    assert len(lc) == N - 3 and lc.meta["n_dropped_nonfinite"] == 3
    np.testing.assert_allclose(lc.columns["centroid_col"], encode_cadence(500.0)[kept])


# -- flux units --------------------------------------------------------------------------
@pytest.mark.parametrize(("unit", "kind"), [
    ("e-/s", "counts"), ("electron / s", "counts"), ("ADU", "counts"), ("ppm", "ppm"),
    ("PPT", "ppt"), ("%", "percent"), ("mag", "mag"), ("mmag", "mmag"),
    ("relative flux", "relative"), ("normalized", "relative"), ("", None), (None, None),
    ("furlongs", None)])
def test_units_are_classified(unit, kind):
    assert classify_unit(unit) == kind


def test_a_ppm_file_and_a_relative_file_of_the_same_star_agree(tmp_path):
    flux = relative_flux()
    relative = write_table_fits(tmp_path / "rel.fits", {
        "TIME": T0 + CADENCE * np.arange(N), "FLUX_CORR": (flux, "relative flux"),
        "FLUX_CORR_ERR": (np.full(N, 1e-4), "relative flux")}, {"TELESCOP": "TESS"})
    ppm = write_table_fits(tmp_path / "ppm.fits", {
        "TIME": T0 + CADENCE * np.arange(N), "FLUX_CORR": ((flux - 1) * 1e6, "ppm"),
        "FLUX_CORR_ERR": (np.full(N, 100.0), "ppm")}, {"TELESCOP": "TESS"})
    a, b = read(relative), read(ppm)
    np.testing.assert_allclose(b.flux, a.flux, rtol=0, atol=1e-9)
    np.testing.assert_allclose(b.flux_err, a.flux_err, rtol=0, atol=1e-12)
    assert b.meta["flux_unit"] == "ppm" and "1 + x·1e-06" in b.meta["flux_conversion"]
    assert a.meta["flux_unit"] == "relative flux" and a.meta["flux_conversion"] is None


@pytest.mark.parametrize(("values", "unit", "scale"), [
    (lambda f: (f - 1) * 1e3, "ppt", 1e-3), (lambda f: (f - 1) * 100, "%", 1e-2),
    (lambda f: f * 1e6, "ppm", 1e-6)])      # ppm with the 1e6 offset already added
def test_ppt_percent_and_offset_ppm(values, unit, scale):
    flux = relative_flux()
    converted, err, words = to_relative_flux(values(flux), np.full(N, 5.0), unit)
    np.testing.assert_allclose(converted, flux, atol=1e-9)
    np.testing.assert_allclose(err, 5.0 * scale) and words


def test_magnitudes_become_relative_flux_with_propagated_errors():
    flux = relative_flux()
    magnitudes = 12.0 - 2.5 * np.log10(flux)
    converted, err, words = to_relative_flux(magnitudes, np.full(N, 0.001), "mag")
    np.testing.assert_allclose(converted / np.median(converted), flux / np.median(flux),
                               atol=1e-12)
    np.testing.assert_allclose(err, 0.4 * math.log(10) * converted * 0.001)
    assert abs(np.median(converted) - 1) < 1e-12 and "mag" in words
    millimag, _, _ = to_relative_flux(magnitudes * 1000, None, "mmag")
    np.testing.assert_allclose(millimag, converted, atol=1e-12)


def test_counts_and_missing_units_are_left_alone(tmp_path):
    flux = relative_flux() * 5000
    for unit in ("e-/s", None, "furlongs"):
        converted, _, words = to_relative_flux(flux, None, unit)
        assert words is None and np.array_equal(converted, flux)
    path = write_table_fits(tmp_path / "nounit.fits", {"TIME": T0 + CADENCE * np.arange(N),
                                                       "FLUX": flux})
    lc = read(path)
    assert lc.meta["flux_unit"] is None and lc.meta["flux_conversion"] is None
    np.testing.assert_array_equal(lc.flux, flux)


def test_tasoc_aperture_flux_follows_the_flux_into_relative_units(tmp_path):
    lc, _ = _read_quietly(write_flavour(tmp_path / "tasoc.fits", "tasoc"))
    np.testing.assert_allclose(lc.flux, relative_flux(), atol=1e-9)
    assert lc.meta["column_units"]["sap_flux"] == "relative"
    assert abs(np.median(lc.columns["sap_flux"]) - 1) < 1e-9
    assert lc.meta["column_units"]["background"] == "e-/s"


def test_search_gives_depths_in_ppm_on_a_ppm_file(tmp_path):
    rng = np.random.default_rng(7)
    time = np.arange(0, 27, 30 / 1440)
    ppm = rng.normal(0, 300, time.size)
    phase = (time - 1.3) % 3.1
    ppm[(phase < 0.06) | (phase > 3.1 - 0.06)] -= 2000.0
    path = write_table_fits(tmp_path / "ffi.fits", {"TIME": time, "FLUX_CORR": (ppm, "ppm"),
                                                    "FLUX_CORR_ERR": (np.full_like(ppm, 300),
                                                                      "ppm")},
                            {"TELESCOP": "TESS"}, header={"TIMEDEL": 30 / 1440})
    best = exohunt.search(read(path), max_signals=1).signals[0]
    assert best.period == pytest.approx(3.1, rel=0.005)
    assert best.depth_ppm == pytest.approx(2000, rel=0.2)


# -- the star, crowding and where the target is ------------------------------------------
def test_star_and_crowding_from_the_headers(tmp_path):
    primary = {"TEFF": 5970, "LOGG": 4.317, "RADIUS": 1.2, "FEH": 0.1, "KEPMAG": 13.8}
    lc, caught = _read_quietly(write_flavour(tmp_path / "k.fits", "kepler", primary=primary,
                                             header={"CROWDSAP": 0.95, "FLFRCSAP": 0.86}))
    assert not caught
    assert lc.meta["star"] == {"teff": 5970.0, "logg": 4.317, "radius": 1.2, "feh": 0.1,
                               "mag": 13.8, "mag_band": "Kepler", "catalog": "KIC",
                               "catalog_version": None}
    assert (lc.meta["crowdsap"], lc.meta["flfrcsap"]) == (0.95, 0.86)
    assert (lc.meta["quarter"], lc.meta["module"], lc.meta["channel"]) == (3, 15, 51)
    tess, _ = _read_quietly(write_flavour(tmp_path / "t.fits", "tess", primary={
        "TEFF": 5992.1, "LOGG": 4.36, "RADIUS": 1.15, "MH": 0.09, "TESSMAG": 5.1,
        "TICVER": "8.1"}))
    assert tess.meta["star"]["feh"] == 0.09 and tess.meta["star"]["catalog"] == "TIC"
    assert (tess.meta["sector"], tess.meta["camera"], tess.meta["ccd"]) == (1, 4, 2)


def test_absent_header_values_are_nan_without_a_warning(tmp_path):
    lc, caught = _read_quietly(write_flavour(tmp_path / "k2.fits", "kepler",
                                             primary={"MISSION": "K2", "CAMPAIGN": 3}))
    assert not caught and lc.meta["star"]["catalog"] == "EPIC"
    assert all(math.isnan(lc.meta["star"][k]) for k in ("teff", "logg", "radius", "feh"))
    assert math.isnan(lc.meta["crowdsap"]) and math.isnan(lc.meta["flfrcsap"])


def test_absurd_header_values_are_nan_with_one_warning_naming_each(tmp_path):
    path = write_flavour(tmp_path / "bad.fits", "kepler", primary={
        "TEFF": 100, "LOGG": 12.0, "RADIUS": -1.0, "FEH": "metal-rich", "KEPMAG": 12.0},
        header={"CROWDSAP": 3.0, "FLFRCSAP": 0.9})
    lc, caught = _read_quietly(path)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "bad.fits" in message
    for field in ("TEFF=100", "LOGG=12", "RADIUS=-1", "FEH='metal-rich'", "CROWDSAP=3"):
        assert field in message
    star = lc.meta["star"]
    assert all(math.isnan(star[k]) for k in ("teff", "logg", "radius", "feh"))
    assert star["mag"] == 12.0 and lc.meta["flfrcsap"] == 0.9
    assert math.isnan(lc.meta["crowdsap"])


def test_target_pixel_and_pixel_to_sky_from_the_aperture_wcs(tmp_path):
    cards = aperture_cards(290.0, 45.0)
    lc, caught = _read_quietly(write_flavour(tmp_path / "k.fits", "kepler", aperture=cards,
                                             primary={"RA_OBJ": 290.0, "DEC_OBJ": 45.0}))
    assert not caught
    np.testing.assert_allclose(lc.meta["target_pixel"], (600 + 3.2, 200 + 2.7), atol=1e-6)
    expected = 3600 * np.diag([cards["CDELT1"], cards["CDELT2"]]) @ np.array(
        [[cards["PC1_1"], cards["PC1_2"]], [cards["PC2_1"], cards["PC2_2"]]])
    np.testing.assert_allclose(lc.meta["pixel_to_sky"], expected, atol=2e-4)
    assert abs(np.linalg.det(lc.meta["pixel_to_sky"])) == pytest.approx(3.98**2, rel=1e-4)


def test_proper_motion_moves_the_target_to_the_epoch_of_observation(tmp_path):
    # pi Men-like: 1.05"/yr; the SPOC WCS is centred on the star's position at the epoch
    ra0, dec0, pm_ra, pm_dec = 84.2912, -80.4691, 311.2, 1048.8        # deg, mas/yr
    tstart, tstop = 1325.3, 1353.2                                      # BTJD
    years = (2457000 + 0.5 * (tstart + tstop) - 2451545) / 365.25
    ra = ra0 + pm_ra * 1e-3 * years / 3600 / math.cos(math.radians(dec0))
    dec = dec0 + pm_dec * 1e-3 * years / 3600
    cards = aperture_cards(ra, dec, scale_arcsec=21.0, crpix=(5.5, 4.0))
    path = write_flavour(tmp_path / "pimen.fits", "tess", aperture=cards,
                         primary={"RA_OBJ": ra0, "DEC_OBJ": dec0,
                                  "PMRA": (pm_ra, "[mas/yr] RA proper motion"),
                                  "PMDEC": (pm_dec, "[mas/yr] Dec proper motion")},
                         header={"TSTART": tstart, "TSTOP": tstop})
    lc, _ = _read_quietly(path)
    np.testing.assert_allclose(lc.meta["target_pixel"], (600 + 4.5, 200 + 3.0), atol=0.01)
    still = write_flavour(tmp_path / "nopm.fits", "tess", aperture=cards,
                          primary={"RA_OBJ": ra0, "DEC_OBJ": dec0},
                          header={"TSTART": tstart, "TSTOP": tstop})
    moved = np.subtract(read(still).meta["target_pixel"], lc.meta["target_pixel"])
    assert np.hypot(*moved) > 0.8            # the test would notice a missing correction


def test_no_aperture_or_a_target_outside_it(tmp_path):
    lc, caught = _read_quietly(write_flavour(tmp_path / "plain.fits", "tess"))
    assert not caught and all(math.isnan(v) for v in lc.meta["target_pixel"])
    assert np.isnan(lc.meta["pixel_to_sky"]).all()
    far = write_flavour(tmp_path / "far.fits", "kepler", aperture=aperture_cards(290.0, 45.0),
                        primary={"RA_OBJ": 290.1, "DEC_OBJ": 45.0})
    lc, caught = _read_quietly(far)
    assert len(caught) == 1 and "far.fits" in str(caught[0].message)
    assert "outside" in str(caught[0].message)
    assert all(math.isnan(v) for v in lc.meta["target_pixel"])
    assert np.isfinite(lc.meta["pixel_to_sky"]).all()     # the scale is still known


def test_catalogue_uncertainties():
    kic = catalogue_uncertainty({"teff": 5800.0, "logg": 4.4, "radius": 2.0, "feh": 0.0,
                                 "catalog": "KIC"})
    assert (kic["teff"], kic["logg"], kic["feh"]) == (200.0, 0.4, 0.5)
    assert kic["radius"] == pytest.approx(0.8) and kic["radius_fraction"] == 0.4
    tic7 = catalogue_uncertainty({"radius": 1.0, "catalog": "TIC", "catalog_version": 7})
    tic8 = catalogue_uncertainty({"radius": 1.0, "catalog": "TIC", "catalog_version": "8.1"})
    assert tic7["catalog_key"] == "TIC-7" and tic8["catalog_key"] == "TIC-8"
    assert tic8["radius"] < tic7["radius"] and math.isnan(tic8["teff"])
    unknown = catalogue_uncertainty({"teff": 5000.0})
    assert unknown["teff"] == CATALOGUE_UNCERTAINTIES["default"]["teff"]


# -- unusable series: NaN, constant, wrong shape, wrong unit --------------------------------
@pytest.mark.parametrize(("values", "reason"), [
    (np.full(N, np.nan), "NaN at every cadence"), (np.full(N, 512.0), "constant")])
def test_unusable_centroids_are_dropped_with_one_warning(tmp_path, values, reason):
    extra = {"MOM_CENTR1": (values, "pixel")}
    lc, caught = _read_quietly(write_flavour(tmp_path / "bad.fits", "kepler", extra=extra))
    assert "centroid_col" not in lc.columns and "centroid_row" not in lc.columns
    assert len(caught) == 1 and "bad.fits" in str(caught[0].message)
    assert "MOM_CENTR1" in str(caught[0].message) and reason in str(caught[0].message)
    assert "sap_flux" in lc.columns                       # the rest is still there


def test_vector_and_non_pixel_centroid_columns(tmp_path):
    vector = {"MOM_CENTR1": (np.ones((N, 2)), "pixel")}
    lc, caught = _read_quietly(write_flavour(tmp_path / "vec.fits", "kepler", extra=vector))
    assert "centroid_col" not in lc.columns and len(caught) == 1
    assert "shape" in str(caught[0].message)
    degrees = {"MOM_CENTR1": (encode_cadence(1.0), "deg"), "MOM_CENTR2": (encode_cadence(2.0),
                                                                          "deg")}
    lc, caught = _read_quietly(write_flavour(tmp_path / "deg.fits", "kepler", extra=degrees))
    assert "centroid_col" not in lc.columns and "not pixels" in str(caught[0].message)


def test_checked_columns_refuses_a_wrong_length():
    with pytest.warns(DataQualityWarning, match=r"star\.csv: centroid_row has shape \(9,\)"):
        kept = checked_columns("star.csv", {"centroid_col": np.arange(10.0),
                                            "centroid_row": np.arange(9.0)}, 10)
    assert kept == {}
