"""Detrending: a time-windowed biweight (wotan's method, :mod:`exohunt.search.biweight`) or
wotan's running median, gap-aware.

Two flux conventions are handled:

- **relative** flux (positive, e.g. FITS PDCSAP or normalised simulations): the trend is
  divided out, giving relative flux around 1; depths are fractions (ppm × 1e-6).
- **additive** flux with an unknown zero point (the Kaggle layout: mean-subtracted counts,
  median ≈ 0, so nothing can be divided by it): the trend is subtracted and the residual is
  scaled by its robust standard deviation, giving ``1 + residual / sigma``; depths are then in
  units of the per-point noise and ``depth_ppm`` is undefined (NaN).

``flux_mode="auto"`` picks relative when the 1st percentile of the flux is positive and the
median exceeds 10 robust standard deviations, additive otherwise. The mode is recorded in
``meta["flux_mode"]`` of the result.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numba
import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.search.binned import (
    CLIP_SIGMA,
    TREND_BIN_WIDTH,
    binned_biweight_trend,
    median_cadence,
    uses_bins,
)
from exohunt.search.biweight import biweight_trend
from exohunt.search.grid import expected_duration

__all__ = ["DETREND_METHODS", "FLUX_MODES", "TrendCache", "default_window_length", "detrend",
           "point_to_point_noise", "robust_std"]

DETREND_METHODS = ("biweight", "median")
FLUX_MODES = ("auto", "relative", "additive")
#: With the default window, halve it (down to MIN_AUTO_WINDOW days) while that lowers the
#: residual's robust scatter by more than MIN_GAIN (fast rotators, strong spots).
MIN_GAIN = 0.1
MIN_AUTO_WINDOW = 0.35
#: A residual this close to white (robust σ / point-to-point noise) is not detrended again
#: with a shorter window: to lose MIN_GAIN of its scatter it would need about a sixth of its
#: variance in red noise (a ratio of ~1.09), and the shorter trend costs as much as the first.
WHITE_ENOUGH = 1.03
#: The biweight is evaluated about every window / TREND_STEPS days and interpolated in between
#: when the cadence is at least twice as fine (TESS 2-min: every ~20 min; a Kaggle row's
#: 29.4-min cadence: at every cadence). Linear interpolation then errs by at most
#: ~(2π / TREND_STEPS)² / 8 ≈ 2e-3 of the variability's amplitude at the window's scale.
TREND_STEPS = 50


@numba.njit(cache=True, nogil=True)
def _mad(values: np.ndarray) -> float:
    """Median absolute deviation of a non-empty finite array (numba: no per-call overhead)."""
    return np.median(np.abs(values - np.median(values)))


def robust_std(values: np.ndarray) -> float:
    """1.4826 × median absolute deviation of the finite ``values`` (0 if none)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.all():
        values = values[finite]
    if values.size == 0:
        return 0.0
    return float(1.4826 * _mad(np.ascontiguousarray(values)))


def point_to_point_noise(values: np.ndarray) -> float:
    """White-noise level from successive differences: 1.4826 MAD(diff) / sqrt(2)."""
    return robust_std(np.diff(np.asarray(values, dtype=float))) / np.sqrt(2)


def default_window_length(baseline: float) -> float:
    """Default detrending window (days) for a light curve spanning ``baseline`` days.

    Three times 1.5 × the expected duration at the longest default period (half the
    baseline), clipped to 0.5–1.5 days: 1.1 d for 65-day Kaggle rows, 0.8 d for a TESS sector.
    """
    longest = 1.5 * float(expected_duration(max(baseline / 2, 1.0)))
    return float(np.clip(3 * longest, 0.5, 1.5))


@contextmanager
def _single_thread():
    """Run numba-parallel code (wotan) on one thread: faster for 1e3-1e5 points."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _flux_mode(flux: np.ndarray, flux_mode: str) -> str:
    if flux_mode not in FLUX_MODES:
        raise ValueError(f"flux_mode must be one of {FLUX_MODES}, got {flux_mode!r}")
    if flux_mode != "auto":
        return flux_mode
    median = float(np.median(flux))
    positive = float(np.percentile(flux, 1)) > 0
    return "relative" if positive and median > 10 * robust_std(flux) else "additive"


class TrendCache:
    """The last few biweight trends of one search, for :func:`detrend` to reuse.

    The search detrends the same light curve again with each found signal's transits masked
    (a light curve pre-whitened with a spot model is not the same again: the model is refitted
    with the transits masked, and nothing is reused). A biweight location
    depends only on the sorted contents of its window, so where no window's contents changed
    the earlier trend is the answer, bit for bit
    (:func:`~exohunt.search.biweight.biweight_trend`'s ``previous``). An entry is reused only
    for the same time and flux values (compared exactly), window, gap tolerance and
    evaluation step; short-cadence trends fitted on bins are not cached.
    """

    #: Entries kept (the most recent); a search uses two or three windows at most.
    SIZE = 4

    def __init__(self) -> None:
        self._entries: list[tuple] = []

    def lookup(self, time: np.ndarray, flux: np.ndarray, key: tuple
               ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(raw trend, mask)`` of an entry for these arrays and ``key``, or None."""
        for entry in reversed(self._entries):
            e_time, e_flux, e_key, trend, mask = entry
            if e_key == key and np.array_equal(e_time, time) and np.array_equal(e_flux, flux):
                return trend, mask
        return None

    def store(self, time: np.ndarray, flux: np.ndarray, key: tuple, trend: np.ndarray,
              mask: np.ndarray) -> None:
        """Remember ``trend`` (before gaps are filled) computed with ``mask`` (copies of the
        arrays: a caller may change its own afterwards)."""
        entry = (time.copy(), flux.copy(), key, trend.copy(), mask.copy())
        self._entries = [*self._entries[-(self.SIZE - 1):], entry]


def _trend(time: np.ndarray, flux: np.ndarray, *, method: str, window_length: float,
           break_tolerance: float, mask: np.ndarray | None, binned: bool = True,
           cache: TrendCache | None = None) -> np.ndarray:
    if method == "biweight":  # exohunt's own: the same bits on every CPU (see biweight.py)
        step = window_length / TREND_STEPS
        if binned and uses_bins(time):  # short cadence: fitted on robust 10-min bins (binned.py)
            noise = point_to_point_noise(flux if mask is None else flux[~mask])
            return _fill_gaps(time, flux, binned_biweight_trend(
                time, flux, window_length=window_length, break_tolerance=break_tolerance,
                mask=mask, step=step if TREND_BIN_WIDTH <= 0.5 * step else None,
                clip=CLIP_SIGMA * noise))
        cadence = median_cadence(time, default=step)
        every = step if cadence <= 0.5 * step else None
        key = (float(window_length), float(break_tolerance), every)
        previous = None if cache is None else cache.lookup(time, flux, key)
        trend = biweight_trend(time, flux, window_length=window_length,
                               break_tolerance=break_tolerance, mask=mask, step=every,
                               previous=previous)
        if cache is not None:
            cache.store(time, flux, key, trend, np.zeros(time.size, dtype=bool) if mask is None
                        else np.asarray(mask, dtype=bool))
    else:  # wotan's running median: order statistics, exact on any CPU
        from wotan import flatten

        # wotan divides by its trend: keep that positive (the median is shift-equivariant)
        offset = 10.0 * float(np.ptp(flux)) + abs(float(np.median(flux))) + 1.0
        with _single_thread(), warnings.catch_warnings():
            # windows with no usable point get a NaN trend: interpolated below
            warnings.filterwarnings("ignore", message=".*received a NaN trend",
                                    category=UserWarning)
            _, trend = flatten(time, flux + offset, method=method, window_length=window_length,
                               break_tolerance=break_tolerance, edge_cutoff=0.0,
                               return_trend=True, mask=mask)
        trend = trend - offset
    return _fill_gaps(time, flux, trend)


def _fill_gaps(time: np.ndarray, flux: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """``trend`` with its NaNs (windows with no unmasked point) interpolated in time."""
    bad = ~np.isfinite(trend)
    if bad.any():
        good = ~bad
        trend[bad] = (np.interp(time[bad], time[good], trend[good]) if good.any()
                      else np.median(flux))
    return trend


def detrend(lc: LightCurve, *, method: str = "biweight", window_length: float | None = None,
            break_tolerance: float = 0.5, mask: np.ndarray | None = None,
            flux_mode: str = "auto", clip_sigma: float | None = 4.0,
            trend_cache: TrendCache | None = None) -> LightCurve:
    """Remove stellar variability and systematics, keeping transit-like dips.

    Parameters
    ----------
    lc : LightCurve
        Input light curve; non-finite cadences are dropped and time is sorted.
    method : {"biweight", "median"}
        wotan's time-windowed biweight location (default) or a running median.
    window_length : float, optional
        Window in days. Default: :func:`default_window_length` of the baseline, halved (to
        at least ``MIN_AUTO_WINDOW``) while that removes much more variability (``MIN_GAIN``).
    break_tolerance : float
        Gaps longer than this (days) split the light curve into independently detrended
        segments.
    mask : ndarray of bool, shape (T,), optional
        True for cadences (e.g. known transits) to leave out of the trend; the trend there is
        interpolated. Indexes the cadences of ``lc`` after dropping non-finite ones.
    flux_mode : {"auto", "relative", "additive"}
        Flux convention, see the module docstring.
    clip_sigma : float or None
        Drop points more than this many robust standard deviations *above* the trend (flares,
        cosmic rays); dips are never clipped. ``None`` keeps every point.
    trend_cache : TrendCache, optional
        Earlier biweight trends to reuse where the windows' contents did not change (the same
        result, computed faster: :class:`TrendCache`); this call's trends are added to it.

    Returns
    -------
    LightCurve
        Detrended flux around 1 (``meta``: ``flux_mode``, ``noise`` = robust per-point σ in
        the detrended unit, ``window_length``, ``detrend_method``, ``n_clipped_high`` and,
        additive flux, ``flux_scale``: the input flux per detrended unit).
    """
    if method not in DETREND_METHODS:
        raise ValueError(f"method must be one of {DETREND_METHODS}, got {method!r}")
    lc = lc.remove_nans()
    if len(lc) and np.any(np.diff(lc.time) < 0):
        lc = lc[np.argsort(lc.time, kind="stable")]
    if len(lc) < 10:
        raise ValueError(f"need at least 10 finite cadences to detrend, got {len(lc)}")
    window = default_window_length(lc.time_span) if window_length is None else window_length
    if not window > 0:
        raise ValueError(f"window_length must be positive days, got {window_length}")
    mode = _flux_mode(lc.flux, flux_mode)
    options = {"method": method, "break_tolerance": break_tolerance, "mask": mask,
               "cache": trend_cache}
    trend = _trend(lc.time, lc.flux, window_length=float(window), **options)
    scatter = None  # robust_std(lc.flux - trend), once known
    if window_length is None:  # halve the window while that removes much more variability
        scatter = robust_std(lc.flux - trend)
        white = scatter <= WHITE_ENOUGH * point_to_point_noise(lc.flux - trend)
        while window > MIN_AUTO_WINDOW and not white:
            shorter = max(window / 2, MIN_AUTO_WINDOW)
            trend2 = _trend(lc.time, lc.flux, window_length=shorter, **options)
            scatter2 = robust_std(lc.flux - trend2)
            if scatter2 > (1 - MIN_GAIN) * scatter:
                break
            window, trend, scatter = shorter, trend2, scatter2
    if mode == "relative":
        flux = lc.flux / trend
        err = None if lc.flux_err is None else lc.flux_err / trend
    else:
        scale = (robust_std(lc.flux - trend) if scatter is None else scatter) or 1.0
        flux = 1.0 + (lc.flux - trend) / scale
        err = None if lc.flux_err is None else lc.flux_err / scale
    noise = robust_std(flux)
    keep = np.ones(len(flux), dtype=bool)
    if clip_sigma is not None and noise > 0:
        keep = flux - np.median(flux) <= clip_sigma * noise
    meta = {"flux_mode": mode, "noise": noise, "window_length": float(window),
            "detrend_method": method, "n_clipped_high": int((~keep).sum())}
    if mode == "additive":  # the input flux per detrended unit (the trend is flux - s (det - 1))
        meta["flux_scale"] = float(scale)
    out = lc.replace(flux=flux, flux_err=err, meta=meta)
    return out[keep] if not keep.all() else out
