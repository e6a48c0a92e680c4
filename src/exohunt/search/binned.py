"""Smooth trends of short-cadence light curves fitted on robust time bins.

A biweight window of a TESS 2-min sector (0.8 d) holds ~580 cadences and its location is
iterated at every evaluation point: the trends cost more than the box search. The trend is
smooth on hour scales, so below :data:`BINNED_CADENCE_LIMIT` it is fitted to
:data:`TREND_BIN_WIDTH`-wide time bins and evaluated at every cadence by linear interpolation
between the bin times. A bin's value is the mean of its points within :data:`CLIP_SIGMA`
point-to-point σ of its median (a flare or cosmic ray is left out; white noise is averaged
as efficiently as the full-cadence biweight does); cadences left out of the trend (e.g. known
transits) are left out of the bins. Cadences of ``BINNED_CADENCE_LIMIT`` and longer (Kepler
long cadence, TESS 30-min and 10-min frames, the Kaggle rows) are never binned: their trends
are the same bits as without this module.

Linear interpolation between bins ``w`` apart errs by at most ~(π w / P)² / 8 of a variation
of period ``P``, and a bin mean flattens it by ~(π w / P)² / 6: < 0.1 % for the ≥ 0.35-day
windows the biweight is used with (tested against the full-cadence trend).
"""

from __future__ import annotations

import itertools

import numba
import numpy as np

from exohunt.search.biweight import biweight_trend

__all__ = ["BINNED_CADENCE_LIMIT", "CLIP_SIGMA", "TREND_BIN_WIDTH", "bin_means",
           "binned_biweight_trend", "median_cadence", "uses_bins"]

#: Width (days) of the bins the trend is fitted to: 10 minutes.
TREND_BIN_WIDTH = 10.0 / 1440
#: The biweight's bins average the points within this many times the point-to-point noise
#: of their bin's median: a flare or cosmic ray is left out, white noise is averaged with the
#: full efficiency of a mean (a median's ~30 % larger variance would make the trend noisier
#: than the full-cadence biweight, and noise in a trend is red: it costs box-search SNR).
CLIP_SIGMA = 3.0
#: Light curves whose median cadence is at most this (days; 5 minutes, half a bin) have their
#: trends fitted on bins: TESS 2-min and 200-s, Kepler short cadence. Longer cadences never.
BINNED_CADENCE_LIMIT = 0.5 * TREND_BIN_WIDTH


@numba.njit(cache=True, nogil=True)
def _median_step(time):  # pragma: no cover - numba
    """``np.median(np.diff(time))`` of at least two times, compiled."""
    steps = np.empty(time.size - 1)
    for i in range(steps.size):
        steps[i] = time[i + 1] - time[i]
    return np.median(steps)


def median_cadence(time: np.ndarray, default: float = float("nan")) -> float:
    """Median spacing (days) of sorted times ``time`` (shape (T,)), ``default`` for fewer than
    two: ``np.median(np.diff(time))`` to the bit (the same order statistics), without
    numpy's per-call overhead: the search asks for it a few dozen times per light curve."""
    time = np.ascontiguousarray(time, dtype=float)
    if time.size < 2:
        return float(default)
    return float(_median_step(time))


def uses_bins(time: np.ndarray) -> bool:
    """Whether the trends of a light curve with these sorted times (days) are fitted on
    bins: its median cadence is at most :data:`BINNED_CADENCE_LIMIT` (never for fewer than
    two times: NaN compares false)."""
    return median_cadence(time) <= BINNED_CADENCE_LIMIT


@numba.njit(cache=True, nogil=True)
def _bin_means(time, flux, usable, width, clip):  # pragma: no cover - numba
    """Mean flux and time of the usable points within ``clip`` of their bin's median, and
    their count, for each ``width``-wide bin (counted from ``time[0]``) that holds any point;
    a bin with no usable point gets the mean time of its points and ``good`` False. Plain
    loops: the same bits on any CPU."""
    size = time.size
    times = np.empty(size)
    values = np.zeros(size)
    good = np.zeros(size, dtype=np.bool_)
    counts = np.zeros(size, dtype=np.int64)
    buf = np.empty(size)
    n_bins = 0
    start = 0
    while start < size:
        index = int((time[start] - time[0]) / width)
        end = time[0] + (index + 1) * width  # the next bin's first time, give or take a bit
        stop = start + 1
        while stop < size and (time[stop] < end
                               and int((time[stop] - time[0]) / width) == index):
            stop += 1
        k = 0
        for i in range(start, stop):
            if usable[i]:
                buf[k] = flux[i]
                k += 1
        if k > 0:
            median = 0.0
            if clip < np.inf:
                for a in range(1, k):  # insertion sort: a bin holds a few to tens of points
                    value = buf[a]
                    b = a - 1
                    while b >= 0 and buf[b] > value:
                        buf[b + 1] = buf[b]
                        b -= 1
                    buf[b + 1] = value
                half = k // 2
                median = buf[half] if k % 2 == 1 else 0.5 * (buf[half - 1] + buf[half])
            total = 0.0
            total_time = 0.0
            n = 0
            for i in range(start, stop):
                if usable[i] and abs(flux[i] - median) <= clip:
                    total += flux[i]
                    total_time += time[i]
                    n += 1
            if n == 0:  # only when clip < 0
                n = 1
                total = median
                total_time = time[start]
            times[n_bins] = total_time / n
            values[n_bins] = total / n
            good[n_bins] = True
            counts[n_bins] = n
        else:
            total_time = 0.0
            for i in range(start, stop):
                total_time += time[i]
            times[n_bins] = total_time / (stop - start)
        n_bins += 1
        start = stop
    return times[:n_bins], values[:n_bins], good[:n_bins], counts[:n_bins]


def bin_means(time: np.ndarray, flux: np.ndarray, usable: np.ndarray | None = None,
              width: float = TREND_BIN_WIDTH, clip: float = np.inf
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Robust time bins of one light curve (or one gap-free segment of it).

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Ascending times (days) and finite flux (any unit).
    usable : ndarray of bool, shape (T,), optional
        False for cadences to leave out of the bins (default all usable).
    width : float
        Bin width, days.
    clip : float
        Points further than this (flux unit) from their bin's median are left out (flares,
        cosmic rays); ``inf`` averages every usable point.

    Returns
    -------
    times : ndarray, shape (B,)
        Mean time of each bin's averaged points (of all its points when none is usable).
    values : ndarray, shape (B,)
        Mean flux of each bin's averaged points (0 when none is usable).
    good : ndarray of bool, shape (B,)
        Whether the bin holds a usable point.
    counts : ndarray of int64, shape (B,)
        Number of points averaged in each bin.
    """
    time = np.ascontiguousarray(time, dtype=float)
    usable = (np.ones(time.size, dtype=np.bool_) if usable is None
              else np.ascontiguousarray(usable, dtype=np.bool_))
    return _bin_means(time, np.ascontiguousarray(flux, dtype=float), usable, float(width),
                      float(clip))


def binned_biweight_trend(time: np.ndarray, flux: np.ndarray, *, window_length: float,
                          break_tolerance: float = 0.5, mask: np.ndarray | None = None,
                          step: float | None = None, width: float = TREND_BIN_WIDTH,
                          clip: float = np.inf) -> np.ndarray:
    """:func:`~exohunt.search.biweight.biweight_trend` of the bin means, at every cadence.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Finite, ascending times (days) and flux (any unit).
    window_length, break_tolerance : float
        As in :func:`~exohunt.search.biweight.biweight_trend` (days); the segments are those
        of the full-cadence series.
    mask : ndarray of bool, shape (T,), optional
        True for cadences left out of the bins (the trend there comes from the window of
        bins around them, as without bins).
    step : float, optional
        Evaluate the biweight about every ``step`` days of bins (None: at every bin).
    width : float
        Bin width, days.
    clip : float
        Points further than this (flux unit) from their bin's median are left out of its mean.

    Returns
    -------
    ndarray, shape (T,)
        The trend, flux unit, linearly interpolated between bin times (constant beyond a
        segment's first and last bin); NaN near bins whose window holds no usable bin.
    """
    time = np.ascontiguousarray(time, dtype=float)
    flux = np.ascontiguousarray(flux, dtype=float)
    usable = None if mask is None else ~np.asarray(mask, dtype=bool)
    out = np.empty(time.size)
    edges = np.r_[0, np.flatnonzero(np.diff(time) > break_tolerance) + 1, time.size]
    for start, stop in itertools.pairwise(edges):
        part = slice(start, stop)
        times, values, good, _ = bin_means(time[part], flux[part],
                                           None if usable is None else usable[part], width,
                                           clip)
        trend = biweight_trend(times, values, window_length=window_length,
                               break_tolerance=np.inf, mask=~good, step=step)
        out[part] = np.interp(time[part], times, trend)
    return out
