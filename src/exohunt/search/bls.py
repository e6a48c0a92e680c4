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
        Mid-transit time of the best box, days.
    duration : ndarray, shape (F,)
        Duration of the best box, days.
    """

    periods: np.ndarray
    power: np.ndarray
    t0: np.ndarray
    duration: np.ndarray


@numba.njit(cache=True, fastmath=True, nogil=True)
def _bls_kernel(t, y, freqs, widths, mbins, qmax, min_in, power, best_start, best_m, best_nb):
    n = t.size
    total = float(n)
    mmax = mbins.max()
    nb_max = 1
    for k in range(freqs.size):
        nb_max = max(nb_max, int(1.0 / (freqs[k] * widths[k])) + 1)
    cnt = np.zeros(nb_max + mmax + 1)
    sy = np.zeros(nb_max + mmax + 1)
    scratch = np.zeros(nb_max + 1)
    for k in range(freqs.size):
        f = freqs[k]
        nb = max(int(1.0 / (f * widths[k])), 4)
        for j in range(nb + mmax + 1):
            cnt[j] = 0.0
            sy[j] = 0.0
        for i in range(n):
            ph = t[i] * f
            j = int((ph - np.floor(ph)) * nb)
            if j >= nb:
                j = nb - 1
            cnt[j + 1] += 1.0
            sy[j + 1] += y[i]
        for j in range(mmax):  # wrap around phase 1 -> 0
            cnt[nb + 1 + j] = cnt[1 + j]
            sy[nb + 1 + j] = sy[1 + j]
        for j in range(1, nb + mmax + 1):  # prefix sums
            cnt[j] += cnt[j - 1]
            sy[j] += sy[j - 1]
        best = 0.0
        for mi in range(mbins.size):
            m = mbins[mi]
            if m > qmax * nb:
                break
            for s in range(nb):  # branch-free so that numba vectorises it
                c = min(max(cnt[s + m] - cnt[s], 0.5), total - 0.5)
                v = min(sy[s + m] - sy[s], 0.0)
                ok = (c >= min_in) and (c <= total - min_in)
                scratch[s] = ok * (v * v / (c * (total - c)))
            s_best = np.argmax(scratch[:nb])
            if scratch[s_best] > best:
                best = scratch[s_best]
                best_start[k] = s_best
                best_m[k] = m
                best_nb[k] = nb
        power[k] = best * total


def bls_periodogram(time: np.ndarray, flux: np.ndarray, *, frequencies: np.ndarray,
                    bin_width: np.ndarray, duration_bins: np.ndarray, sigma: float,
                    qmax: float = 0.25, min_in: int = 3) -> Periodogram:
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
    _bls_kernel(t, y, freqs, widths, mbins, float(qmax), float(min_in), power, start, mbest,
                nbest)
    periods = 1.0 / freqs
    bw = periods / nbest
    t0 = time[0] + (start + 0.5 * mbest) * bw
    return Periodogram(periods=periods, power=np.sqrt(power) / sigma, t0=t0,
                       duration=mbest * bw)
