"""What FITS light curves carry beside the flux: centroids, SAP flux, background, the
target's pixel position and the local pixel-to-sky scale.

Per-cadence columns (read raw here, quality-masked by :mod:`exohunt.io.fits` exactly like
the flux), first present pair/column wins:

=================  ==================================================================
``centroid_col``   ``MOM_CENTR1`` (Kepler/K2/TESS SPOC, TASOC), ``PSF_CENTR1`` (SPOC,
``centroid_row``   when the flux-weighted ones are NaN throughout), ``X_COM``/``Y_COM``
                   (eleanor; its ``X_CENTROID``/``Y_CENTROID`` are pointing-model
                   positions, not measured ones, and are not used), ``SAP_X``/``SAP_Y``
                   (QLP), ``CENTROID_COL``/``CENTROID_ROW`` (lightkurve ``to_fits``).
                   Pixels; SPOC/TASOC: absolute CCD column and row.
``sap_flux``       ``SAP_FLUX`` (SPOC, QLP), ``FLUX_RAW`` (TASOC), ``RAW_FLUX`` (eleanor),
``sap_flux_err``   ``APERTURE_FLUX`` (TGLC); error ``<name>_ERR`` where present.
``background``     ``SAP_BKG`` (SPOC, QLP), ``FLUX_BKG`` (TASOC, eleanor), ``BACKGROUND``
                   (TGLC), ``BKG``; in the file's unit (``meta["column_units"]``).
=================  ==================================================================

The target's position in the centroids' frame (``meta["target_pixel"]``) comes from the
aperture image's WCS (``APERTURE`` extension of SPOC files): the catalogue position
``RA_OBJ``/``DEC_OBJ`` (epoch J2000), moved by its proper motion ``PMRA``/``PMDEC`` to the
middle of the observations (pi Men moves 20″ ≈ 1 TESS pixel between 2000 and sector 1),
projected with the celestial WCS (1-based FITS pixels) and shifted by the physical WCS
(``CRVAL1P``/``CRVAL2P``: the CCD column and row of the image's first pixel). On the
isolated bright stars of ``../shared/data/lightcurves`` this lands within 0.15 px of the
median flux-weighted centroid. ``meta["pixel_to_sky"]`` is the local Jacobian of that WCS
at the target: ``[[dE/dcol, dE/drow], [dN/dcol, dN/drow]]`` in arcsec per pixel, E the
eastward offset (ΔRA·cos Dec) and N the northward one, so that ``J @ (dcol, drow)`` turns a
centroid shift into a sky offset (Kepler rotates by 90° every quarter; this records how).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

__all__ = [
    "BACKGROUND_COLUMNS",
    "CENTROID_PAIRS",
    "SAP_COLUMNS",
    "read_series",
    "sky_geometry",
]

NAN = float("nan")
CENTROID_PAIRS = (("MOM_CENTR1", "MOM_CENTR2"), ("PSF_CENTR1", "PSF_CENTR2"),
                  ("X_COM", "Y_COM"), ("SAP_X", "SAP_Y"), ("CENTROID_COL", "CENTROID_ROW"))
SAP_COLUMNS = ("SAP_FLUX", "FLUX_RAW", "RAW_FLUX", "APERTURE_FLUX")
BACKGROUND_COLUMNS = ("SAP_BKG", "FLUX_BKG", "BACKGROUND", "BKG")
_PIXEL_UNITS = ("pixel", "pixels", "pix", "px", "")
NO_GEOMETRY = {"target_pixel": (NAN, NAN), "pixel_to_sky": ((NAN, NAN), (NAN, NAN))}


def read_series(data: Any, columns: dict[str, str], file_units: dict[str, str | None],
                good: np.ndarray | None) -> tuple[dict[str, np.ndarray], dict[str, str],
                                                  dict[str, str | None], list[str]]:
    """Centroid, SAP flux and background columns of a light-curve table, quality-masked.

    Parameters
    ----------
    data : FITS_rec
        The light-curve table.
    columns : dict
        Upper-case column name → name as written.
    file_units : dict
        Upper-case column name → its unit (``TUNIT``) or None.
    good : ndarray of bool, shape (N,), optional
        Cadences kept by the quality mask (the flux's own mask); ``None`` keeps all.

    Returns
    -------
    series : dict
        ``COLUMN_NAMES`` entry → masked array (shapes not checked here: see
        :func:`exohunt.io.series.checked_columns`).
    labels : dict
        Entry → column name in the file.
    units : dict
        Entry → the file's unit (``TUNIT``) or None.
    problems : list of str
        Columns set aside here (centroids in a unit that is not pixels).
    """
    def take(name: str) -> np.ndarray:
        values = np.asarray(data[columns[name]])
        return values[good] if good is not None and values.shape[:1] == good.shape else values

    series: dict[str, np.ndarray] = {}
    labels: dict[str, str] = {}
    problems: list[str] = []
    pairs = [p for p in CENTROID_PAIRS if p[0] in columns and p[1] in columns]
    for first, second in pairs:
        units = {(file_units.get(n) or "").lower() for n in (first, second)}
        if not units <= set(_PIXEL_UNITS):
            problems.append(f"{first}/{second} are in {sorted(units)}, not pixels")
            continue
        col, row = take(first), take(second)
        numeric = col.dtype.kind in "fiu" and col.ndim == 1
        usable = numeric and bool(np.isfinite(col.astype(float)).any())
        # all-NaN flux-weighted centroids: try the next pair; the last one is taken anyway
        # (and reported as unusable by the checks that follow)
        if usable or (first, second) == pairs[-1]:
            series["centroid_col"], series["centroid_row"] = col, row
            labels["centroid_col"], labels["centroid_row"] = columns[first], columns[second]
            break
    sap = next((name for name in SAP_COLUMNS if name in columns), None)
    if sap is not None:
        series["sap_flux"], labels["sap_flux"] = take(sap), columns[sap]
        if f"{sap}_ERR" in columns:
            series["sap_flux_err"] = take(f"{sap}_ERR")
            labels["sap_flux_err"] = columns[f"{sap}_ERR"]
    background = next((name for name in BACKGROUND_COLUMNS if name in columns), None)
    if background is not None:
        series["background"], labels["background"] = take(background), columns[background]
    units = {name: file_units.get(label.upper()) for name, label in labels.items()}
    return series, labels, units, problems


def _proper_motion_arcsec(primary: Any, keyword: str, mission: str | None) -> float:
    """Proper motion in arcsec/yr; the header comment names the unit (Kepler/K2 arcsec/yr,
    TESS mas/yr), the mission decides when it does not."""
    try:
        value = float(primary.get(keyword) or 0.0)
    except (TypeError, ValueError):
        return 0.0
    comments = getattr(primary, "comments", None)
    comment = str(comments[keyword]).lower() if comments is not None and keyword in primary \
        else ""
    in_mas = "mas" in comment or ("arcsec" not in comment and (mission or "") == "TESS")
    value = value * 1e-3 if in_mas else value
    return value if math.isfinite(value) and abs(value) < 20 else 0.0  # Barnard's: 10″/yr


def _target_radec(primary: Any, aperture: Any, epoch_jd: float | None,
                  mission: str | None) -> tuple[float, float] | None:
    def number(key: str) -> float:
        for header in (primary, aperture):
            try:
                value = float(header.get(key))
            except (TypeError, ValueError):
                continue
            if math.isfinite(value):
                return value
        return NAN

    ra, dec = number("RA_OBJ"), number("DEC_OBJ")
    if not (math.isfinite(ra) and math.isfinite(dec) and -90 <= dec <= 90):
        return None
    years = NAN if epoch_jd is None else (epoch_jd - 2451545.0) / 365.25  # from J2000
    # catalogue positions are at epoch J2000; an epoch outside 1990-2100 means the file's
    # time system is not BJD (then no correction rather than a wild one)
    if math.isfinite(years) and -10.0 < years < 100.0:
        pm_ra = _proper_motion_arcsec(primary, "PMRA", mission)  # μα·cos δ
        pm_dec = _proper_motion_arcsec(primary, "PMDEC", mission)
        cos_dec = max(math.cos(math.radians(dec)), 1e-6)
        ra += pm_ra * years / 3600.0 / cos_dec
        dec += pm_dec * years / 3600.0
    return ra, dec


def sky_geometry(primary: Any, aperture: Any | None, epoch_jd: float | None,
                 mission: str | None) -> tuple[dict[str, Any], list[str]]:
    """``target_pixel`` and ``pixel_to_sky`` from the aperture image's WCS (see module doc).

    Parameters
    ----------
    primary : astropy Header or mapping
        Primary header: ``RA_OBJ``, ``DEC_OBJ`` (deg), ``PMRA``, ``PMDEC``.
    aperture : astropy Header or None
        The aperture image's header (celestial WCS and ``CRVAL1P``/``CRVAL2P``).
    epoch_jd : float or None
        Middle of the observations, BJD (for the proper motion).
    mission : str or None
        Decides the proper-motion unit when the header comment does not.

    Returns
    -------
    geometry : dict
        ``target_pixel`` (column, row) in pixels of the centroids' frame, and
        ``pixel_to_sky`` 2×2 (arcsec/pixel); NaN where the file cannot say.
    problems : list of str
        Why a present WCS could not be used (for one warning).
    """
    geometry = dict(NO_GEOMETRY)
    if aperture is None or "CTYPE1" not in aperture:
        return geometry, []
    from astropy.wcs import WCS

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FITSFixedWarning about DATE-OBS and friends
            # the cards as the file has them where the fast reader kept them (astropy turns a
            # Header into this text itself)
            wcs = WCS(getattr(aperture, "raw", aperture))
            wcs = wcs if wcs.naxis == 2 else wcs.celestial
        if wcs.naxis != 2 or not wcs.has_celestial:
            return geometry, []
        radec = _target_radec(primary, aperture, epoch_jd, mission)
        if radec is None:
            x, y = float(wcs.wcs.crpix[0]), float(wcs.wcs.crpix[1])
        else:
            x, y = (float(v) for v in wcs.all_world2pix(radec[0], radec[1], 1))
        steps = np.array([[x, y], [x + 0.5, y], [x - 0.5, y], [x, y + 0.5], [x, y - 0.5]])
        world = wcs.all_pix2world(steps, 1)
    except (ValueError, TypeError, KeyError, MemoryError) as error:
        return geometry, [f"the APERTURE WCS is unusable ({error})"]
    east, north = _offsets_arcsec(np.radians(world[[2, 4]]), np.radians(world[[1, 3]]))
    physical = [_float(aperture.get(k)) for k in ("CRVAL1P", "CRVAL2P")]
    reference = [_float(aperture.get(k), 1.0) for k in ("CRPIX1P", "CRPIX2P")]
    step = [_float(aperture.get(k), 1.0) for k in ("CDELT1P", "CDELT2P")]
    jacobian = np.column_stack([east, north]).T
    jacobian = jacobian / np.array(step)[None, :]  # per CCD pixel, not per image pixel
    if np.all(np.isfinite(jacobian)):
        geometry["pixel_to_sky"] = tuple(tuple(float(v) for v in r) for r in jacobian)
    if radec is None or not all(math.isfinite(v) for v in physical):
        return geometry, []
    width, height = _float(aperture.get("NAXIS1"), NAN), _float(aperture.get("NAXIS2"), NAN)
    if not (-0.5 <= x <= width + 1.5 and -0.5 <= y <= height + 1.5):
        return geometry, [f"RA_OBJ/DEC_OBJ fall at pixel ({x:.1f}, {y:.1f}) of the "
                          f"{width:.0f}×{height:.0f} APERTURE image, outside it (target "
                          "pixel)"]
    geometry["target_pixel"] = (physical[0] + (x - reference[0]) * step[0],
                                physical[1] + (y - reference[1]) * step[1])
    return geometry, []


def _offsets_arcsec(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """East (ΔRA·cos Dec) and north offsets from ``start`` to ``end`` (radians, (K, 2)
    arrays of RA, Dec), in arcsec: the gnomonic standard coordinates of ``end`` about
    ``start``, exact for the sub-arcminute steps used here and valid at the poles."""
    ra0, dec0 = start[:, 0], start[:, 1]
    ra1, dec1 = end[:, 0], end[:, 1]
    cos_c = np.sin(dec0) * np.sin(dec1) + np.cos(dec0) * np.cos(dec1) * np.cos(ra1 - ra0)
    east = np.cos(dec1) * np.sin(ra1 - ra0) / cos_c
    north = (np.cos(dec0) * np.sin(dec1) - np.sin(dec0) * np.cos(dec1) * np.cos(ra1 - ra0)) \
        / cos_c
    return np.degrees(east) * 3600.0, np.degrees(north) * 3600.0


def _float(value: Any, default: float = NAN) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default
