"""FITS light curves: Kepler/K2 ``*_llc``/``*_slc``, TESS SPOC ``*_lc`` and HLSP variants.

The light-curve table is the ``LIGHTCURVE`` extension (or the first table with a ``TIME``
column). Its flux column, unless ``flux_column=`` names one, is the first present of
:data:`FLUX_COLUMNS`: ``PDCSAP_FLUX`` (Kepler/K2/TESS SPOC), ``KSPSAP_FLUX`` (QLP),
``CORR_FLUX`` (eleanor), ``FLUX_CORR`` (TASOC), ``CAL_APER_FLUX``/``CAL_PSF_FLUX`` (TGLC),
``FLUX`` (lightkurve ``to_fits``) and last ``SAP_FLUX``. Its error is ``<column>_ERR`` (or
``FLUX_ERR`` for eleanor). Its unit (``TUNIT``) is kept in ``meta["flux_unit"]``; ppm, ppt,
percent and magnitudes are converted to relative flux (:mod:`exohunt.io.flux_units`,
``meta["flux_conversion"]`` says how), counts are left for :meth:`LightCurve.normalize`.

Beside the flux the reader keeps what vetting needs (:mod:`exohunt.io.fits_extras`):
centroids, the aperture's own flux and background as :attr:`LightCurve.columns`, dropped
at exactly the flux's cadences; the host star (``meta["star"]``, :mod:`exohunt.io.stellar`),
``crowdsap``/``flfrcsap``, the target's pixel (``target_pixel``) and the local
pixel-to-sky Jacobian (``pixel_to_sky``, arcsec/pixel), and the quarter/campaign/sector,
module/output/channel or camera/CCD the file covers. Unusable values are NaN, with one
:class:`~exohunt.errors.DataQualityWarning` per file naming each.

Cadences flagged in ``QUALITY`` (``SAP_QUALITY`` in older Kepler files) under the mission's
bitmask are dropped (:mod:`exohunt.io.quality`), then cadences with a non-finite time, flux
or error; both counts are in ``meta``. Time stays in the file's BJD offset (BKJD = BJD −
2454833 for Kepler/K2, BTJD = BJD − 2457000 for TESS); ``meta["time_offset"]`` holds it.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from exohunt.errors import InputError
from exohunt.io._common import ReadOptions, fail, finish_lightcurve
from exohunt.io.fits_extras import read_series, sky_geometry
from exohunt.io.fits_fast import read_plain_fits
from exohunt.io.flux_units import to_relative_flux
from exohunt.io.quality import resolve_bitmask
from exohunt.io.series import settle_data_quality
from exohunt.io.stellar import crowding_from_header, star_from_header
from exohunt.lightcurve import LightCurve

__all__ = ["FLUX_COLUMNS", "READERS", "detect", "read_fits"]

FLUX_COLUMNS = ("PDCSAP_FLUX", "KSPSAP_FLUX", "CORR_FLUX", "FLUX_CORR", "CAL_APER_FLUX",
                "CAL_PSF_FLUX", "FLUX", "SAP_FLUX")
_ERR_FALLBACK = {"CORR_FLUX": "FLUX_ERR"}
_EXTENSIONS = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz")


def detect(path: Path, head: bytes) -> bool:
    """A FITS primary header (``SIMPLE  =``), or a FITS extension name."""
    if head.startswith(b"SIMPLE  ="):
        return True
    return path.name.lower().endswith(_EXTENSIONS)


def read_fits(path: Path, options: ReadOptions | None = None) -> LightCurve:
    """Read one FITS light curve (see module doc)."""
    from astropy.io import fits as afits

    options = options or ReadOptions()
    path = Path(path)
    source, size = fits_source(path)
    if size is not None and size % 2880:
        raise fail(path, f"the FITS file is truncated or corrupt ({size:,} bytes is not a whole "
                         "number of 2880-byte FITS blocks); expected a complete file")
    plain = read_plain_fits(source.getvalue() if isinstance(source, io.BytesIO) else source)
    if plain is not None:  # a plain file, read with numpy (same values; bench_fits_read.py)
        try:
            return _build(path, *_table_arrays(path, plain, options), options)
        except InputError:
            pass  # astropy reads it again and reports what is wrong in its own words
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with afits.open(source, mode="readonly", memmap=False, lazy_load_hdus=False) as hdus:
                primary, header, arrays = _table_arrays(path, hdus, options)
        except InputError:
            raise
        except (OSError, ValueError, TypeError, IndexError, KeyError) as error:
            raise fail(path, f"not a readable FITS file (truncated or corrupt?): {error}; "
                             "expected a FITS light curve") from None
    truncated = [str(w.message) for w in caught if "truncat" in str(w.message).lower()]
    if truncated:
        raise fail(path, f"the FITS file is truncated ({truncated[0]}); expected a complete "
                         "file")
    return _build(path, primary, header, arrays, options)


def _table_arrays(path: Path, hdus: Any, options: ReadOptions) -> tuple[Any, Any, dict]:
    """The primary header, the light-curve table's header, and the arrays :func:`_build`
    takes, from astropy's HDUs or :mod:`exohunt.io.fits_fast`'s (which have the same
    ``header``/``columns``/``data``/``is_image``)."""
    hdu = _lightcurve_hdu(path, hdus)
    columns = {name.upper(): name for name in hdu.columns.names}
    data = hdu.data
    arrays = _columns(path, data, columns, options.flux_column)
    arrays["units"] = {c.name.upper(): None if c.unit is None else str(c.unit).strip()
                       for c in hdu.columns}
    arrays["series"] = read_series(data, columns, arrays["units"], None)
    arrays["aperture"] = _aperture_header(hdus, hdu)
    return hdus[0].header, hdu.header, arrays  # headers parsed on open: usable once closed


def fits_source(path: Path) -> tuple[Any, int | None]:
    """What astropy opens, and the uncompressed size in bytes where it is known.

    A plain path (``.fits.gz`` included: astropy decompresses it) is opened by name; an
    archive member or an ``.xz`` file is read into memory first (one light curve, a few MB).
    """
    from exohunt.io import archives

    packing = archives.describe(path)
    if packing is None:
        return str(path), path.stat().st_size
    if packing == "gzip" and archives.split_member(path)[1] is None:
        return str(path), None
    with archives.open_binary(path) as handle:
        data = handle.read()
    return io.BytesIO(data), len(data)


def _lightcurve_hdu(path: Path, hdus: Any) -> Any:
    tables = [h for h in hdus[1:] if getattr(h, "columns", None) is not None]
    for hdu in tables:
        if str(hdu.header.get("EXTNAME", "")).upper() == "LIGHTCURVE":
            return hdu
    for hdu in tables:
        if "TIME" in (name.upper() for name in hdu.columns.names):
            return hdu
    raise fail(path, f"no light-curve table (HDUs: {', '.join(h.name for h in hdus)}); "
                     "expected a LIGHTCURVE extension or a table with a TIME column")


def _aperture_header(hdus: Any, lightcurve: Any) -> Any:
    """The aperture image's header (``APERTURE``, else the first 2-D image after the
    table), or ``None``."""
    images = [h for h in hdus[1:] if h is not lightcurve and getattr(h, "is_image", False)
              and h.header.get("NAXIS") == 2]
    named = [h for h in images if str(h.header.get("EXTNAME", "")).upper() == "APERTURE"]
    chosen = (named or images or [None])[0]
    return None if chosen is None else chosen.header


def _columns(path: Path, data: Any, columns: dict[str, str], wanted: str | None
             ) -> dict[str, Any]:
    """TIME, flux, flux error and quality arrays (native float64/int) from the table."""
    if "TIME" not in columns:
        raise fail(path, f"no TIME column (columns: {', '.join(columns.values())}); expected "
                         "TIME in days")
    if wanted is not None:
        flux_name = wanted.upper()
        if flux_name not in columns:
            raise fail(path, f"no flux column {wanted!r}; available columns: "
                             f"{', '.join(columns.values())}")
    else:
        found = [name for name in FLUX_COLUMNS if name in columns]
        if not found:
            raise fail(path, f"no known flux column (columns: {', '.join(columns.values())}); "
                             f"expected one of {', '.join(FLUX_COLUMNS)}, or name one with "
                             "flux_column=")
        flux_name = found[0]
    err_name = next((n for n in (f"{flux_name}_ERR", _ERR_FALLBACK.get(flux_name))
                     if n and n in columns), None)
    quality_name = next((n for n in ("QUALITY", "SAP_QUALITY") if n in columns), None)

    def get(name: str | None, dtype: type) -> np.ndarray | None:
        if name is None:
            return None
        values = np.asarray(data[columns[name]])
        if values.ndim != 1:
            raise fail(path, f"column {columns[name]} has shape {values.shape}; expected one "
                             "value per cadence")
        return values.astype(dtype)

    return {"time": get("TIME", float), "flux": get(flux_name, float),
            "flux_err": get(err_name, float), "quality": get(quality_name, np.int64),
            "flux_column": columns[flux_name], "quality_column": quality_name,
            "available": [name for name in FLUX_COLUMNS if name in columns]}


def _build(path: Path, primary: Any, header: Any, arrays: dict, options: ReadOptions
           ) -> LightCurve:
    mission = _mission(primary, header)
    bitmask = resolve_bitmask(options.quality_bitmask, mission)
    time, flux, err, quality = arrays["time"], arrays["flux"], arrays["flux_err"], \
        arrays["quality"]
    series, labels, units, problems = arrays["series"]
    n_quality = 0
    if quality is not None and bitmask:
        good = (quality & bitmask) == 0
        n_quality = int((~good).sum())
        time, flux = time[good], flux[good]
        err = None if err is None else err[good]
        # the extra series lose exactly the cadences the flux loses
        series = {k: v[good] if v.shape[:1] == good.shape else v for k, v in series.items()}
    problems = list(problems)
    for name in [k for k, v in series.items() if v.shape != time.shape or
                 v.dtype.kind not in "fiu"]:
        # a vector or text column cannot sit beside the flux: set aside, reported below
        values = series.pop(name)
        problems.append(f"{labels.pop(name)} has shape {values.shape} and type "
                        f"{values.dtype}; expected one number per cadence")
    if len(flux) and not np.isfinite(flux).any():
        others = [c for c in arrays["available"] if c != arrays["flux_column"].upper()]
        hint = f"; try flux_column={others[0]!r}" if others else ""
        raise fail(path, f"every {arrays['flux_column']} value is NaN ({len(flux)} cadences "
                         f"after quality masking){hint}; expected finite flux")
    flux_unit = arrays["units"].get(arrays["flux_column"].upper())
    flux, err, conversion = to_relative_flux(flux, err, flux_unit)
    if conversion is not None and "sap_flux" in series:
        series, units = _sap_relative(series, units)
    time_offset = _time_offset(primary, header)
    meta = {
        "format": "fits", "mission": mission, "target_id": _target(path, primary, header),
        "cadence_days": _float(header.get("TIMEDEL")), "flux_column": arrays["flux_column"],
        "quality_bitmask": bitmask if arrays["quality_column"] else None,
        "time_offset": time_offset, "flux_unit": flux_unit, "flux_conversion": conversion,
        "n_cadences_file": len(arrays["time"]),
    }
    for key in ("QUARTER", "CAMPAIGN", "SECTOR", "CAMERA", "CCD", "MODULE", "OUTPUT",
                "CHANNEL", "SEASON"):
        if primary.get(key) not in (None, "") and type(primary[key]).__name__ != "Undefined":
            meta[key.lower()] = primary[key]
    meta.update(_header_meta(primary, header, arrays["aperture"], mission, time_offset,
                             problems))
    meta["column_sources"] = labels
    meta["column_units"] = {k: v for k, v in units.items() if k in series}
    lc = finish_lightcurve(path, time, flux, err, meta, options, n_dropped_quality=n_quality,
                           columns=series)
    return settle_data_quality(lc, path, problems)


def _sap_relative(series: dict, units: dict) -> tuple[dict, dict]:
    """SAP flux in relative units too once the flux is (``sap_flux`` is "in the unit of
    flux"): its own TUNIT decides, counts are divided by their median."""
    sap, sap_err, words = to_relative_flux(series["sap_flux"], series.get("sap_flux_err"),
                                           units.get("sap_flux"))
    if words is None:
        median = float(np.nanmedian(sap)) if np.isfinite(sap).any() else float("nan")
        if np.isfinite(median) and median > 0:
            sap = sap / median
            sap_err = None if sap_err is None else sap_err / median
    series = {**series, "sap_flux": sap}
    if sap_err is not None:
        series["sap_flux_err"] = sap_err
    units = {**units, "sap_flux": "relative"}
    if "sap_flux_err" in units:
        units["sap_flux_err"] = "relative"
    return series, units


def _header_meta(primary: Any, header: Any, aperture: Any, mission: str | None,
                 time_offset: float | None, problems: list[str]) -> dict[str, Any]:
    """``star``, ``crowdsap``, ``flfrcsap``, ``target_pixel``, ``pixel_to_sky``; every
    unusable field is appended to ``problems``."""
    star, star_problems = star_from_header((primary, header), mission)
    crowdsap, flfrcsap, crowd_problems = crowding_from_header((header, primary))
    start, stop = (_float(header.get(k, primary.get(k))) for k in ("TSTART", "TSTOP"))
    epoch = None
    if time_offset is not None and start is not None and stop is not None:
        epoch = time_offset + 0.5 * (start + stop)
    geometry, sky_problems = sky_geometry(primary, aperture, epoch, mission)
    problems.extend([*star_problems, *crowd_problems, *sky_problems])
    return {"star": star, "crowdsap": crowdsap, "flfrcsap": flfrcsap, **geometry}


def _mission(primary: dict, header: dict) -> str | None:
    mission = str(primary.get("MISSION", header.get("MISSION", "")) or "").strip()
    telescope = str(primary.get("TELESCOP", header.get("TELESCOP", "")) or "").strip()
    if mission.upper() == "K2" or primary.get("CAMPAIGN") not in (None, ""):
        return "K2"
    if telescope.upper() == "KEPLER" or mission.upper() == "KEPLER":
        return "Kepler"
    if telescope.upper() == "TESS" or mission.upper() == "TESS":
        return "TESS"
    return telescope or mission or None


def _target(path: Path, primary: dict, header: dict) -> str:
    for key in ("OBJECT",):
        value = str(primary.get(key, header.get(key, "")) or "").strip()
        if value:
            return value
    for key, prefix in (("KEPLERID", "KIC"), ("TICID", "TIC"), ("TIC_ID", "TIC"),
                        ("TIC", "TIC"), ("EPIC", "EPIC")):
        value = primary.get(key, header.get(key))
        if value not in (None, ""):
            return f"{prefix} {value}"
    return path.name.split(".")[0]


def _time_offset(primary: dict, header: dict) -> float | None:
    integer = header.get("BJDREFI", primary.get("BJDREFI"))
    fraction = header.get("BJDREFF", primary.get("BJDREFF", 0.0))
    if integer is None:
        return None
    return float(integer) + float(fraction or 0.0)


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number > 0 else None


READERS = [("fits", detect, read_fits)]
