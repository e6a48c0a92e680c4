"""AstroNet-style folded views of a signal (Shallue & Vanderburg 2018).

Each view is the folded, detrended flux averaged in (overlapping) bins, empty bins filled by
linear interpolation, then normalised: the global and local views each to median 0 and
minimum −1; the secondary, odd and even views use the local view's scale (so a secondary
eclipse as deep as the primary reaches −1, and odd/even depth differences stay visible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exohunt.lightcurve import LightCurve, fold_phase

__all__ = ["LOCAL_HALF_WIDTH", "VIEW_NAMES", "Views", "binned_view", "make_views"]

VIEW_NAMES = ("global", "local", "secondary", "odd", "even")
#: Half-width of the local, secondary, odd and even views, in transit durations.
LOCAL_HALF_WIDTH = 2.0


@dataclass(frozen=True)
class Views:
    """Folded views of one signal, float32: ``global_`` (G,), and (L,) each of ``local``,
    ``secondary`` (centred on phase 0.5), ``odd`` and ``even`` (odd/even-numbered transits)."""

    global_: np.ndarray
    local: np.ndarray
    secondary: np.ndarray
    odd: np.ndarray
    even: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """Views keyed by :data:`VIEW_NAMES`."""
        return {"global": self.global_, "local": self.local, "secondary": self.secondary,
                "odd": self.odd, "even": self.even}


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
    ph, fl = phase[order], flux[order]
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
    time, flux = lc_detrended.time, lc_detrended.flux
    period, t0, duration = float(signal.period), float(signal.t0), float(signal.duration)
    phase = fold_phase(time, period, t0)
    gview = binned_view(phase, flux, lo=-period / 2 * (1 - 1 / global_bins),
                        hi=period / 2 * (1 - 1 / global_bins),
                        bins=global_bins, width=max(period / global_bins, duration / 4))
    half = min(LOCAL_HALF_WIDTH * duration, period / 2)
    local_opts = {"lo": -half, "hi": half, "bins": local_bins,
                  "width": max(2 * half / local_bins, 0.16 * duration)}
    lview = binned_view(phase, flux, **local_opts)
    sview = binned_view(fold_phase(time, period, t0 + period / 2), flux, **local_opts)
    odd = (np.round((time - t0) / period).astype(np.int64) % 2).astype(bool)
    oview = binned_view(phase[odd], flux[odd], **local_opts)
    eview = binned_view(phase[~odd], flux[~odd], **local_opts)
    g_median, g_scale = _scale(gview)
    l_median, l_scale = _scale(lview)
    return Views(
        global_=_normalise(gview, g_median, g_scale),
        local=_normalise(lview, l_median, l_scale),
        secondary=_normalise(sview, float(np.nanmedian(sview)) if np.isfinite(sview).any()
                             else 0.0, l_scale),
        odd=_normalise(oview, l_median, l_scale),
        even=_normalise(eview, l_median, l_scale),
    )
