"""Flux units as files state them (a FITS column's ``TUNIT``), turned into relative flux.

Pipelines store flux in different units: SPOC/Kepler in e-/s, TASOC's ``FLUX_CORR`` in ppm
around 0, some community products in parts per thousand or magnitudes, QLP and TGLC as
relative flux around 1. Everything downstream (detrending, depths in ppm) wants either
counts (normalised later by dividing by the median) or relative flux around 1, so
:func:`to_relative_flux` converts:

==================  ===================================  ==================================
unit (TUNIT)        kind                                 conversion
==================  ===================================  ==================================
e-/s, electron/s,   ``counts``                           none (normalised later, as before)
ADU, counts, DN
ppm                 ``ppm``                              ``1 + x·1e-6`` (``x·1e-6`` when the
                                                         values sit around 1e6), error ×1e-6
ppt, ‰              ``ppt``                              ``1 + x·1e-3`` (``x·1e-3`` around
                                                         1e3), error ×1e-3
%, percent          ``percent``                          ``1 + x·1e-2`` (``x·1e-2`` around
                                                         100), error ×1e-2
relative, normal-   ``relative``                         none (already around 1)
ised, dimensionless
mag, mmag           ``mag``                              ``10**(-0.4·(m − median m))``;
                                                         error ``0.4·ln10·f·σ_m``
anything else or    ``None``                             none (today's behaviour)
no TUNIT
==================  ===================================  ==================================

"Around 0" versus "around the full scale" is decided from the median of the finite values
(a ppm column whose median exceeds 5·10^5 already has the 10^6 offset added).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

__all__ = ["classify_unit", "ecsv_units", "to_relative_flux"]

_SCALES = {"ppm": 1e-6, "ppt": 1e-3, "percent": 1e-2}
_COUNT_WORDS = ("e-/s", "e/s", "electron", "adu", "count", "cts", "dn/s", "photon")
_RELATIVE_WORDS = ("relative", "normali", "dimensionless", "fraction", "unitless", "rel. flux",
                   "norm")


def classify_unit(unit: object) -> str | None:
    """The kind of a flux unit string: counts, ppm, ppt, percent, relative, mag or None.

    Parameters
    ----------
    unit : str or None
        The column's unit as written (``TUNIT``), any case.

    Returns
    -------
    str or None
        ``"counts"``, ``"ppm"``, ``"ppt"``, ``"percent"``, ``"relative"``, ``"mag"``,
        ``"mmag"`` or ``None`` when the unit is absent or not recognised.
    """
    if unit is None:
        return None
    text = str(unit).strip().lower()
    if not text:
        return None
    compact = re.sub(r"\s+", "", text)
    if compact in ("ppm", "partspermillion") or compact.startswith("ppm"):
        return "ppm"
    if compact in ("ppt", "partsperthousand", "‰", "permil", "permille"):
        return "ppt"
    if compact in ("%", "percent", "pct"):
        return "percent"
    if compact == "mmag" or compact.startswith("millimag"):
        return "mmag"
    if compact in ("mag", "mags", "magnitude", "magnitudes") or compact.startswith("mag("):
        return "mag"
    if any(word in text for word in _COUNT_WORDS) or compact in ("e-s-1", "e-s^-1", "dn", "e-"):
        return "counts"
    if any(word in text for word in _RELATIVE_WORDS) or compact in ("1", "-", "none"):
        return "relative"
    return None


def to_relative_flux(flux: np.ndarray, flux_err: np.ndarray | None, unit: object
                     ) -> tuple[np.ndarray, np.ndarray | None, str | None]:
    """Convert flux in ``unit`` to relative flux (or leave counts and unknown units alone).

    Parameters
    ----------
    flux : ndarray, shape (T,)
        Flux in the stated unit (NaN allowed).
    flux_err : ndarray, shape (T,), optional
        Its one-sigma error in the same unit.
    unit : str or None
        The unit as stated by the file (see :func:`classify_unit`).

    Returns
    -------
    flux, flux_err : ndarray, shape (T,)
        Relative flux around 1 for ppm/ppt/percent/mag; unchanged otherwise.
    conversion : str or None
        What was done, in words (for ``meta["flux_conversion"]``), or ``None`` when nothing.
    """
    kind = classify_unit(unit)
    flux = np.asarray(flux, dtype=float)
    err = None if flux_err is None else np.asarray(flux_err, dtype=float)
    finite = flux[np.isfinite(flux)]
    if kind in _SCALES and finite.size:
        scale = _SCALES[kind]
        offset = 0.0 if abs(float(np.median(finite))) * scale > 0.5 else 1.0
        converted = offset + flux * scale
        words = f"{kind} → relative flux: {'1 + ' if offset else ''}x·{scale:g}"
        return converted, None if err is None else err * scale, words
    if kind in ("mag", "mmag") and finite.size:
        magnitudes = flux * (1e-3 if kind == "mmag" else 1.0)
        reference = float(np.median(magnitudes[np.isfinite(magnitudes)]))
        converted = 10.0 ** (-0.4 * (magnitudes - reference))
        words = (f"{kind} → relative flux: 10**(-0.4·(m − {reference:.4f})), "
                 "error 0.4·ln10·f·σ_m")
        if err is not None:
            err = 0.4 * np.log(10.0) * converted * err * (1e-3 if kind == "mmag" else 1.0)
        return converted, err, words
    return flux, err, None


_ECSV_COLUMN = re.compile(r"^#\s*-\s*\{(?P<body>.*)\}\s*$")
_ECSV_FIELD = re.compile(r"(\w+)\s*:\s*('[^']*'|\"[^\"]*\"|[^,]+)")


def ecsv_units(lines: Iterable[str]) -> dict[str, str]:
    """Column name (lower case) → unit from an ECSV header's ``datatype`` list.

    ECSV files (astropy's ``Table.write(..., format="ascii.ecsv")``) describe each column in
    their ``#`` preamble as ``# - {name: flux, unit: ppm, datatype: float64}``; only that
    one-line form is read. Lines after the preamble are not looked at.
    """
    units: dict[str, str] = {}
    for line in lines:
        if not line.startswith("#"):
            break
        match = _ECSV_COLUMN.match(line.strip())
        if not match:
            continue
        fields = {key: value.strip().strip("'\"") for key, value in
                  _ECSV_FIELD.findall(match.group("body"))}
        if "name" in fields and "unit" in fields:
            units[fields["name"].lower()] = fields["unit"]
    return units


def ecsv_units_of(path: Path) -> dict[str, str]:
    """:func:`ecsv_units` of a plain-text file, ``{}`` when it cannot be read as text."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            head = []
            for line in handle:
                if not line.startswith("#"):
                    break
                head.append(line)
    except (OSError, UnicodeDecodeError):
        return {}
    return ecsv_units(head) if head and head[0].lstrip("# ").startswith("%ECSV") else {}
