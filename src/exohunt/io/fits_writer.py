"""Write a light curve as a Kepler ``*_llc.fits`` or TESS SPOC ``*_lc.fits`` file.

The layout copies the real products (compare ``../shared/data/lightcurves``): a primary HDU with
the target's catalogue parameters (``TEFF``, ``LOGG``, ``FEH`` for Kepler / ``MH`` for TESS,
``RADIUS``, ``KEPMAG``/``TESSMAG``, ``RA_OBJ``/``DEC_OBJ``), a ``LIGHTCURVE`` table (``TIME``,
``TIMECORR``, ``CADENCENO``, ``SAP_FLUX``/``_ERR``, ``SAP_BKG``/``_ERR``, ``PDCSAP_FLUX``/``_ERR``,
``SAP_QUALITY`` (Kepler) or ``QUALITY`` (TESS), ``PSF_CENTR1/2`` (NaN, as in most Kepler files),
``MOM_CENTR1/2``/``_ERR`` and ``POS_CORR1/2``; header ``CROWDSAP``, ``FLFRCSAP``) and an
``APERTURE`` image (bit 1 collected, bit 2 in the optimal aperture) whose celestial WCS puts the
target (``RA_OBJ``, ``DEC_OBJ``) at ``CRPIX1/2`` and whose physical WCS (``CRVAL1P``,
``CRVAL2P``) gives the CCD column and row of the image's first pixel, so that the target's CCD
position is ``CRVAL1P + CRPIX1 − 1`` (and likewise for rows), the frame of ``MOM_CENTR1/2``.

Columns and keywords the light curve does not have (no centroids, no catalogue values) are left
out rather than written as NaN, so that a reader never mistakes "absent" for "measured".
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from exohunt.lightcurve import LightCurve

__all__ = ["GAP_QUALITY_FLAG", "write_fits"]

GAP_QUALITY_FLAG = 2  # Kepler "safe mode" bit: set on cadences without flux
_PIXEL_ARCSEC = {"Kepler": 3.98, "K2": 3.98, "TESS": 21.0}
_TIME_REFERENCE = {"TESS": (2457000, "BJD - 2457000, days")}
_KEPLER_TIME = (2454833, "BJD - 2454833")


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _primary(meta: dict, mission: str, target: str):
    from astropy.io import fits

    primary = fits.PrimaryHDU()
    header = primary.header
    tess = mission == "TESS"
    cards = [("SIMDATA", True, "file is based on simulated data"), ("ORIGIN", "exohunt", None),
             ("CREATOR", "exohunt simulate", None), ("TELESCOP", mission, "telescope"),
             ("INSTRUME", f"{mission} Photometer", "detector type"),
             ("OBJECT", target, "string version of target id"), ("MISSION", mission, None)]
    prefix, _, identifier = target.partition(" ")
    if prefix in ("KIC", "TIC") and identifier.isdigit():
        cards.append(("TICID" if tess else "KEPLERID", int(identifier), "unique target id"))
    if _finite(meta.get("ra_deg")) and _finite(meta.get("dec_deg")):
        cards += [("RADESYS", "ICRS", None),
                  ("RA_OBJ", float(meta["ra_deg"]), "[deg] right ascension"),
                  ("DEC_OBJ", float(meta["dec_deg"]), "[deg] declination"),
                  ("EQUINOX", 2000.0, None)]
    star = dict(meta.get("star") or {})
    keys = (("mag", "TESSMAG" if tess else "KEPMAG", "[mag] magnitude in the mission's band"),
            ("teff", "TEFF", "[K] Effective temperature"),
            ("logg", "LOGG", "[cm/s2] log10 surface gravity"),
            ("feh", "MH" if tess else "FEH", "[log10([M/H])] metallicity"),
            ("radius", "RADIUS", "[solar radii] stellar radius"))
    for field, key, comment in keys:
        if _finite(star.get(field)):
            value = float(star[field])
            cards.append((key, round(value) if key == "TEFF" and not tess else value, comment))
    for key, value, comment in cards:
        header[key] = (value, comment) if comment else value
    return primary


def _aperture(meta: dict, mission: str, target: str):
    """The APERTURE image with its celestial and physical WCS, or None without a position."""
    from astropy.io import fits

    pixel = meta.get("target_pixel")
    if pixel is None or not all(map(_finite, (*pixel, meta.get("ra_deg"), meta.get("dec_deg")))):
        return None
    col, row = float(pixel[0]), float(pixel[1])
    radius = float(meta.get("aperture_radius_px") or 2.0)
    half = math.ceil(radius) + 2
    col0, row0 = math.floor(col) - half, math.floor(row) - half
    size = 2 * half + 1
    cols, rows = np.meshgrid(np.arange(size) + col0, np.arange(size) + row0)
    inside = np.hypot(cols - col, rows - row) <= radius
    image = np.where(inside, 3, 1).astype(np.int32)
    hdu = fits.ImageHDU(image, name="APERTURE")
    scale = _PIXEL_ARCSEC.get(mission, 3.98) / 3600.0
    theta = math.radians(float(meta.get("roll_deg") or 0.0))
    for key, value in (
            ("OBJECT", target), ("RADESYS", "ICRS"), ("RA_OBJ", float(meta["ra_deg"])),
            ("DEC_OBJ", float(meta["dec_deg"])), ("EQUINOX", 2000.0), ("WCSAXES", 2),
            ("CTYPE1", "RA---TAN"), ("CTYPE2", "DEC--TAN"), ("CRPIX1", col - col0 + 1.0),
            ("CRPIX2", row - row0 + 1.0), ("CRVAL1", float(meta["ra_deg"])),
            ("CRVAL2", float(meta["dec_deg"])), ("CUNIT1", "deg"), ("CUNIT2", "deg"),
            ("CDELT1", -scale), ("CDELT2", scale), ("PC1_1", math.cos(theta)),
            ("PC1_2", -math.sin(theta)), ("PC2_1", math.sin(theta)), ("PC2_2", math.cos(theta)),
            ("WCSNAMEP", "PHYSICAL"), ("WCSAXESP", 2), ("CTYPE1P", "RAWX"), ("CUNIT1P", "PIXEL"),
            ("CRPIX1P", 1), ("CRVAL1P", col0), ("CDELT1P", 1.0), ("CTYPE2P", "RAWY"),
            ("CUNIT2P", "PIXEL"), ("CRPIX2P", 1), ("CRVAL2P", row0), ("CDELT2P", 1.0),
            ("NPIXSAP", int(inside.sum())), ("NPIXMISS", 0)):
        hdu.header[key] = value
    return hdu


def _table_columns(lc: LightCurve, mission: str, quality: np.ndarray) -> list:
    from astropy.io import fits

    n = len(lc)
    flux = np.asarray(lc.flux, dtype=np.float32)
    err = np.full(n, np.nan, np.float32) if lc.flux_err is None else lc.flux_err.astype(np.float32)
    cols = dict(lc.columns)
    meta = dict(lc.meta)
    sap = np.asarray(cols.get("sap_flux", meta.get("sap_flux", flux)), dtype=np.float32)
    time_unit = _TIME_REFERENCE.get(mission, _KEPLER_TIME)[1]
    out = [fits.Column("TIME", "D", unit=time_unit, array=np.asarray(lc.time, float)),
           fits.Column("TIMECORR", "E", unit="d", array=np.zeros(n, np.float32)),
           fits.Column("CADENCENO", "J", array=np.arange(n, dtype=np.int32) + 1),
           fits.Column("SAP_FLUX", "E", unit="e-/s", array=sap)]
    if "sap_flux_err" in cols:
        out.append(fits.Column("SAP_FLUX_ERR", "E", unit="e-/s", array=cols["sap_flux_err"]))
    if "background" in cols:
        background = np.asarray(cols["background"], dtype=np.float32)
        out += [fits.Column("SAP_BKG", "E", unit="e-/s", array=background),
                fits.Column("SAP_BKG_ERR", "E", unit="e-/s",
                            array=np.sqrt(np.abs(background)).astype(np.float32))]
    out += [fits.Column("PDCSAP_FLUX", "E", unit="e-/s", array=flux),
            fits.Column("PDCSAP_FLUX_ERR", "E", unit="e-/s", array=err),
            fits.Column("QUALITY" if mission == "TESS" else "SAP_QUALITY", "J",
                        array=np.asarray(quality, dtype=np.int32))]
    if "centroid_col" in cols and "centroid_row" in cols:
        nan = np.full(n, np.nan)
        centroid_err = np.where(np.isfinite(cols["centroid_col"]),
                                float(meta.get("centroid_err_px", np.nan)), np.nan)
        for axis in (1, 2):
            out += [fits.Column(f"PSF_CENTR{axis}", "D", unit="pixel", array=nan),
                    fits.Column(f"PSF_CENTR{axis}_ERR", "E", unit="pixel", array=nan)]
        for axis, name in ((1, "centroid_col"), (2, "centroid_row")):
            out += [fits.Column(f"MOM_CENTR{axis}", "D", unit="pixel", array=cols[name]),
                    fits.Column(f"MOM_CENTR{axis}_ERR", "E", unit="pixel", array=centroid_err)]
    for axis, name in ((1, "pos_corr_col"), (2, "pos_corr_row")):
        if name in cols:
            out.append(fits.Column(f"POS_CORR{axis}", "E", unit="pixels", array=cols[name]))
    return out


def write_fits(path: str | os.PathLike, lc: LightCurve, *, overwrite: bool = False) -> Path:
    """Write a light curve as a Kepler-like ``*_llc.fits`` (or TESS ``*_lc.fits``) file.

    Parameters
    ----------
    path : str or Path
        Output file.
    lc : LightCurve
        Flux (written as ``PDCSAP_FLUX``) in e-/s (or any unit); NaN flux marks gaps (the
        quality column gets the safe-mode bit 2). ``columns`` ``centroid_col``/``centroid_row``
        (pixels), ``sap_flux``/``sap_flux_err``, ``background``, ``pos_corr_col``/``_row``
        become ``MOM_CENTR1/2``, ``SAP_FLUX``/``_ERR``, ``SAP_BKG``, ``POS_CORR1/2``. ``meta``
        may give ``mission`` ("Kepler" default, or "TESS"), ``target_id``, ``quality`` (int
        array), ``sap_flux`` (array, when there is no such column; default: the flux), ``star``
        (catalogue values, as ``LightCurve.meta["star"]``), ``crowdsap``, ``flfrcsap``,
        ``target_pixel`` (CCD column, row), ``ra_deg``, ``dec_deg``, ``roll_deg``,
        ``centroid_err_px`` and ``aperture_radius_px``.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    Path
    """
    from astropy.io import fits

    meta = dict(lc.meta)
    mission = str(meta.get("mission") or "Kepler")
    target = str(meta.get("target_id") or "unknown")
    flux = np.asarray(lc.flux, dtype=np.float32)
    quality = meta.get("quality")
    if quality is None:
        quality = np.where(np.isfinite(flux), 0, GAP_QUALITY_FLAG)
    primary = _primary(meta, mission, target)
    table = fits.BinTableHDU.from_columns(_table_columns(lc, mission, quality), name="LIGHTCURVE")
    cadence = lc.cadence if len(lc) > 1 else 0.0
    bjdrefi = _TIME_REFERENCE.get(mission, _KEPLER_TIME)[0]
    cards = [("TELESCOP", mission), ("MISSION", mission), ("OBJECT", target),
             ("TIMEREF", "SOLARSYSTEM"), ("TIMESYS", "TDB"), ("BJDREFI", bjdrefi),
             ("BJDREFF", 0.0), ("TIMEUNIT", "d"), ("TIMEDEL", cadence),
             ("EXPOSURE", lc.time_span), ("TSTART", float(lc.time[0]) if len(lc) else 0.0),
             ("TSTOP", float(lc.time[-1]) if len(lc) else 0.0)]
    for key in ("RA_OBJ", "DEC_OBJ"):
        if key in primary.header:
            cards.append((key, primary.header[key]))
    for key in ("crowdsap", "flfrcsap"):
        if _finite(meta.get(key)):
            cards.append((key.upper(), round(float(meta[key]), 6)))
    for key, value in cards:
        table.header[key] = value
    hdus = [primary, table]
    aperture = _aperture(meta, mission, target)
    if aperture is not None:
        hdus.append(aperture)
    path = Path(path)
    fits.HDUList(hdus).writeto(path, overwrite=overwrite)
    return path
