"""The indented detail lines ``exohunt info`` prints under a light curve's summary.

What a real file carries beyond flux, when it does: the flux unit and any conversion, the
host star's catalogue parameters, the aperture's crowding, the centroid series (which
columns, their scatter, the target's pixel and how far the median centroid sits from
it), the aperture flux and background columns, the quarter/sector the file covers, and
what the reader set aside as unusable.
Nothing is printed for what the input does not have (a plain time/flux table gets no
extra lines).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from exohunt.io.flux_units import classify_unit
from exohunt.lightcurve import LightCurve

__all__ = ["detail_lines", "robust_scatter"]

_SEGMENT_KEYS = ("quarter", "campaign", "sector", "season", "module", "output", "channel",
                 "camera", "ccd")


def robust_scatter(values: np.ndarray) -> float:
    """Point-to-point scatter of a series: 1.4826·MAD of successive differences / √2
    (:func:`exohunt.search.detrend.point_to_point_noise` of its finite values).

    Insensitive to slow drifts (pointing, focus) and to outliers; for white noise it
    equals the standard deviation. NaN when fewer than 3 finite values.
    """
    from exohunt.search.detrend import point_to_point_noise

    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size < 3:
        return float("nan")
    return float(point_to_point_noise(values))


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _star_line(star: Mapping[str, Any]) -> str | None:
    parts = []
    for key, label, form in (("teff", "Teff", "{:.0f} K"), ("logg", "logg", "{:.2f}"),
                             ("radius", "R", "{:.3g} R_sun"), ("feh", "[Fe/H]", "{:+.2f}")):
        value = _number(star.get(key))
        if math.isfinite(value):
            parts.append(f"{label} {form.format(value)}")
    mag = _number(star.get("mag"))
    if math.isfinite(mag):
        parts.append(f"{star.get('mag_band') or ''} mag {mag:.2f}".strip())
    if not parts:
        return None
    catalog = star.get("catalog") or "catalogue"
    if star.get("catalog_version"):
        catalog += f" v{star['catalog_version']}"
    missing = [k for k in ("teff", "logg", "radius") if not math.isfinite(_number(star.get(k)))]
    gap = f" (no {', '.join(missing)})" if missing else ""
    return f"star ({catalog}): {', '.join(parts)}{gap}"


def _centroid_line(lc: LightCurve) -> str | None:
    if "centroid_col" not in lc.columns:
        return None
    meta = lc.meta
    sources = dict(meta.get("column_sources") or {})
    col, row = lc.columns["centroid_col"], lc.columns["centroid_row"]
    names = f"{sources.get('centroid_col', 'col')}/{sources.get('centroid_row', 'row')}"
    finite = float(np.mean(np.isfinite(col) & np.isfinite(row)))
    scatter = f"{robust_scatter(col):.2g}/{robust_scatter(row):.2g} px"
    text = f"centroids: {names}, point-to-point scatter {scatter}, {finite:.0%} finite"
    target = meta.get("target_pixel") or (math.nan, math.nan)
    if all(math.isfinite(_number(v)) for v in target):
        offset = (np.nanmedian(col) - target[0], np.nanmedian(row) - target[1])
        text += (f"; target pixel ({target[0]:.2f}, {target[1]:.2f}), median centroid "
                 f"offset ({offset[0]:+.3f}, {offset[1]:+.3f}) px")
    jacobian = np.asarray(meta.get("pixel_to_sky", np.full((2, 2), np.nan)), dtype=float)
    if jacobian.shape == (2, 2) and np.isfinite(jacobian).all():
        scale = math.sqrt(abs(float(np.linalg.det(jacobian))))
        text += f"; {scale:.2f}″/px"
    return text


def detail_lines(lc: LightCurve) -> list[str]:
    """Lines (without indentation) describing what ``lc`` carries beyond its flux."""
    meta = lc.meta
    lines = []
    if meta.get("flux_unit") or meta.get("flux_conversion"):
        unit = meta.get("flux_unit") or "?"
        kind = classify_unit(meta.get("flux_unit"))
        done = meta.get("flux_conversion") or (
            "counts; divided by the median when searched" if kind == "counts" else
            "relative flux, used as is" if kind == "relative" else "not recognised; used as is")
        lines.append(f"flux unit: {unit} ({done})")
    star = meta.get("star")
    if isinstance(star, Mapping) and (line := _star_line(star)):
        lines.append(line)
    crowd = [(k.upper(), _number(meta.get(k))) for k in ("crowdsap", "flfrcsap")]
    if any(math.isfinite(v) for _, v in crowd):
        lines.append("crowding: " + ", ".join(f"{k} {v:.4f}" for k, v in crowd
                                                if math.isfinite(v)))
    if line := _centroid_line(lc):
        lines.append(line)
    sources = dict(meta.get("column_sources") or {})
    also = [f"{sources.get(key, key)} ({what})" for key, what in
            (("sap_flux", "aperture flux"), ("background", "background"))
            if key in lc.columns]
    if also:
        lines.append("also: " + ", ".join(also))
    segment = [f"{k} {meta[k]}" for k in _SEGMENT_KEYS if meta.get(k) not in (None, "")]
    if segment:
        lines.append(", ".join(segment))
    if meta.get("set_aside"):
        lines.append("set aside: " + "; ".join(meta["set_aside"]))
    return lines
