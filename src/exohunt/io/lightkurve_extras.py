"""What :meth:`exohunt.LightCurve.from_lightkurve` takes from a lightkurve object beyond
time and flux.

lightkurve keeps the file's columns (``centroid_col``/``centroid_row`` — its names for the
flux-weighted centroid —, ``sap_flux``, ``sap_flux_err``, ``sap_bkg``) and both FITS
headers, merged, in ``.meta``. From them come the same per-cadence series and the same
metadata keys exohunt's own FITS reader fills (``star``, ``crowdsap``, ``flfrcsap``,
per-quarter/sector keys, ``flux_unit``). The target's pixel position needs the aperture
image's WCS, which lightkurve does not keep: it is read from the original file
(``meta["FILENAME"]``) when that file is still there, and is NaN otherwise.

A stitched light curve (several quarters or sectors in one object) keeps only the last
file's headers, and its centroids change pixel frame at every boundary: its centroids,
crowding and target pixel are left out, with a warning (``meta["stitched"]`` is True).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from exohunt.io.fits import _mission
from exohunt.io.fits_extras import NO_GEOMETRY, sky_geometry
from exohunt.io.series import table_series_columns
from exohunt.io.stellar import crowding_from_header, star_from_header

__all__ = ["lightkurve_extras"]

NAN = float("nan")
_PER_SEGMENT = ("QUARTER", "CAMPAIGN", "SECTOR", "CAMERA", "CCD", "MODULE", "OUTPUT",
                "CHANNEL", "SEASON")


def _values(column: Any) -> np.ndarray:
    """A (masked) Quantity, Time or array as float64 with NaN where masked."""
    value = getattr(column, "value", column)
    filled = getattr(value, "filled", None)
    if filled is not None:
        value = filled(np.nan)
    return np.asarray(getattr(value, "unmasked", value), dtype=float)


def _column(lk_lightcurve: Any, name: str) -> Any:
    try:
        return lk_lightcurve[name]
    except (TypeError, KeyError, IndexError):
        return getattr(lk_lightcurve, name)


def _unit(lk_lightcurve: Any) -> str | None:
    unit = getattr(getattr(lk_lightcurve, "flux", None), "unit", None)
    return None if unit is None or str(unit) == "" else str(unit)


def _spans_several_files(lk_lightcurve: Any, meta: dict[str, Any]) -> bool:
    """Whether the time stamps reach beyond the file its headers describe (``TSTART`` to
    ``TSTOP``, same time system) by more than a day: a stitched light curve."""
    try:
        start, stop = float(meta["TSTART"]), float(meta["TSTOP"])
        time = _values(lk_lightcurve.time)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    time = time[np.isfinite(time)]
    return bool(time.size) and (time.min() < start - 1.0 or time.max() > stop + 1.0)


def _geometry_from_file(filename: Any, mission: str | None) -> tuple[dict, list[str]]:
    if not filename or not Path(str(filename)).is_file():
        return dict(NO_GEOMETRY), []
    from astropy.io import fits

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fits.open(str(filename), memmap=False) as hdus:
                primary = hdus[0].header.copy()
                table = next((h for h in hdus[1:] if getattr(h, "columns", None) is not None),
                             None)
                aperture = next((h.header.copy() for h in hdus[1:]
                                 if str(h.header.get("EXTNAME", "")).upper() == "APERTURE"),
                                None)
                header = table.header.copy() if table is not None else {}
    except (OSError, ValueError, TypeError):
        return dict(NO_GEOMETRY), []
    try:
        offset = float(header.get("BJDREFI", 0.0)) + float(header.get("BJDREFF", 0.0))
        epoch = offset + 0.5 * (float(header["TSTART"]) + float(header["TSTOP"]))
    except (KeyError, TypeError, ValueError):
        epoch = None
    return sky_geometry(primary, aperture, epoch, mission)


def lightkurve_extras(lk_lightcurve: Any
                      ) -> tuple[dict[str, np.ndarray], dict[str, Any], list[str]]:
    """Per-cadence series and metadata of a lightkurve light curve (see module doc).

    Parameters
    ----------
    lk_lightcurve : lightkurve.LightCurve
        Any lightkurve light curve (or an object with ``colnames``, columns as attributes
        and ``meta``).

    Returns
    -------
    columns : dict
        ``COLUMN_NAMES`` entry → float array, shape (T,) (unchecked: the caller drops
        cadences and checks them).
    meta : dict
        ``star``, ``crowdsap``, ``flfrcsap``, ``target_pixel``, ``pixel_to_sky``,
        ``flux_unit``, ``column_sources`` and the per-quarter/sector keys present
        (lower case).
    problems : list of str
        Header values found unusable (set to NaN), for the caller's one warning.
    """
    lk_meta = dict(getattr(lk_lightcurve, "meta", {}) or {})
    names = [str(n) for n in getattr(lk_lightcurve, "colnames", [])]
    used = [names.index(n) for n in ("time", "flux", "flux_err") if n in names]
    found = table_series_columns(names, used)
    columns: dict[str, np.ndarray] = {}
    unreadable = []
    for key, index in found.items():
        try:
            columns[key] = _values(_column(lk_lightcurve, names[index]))
        except (TypeError, ValueError, KeyError, AttributeError):
            unreadable.append(f"{names[index]} is not numeric")
    found = {key: index for key, index in found.items() if key in columns}
    mission = _mission(lk_meta, lk_meta)
    if _spans_several_files(lk_lightcurve, lk_meta):
        # stitched: lightkurve keeps the LAST file's headers; centroids of different
        # quarters/sectors are in different pixel frames and the crowding differs
        star, problems = star_from_header((lk_meta,), mission)
        dropped = sorted(k for k in columns if k.startswith("centroid"))
        for key in dropped:
            columns.pop(key)
            found.pop(key)
        problems.append("the light curve spans several files (stitched); their centroids "
                        "are in different pixel frames and their crowding differs, so "
                        "centroids, CROWDSAP, FLFRCSAP and the target pixel are left out "
                        "(read the files one by one to keep them)")
        meta = {"star": star, "crowdsap": NAN, "flfrcsap": NAN, **NO_GEOMETRY,
                "flux_unit": _unit(lk_lightcurve), "stitched": True,
                "column_sources": {key: names[index] for key, index in found.items()}}
        return columns, meta, [*unreadable, *problems]
    star, problems = star_from_header((lk_meta,), mission)
    crowdsap, flfrcsap, crowd_problems = crowding_from_header((lk_meta,))
    geometry, sky_problems = _geometry_from_file(lk_meta.get("FILENAME"), mission)
    meta: dict[str, Any] = {
        "star": star, "crowdsap": crowdsap, "flfrcsap": flfrcsap, **geometry,
        "flux_unit": _unit(lk_lightcurve),
        "column_sources": {key: names[index] for key, index in found.items()},
    }
    for key in _PER_SEGMENT:
        if lk_meta.get(key) not in (None, ""):
            meta[key.lower()] = lk_meta[key]
    return columns, meta, [*unreadable, *problems, *crowd_problems, *sky_problems]
