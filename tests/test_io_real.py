"""Every real file in ../shared/data, checked against what its manifest and README imply."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

import exohunt
from exohunt.io import iter_inputs, read

pytestmark = pytest.mark.shared

MINUTE = 1 / 1440
CADENCES = {"long (29.4 min)": 29.4244 * MINUTE, "short (58.8 s)": 58.85 / 86400,
            "2 min": 2 * MINUTE}
# mission -> (time range in the file's BJD offset, plausible span in days, default bitmask)
MISSIONS = {"Kepler": ((100, 1600), (5, 100), 1130799), "K2": ((1900, 3300), (60, 85), 1130799),
            "TESS": ((1300, 3500), (25, 29), 17087)}
SPLITS = {"train-*": (13201, {"PC": 393, "EB": 1749, "J": 11056, "O": 3}),
          "val-*": (1657, {"PC": 51, "EB": 176, "J": 1430})}


def _manifest(lightcurve_dir):
    with open(lightcurve_dir / "manifest.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _header_facts(path):
    from astropy.io import fits

    with fits.open(path) as hdus:
        header = hdus["LIGHTCURVE"].header
        return int(header["NAXIS2"]), float(header["TELAPSE"]), float(header["TIMEDEL"])


def test_manifest_lists_every_fits_file(lightcurve_dir):
    listed = {row["file"] for row in _manifest(lightcurve_dir)}
    assert listed == {p.name for p in lightcurve_dir.glob("*.fits")}


def test_every_light_curve_matches_its_manifest_row(lightcurve_dir):
    for row in _manifest(lightcurve_dir):
        path = lightcurve_dir / row["file"]
        lc = read(path)
        mission = row["mission"].split()[0]
        (t_low, t_high), (span_low, span_high), bitmask = MISSIONS[mission]
        cadence = CADENCES[row["cadence"]]
        n_file, telapse, timedel = _header_facts(path)
        context = f"{row['file']}: {lc!r} {dict(lc.meta)}"

        assert lc.meta["mission"] == mission, context
        assert re.search(r"(KIC|EPIC|TIC) \d+", row["target"]).group(0).split()[1] in \
            lc.meta["target_id"], context
        assert lc.meta["flux_column"] == "PDCSAP_FLUX" and lc.meta["quality_bitmask"] == bitmask
        assert lc.meta["cadence_days"] == pytest.approx(cadence, rel=0.005), context
        assert lc.cadence == pytest.approx(cadence, rel=0.01), context
        assert timedel == pytest.approx(cadence, rel=0.005)
        # every cadence of the file is either kept or counted as dropped
        assert len(lc) + lc.meta["n_dropped_quality"] + lc.meta["n_dropped_nonfinite"] == n_file
        # span: what the file's TELAPSE implies, within the mission's usual range
        assert 0.9 * telapse <= lc.time_span <= telapse + timedel, context
        assert span_low <= lc.time_span <= span_high, context
        assert t_low < lc.time[0] < lc.time[-1] < t_high, context
        assert len(lc) >= 0.85 * lc.time_span / cadence, context
        assert np.all(np.diff(lc.time) > 0) and np.isfinite(lc.flux).all()
        assert lc.flux_err is not None and np.isfinite(lc.flux_err).all()


def test_quarter_and_sector_lengths(lightcurve_dir):
    q3 = read(lightcurve_dir / "kplr011442793-2009350155506_llc.fits")
    assert q3.meta["quarter"] == 3 and 85 < q3.time_span < 95
    short = read(lightcurve_dir / "kplr011442793-2010009091648_llc.fits")
    assert 20 < short.time_span < 22  # "short quarter segment" in the manifest
    tess = read(lightcurve_dir / "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits")
    assert tess.meta["sector"] == 1 and 27 < tess.time_span < 28.5


def test_reading_the_folder_skips_the_manifest(lightcurve_dir):
    lcs = read(lightcurve_dir)
    assert len(lcs) == 10 and all(isinstance(lc, exohunt.LightCurve) for lc in lcs)
    results = list(iter_inputs(lightcurve_dir))
    assert len(results) == 10 and not any(isinstance(o, Exception) for _, o in results)


def test_sap_flux_override_on_real_file(lightcurve_dir):
    path = lightcurve_dir / "ktwo206103150-c03_llc.fits"
    pdc, sap = read(path), read(path, flux_column="SAP_FLUX")
    assert sap.meta["flux_column"] == "SAP_FLUX"
    assert not np.allclose(np.median(pdc.flux), np.median(sap.flux), rtol=1e-6)


@pytest.mark.parametrize("pattern", sorted(SPLITS))
def test_tfrecord_splits_match_the_readme(triage_dir, pattern):
    count, dispositions = SPLITS[pattern]
    views = read(triage_dir / pattern)
    assert isinstance(views, exohunt.ViewBatch) and len(views) == count
    assert views.global_view.shape == (count, 201) and views.local_view.shape == (count, 61)
    assert np.isfinite(views.global_view).all() and np.isfinite(views.local_view).all()
    assert views.table["disposition"].value_counts().to_dict() == dispositions
    assert int(views.labels.sum()) == dispositions["PC"]
    table = views.table
    assert (table["tic_id"] > 0).all() and (table["period_days"] > 0).all()
    assert table["t0_days"].between(1300, 1500).all()  # BTJD, sectors 1-5
    # Duration is stored in days: the median event lasts a few hours, none longer than ~1 orbit
    assert 1 < table["duration_hours"].median() < 10
    assert (table["duration_hours"] > 0).all()
    assert (table["duration_hours"] < 1.2 * 24 * table["period_days"]).all()
    # local views are normalised so the transit minimum sits near -1 for most events
    assert np.median(views.local_view.min(axis=1)) == pytest.approx(-1, abs=0.2)
