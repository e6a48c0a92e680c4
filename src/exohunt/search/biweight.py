"""A time-windowed biweight trend that gives the same bits on every CPU.

wotan's biweight (the method itself, its sliding sorted window and its Steffensen-
accelerated iteration are followed here; Hippke et al. 2019) is compiled by numba with
``fastmath=True``: its weighted sums may be reassociated into SIMD lanes whose count depends
on the instruction set (2 on a generic x86-64, 4 with AVX2, 8 with AVX-512) and multiplies
and adds may be fused where the CPU has FMA. The trend then differs in its last bits between
CPUs, and on a planet-free star a last-bit change can move the periodogram's best peak, so
the features of the same star differed between machines. Here every sum runs in a fixed
order over eight interleaved accumulators (LLVM packs them into vector registers of any
width, with the same IEEE operations on any CPU), and nothing is compiled with
fastmath. Median and MAD come from the sorted window and are exact.
"""

from __future__ import annotations

import itertools

import numba
import numpy as np

__all__ = ["BIWEIGHT_CVAL", "BIWEIGHT_FTOL", "biweight_trend"]

#: Tuning constant (in MADs) beyond which a point has zero weight: wotan's default.
BIWEIGHT_CVAL = 5.0
#: Convergence: the iteration stops when a step moves the location by ≤ this × the MAD.
BIWEIGHT_FTOL = 1e-6
_MAX_ITER = 1000
_LANES = 8  # accumulators of the weighted sums (_irls_step unrolls exactly eight)


@numba.njit(cache=True, nogil=True, inline="always")
def _weighted(value, center, cmad):  # pragma: no cover - numba
    """``(d w, w)`` of one point: d = value − center, w its biweight weight."""
    d = value - center
    u = d * cmad
    v = max(1.0 - u * u, 0.0)
    v = v * v
    return d * v, v


@numba.njit(cache=True, nogil=True)
def _irls_step(data, n, center, cmad):  # pragma: no cover - numba
    """``center + Σ d w / Σ w`` over ``data[:n]`` (d = data − center, biweight weights w).

    Point ``j`` goes to accumulator ``j % LANES`` and the accumulators are added in a fixed
    tree at the end: elementwise IEEE operations that any SIMD width computes alike. The
    eight accumulators are scalars, not an array, so that they stay in registers; the
    operations and their order are fixed, hence the bits
    (``tests/test_search_determinism.py``)."""
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
    w0 = w1 = w2 = w3 = w4 = w5 = w6 = w7 = 0.0
    head = n - n % _LANES
    for j in range(0, head, _LANES):
        dw, w = _weighted(data[j], center, cmad)
        a0 += dw
        w0 += w
        dw, w = _weighted(data[j + 1], center, cmad)
        a1 += dw
        w1 += w
        dw, w = _weighted(data[j + 2], center, cmad)
        a2 += dw
        w2 += w
        dw, w = _weighted(data[j + 3], center, cmad)
        a3 += dw
        w3 += w
        dw, w = _weighted(data[j + 4], center, cmad)
        a4 += dw
        w4 += w
        dw, w = _weighted(data[j + 5], center, cmad)
        a5 += dw
        w5 += w
        dw, w = _weighted(data[j + 6], center, cmad)
        a6 += dw
        w6 += w
        dw, w = _weighted(data[j + 7], center, cmad)
        a7 += dw
        w7 += w
    for j in range(head, n):  # the tail goes to lane 0
        dw, w = _weighted(data[j], center, cmad)
        a0 += dw
        w0 += w
    # the fixed tree: lanes k and k + 4, then k and k + 2, then 0 and 1
    a0, a1, a2, a3 = a0 + a4, a1 + a5, a2 + a6, a3 + a7
    w0, w1, w2, w3 = w0 + w4, w1 + w5, w2 + w6, w3 + w7
    a0, a1 = a0 + a2, a1 + a3
    w0, w1 = w0 + w2, w1 + w3
    return center + (a0 + a1) / (w0 + w1)


@numba.njit(cache=True, nogil=True)
def _location(data, n, median, mad, cval, ftol):  # pragma: no cover - numba
    """Biweight location of ``data[:n]`` by fixed-point iteration from the median, every
    second step followed by an Aitken extrapolation while the approach is steady."""
    if mad == 0:
        return median
    cmad = 1.0 / (cval * mad)
    tol = ftol * mad
    center = median
    steps = 0
    while True:
        c1 = _irls_step(data, n, center, cmad)
        steps += 1
        if abs(c1 - center) <= tol or steps >= _MAX_ITER:
            return c1
        c2 = _irls_step(data, n, c1, cmad)
        steps += 1
        if abs(c2 - c1) <= tol:
            return c2
        step1 = c1 - center
        step2 = c2 - c1
        center = c2
        if step1 != 0:
            rate = step2 / step1
            if 0 < rate < 0.9:
                center = c2 + step2 * rate / (1 - rate)


@numba.njit(cache=True, nogil=True)
def _median_mad(s, n):  # pragma: no cover - numba
    """Median and median absolute deviation of the sorted ``s[:n]``: the MAD is the median
    of two sorted runs (below and above the median), found by binary search in O(log n)."""
    med = s[n // 2] if n % 2 == 1 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    r = np.searchsorted(s[:n], med)
    na, nb = r, n - r
    k = (n - 1) // 2 + 1
    lo, hi = max(0, k - nb), min(k, na)
    v1 = v2 = 0.0
    while lo <= hi:
        i = (lo + hi) // 2
        j = k - i
        a_left = med - s[r - i] if i > 0 else -np.inf
        a_right = med - s[r - 1 - i] if i < na else np.inf
        b_left = s[r + j - 1] - med if j > 0 else -np.inf
        b_right = s[r + j] - med if j < nb else np.inf
        if a_left > b_right:
            hi = i - 1
        elif b_left > a_right:
            lo = i + 1
        else:
            v1 = max(a_left, b_left)
            v2 = min(a_right, b_right) if n % 2 == 0 else v1
            break
    return med, 0.5 * (v1 + v2)


@numba.njit(cache=True, nogil=True)
def _insert(buf, n, value):  # pragma: no cover - numba
    pos = np.searchsorted(buf[:n], value)
    for k in range(n, pos, -1):
        buf[k] = buf[k - 1]
    buf[pos] = value
    return n + 1


@numba.njit(cache=True, nogil=True)
def _remove(buf, n, value):  # pragma: no cover - numba
    pos = np.searchsorted(buf[:n], value)
    for k in range(pos, n - 1):
        buf[k] = buf[k + 1]
    return n - 1


@numba.njit(cache=True, nogil=True)
def _replace(buf, n, old, new):  # pragma: no cover - numba
    """Swap one ``old`` for ``new`` in the sorted ``buf[:n]``, moving only what lies
    between their positions."""
    k = np.searchsorted(buf[:n], old)
    if new >= old:
        while k + 1 < n and buf[k + 1] < new:
            buf[k] = buf[k + 1]
            k += 1
    else:
        while k > 0 and buf[k - 1] > new:
            buf[k] = buf[k - 1]
            k -= 1
    buf[k] = new


@numba.njit(cache=True, nogil=True)
def _segment(time, flux, usable, evaluate, known, half_window, cval, ftol, out
             ):  # pragma: no cover - numba
    """Trend of one gap-free segment: the window of point i is
    ``time[i] − half_window <= t < time[i] + half_window`` (usable points only), kept sorted
    as it slides; NaN where a window holds no usable point. Only points with ``evaluate``
    get a location; the others are interpolated linearly in time between their neighbours.
    Points with ``known`` already hold their location in ``out`` (a window with the same
    contents gave it before) and are not computed again."""
    size = time.size
    buf = np.empty(size)
    n = 0
    lo = hi = 0
    for i in range(size):
        hi_to = hi
        while hi_to < size and time[hi_to] < time[i] + half_window:
            hi_to += 1
        lo_to = lo
        while time[lo_to] < time[i] - half_window:
            lo_to += 1
        if lo_to >= hi:  # the window jumped past all it held (a gap): start afresh
            n = 0
            lo = hi = lo_to
        while True:  # pair a leaving with an entering point: one partial shift for both
            while lo < lo_to and not usable[lo]:
                lo += 1
            while hi < hi_to and not usable[hi]:
                hi += 1
            if lo < lo_to and hi < hi_to:
                _replace(buf, n, flux[lo], flux[hi])
                lo += 1
                hi += 1
            elif hi < hi_to:
                n = _insert(buf, n, flux[hi])
                hi += 1
            elif lo < lo_to:
                n = _remove(buf, n, flux[lo])
                lo += 1
            else:
                break
        if not evaluate[i] or known[i]:
            continue
        if n == 0:
            out[i] = np.nan
            continue
        med, mad = _median_mad(buf, n)
        out[i] = _location(buf, n, med, mad, cval, ftol)
    last = -1
    for i in range(size):
        if not evaluate[i]:
            continue
        if last >= 0 and i > last + 1:
            slope = (out[i] - out[last]) / (time[i] - time[last])
            for j in range(last + 1, i):
                out[j] = out[last] + slope * (time[j] - time[last])
        last = i


@numba.njit(cache=True, nogil=True)
def _anchors(time, step):  # pragma: no cover - numba
    """Points where the trend is evaluated: the first of each ``step``-wide time bin, both
    sides of any longer time step (no interpolation across a gap) and the last point."""
    size = time.size
    keep = np.zeros(size, dtype=np.bool_)
    if size == 0:
        return keep
    keep[0] = True
    keep[size - 1] = True
    current = 0
    for i in range(1, size):
        b = int((time[i] - time[0]) / step)
        if b != current or time[i] - time[i - 1] > step:
            keep[i] = True
            keep[i - 1] = True
            current = b
    return keep


def biweight_trend(time: np.ndarray, flux: np.ndarray, *, window_length: float,
                   break_tolerance: float = 0.5, mask: np.ndarray | None = None,
                   cval: float = BIWEIGHT_CVAL, step: float | None = None,
                   previous: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Time-windowed biweight location of ``flux`` at every cadence.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Finite, ascending times, days.
    flux : ndarray, shape (T,)
        Finite flux, any unit (the location is shift- and scale-equivariant).
    window_length : float
        Full window width, days.
    break_tolerance : float
        Gaps longer than this (days) split the light curve into independently fitted
        segments.
    mask : ndarray of bool, shape (T,), optional
        True for cadences to leave out of every window (their trend still comes from the
        window around them).
    cval : float
        Biweight tuning constant, in MADs.
    step : float, optional
        Evaluate the biweight only about every ``step`` days and interpolate linearly in
        between (a window many cadences wide changes little from one cadence to the next);
        None evaluates it at every cadence.
    previous : (trend, mask), optional
        The result and ``mask`` of an earlier call with the same ``time``, ``flux`` and every
        other argument: the location is recomputed only where a window holds a cadence whose
        masking changed (a window's location depends only on its sorted contents, so the
        result is the same, bit for bit, as without ``previous``). The search's
        re-detrending with a signal's transits masked recomputes only near them.

    Returns
    -------
    ndarray, shape (T,)
        The trend, flux unit; NaN where the window holds no unmasked cadence.
    """
    time = np.ascontiguousarray(time, dtype=float)
    flux = np.ascontiguousarray(flux, dtype=float)
    usable = (np.ones(time.size, dtype=np.bool_) if mask is None
              else ~np.ascontiguousarray(mask, dtype=np.bool_))
    out = np.empty(time.size)
    evaluate = (np.ones(time.size, dtype=np.bool_) if step is None
                else _anchors(time, float(step)))
    half = 0.5 * float(window_length)
    known = np.zeros(time.size, dtype=np.bool_)
    if previous is not None:
        known = _unchanged_windows(time, usable, ~np.asarray(previous[1], dtype=bool), half)
        out[known] = previous[0][known]
    edges = np.r_[0, np.flatnonzero(np.diff(time) > break_tolerance) + 1, time.size]
    for start, stop in itertools.pairwise(edges):
        _segment(time[start:stop], flux[start:stop], usable[start:stop],
                 evaluate[start:stop], known[start:stop], half, float(cval),
                 BIWEIGHT_FTOL, out[start:stop])
    return out


def _unchanged_windows(time: np.ndarray, usable: np.ndarray, before: np.ndarray,
                       half_window: float) -> np.ndarray:
    """True at cadences whose window (``time[i] − half_window <= t < time[i] + half_window``,
    as :func:`_segment` slides it) holds no cadence whose ``usable`` flag differs from
    ``before``: their windows hold the same points as before."""
    changed = np.r_[0, np.cumsum(usable != before)]
    lo = np.searchsorted(time, time - half_window, side="left")
    hi = np.searchsorted(time, time + half_window, side="left")
    return changed[hi] == changed[lo]
