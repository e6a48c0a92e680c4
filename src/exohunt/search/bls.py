"""A fast box-least-squares periodogram (numba), checked against astropy's BoxLeastSquares.

For each trial frequency the light curve is folded into phase bins (a few per shortest
duration) and every box of ``m`` consecutive bins is scored by its improvement in chi-square
over a constant: ``S^2 N / (n_in (N - n_in)) / sigma^2`` with ``S`` the sum of the mean-
subtracted flux inside the box. Only dips (``S < 0``) count. The reported power is the square
root, the signal-to-noise of the best box in white noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["Periodogram", "bls_periodogram"]


@dataclass(frozen=True)
class Periodogram:
    """Box search result over a frequency grid.

    Attributes
    ----------
    periods : ndarray, shape (F,)
        Trial periods in days, descending (ascending frequency).
    power : ndarray, shape (F,)
        Best box signal-to-noise at each period (dimensionless).
    t0 : ndarray, shape (F,)
        Mid-transit time of the best box, days (NaN unless located).
    duration : ndarray, shape (F,)
        Duration of the best box, days.
    """

    periods: np.ndarray
    power: np.ndarray
    t0: np.ndarray
    duration: np.ndarray


@numba.njit(cache=True, fastmath=True, nogil=True)
def _fold_bins(t, y, f, nb, idx, acc):
    """Phase-bin counts and flux sums into ``acc`` (interleaved, offset by one bin)."""
    for i in range(t.size):  # vectorised: bin index of every point (t >= 0)
        x = t[i] * f
        idx[i] = min(int((x - int(x)) * nb), nb - 1)
    for i in range(t.size):  # scatter; counts and sums share a cache line
        j = 2 * idx[i] + 2
        acc[j] += 1.0
        acc[j + 1] += y[i]


@numba.njit(cache=True, fastmath=True, nogil=True)
def _argbest(acc, nb, m, total, min_in):
    """Start bin of the best box of ``m`` bins (second pass, only where asked)."""
    best, where = -1.0, 0
    for s in range(nb):
        c = acc[2 * (s + m)] - acc[2 * s]
        v = acc[2 * (s + m) + 1] - acc[2 * s + 1]
        if min_in <= c <= total - min_in and v < 0:
            p = v * v / (c * (total - c))
            if p > best:
                best, where = p, s
    return where


@numba.njit(cache=True, fastmath=True, nogil=True)
def _bls_kernel(t, y, freqs, widths, mbins, qmax, min_in, locate, power, best_start, best_m,
                best_nb):
    total = float(t.size)
    mmax = mbins.max()
    nb_max = 1
    for k in range(freqs.size):
        nb_max = max(nb_max, int(1.0 / (freqs[k] * widths[k])) + 1)
    acc = np.zeros(2 * (nb_max + mmax + 1))
    idx = np.zeros(t.size, dtype=np.int64)
    for k in range(freqs.size):
        nb = max(int(1.0 / (freqs[k] * widths[k])), 4)
        acc[: 2 * (nb + mmax + 1)] = 0.0
        _fold_bins(t, y, freqs[k], nb, idx, acc)
        for j in range(mmax):  # wrap around phase 1 -> 0
            acc[2 * (nb + 1 + j)] = acc[2 * (1 + j)]
            acc[2 * (nb + 1 + j) + 1] = acc[2 * (1 + j) + 1]
        for j in range(1, nb + mmax + 1):  # prefix sums
            acc[2 * j] += acc[2 * j - 2]
            acc[2 * j + 1] += acc[2 * j - 1]
        best = 0.0
        for mi in range(mbins.size):
            m = mbins[mi]
            if m > qmax * nb:
                break
            top = 0.0
            for s in range(nb):  # branch-free running maximum: numba vectorises it
                c = min(max(acc[2 * (s + m)] - acc[2 * s], 0.5), total - 0.5)
                v = min(acc[2 * (s + m) + 1] - acc[2 * s + 1], 0.0)
                ok = (c >= min_in) and (c <= total - min_in)
                top = max(top, ok * (v * v / (c * (total - c))))
            if top > best:
                best = top
                best_m[k] = m
                best_nb[k] = nb
        if locate and best > 0:
            best_start[k] = _argbest(acc, nb, best_m[k], total, min_in)
        power[k] = best * total


def bls_periodogram(time: np.ndarray, flux: np.ndarray, *, frequencies: np.ndarray,
                    bin_width: np.ndarray, duration_bins: np.ndarray, sigma: float,
                    qmax: float = 0.25, min_in: int = 3, locate: bool = True) -> Periodogram:
    """Box search of ``flux`` over ``frequencies``.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Times (days) and detrended flux (any unit, constant noise ``sigma``).
    frequencies : ndarray, shape (F,)
        Trial frequencies in 1/day.
    bin_width : ndarray, shape (F,)
        Phase-bin width at each frequency, days.
    duration_bins : ndarray of int, shape (D,)
        Searched box durations, in bins, ascending.
    sigma : float
        Per-point noise in the unit of ``flux``.
    qmax : float
        Longest duration as a fraction of the period.
    min_in : int
        Fewest points inside a box.
    locate : bool
        Also find the best box's position at each frequency (``t0``); False leaves ``t0``
        NaN and is faster.

    Returns
    -------
    Periodogram
    """
    t = np.ascontiguousarray(time, dtype=float)
    t = t - t[0]
    y = np.ascontiguousarray(flux, dtype=float)
    y = y - y.mean()
    freqs = np.ascontiguousarray(frequencies, dtype=float)
    widths = np.ascontiguousarray(np.broadcast_to(bin_width, freqs.shape), dtype=float)
    mbins = np.ascontiguousarray(np.sort(duration_bins), dtype=np.int64)
    size = freqs.size
    power = np.zeros(size)
    start = np.zeros(size, dtype=np.int64)
    mbest = np.ones(size, dtype=np.int64)
    nbest = np.ones(size, dtype=np.int64)
    _bls_kernel(t, y, freqs, widths, mbins, float(qmax), float(min_in), bool(locate), power,
                start, mbest, nbest)
    periods = 1.0 / freqs
    bw = periods / nbest
    t0 = time[0] + (start + 0.5 * mbest) * bw if locate else np.full(size, np.nan)
    return Periodogram(periods=periods, power=np.sqrt(power) / sigma, t0=t0,
                       duration=mbest * bw)
