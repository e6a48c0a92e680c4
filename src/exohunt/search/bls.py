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


#: Copies of the phase-bin accumulator that successive points go to in turn: additions to one
#: bin by neighbouring points then do not wait on each other.
LANES = 4
#: numba fast-math flags of the kernels: NaN/inf/signed-zero assumptions let the running
#: maximum vectorise (a maximum is exact in any order), but no reassociation or fused
#: multiply-add, which would make the phase bins and sums depend on the CPU.
_FASTMATH = {"nnan", "ninf", "nsz"}


@numba.njit(cache=True, fastmath=_FASTMATH, nogil=True)
def _fold_bins(t, q, f, nb, idx, acc):
    """Phase-bin sums of the packed values ``q`` into ``acc`` (bin ``b``, copy ``c`` at
    ``LANES * (b + 1) + c``)."""
    for i in range(t.size):  # vectorised: slot of every point (t >= 0)
        x = t[i] * f
        idx[i] = LANES * min(int((x - int(x)) * nb), nb - 1) + LANES + (i & (LANES - 1))
    for i in range(t.size):  # one integer addition per point: count and flux together
        acc[idx[i]] += q[i]


@numba.njit(cache=True, fastmath=_FASTMATH, nogil=True)
def _prefix(acc, nb, m_max, shift, scale, counts, sums):
    """Cumulative counts and flux sums of bins ``0 .. b-1`` (``counts[b]``, ``sums[b]``), the
    first ``m_max`` bins repeated after the last (boxes wrap around phase 1 -> 0)."""
    running = 0
    half = np.int64(1) << (shift - 1)
    for b in range(1, nb + 1):
        for c in range(LANES):
            running += acc[LANES * b + c]
        whole = (running + half) >> shift  # the count sits in the high bits
        counts[b] = whole
        sums[b] = (running - (whole << shift)) * scale
    for j in range(1, m_max + 1):
        counts[nb + j] = counts[nb] + counts[j]
        sums[nb + j] = sums[nb] + sums[j]


@numba.njit(cache=True, fastmath=_FASTMATH, nogil=True)
def _argbest(counts, sums, inv, nb, m):
    """Start bin of the best box of ``m`` bins (second pass, only where asked)."""
    best, where = -1.0, 0
    for s in range(nb):
        v = sums[s + m] - sums[s]
        p = v * v * inv[counts[s + m] - counts[s]]
        if v < 0 and p > best:
            best, where = p, s
    return where


@numba.njit(cache=True, fastmath=_FASTMATH, nogil=True)
def _bls_kernel(t, q, shift, scale, inv, freqs, widths, mbins, qmax, locate, power,
                best_start, best_m, best_nb):
    total = float(t.size)
    mmax = mbins.max()
    nb_max = 1
    for k in range(freqs.size):
        nb_max = max(nb_max, int(1.0 / (freqs[k] * widths[k])) + 1)
    acc = np.zeros(LANES * (nb_max + 1), dtype=np.int64)
    counts = np.zeros(nb_max + mmax + 1, dtype=np.int64)
    sums = np.zeros(nb_max + mmax + 1)
    idx = np.zeros(t.size, dtype=np.int64)
    for k in range(freqs.size):
        nb = max(int(1.0 / (freqs[k] * widths[k])), 4)
        acc[: LANES * (nb + 1)] = 0
        _fold_bins(t, q, freqs[k], nb, idx, acc)
        _prefix(acc, nb, mmax, shift, scale, counts, sums)
        best = 0.0
        for mi in range(mbins.size):
            m = mbins[mi]
            if m > qmax * nb:
                break
            top = 0.0
            for s in range(nb):  # branch-free running maximum: numba vectorises it
                v = min(sums[s + m] - sums[s], 0.0)
                top = max(top, v * v * inv[counts[s + m] - counts[s]])
            if top > best:
                best = top
                best_m[k] = m
                best_nb[k] = nb
        if locate and best > 0:
            best_start[k] = _argbest(counts, sums, inv, nb, best_m[k])
        power[k] = best * total


def _pack(flux: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Each point as one int64: 1 in the high bits (the count, from bit ``shift``) plus its
    flux in fixed point below (``2^(shift-3)`` units for the sum of |flux|, so that any sum
    of points, wrapped boxes included, decodes exactly). Returns ``(q, shift, scale)`` with
    ``scale`` the flux per unit."""
    shift = 62 - int(2 * flux.size + 1).bit_length()
    if shift < 24:
        raise ValueError(f"too many points for the box search: {flux.size}")
    total = float(np.abs(flux).sum())
    scale = total / 2.0 ** (shift - 3) if total > 0 else 1.0
    q = (np.int64(1) << shift) + np.rint(flux / scale).astype(np.int64)
    return q, shift, scale


def _inverse_table(n: int, min_in: float) -> np.ndarray:
    """``1 / (c (n - c))`` for box counts ``c`` with ``min_in <= c <= n - min_in``, else 0."""
    c = np.arange(n + 1, dtype=float)
    ok = (c >= min_in) & (c <= n - min_in)
    out = np.zeros(n + 1)
    out[ok] = 1.0 / (c[ok] * (n - c[ok]))
    return out


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
    q, shift, scale = _pack(y)
    _bls_kernel(t, q, shift, scale, _inverse_table(t.size, float(min_in)), freqs, widths, mbins,
                float(qmax), bool(locate), power, start, mbest, nbest)
    periods = 1.0 / freqs
    bw = periods / nbest
    t0 = time[0] + (start + 0.5 * mbest) * bw if locate else np.full(size, np.nan)
    return Periodogram(periods=periods, power=np.sqrt(power) / sigma, t0=t0,
                       duration=mbest * bw)
