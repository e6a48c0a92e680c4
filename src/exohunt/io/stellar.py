"""The host star's catalogue parameters and the aperture's crowding, from file headers.

Kepler, K2 and TESS files copy the input catalogue's values into the primary header:
``TEFF`` (K), ``LOGG`` (cgs, dex), ``RADIUS`` (R_sun), ``FEH`` (Kepler) or ``MH`` (TESS)
(dex), and the mission magnitude ``KEPMAG`` / ``TESSMAG``. Which catalogue they come from
follows from the mission: KIC for Kepler (Brown et al. 2011), EPIC for K2 (Huber et al.
2016; K2 light-curve headers leave the parameters blank), TIC for TESS (Stassun et al.
2018 for TIC-7, 2019 for TIC-8; ``TICVER`` says which). The light-curve extension adds
``CROWDSAP`` (share of the aperture's flux that comes from the target) and ``FLFRCSAP``
(share of the target's flux that falls in the aperture).

Headers carry no uncertainties, so :data:`CATALOGUE_UNCERTAINTIES` holds typical
one-sigma values per catalogue and :func:`catalogue_uncertainty` applies them.

A value that is absent is NaN. A value that is present but not a number, or outside
:data:`PLAUSIBLE_RANGES` (a negative radius, logg 12, Teff 100 K), is NaN too, and the
reader emits one :class:`~exohunt.errors.DataQualityWarning` per file naming the file and
every such field.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from exohunt.errors import DataQualityWarning

__all__ = [
    "CATALOGUE_UNCERTAINTIES",
    "PLAUSIBLE_RANGES",
    "catalogue_uncertainty",
    "crowding_from_header",
    "star_from_header",
    "warn_data_quality",
]

NAN = float("nan")

#: Header keywords read for each field of ``meta["star"]``, first present wins.
STAR_KEYWORDS = {"teff": ("TEFF",), "logg": ("LOGG",), "radius": ("RADIUS",),
                 "feh": ("FEH", "MH", "M_H")}
#: Magnitude keywords and the band they name.
MAG_KEYWORDS = (("KEPMAG", "Kepler"), ("TESSMAG", "TESS"), ("TMAG", "TESS"))

#: Values outside these (inclusive) ranges are not physical for a catalogue star; they are
#: read as NaN with a warning. Units: teff K, logg dex (cgs), radius R_sun, feh dex, mag.
#: Teff: coolest catalogued M/L dwarfs ~2000 K, hottest O stars ~50 000 K; logg: supergiants
#: ~0, white dwarfs ~8–9; radius: white dwarfs ~0.008, red supergiants ~1 500 R_sun.
PLAUSIBLE_RANGES = {"teff": (1200.0, 60000.0), "logg": (-1.0, 9.5),
                    "radius": (0.005, 2000.0), "feh": (-5.0, 1.5), "mag": (-2.0, 30.0)}

#: Typical one-sigma uncertainties of each catalogue's header values (headers carry none).
#: ``teff`` K, ``logg`` dex, ``radius`` as a FRACTION of the radius, ``feh`` dex.
#:
#: - KIC (Brown et al. 2011, AJ 142, 112): ±200 K and ±0.4 dex in logg for 4500–6500 K
#:   dwarfs, metallicity poorly constrained (~0.5 dex); radii good to ~40 % (Huber et al.
#:   2014, ApJS 211, 2, found KIC radii of subgiants underestimated by up to ~50 %).
#: - EPIC (Huber et al. 2016, ApJS 224, 2): ~3 % in Teff (≈150 K), ~0.3 dex in logg,
#:   ~40 % in radius, ~0.3 dex in [Fe/H] for the photometric classifications.
#: - TIC-8 (Stassun et al. 2019, AJ 158, 138; Gaia DR2 parallaxes): dwarfs typically
#:   ~150 K, radius ~7 % and logg ~0.08 dex (from mass and radius), rounded up here to
#:   10 % and 0.1 dex for unresolved binaries and the Teff-relation systematics; [M/H] when
#:   present comes from spectroscopic surveys, ~0.15 dex. A TIC without ``TICVER`` is
#:   taken as TIC-8 (every TESS product since 2019, reprocessed sectors included).
#: - TIC-7 (Stassun et al. 2018, AJ 156, 102; before Gaia DR2): ~200 K, radius ~25 %,
#:   logg ~0.2 dex, [M/H] ~0.3 dex.
#: - ``default``: any other or unknown source (simulated stars, unnamed catalogues), wide on
#:   purpose.
CATALOGUE_UNCERTAINTIES: dict[str, dict[str, float]] = {
    "KIC": {"teff": 200.0, "logg": 0.4, "radius": 0.40, "feh": 0.5},
    "EPIC": {"teff": 150.0, "logg": 0.3, "radius": 0.40, "feh": 0.3},
    "TIC-8": {"teff": 150.0, "logg": 0.1, "radius": 0.10, "feh": 0.15},
    "TIC-7": {"teff": 200.0, "logg": 0.2, "radius": 0.25, "feh": 0.3},
    "default": {"teff": 250.0, "logg": 0.4, "radius": 0.40, "feh": 0.5},
}


def _catalogue_key(star: Mapping[str, Any]) -> str:
    catalog = str(star.get("catalog") or "").upper().replace(" ", "")
    if catalog.startswith("TIC"):
        version = str(star.get("catalog_version") or catalog[3:].lstrip("-V") or "8")
        try:
            major = int(float(version.split(".")[0]))
        except ValueError:
            major = 8
        return "TIC-8" if major >= 8 else "TIC-7"
    return catalog if catalog in CATALOGUE_UNCERTAINTIES else "default"


def catalogue_uncertainty(star: Mapping[str, Any]) -> dict[str, float]:
    """Typical one-sigma uncertainties of a star's catalogue parameters.

    Parameters
    ----------
    star : mapping
        ``meta["star"]``: ``teff`` (K), ``logg`` (dex), ``radius`` (R_sun), ``feh`` (dex),
        ``catalog`` (``"KIC"``, ``"EPIC"``, ``"TIC"``, anything else) and optionally
        ``catalog_version`` (TIC: ``"8.1"``, ``7``).

    Returns
    -------
    dict
        ``teff`` (K), ``logg`` (dex), ``radius`` (R_sun: the fractional error of
        :data:`CATALOGUE_UNCERTAINTIES` times the radius), ``radius_fraction`` (σR/R),
        ``feh`` (dex), ``catalog_key`` (which row of the table was used); NaN for a
        parameter the star does not have.
    """
    key = _catalogue_key(star)
    table = CATALOGUE_UNCERTAINTIES[key]
    out: dict[str, Any] = {}
    for name in ("teff", "logg", "radius", "feh"):
        value = _as_float(star.get(name))
        sigma = table[name] * abs(value) if name == "radius" else table[name]
        out[name] = sigma if math.isfinite(value) else NAN
    out["radius_fraction"] = table["radius"] if math.isfinite(out["radius"]) else NAN
    out["catalog_key"] = key
    return out


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


def _header_number(headers: Iterable[Mapping[str, Any]], keyword: str
                   ) -> tuple[bool, Any]:
    """``(present, value)`` of the first header having ``keyword`` with a non-blank value."""
    for header in headers:
        if keyword in header:
            value = header[keyword]
            # astropy gives blank cards as Undefined (or None / ""): same as absent
            if value is None or type(value).__name__ == "Undefined" or \
                    (isinstance(value, str) and not value.strip()):
                continue
            return True, value
    return False, None


def _checked(field: str, keyword: str, value: Any, bounds: tuple[float, float],
             problems: list[str]) -> float:
    if isinstance(value, bool):
        number = NAN
    else:
        number = _as_float(value)
    if isinstance(value, float) and math.isnan(value):
        return NAN  # NaN written as NaN: simply absent
    if not math.isfinite(number):
        problems.append(f"{keyword}={value!r} is not a number")
        return NAN
    low, high = bounds
    if not low <= number <= high:
        problems.append(f"{keyword}={number:g} is outside the plausible range "
                        f"[{low:g}, {high:g}] for {field}")
        return NAN
    return number


def star_from_header(headers: Iterable[Mapping[str, Any]], mission: str | None
                     ) -> tuple[dict[str, Any], list[str]]:
    """The star's catalogue parameters from headers (primary first), and what was wrong.

    Parameters
    ----------
    headers : iterable of mappings
        FITS headers (or lightkurve's ``meta``), searched in order for each keyword.
    mission : str or None
        ``"Kepler"``, ``"K2"``, ``"TESS"`` or other; names the catalogue.

    Returns
    -------
    star : dict
        ``teff`` K, ``logg`` dex, ``radius`` R_sun, ``feh`` dex, ``mag`` (float, NaN where
        absent or implausible), ``mag_band`` (``"Kepler"``/``"TESS"``/None), ``catalog``
        (``"KIC"``/``"EPIC"``/``"TIC"``/None), ``catalog_version`` (TIC's ``TICVER`` as a
        string, else None).
    problems : list of str
        One phrase per present-but-unusable keyword (empty when all is well).
    """
    headers = [h for h in headers if h is not None]
    problems: list[str] = []
    star: dict[str, Any] = {}
    for field, keywords in STAR_KEYWORDS.items():
        star[field] = NAN
        for keyword in keywords:
            present, value = _header_number(headers, keyword)
            if present:
                star[field] = _checked(field, keyword, value, PLAUSIBLE_RANGES[field], problems)
                break
    star["mag"], star["mag_band"] = NAN, None
    for keyword, band in MAG_KEYWORDS:
        present, value = _header_number(headers, keyword)
        if present:
            star["mag"] = _checked("mag", keyword, value, PLAUSIBLE_RANGES["mag"], problems)
            star["mag_band"] = band
            break
    star["catalog"], star["catalog_version"] = _catalogue(headers, mission)
    return star, problems


def _catalogue(headers: list[Mapping[str, Any]], mission: str | None
               ) -> tuple[str | None, str | None]:
    mission = (mission or "").upper()
    has_tic = any(_header_number(headers, k)[0] for k in ("TICID", "TIC_ID", "TICVER"))
    if mission == "TESS" or has_tic:
        present, version = _header_number(headers, "TICVER")
        return "TIC", (str(version).strip() if present else None)
    if mission == "K2":
        return "EPIC", None
    if mission == "KEPLER":
        return "KIC", None
    return None, None


def crowding_from_header(headers: Iterable[Mapping[str, Any]]
                         ) -> tuple[float, float, list[str]]:
    """``(crowdsap, flfrcsap, problems)`` from the light-curve extension's header.

    Both are shares in (0, 1]: ``CROWDSAP`` the fraction of the aperture's flux that comes
    from the target, ``FLFRCSAP`` the fraction of the target's flux inside the aperture.
    Values up to 1.01 are taken as 1 (rounding in the pipeline); anything else outside
    (0, 1], or not a number, is NaN and listed in ``problems``.
    """
    headers = [h for h in headers if h is not None]
    problems: list[str] = []
    values = []
    for keyword in ("CROWDSAP", "FLFRCSAP"):
        present, value = _header_number(headers, keyword)
        number = _checked(keyword.lower(), keyword, value, (1e-6, 1.01), problems) \
            if present else NAN
        values.append(min(number, 1.0) if math.isfinite(number) else NAN)
    return values[0], values[1], problems


def warn_data_quality(source: object, problems: list[str], consequence: str = "set to NaN"
                      ) -> None:
    """One :class:`DataQualityWarning` naming ``source`` and every problem (none: silent)."""
    if problems:
        warnings.warn(f"{source}: {'; '.join(problems)}; {consequence}", DataQualityWarning,
                      stacklevel=3)
