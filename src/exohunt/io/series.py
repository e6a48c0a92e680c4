"""Per-cadence series beside the flux (centroids, the aperture's own flux, background).

Every reader that finds such columns hands them to :func:`checked_columns`, which keeps
only what is usable, so that vetting never sees a centroid series that is all NaN,
constant (a placeholder, or a pipeline that did not measure it) or of another length than
the time axis. What it drops it names in ONE :class:`~exohunt.errors.DataQualityWarning`
per source. The names are :data:`exohunt.lightcurve.COLUMN_NAMES`.

Tables (CSV and friends) name these columns freely; :func:`table_series_columns` says
which header names are recognised (case-insensitive, first match wins):

- centroids, as a pair: ``centroid_col``/``centroid_row``, ``mom_centr1``/``mom_centr2``,
  ``psf_centr1``/``psf_centr2``, ``x_com``/``y_com``, ``sap_x``/``sap_y``,
  ``centroid_x``/``centroid_y``, ``xcen``/``ycen``; plain ``x``/``y`` or
  ``col``/``row`` only when no other pair is present and neither is the time or flux
  column (they could be anything else);
- the aperture's own flux: ``sap_flux`` (error ``sap_flux_err``), ``flux_raw``,
  ``raw_flux``, ``aperture_flux``;
- background: ``sap_bkg``, ``flux_bkg``, ``background``, ``bkg``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from exohunt.io.stellar import warn_data_quality
from exohunt.lightcurve import LightCurve

__all__ = ["CENTROID_TABLE_PAIRS", "checked_columns", "settle_data_quality",
           "table_series_columns", "with_checked_columns"]

CENTROID_TABLE_PAIRS = (("centroid_col", "centroid_row"), ("mom_centr1", "mom_centr2"),
                        ("psf_centr1", "psf_centr2"), ("x_com", "y_com"), ("sap_x", "sap_y"),
                        ("centroid_x", "centroid_y"), ("xcen", "ycen"))
_AMBIGUOUS_PAIRS = (("x", "y"), ("col", "row"))
SAP_TABLE_NAMES = (("sap_flux", "sap_flux_err"), ("flux_raw", "flux_raw_err"),
                   ("raw_flux", "raw_flux_err"), ("aperture_flux", "aperture_flux_err"))
BACKGROUND_TABLE_NAMES = ("sap_bkg", "flux_bkg", "background", "bkg")


def table_series_columns(names: Sequence[str], used: Sequence[int]) -> dict[str, int]:
    """Which table columns hold centroids, the aperture flux and background.

    Parameters
    ----------
    names : sequence of str
        The header's column names, as written.
    used : sequence of int
        Indices already taken (time, flux, flux error): never reused.

    Returns
    -------
    dict
        ``COLUMN_NAMES`` entry → column index, for those found.
    """
    lower = [name.strip().lower() for name in names]
    taken = set(used)

    def index(name: str) -> int | None:
        if name in lower and lower.index(name) not in taken:
            return lower.index(name)
        return None

    found: dict[str, int] = {}
    pairs = [p for p in CENTROID_TABLE_PAIRS if index(p[0]) is not None and
             index(p[1]) is not None]
    if not pairs:
        pairs = [p for p in _AMBIGUOUS_PAIRS if index(p[0]) is not None and
                 index(p[1]) is not None]
        pairs = pairs if len(pairs) == 1 else []  # x/y and col/row both: ambiguous
    if pairs:
        found["centroid_col"], found["centroid_row"] = index(pairs[0][0]), index(pairs[0][1])
    for flux_name, err_name in SAP_TABLE_NAMES:
        if index(flux_name) is not None:
            found["sap_flux"] = index(flux_name)
            if index(err_name) is not None:
                found["sap_flux_err"] = index(err_name)
            break
    background = next((index(n) for n in BACKGROUND_TABLE_NAMES if index(n) is not None),
                      None)
    if background is not None:
        found["background"] = background
    return found


def _unusable(values: np.ndarray, length: int) -> str | None:
    """Why a series cannot be used (``None`` when it can)."""
    if values.ndim != 1 or len(values) != length:
        return f"has shape {values.shape}, expected ({length},) like the time axis"
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "is NaN at every cadence"
    if finite.size < 2 or float(np.ptp(finite)) == 0.0:
        return f"is constant ({finite[0]:g}) at every cadence"
    return None


def checked_columns(source: object, columns: Mapping[str, np.ndarray], length: int,
                    labels: Mapping[str, str] | None = None,
                    problems: list[str] | None = None) -> dict[str, np.ndarray]:
    """The usable series of ``columns``; one warning naming the source and what was dropped.

    Parameters
    ----------
    source : str or path
        Named in the warning.
    columns : mapping of str to ndarray
        ``COLUMN_NAMES`` entry → values (any shape; checked here).
    length : int
        Number of cadences of the light curve.
    labels : mapping, optional
        Column name in the file for each entry (e.g. ``MOM_CENTR1``), for the warning.
    problems : list, optional
        When given, what was dropped is appended here instead of warned about (the caller
        warns once per file for everything it found).

    Returns
    -------
    dict
        The kept series as float64 arrays of shape ``(length,)``. The two centroids go
        together: when either is unusable, both are dropped; ``sap_flux_err`` goes with
        ``sap_flux``. A constant background or aperture-flux error is kept (it can be
        genuinely flat); only NaN-everywhere or wrongly shaped ones are dropped.
    """
    labels = labels or {}
    kept: dict[str, np.ndarray] = {}
    caller_warns = problems is not None
    problems = problems if problems is not None else []
    for name, values in columns.items():
        array = np.asarray(values)
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            problems.append(f"{labels.get(name, name)} is not numeric")
            continue
        reason = _unusable(array, length)
        flat_ok = name in ("background", "sap_flux_err") and reason and \
            reason.startswith("is constant")
        if reason and not flat_ok:
            problems.append(f"{labels.get(name, name)} {reason}")
            continue
        kept[name] = array
    if ("centroid_col" in kept) != ("centroid_row" in kept):
        lone = "centroid_col" if "centroid_col" in kept else "centroid_row"
        kept.pop(lone)
        problems.append(f"{labels.get(lone, lone)} dropped with its partner")
    if "sap_flux" not in kept:
        kept.pop("sap_flux_err", None)
    if not caller_warns:
        warn_data_quality(source, problems, "left out (statistics from them NaN)")
    return kept


def with_checked_columns(lc: LightCurve, source: object, problems: list[str] | None = None
                         ) -> LightCurve:
    """``lc`` with only its usable series (:func:`checked_columns`, ``problems`` as there);
    the file's names for them (``meta["column_sources"]``) and units
    (``meta["column_units"]``) follow."""
    sources = dict(lc.meta.get("column_sources") or {})
    kept = checked_columns(source, lc.columns, len(lc), sources, problems)
    if kept.keys() == lc.columns.keys():
        return lc
    meta = {key: {k: v for k, v in dict(lc.meta[key]).items() if k in kept}
            for key in ("column_sources", "column_units") if key in lc.meta}
    return lc.replace(columns=kept, meta=meta)


def settle_data_quality(lc: LightCurve, source: object, problems: list[str] | None = None
                        ) -> LightCurve:
    """The last step of every reader: drop unusable series (:func:`with_checked_columns`),
    list everything set aside in ``meta["set_aside"]`` (tuple of str, absent when nothing
    was) and emit ONE :class:`~exohunt.errors.DataQualityWarning` naming ``source`` and each
    field."""
    problems = list(problems or [])
    lc = with_checked_columns(lc, source, problems)
    if problems:
        lc = lc.replace(meta={"set_aside": tuple(problems)})
        warn_data_quality(source, problems, "set aside (NaN, or the series left out)")
    return lc
