"""numba kernels that reproduce numpy's own arithmetic bit for bit, for the small per-signal
vetting loops whose cost was mostly Python and numpy call overhead.

:func:`pairwise_sum` adds in the order of ``np.sum`` on a contiguous float64 array (numpy's
pairwise summation: blocks of at most 128 values summed with eight interleaved accumulators,
longer runs split in two at a multiple of 8). Element-wise operations are written as numpy
evaluates them (no fused multiply-add, no reassociation: numba without fast-math), so a kernel
built from them returns exactly what the numpy expression it replaces returned, on any CPU
(numpy's float64 sum does not depend on the instruction set).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["ingress_fraction_grid", "pairwise_sum", "template_chi2"]

#: numpy's pairwise-summation block (``PW_BLOCKSIZE`` in numpy's loops_utils.h).
_BLOCK = 128


@numba.njit(cache=True, nogil=True)
def _block(values, start, count):  # pragma: no cover - numba
    """numpy's sum of at most ``_BLOCK`` values: eight accumulators from 8 values on."""
    if count < 8:
        total = -0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    stop = count - count % 8
    while i < stop:
        j = start + i
        r0 += values[j]
        r1 += values[j + 1]
        r2 += values[j + 2]
        r3 += values[j + 3]
        r4 += values[j + 4]
        r5 += values[j + 5]
        r6 += values[j + 6]
        r7 += values[j + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < count:
        total += values[start + i]
        i += 1
    return total


@numba.njit(cache=True, nogil=True)
def _split(count):  # pragma: no cover - numba
    """Length of the first half where numpy splits ``count`` values."""
    half = count // 2
    return half - half % 8


@numba.njit(cache=True, nogil=True)
def pairwise_sum(values):  # pragma: no cover - numba
    """``np.sum(values)`` of a 1-D float64 array, the same bits (numpy's summation order).

    Parameters
    ----------
    values : ndarray, shape (N,)
        Contiguous float64 values.

    Returns
    -------
    float
        Their sum (0.0 when empty).
    """
    # numpy recurses: sum(first half) + sum(second half) down to blocks of _BLOCK. The same
    # tree, walked with explicit stacks (numba's cache does not reload recursive functions).
    starts = np.empty(64, dtype=np.int64)
    counts = np.empty(64, dtype=np.int64)
    stage = np.empty(64, dtype=np.int64)
    partial = np.empty(64)
    depth, done = 0, 0
    starts[0], counts[0], stage[0] = 0, values.size, 0
    while depth >= 0:
        start, count = starts[depth], counts[depth]
        if count <= _BLOCK:
            partial[done] = _block(values, start, count)
            done += 1
            depth -= 1
        elif stage[depth] < 2:  # descend into the first, then the second half
            half = _split(count)
            child = depth + 1
            starts[child] = start if stage[depth] == 0 else start + half
            counts[child] = half if stage[depth] == 0 else count - half
            stage[child] = 0
            stage[depth] += 1
            depth = child
        else:  # both halves summed: combine them, first + second
            done -= 1
            partial[done - 1] = partial[done - 1] + partial[done]
            depth -= 1
    return 0.0 + partial[0]


@numba.njit(cache=True, nogil=True)
def ingress_fraction_grid(x, r, duration, scales, fractions):  # pragma: no cover - numba
    """Grid least-squares fit of a trapezoid (free depth) to a folded dip.

    Parameters
    ----------
    x : ndarray, shape (T,)
        |time from mid-transit|, days.
    r : ndarray, shape (T,)
        Flux minus its out-of-transit level (dips negative), flux unit.
    duration : float
        Box duration, days.
    scales : ndarray, shape (S,)
        Total durations tried, as multiples of ``duration``.
    fractions : ndarray, shape (F,)
        Ingress fractions tried (ingress time / total duration).

    Returns
    -------
    float
        The fraction of the smallest χ² (first one on ties, scales outer, fractions inner);
        NaN when no trapezoid covers a cadence.
    """
    shape = np.empty(x.size)
    work = np.empty(x.size)
    best, best_f = np.inf, np.nan
    for scale in scales:
        half = 0.5 * duration * scale
        for frac in fractions:
            ramp = frac * 2 * half
            for i in range(x.size):
                shape[i] = min(max((half - x[i]) / ramp, 0.0), 1.0)
                work[i] = shape[i] * shape[i]
            norm = pairwise_sum(work)
            if norm == 0:
                continue
            for i in range(x.size):
                work[i] = shape[i] * r[i]
            depth = -pairwise_sum(work) / norm
            for i in range(x.size):
                value = r[i] + depth * shape[i]
                work[i] = value * value
            chi2 = pairwise_sum(work)
            if chi2 < best:
                best, best_f = chi2, frac
    return best_f


@numba.njit(cache=True, nogil=True)
def template_chi2(x, r, w, table, half_widths, offsets):  # pragma: no cover - numba
    """Smallest χ² of ``r`` over tabulated eclipse profiles, depth free (dips only).

    Parameters
    ----------
    x : ndarray, shape (T,)
        Time from mid-transit, days.
    r : ndarray, shape (T,)
        Flux minus its out-of-transit level, flux unit.
    w : ndarray, shape (T,)
        Weights (cadences per point).
    table : ndarray, shape (K, 1002)
        Unit-depth profiles at |τ| = 0, 0.001 … 1, then 0 (beyond the eclipse).
    half_widths : ndarray, shape (S,)
        Half the total duration of each trial width, days.
    offsets : ndarray, shape (O,)
        Sub-exposure time offsets, days; the profile is summed over them.

    Returns
    -------
    float
        ``Σ w r²`` minus the largest ``(Σ w s r)² / Σ w s²`` over profiles ``s`` with a
        negative projection, or ``Σ w r²`` when none has one.
    """
    size = x.size
    work = np.empty(size)
    for i in range(size):
        work[i] = w[i] * r[i] * r[i]
    total = pairwise_sum(work)
    best = total
    weighted = np.empty(size)
    for i in range(size):
        weighted[i] = w[i] * r[i]
    index = np.empty((offsets.size, size), dtype=np.int64)
    shape = np.empty(size)
    for half in half_widths:
        for o in range(offsets.size):
            for i in range(size):
                index[o, i] = int(min(np.rint(abs(x[i] + offsets[o]) / half * 1000), 1001))
        top, found = 0.0, False
        for k in range(table.shape[0]):
            for i in range(size):
                value = 0.0
                for o in range(offsets.size):
                    value += table[k, index[o, i]]
                shape[i] = value
            for i in range(size):
                work[i] = w[i] * shape[i] * shape[i]
            norm = pairwise_sum(work)
            for i in range(size):
                work[i] = shape[i] * weighted[i]
            projection = pairwise_sum(work)
            if norm > 0 and projection < 0:
                gain = projection * projection / norm
                if not found or gain > top:
                    top, found = gain, True
        if found:
            best = min(best, total - top)
    return best
