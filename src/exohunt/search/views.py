"""AstroNet-style folded views of a signal (Shallue & Vanderburg 2018).

Each view is the folded, detrended flux averaged in (overlapping) bins, empty bins filled by
linear interpolation, then normalised: the global and local views each to median 0 and
minimum −1; the secondary, odd and even views use the local view's scale (so a secondary
eclipse as deep as the primary reaches −1, and odd/even depth differences stay visible).

The centroid views (ExoMiner, Valizadegan et al. 2022) bin the detrended centroid column
and row the same way (:func:`exohunt.search.centroid.centroid_residuals`), take the distance
of each bin from the out-of-transit position (the views' medians) and divide it by the
transit's depth in the aperture's flux: in transit a view then reads the source's distance
from the out-of-transit centroid in pixels (``Δc ≈ δ (x_src − c_oot)``; ~2 for a background
binary 2 px away, ~β·D for a planet on a target with a neighbour of flux share β at D), and
out of transit ~0. Clipped to ±``CENTROID_VIEW_CLIP`` pixels; zeros without centroids or
relative flux.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exohunt.io.lightkurve_compat import as_lightcurve
from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.centroid import aperture_depth_factor, centroid_residuals

__all__ = ["CENTROID_VIEW_NAMES", "LOCAL_HALF_WIDTH", "VIEW_NAMES", "Views", "binned_view",
           "make_views"]

VIEW_NAMES = ("global", "local", "secondary", "odd", "even")
#: Centroid views (not in :data:`VIEW_NAMES`: the flux models read those).
CENTROID_VIEW_NAMES = ("centroid_global", "centroid_local")
#: Centroid views are clipped to ± this many pixels (tiny depths make huge ratios).
CENTROID_VIEW_CLIP = 20.0
#: Half-width of the local, secondary, odd and even views, in transit durations.
LOCAL_HALF_WIDTH = 2.0


@dataclass(frozen=True)
class Views:
    """Folded views of one signal, float32: ``global_`` (G,), and (L,) each of ``local``,
    ``secondary`` (centred on phase 0.5), ``odd`` and ``even`` (odd/even-numbered transits);
    ``centroid_global`` (G,) and ``centroid_local`` (L,) in pixels of implied source distance
    from the out-of-transit centroid (zeros without centroids; see the module docstring)."""

    global_: np.ndarray
    local: np.ndarray
    secondary: np.ndarray
    odd: np.ndarray
    even: np.ndarray
    centroid_global: np.ndarray | None = None
    centroid_local: np.ndarray | None = None

    def as_dict(self) -> dict[str, np.ndarray]:
        """The flux views, keyed by :data:`VIEW_NAMES`."""
        return {"global": self.global_, "local": self.local, "secondary": self.secondary,
                "odd": self.odd, "even": self.even}

    def centroid_dict(self) -> dict[str, np.ndarray]:
        """The centroid views, keyed by :data:`CENTROID_VIEW_NAMES` (zeros when absent)."""
        return {"centroid_global": _zeros_if_none(self.centroid_global, self.global_),
                "centroid_local": _zeros_if_none(self.centroid_local, self.local)}


def _zeros_if_none(view: np.ndarray | None, like: np.ndarray) -> np.ndarray:
    return np.zeros_like(like) if view is None else view


def binned_view(phase: np.ndarray, flux: np.ndarray, *, lo: float, hi: float, bins: int,
                width: float) -> np.ndarray:
    """Mean of ``flux`` in ``bins`` windows of ``width`` centred evenly on [lo, hi].

    Parameters
    ----------
    phase, flux : ndarray, shape (T,)
        Phase (days from a transit centre) and flux.
    lo, hi : float
        Centres of the first and last bin, days.
    bins : int
        Number of bins.
    width : float
        Bin width in days (may exceed the spacing: overlapping bins).

    Returns
    -------
    ndarray, shape (bins,)
        Bin means; empty bins interpolated from their neighbours, NaN if all are empty.
    """
    order = np.argsort(phase)
    return _binned_sorted(phase[order], flux[order], lo=lo, hi=hi, bins=bins, width=width)


def _binned_sorted(ph: np.ndarray, fl: np.ndarray, *, lo: float, hi: float, bins: int,
                   width: float) -> np.ndarray:
    """:func:`binned_view` of points already sorted by phase (``ph`` ascending).

    Views of one phase array share its sort (an argsort is most of a view's cost on a TESS
    sector); the same sorted arrays give the same bits as sorting them again."""
    csum = np.concatenate([[0.0], np.cumsum(fl - (fl.mean() if fl.size else 0.0))])
    centres = np.linspace(lo, hi, bins)
    start = np.searchsorted(ph, centres - width / 2)
    stop = np.searchsorted(ph, centres + width / 2)
    count = stop - start
    out = np.full(bins, np.nan)
    full = count > 0
    out[full] = (csum[stop[full]] - csum[start[full]]) / count[full] + (fl.mean() if fl.size
                                                                          else 0.0)
    if full.any() and not full.all():
        out[~full] = np.interp(centres[~full], centres[full], out[full])
    return out


def _normalise(view: np.ndarray, median: float, scale: float) -> np.ndarray:
    out = (view - median) / scale
    return np.nan_to_num(out, nan=0.0).astype(np.float32)


def _scale(view: np.ndarray) -> tuple[float, float]:
    if not np.isfinite(view).any():
        return 0.0, 1.0
    median = float(np.nanmedian(view))
    depth = median - float(np.nanmin(view))
    return median, depth if depth > 0 else 1.0


def make_views(lc_detrended: LightCurve, signal, *, global_bins: int = 201,
               local_bins: int = 61) -> Views:
    """Global, local, secondary, odd and even views of ``signal`` in a detrended light curve.

    Parameters
    ----------
    lc_detrended : LightCurve
        Detrended light curve (flux around 1).
    signal : Signal
        Anything with ``period``, ``t0`` and ``duration`` in days.
    global_bins, local_bins : int
        Bins over the whole orbit and over ±``LOCAL_HALF_WIDTH`` durations.

    Returns
    -------
    Views
        NaN-free float32 arrays; all zeros where there are no data.
    """
    lc_detrended = as_lightcurve(lc_detrended, "make_views")  # lightkurve: converted
    time, flux = lc_detrended.time, lc_detrended.flux
    period, t0, duration = float(signal.period), float(signal.t0), float(signal.duration)
    phase = fold_phase(time, period, t0)
    global_opts = {"lo": -period / 2 * (1 - 1 / global_bins),
                   "hi": period / 2 * (1 - 1 / global_bins), "bins": global_bins,
                   "width": max(period / global_bins, duration / 4)}
    order = np.argsort(phase)
    sorted_phase, sorted_flux = phase[order], flux[order]
    gview = _binned_sorted(sorted_phase, sorted_flux, **global_opts)
    half = min(LOCAL_HALF_WIDTH * duration, period / 2)
    local_opts = {"lo": -half, "hi": half, "bins": local_bins,
                  "width": max(2 * half / local_bins, 0.16 * duration)}
    lview = _binned_sorted(sorted_phase, sorted_flux, **local_opts)
    sview = binned_view(fold_phase(time, period, t0 + period / 2), flux, **local_opts)
    odd = (np.round((time - t0) / period).astype(np.int64) % 2).astype(bool)
    oview = binned_view(phase[odd], flux[odd], **local_opts)
    eview = binned_view(phase[~odd], flux[~odd], **local_opts)
    g_median, g_scale = _scale(gview)
    l_median, l_scale = _scale(lview)
    centroid = _centroid_views(lc_detrended, signal, phase, global_opts, local_opts)
    return Views(
        global_=_normalise(gview, g_median, g_scale),
        local=_normalise(lview, l_median, l_scale),
        secondary=_normalise(sview, float(np.nanmedian(sview)) if np.isfinite(sview).any()
                             else 0.0, l_scale),
        odd=_normalise(oview, l_median, l_scale),
        even=_normalise(eview, l_median, l_scale),
        centroid_global=centroid[0] if centroid else np.zeros(global_bins, np.float32),
        centroid_local=centroid[1] if centroid else np.zeros(local_bins, np.float32),
    )


def _centroid_views(lc: LightCurve, signal, phase: np.ndarray, global_opts: dict,
                    local_opts: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """Global and local centroid views (pixels of implied source distance), or None."""
    depth = float(getattr(signal, "depth", np.nan)) * aperture_depth_factor(lc.meta)
    if lc.meta.get("flux_mode", "relative") != "relative" or not depth > 0:
        return None
    resid = centroid_residuals(lc, float(signal.period), float(signal.t0),
                               float(signal.duration))
    if resid is None:
        return None
    ok = np.isfinite(resid).all(axis=1)
    order = np.argsort(phase[ok])  # one sort for both axes and both views
    sorted_phase = phase[ok][order]
    sorted_axes = [resid[ok, axis][order] for axis in (0, 1)]  # contiguous, as before
    views = []
    for opts in (global_opts, local_opts):
        col, row = (_binned_sorted(sorted_phase, values, **opts) for values in sorted_axes)
        if not (np.isfinite(col).any() and np.isfinite(row).any()):
            # no centroid left in the view's span (e.g. the roll's model did not reach it)
            views.append(np.zeros(col.size, np.float32))
            continue
        distance = np.hypot(col - np.nanmedian(col), row - np.nanmedian(row)) / depth
        view = np.clip(distance - np.nanmedian(distance), -CENTROID_VIEW_CLIP,
                       CENTROID_VIEW_CLIP)
        views.append(np.nan_to_num(view, nan=0.0).astype(np.float32))
    return views[0], views[1]
