"""Pieces every reader shares: read options, error wording, and the final clean-up.

Readers turn whatever their format holds into the core types and hand the last steps to the
functions here, so that every format drops NaNs, counts what it dropped, checks the minimum
length and words its errors the same way (``<file>: <what is wrong>; expected <what>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve

__all__ = [
    "MIN_CADENCES",
    "ReadOptions",
    "batch_flux",
    "fail",
    "finish_lightcurve",
    "labels_from_values",
]

#: A light curve with fewer valid (finite, good-quality) cadences than this is refused.
MIN_CADENCES = 100


@dataclass(frozen=True)
class ReadOptions:
    """Options passed to every reader (each uses those that apply to its format).

    ``flux_column`` picks a FITS/table flux column (``None``: the format's own choice);
    ``quality_bitmask`` is ``"default"``, ``"hard"``, ``"hardest"``, ``"none"``, ``None`` or an
    int (see :mod:`exohunt.io.quality`); ``min_cadences`` is the least number of valid
    cadences a light curve (or a batch row) must keep.
    """

    flux_column: str | None = None
    quality_bitmask: str | int | None = "default"
    min_cadences: int = MIN_CADENCES


def fail(path: Path | str, message: str) -> InputError:
    """An :class:`InputError` whose message starts with the file name."""
    return InputError(f"{path}: {message}")


def finish_lightcurve(
    path: Path,
    time: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray | None,
    meta: dict[str, Any],
    options: ReadOptions,
    *,
    n_dropped_quality: int = 0,
    columns: dict[str, np.ndarray] | None = None,
) -> LightCurve:
    """Build the :class:`LightCurve`: drop non-finite cadences, sort by time, check length.

    ``meta`` gains ``n_dropped_quality``, ``n_dropped_nonfinite``, ``cadence_days`` (unless
    given) and ``source``. Raises :class:`InputError` when fewer than
    ``options.min_cadences`` cadences remain. ``columns`` (per-cadence series aligned with
    ``time``, see :data:`exohunt.lightcurve.COLUMN_NAMES`) lose the same cadences.
    """
    time = np.asarray(time, dtype=float)
    flux = np.asarray(flux, dtype=float)
    if flux_err is not None:
        flux_err = np.asarray(flux_err, dtype=float)
        if not np.isfinite(flux_err).any():
            flux_err = None  # an error column of NaNs only says "no errors"
    n_total = len(time) + n_dropped_quality
    if len(time) and not np.isfinite(flux).any():
        raise fail(path, f"every {meta.get('flux_column', 'flux')} value is NaN or infinite "
                         f"({len(time)} cadences); expected a light curve with finite flux")
    meta = {"source": str(path), **meta, "n_dropped_quality": int(n_dropped_quality)}
    lc = LightCurve(time, flux, flux_err, meta, columns or {}).remove_nans()
    if len(lc) > 1 and np.any(np.diff(lc.time) < 0):
        order = np.argsort(lc.time, kind="stable")
        lc = lc[order].replace(meta={"sorted_by_reader": True})
    if len(lc) < options.min_cadences:
        raise fail(path, f"only {len(lc)} valid cadences of {n_total} "
                         f"({n_dropped_quality} dropped by QUALITY, "
                         f"{lc.meta['n_dropped_nonfinite']} not finite); expected at least "
                         f"{options.min_cadences}")
    if meta.get("cadence_days") is None:
        lc = lc.replace(meta={"cadence_days": lc.cadence})
    return lc


def batch_flux(path: Path, flux: np.ndarray, options: ReadOptions,
               row_name: Any = None) -> tuple[np.ndarray, int]:
    """Check a (N, T) float32 flux array in place: inf → NaN, refuse rows without enough data.

    ``row_name(i)`` words row ``i`` in errors (default ``"row i"``, 0-based). Returns the
    array and the number of non-finite cells (kept as NaN: a batch is rectangular).
    """
    if flux.ndim != 2 or flux.shape[0] == 0:
        raise fail(path, f"no light curves found (array shape {flux.shape}); expected "
                         "one row per star")
    if flux.shape[1] < options.min_cadences:
        raise fail(path, f"light curves have only {flux.shape[1]} cadences; expected at least "
                         f"{options.min_cadences}")
    n_finite = np.isfinite(flux).sum(axis=1)
    n_bad = int(flux.size - n_finite.sum())
    if n_bad and np.isinf(flux).any():
        flux[np.isinf(flux)] = np.nan
    short = np.flatnonzero(n_finite < options.min_cadences)
    if len(short):
        i = int(short[0])
        where = row_name(i) if row_name else f"row {i}"
        what = "every flux value is NaN or missing" if n_finite[i] == 0 else \
            f"only {int(n_finite[i])} finite flux values"
        more = f" (and {len(short) - 1} more rows)" if len(short) > 1 else ""
        raise fail(path, f"{where}: {what}{more}; expected at least {options.min_cadences} "
                         "valid cadences per light curve")
    return flux, n_bad


def labels_from_values(path: Path, values: np.ndarray, what: str = "LABEL",
                       row_name: Any = None) -> tuple[np.ndarray, str]:
    """Labels as int8 1 = planet, 0 = not, from Kaggle's {1, 2} (2 = planet) or from {0, 1}.

    A set of values inside {1, 2} is read as Kaggle's convention (so all-1 means no planet
    host); a set inside {0, 1} that contains 0 as the binary one. Anything else (NaN, 3,
    0.5, a mix of 0 and 2) is an :class:`InputError` naming the first offending row.
    Returns ``(labels, convention)`` with convention ``"kaggle-1-2"`` or ``"binary-0-1"``.
    """
    values = np.asarray(values, dtype=float).ravel()
    present = set(np.unique(values[np.isfinite(values)]).tolist())
    if np.isfinite(values).all() and present <= {1.0, 2.0}:
        return (values == 2).astype(np.int8), "kaggle-1-2"
    if np.isfinite(values).all() and present <= {0.0, 1.0}:
        return (values == 1).astype(np.int8), "binary-0-1"
    allowed = {0.0, 1.0} if 0.0 in present else {1.0, 2.0}
    bad = np.flatnonzero(~np.isin(values, list(allowed)))
    i = int(bad[0])
    where = row_name(i) if row_name else f"row {i}"
    shown = ", ".join(f"{v:g}" for v in sorted(present)[:6])
    raise fail(path, f"{where}: {what} is {values[i]:g} (values found: {shown}); expected "
                     "1/2 (Kaggle: 2 = planet host) or 0/1 (1 = planet host)")
