"""FITS reader on synthetic files of every flux-column variant."""

from __future__ import annotations

import numpy as np
import pytest

import exohunt
from exohunt.errors import InputError
from exohunt.io import read
from exohunt.io.quality import KEPLER_BITMASKS, TESS_BITMASKS, resolve_bitmask
from io_samples import FITS_VARIANTS, column_level, write_fits


@pytest.mark.parametrize("variant", sorted(FITS_VARIANTS))
def test_every_flux_column_variant_reads_its_own_column(tmp_path, variant):
    path = write_fits(tmp_path / f"{variant}.fits", variant, n=300)
    lc = read(path)
    expected = FITS_VARIANTS[variant][4]
    assert isinstance(lc, exohunt.LightCurve)
    assert lc.meta["flux_column"] == expected
    assert np.median(lc.flux) == pytest.approx(column_level(expected), abs=1.0)
    assert lc.flux_err is not None and np.all(lc.flux_err == 1.0)
    assert len(lc) == 300 and lc.meta["n_dropped_quality"] == 0
    assert lc.meta["n_dropped_nonfinite"] == 0
    assert lc.meta["source"] == str(path) and lc.meta["format"] == "fits"
    for key in ("mission", "target_id", "cadence_days", "quality_bitmask"):
        assert key in lc.meta
    assert lc.meta["cadence_days"] == pytest.approx(2 / 1440)


def test_mission_and_target_from_headers(tmp_path):
    kepler = read(write_fits(tmp_path / "k.fits", "kepler"))
    k2 = read(write_fits(tmp_path / "k2.fits", "k2"))
    tess = read(write_fits(tmp_path / "t.fits", "tess-spoc"))
    eleanor = read(write_fits(tmp_path / "e.fits", "eleanor"))
    assert (kepler.meta["mission"], kepler.meta["target_id"]) == ("Kepler", "KIC 11442793")
    assert (k2.meta["mission"], k2.meta["campaign"]) == ("K2", 3)
    assert (tess.meta["mission"], tess.meta["target_id"], tess.meta["sector"]) == \
        ("TESS", "TIC 261136679", 1)
    assert eleanor.meta["target_id"] == "TIC 2"
    assert kepler.meta["time_offset"] == 2454833.0 and tess.meta["time_offset"] == 2457000.0


def test_time_is_kept_in_the_files_offset_days(tmp_path):
    lc = read(write_fits(tmp_path / "t.fits", "tess-spoc", t0=1325.5, n=200))
    assert lc.time[0] == pytest.approx(1325.5)
    assert lc.time_span == pytest.approx(199 * 2 / 1440)


def test_flux_column_override_and_case_insensitive(tmp_path):
    path = write_fits(tmp_path / "t.fits", "tess-spoc")
    lc = read(path, flux_column="sap_flux")
    assert lc.meta["flux_column"] == "SAP_FLUX"
    assert np.median(lc.flux) == pytest.approx(column_level("SAP_FLUX"), abs=1.0)
    assert lc.flux_err is None  # SAP_FLUX_ERR is not in this file


def test_missing_flux_column_lists_available_columns(tmp_path):
    path = write_fits(tmp_path / "t.fits", "qlp")
    with pytest.raises(InputError) as error:
        read(path, flux_column="PDCSAP_FLUX")
    message = str(error.value)
    assert "t.fits" in message and "PDCSAP_FLUX" in message
    assert "KSPSAP_FLUX" in message and "SAP_FLUX" in message and "TIME" in message


def test_quality_default_bitmasks_per_mission(tmp_path):
    quality = np.zeros(400, np.int32)
    quality[:10] = 1         # attitude tweak: default for both missions
    quality[10:20] = 128     # Kepler ApertureCosmic (not default) / TESS ManualExclude (default)
    quality[20:30] = 16384   # Kepler DetectorAnomaly (default) / TESS BadCalibration (default)
    quality[30:40] = 512     # unused by Kepler / TESS impulsive outlier (default)
    quality[40:50] = 64      # Kepler Argabrightening (not default) / TESS ApertureCosmic (not)
    kepler = read(write_fits(tmp_path / "k.fits", "kepler", n=400, quality=quality))
    tess = read(write_fits(tmp_path / "t.fits", "tess-spoc", n=400, quality=quality))
    assert kepler.meta["n_dropped_quality"] == 20 and len(kepler) == 380
    assert tess.meta["n_dropped_quality"] == 40 and len(tess) == 360
    assert kepler.meta["quality_bitmask"] == KEPLER_BITMASKS["default"] == 1130799
    assert tess.meta["quality_bitmask"] == TESS_BITMASKS["default"] == 17087


def test_quality_bitmask_options(tmp_path):
    quality = np.zeros(300, np.int32)
    quality[:50] = 128
    path = write_fits(tmp_path / "k.fits", "kepler", n=300, quality=quality)
    assert len(read(path)) == 300                          # cosmic ray: kept by default
    assert len(read(path, quality_bitmask="hard")) == 250  # dropped by "hard"
    assert len(read(path, quality_bitmask=128)) == 250
    assert len(read(path, quality_bitmask="none")) == 300
    assert len(read(path, quality_bitmask=None)) == 300
    with pytest.raises(InputError, match="quality_bitmask"):
        read(path, quality_bitmask="softest")


def test_bitmask_values_match_lightkurve():
    assert KEPLER_BITMASKS == {"none": 0, "default": 1130799, "hard": 1664431,
                               "hardest": 2096639}
    assert TESS_BITMASKS == {"none": 0, "default": 17087, "hard": 24319, "hardest": 65535}
    assert resolve_bitmask("default", "K2") == 1130799
    assert resolve_bitmask("default", "SomethingElse") == 0
    assert resolve_bitmask(7, "TESS") == 7


def test_nan_cadences_are_dropped_and_counted(tmp_path):
    lc = read(write_fits(tmp_path / "t.fits", "tess-spoc", n=300, nan_at=(3, 50, 299)))
    assert len(lc) == 297 and lc.meta["n_dropped_nonfinite"] == 3
    assert np.isfinite(lc.flux).all()


def test_all_nan_flux_is_an_error_with_a_hint(tmp_path):
    path = write_fits(tmp_path / "t.fits", "tess-spoc", n=200, nan_at=tuple(range(200)))
    with pytest.raises(InputError, match=r"every PDCSAP_FLUX value is NaN.*SAP_FLUX"):
        read(path)


def test_fewer_than_100_valid_cadences(tmp_path):
    path = write_fits(tmp_path / "short.fits", "tess-spoc", n=60)
    with pytest.raises(InputError, match=r"short\.fits: only 60 valid cadences.*at least 100"):
        read(path)
    assert len(read(path, min_cadences=50)) == 60


def test_no_known_flux_column(tmp_path):
    path = write_fits(tmp_path / "odd.fits", "lightkurve", n=200)
    from astropy.io import fits

    with fits.open(path) as hdus:
        hdus[1].columns.change_name("FLUX", "BRIGHTNESS")
        hdus.writeto(tmp_path / "renamed.fits")
    with pytest.raises(InputError, match=r"renamed\.fits: no known flux column.*BRIGHTNESS"):
        read(tmp_path / "renamed.fits")
    lc = read(tmp_path / "renamed.fits", flux_column="BRIGHTNESS")
    assert lc.meta["flux_column"] == "BRIGHTNESS"


def test_table_without_time_or_lightcurve_extension(tmp_path):
    from astropy.io import fits

    fits.HDUList([fits.PrimaryHDU(np.zeros((4, 4)))]).writeto(tmp_path / "image.fits")
    with pytest.raises(InputError, match="no light-curve table"):
        read(tmp_path / "image.fits")


def test_lightcurve_found_by_time_column_when_extname_differs(tmp_path):
    lc = read(write_fits(tmp_path / "x.fits", "lightkurve", extname="DATA"))
    assert lc.meta["flux_column"] == "FLUX"


@pytest.mark.parametrize("keep", [0.3, 0.97])
def test_truncated_fits(tmp_path, keep):
    path = write_fits(tmp_path / "t.fits", "tess-spoc", n=2000)
    data = path.read_bytes()
    (tmp_path / "cut.fits").write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(InputError, match=r"cut\.fits: .*(truncated|corrupt)"):
        read(tmp_path / "cut.fits")


def test_truncated_at_block_boundary(tmp_path):
    path = write_fits(tmp_path / "t.fits", "tess-spoc", n=2000)
    data = path.read_bytes()
    (tmp_path / "cut.fits").write_bytes(data[: 2880 * 3])
    with pytest.raises(InputError, match=r"cut\.fits"):
        read(tmp_path / "cut.fits")


def test_corrupt_header(tmp_path):
    (tmp_path / "bad.fits").write_bytes(b"SIMPLE  =                    T" + b"\x00" * 2850)
    with pytest.raises(InputError, match=r"bad\.fits: .*FITS"):
        read(tmp_path / "bad.fits")


def test_unsorted_time_is_sorted(tmp_path):
    from astropy.io import fits

    path = write_fits(tmp_path / "t.fits", "lightkurve", n=200)
    with fits.open(path) as hdus:
        hdus[1].data["TIME"][:] = hdus[1].data["TIME"][::-1]
        hdus.writeto(tmp_path / "reversed.fits")
    lc = read(tmp_path / "reversed.fits")
    assert np.all(np.diff(lc.time) > 0) and lc.meta["sorted_by_reader"]


def test_gzipped_fits(tmp_path):
    import gzip

    path = write_fits(tmp_path / "t.fits", "tess-spoc", n=200)
    (tmp_path / "t.fits.gz").write_bytes(gzip.compress(path.read_bytes()))
    assert len(read(tmp_path / "t.fits.gz")) == 200
