"""A trapezoid fitted to the folded transit: continuous duration, ingress and depth.

The box search measures duration on a coarse grid (its trial widths step by 30-50 %), and a
box has no ingress. The classifier needs both as continuous numbers: a diluted background
eclipsing binary has a planet's depth but a *stellar* companion, so its eclipse lasts longer
than a planet's would at that period and its ingress takes a larger share of it (Seager &
Mallén-Ornelas 2003; the Kepler Robovetter fits the same trapezoid for the same reason,
Thompson et al. 2018).

The model is the classic symmetric trapezoid — total duration ``T14``, ingress ``T12 =
f·T14`` (``f`` = 0 box, 0.5 V), depth ``δ`` — averaged over the exposure, since a 30-minute
cadence stretches a planet's 10-minute ingress. ``δ`` enters linearly and is solved exactly
at every step (variable projection), so the non-linear least squares has three parameters:
the mid-transit offset, ``T14`` and ``f``. For speed the folded cadences are averaged into
narrow phase bins (at most 120 across the ±2.5-duration window), weighted by their counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["TrapezoidFit", "fit_trapezoid", "trapezoid"]

_WINDOW = 2.5          # fitted window: ± this many box durations around mid-transit
_MAX_POINTS = 120      # more folded cadences than this are averaged into phase bins
_SUBSAMPLES = 4        # exposure averaging
_T14_LIMITS = (0.25, 3.0)   # × the box duration
_START_T14 = (0.7, 1.1, 1.8)
_START_F = (0.1, 0.35)
#: Forward-difference relative step of the Jacobian (sqrt of the float64 epsilon, as scipy's
#: "2-point").
_FD_STEP = float(np.finfo(np.float64).eps ** 0.5)
#: Levenberg-Marquardt budget and tolerances (those of ``least_squares(method="lm",
#: max_nfev=50)``, which the fit used before and which the tests use as its oracle).
_MAX_NFEV = 50
_FTOL = _XTOL = _GTOL = 1e-8
_FACTOR = 100.0  # initial trust radius, × the scaled start (MINPACK's default)
_EPS = float(np.finfo(np.float64).eps)
_DWARF = float(np.finfo(np.float64).tiny)


@dataclass(frozen=True)
class TrapezoidFit:
    """Best-fitting trapezoid of one folded transit.

    Attributes
    ----------
    t0_offset : float
        Fitted mid-transit minus the given epoch, days.
    duration : float
        Total duration ``T14``, days.
    ingress_fraction : float
        ``T12 / T14`` in [0, 0.5]: 0 for a box, 0.5 for a V.
    depth, depth_err : float
        Depth of the flat bottom and its 1σ error, flux unit (≥ 0).
    snr : float
        ``depth / depth_err``.
    n_points : int
        Cadences in the fitted window.
    """

    t0_offset: float
    duration: float
    ingress_fraction: float
    depth: float
    depth_err: float
    snr: float
    n_points: int

    @classmethod
    def failed(cls, n_points: int = 0) -> TrapezoidFit:
        """The all-NaN result of a window with too little data."""
        nan = float("nan")
        return cls(nan, nan, nan, nan, nan, nan, n_points)


def trapezoid(phase: np.ndarray, duration: float, ingress_fraction: float, *,
              exposure: float = 0.0, subsamples: int = _SUBSAMPLES) -> np.ndarray:
    """Unit-depth trapezoid dip (0 outside, 1 on the flat bottom), exposure-averaged.

    Parameters
    ----------
    phase : ndarray, shape (T,)
        Time from mid-transit, days.
    duration : float
        Total duration ``T14``, days.
    ingress_fraction : float
        ``T12 / T14``, in [0, 0.5].
    exposure : float
        Exposure length, days (0: instantaneous).
    subsamples : int
        Sub-exposures averaged.

    Returns
    -------
    ndarray, shape (T,)
        Fraction of the full depth lost at each phase (positive in the dip).
    """
    ramp = max(ingress_fraction * duration, 1e-9)
    offsets = (np.arange(subsamples) + 0.5) / subsamples - 0.5 if exposure > 0 else np.zeros(1)
    shifted = np.abs(np.asarray(phase, float)[:, None] + offsets[None, :] * exposure)
    return np.clip((0.5 * duration - shifted) / ramp, 0.0, 1.0).mean(axis=1)


def _binned(x: np.ndarray, r: np.ndarray, width: float) -> tuple[np.ndarray, ...]:
    """Phase-binned cadences: centres, mean residuals and counts of the non-empty bins."""
    edges = np.arange(x.min(), x.max() + width, width)
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 1)
    counts = np.bincount(index, minlength=edges.size).astype(float)
    full = counts > 0
    centres = np.bincount(index, weights=x, minlength=edges.size)[full] / counts[full]
    means = np.bincount(index, weights=r, minlength=edges.size)[full] / counts[full]
    return centres, means, counts[full]


def fit_trapezoid(phase: np.ndarray, resid: np.ndarray, duration: float, noise: float, *,
                  exposure: float = 0.0) -> TrapezoidFit:
    """Least-squares trapezoid fit to a folded transit.

    Parameters
    ----------
    phase : ndarray, shape (T,)
        Time from the nearest mid-transit of the candidate ephemeris, days.
    resid : ndarray, shape (T,)
        Detrended flux minus its out-of-transit level (dips negative), flux unit.
    duration : float
        The search's box duration, days (starting point; ``T14`` may range over
        0.25-3 times it).
    noise : float
        Per-point white noise, flux unit.
    exposure : float
        Exposure length, days; the model is averaged over it.

    Returns
    -------
    TrapezoidFit
        All NaN when fewer than 10 cadences fall within 2.5 durations of mid-transit.
    """
    near = np.abs(phase) < _WINDOW * duration
    n_points = int(near.sum())
    if n_points < 10 or not noise > 0 or not duration > 0:
        return TrapezoidFit.failed(n_points)
    # The inputs are snapped to a grid far below the noise (1e-7 σ in flux, 1e-10 d in phase):
    # upstream sums (detrending, noise estimate) vary in their last bit with memory alignment,
    # and on a noise star's flat χ² the optimiser turns a 1-ulp change into a different answer
    # (a serial and a parallel search of the same star disagreed). Snapped, they are identical.
    noise = float(f"{noise:.9g}")
    step = noise * 1e-7
    x = np.round(phase[near], 10)
    r, w = np.round(resid[near] / step) * step, np.ones(n_points)
    if n_points > _MAX_POINTS:
        x, r, w = _binned(x, r, 2 * _WINDOW * duration / _MAX_POINTS)
    lo, hi = _T14_LIMITS[0] * duration, _T14_LIMITS[1] * duration
    offsets = ((np.arange(_SUBSAMPLES) + 0.5) / _SUBSAMPLES - 0.5) * exposure if exposure > 0 \
        else np.zeros(1)
    data = (x, r, w, np.sqrt(w), offsets, float(noise), float(duration), lo, hi)

    # Levenberg-Marquardt (exohunt's numba port of MINPACK's lmder, no Python per step) on
    # unbounded parameters mapped into the bounds: offset and T14 through tanh, f through a
    # logistic.
    # Model, profiled depth and residuals are one numba kernel with fixed-order sums and the
    # C library's tanh/exp (numpy's vectorised ones differ in the last bit between CPUs,
    # which on a planet-free star's flat χ² sends the optimiser elsewhere).
    starts = [np.array([0.0, t * duration, f]) for t in _START_T14 for f in _START_F]
    start = min(starts, key=lambda p: _chi2(p, data))
    u_best, fun = _levenberg_marquardt(_unbounded(start, duration, lo, hi), data)
    best = _physical(u_best, duration, lo, hi)
    if _chi2(start, data) < _sum_squares(fun):
        best = start
    depth, norm = _profile(best, *data[:5], np.empty(x.size))
    depth_err = noise / math.sqrt(norm) if norm > 0 else float("nan")
    values = (best[0], best[1], best[2], depth, depth_err, depth / depth_err)
    # Rounded to 9 significant digits, for the same reason as the inputs above.
    return TrapezoidFit(*(float(f"{v:.9g}") for v in values), n_points=n_points)


def _levenberg_marquardt(u0: np.ndarray, data: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Levenberg-Marquardt from the unbounded start ``u0``: best parameters and residuals.

    One numba kernel (:func:`_lm_kernel`) with every sum in a fixed order. MINPACK's lmder
    (through ``scipy.optimize.least_squares(method="lm")``, which this replaced) gave
    answers that changed with the *memory alignment* of its work arrays: on a planet-free
    star's flat χ² the same inputs fitted twice in one process could land ~1e-4 apart, so
    a star's features depended on what the process had allocated before (issue 20). Here
    the same inputs give the same bits, whatever the process did before.
    """
    u, fun, _ = _lm_kernel(np.asarray(u0, dtype=np.float64), *data, _MAX_NFEV)
    return u, fun


def _chi2(params: np.ndarray, data: tuple) -> float:
    out = np.empty(data[0].size)
    _residuals(params, *data[:6], out)
    return _sum_squares(out)


def _residuals_unbounded(u, x, r, w, sqrt_w, offsets, noise, duration, lo, hi) -> np.ndarray:
    out = np.empty(x.size)
    _residuals(_physical(u, duration, lo, hi), x, r, w, sqrt_w, offsets, noise, out)
    return out


@numba.njit(cache=True, nogil=True)
def _physical(u, duration, lo, hi):  # pragma: no cover - numba
    """Offset, T14 and ingress fraction from the unbounded parameters."""
    return np.array([0.5 * duration * math.tanh(u[0]),
                     lo + (hi - lo) * 0.5 * (1 + math.tanh(u[1])),
                     0.5 / (1.0 + math.exp(-u[2]))])


def _unbounded(params: np.ndarray, duration: float, lo: float, hi: float) -> np.ndarray:
    t14 = min(max((params[1] - lo) / (hi - lo) * 2 - 1, -0.999), 0.999)
    f = min(max(params[2] / 0.5, 1e-3), 1 - 1e-3)
    offset = min(max(params[0] / (0.5 * duration), -0.999), 0.999)
    return np.array([math.atanh(offset), math.atanh(t14), math.log(f / (1 - f))])


@numba.njit(cache=True, nogil=True)
def _profile(params, x, r, w, sqrt_w, offsets, shape):  # pragma: no cover - numba
    """Exposure-averaged unit trapezoid into ``shape``; returns the best depth (≥ 0) and
    ``Σ w shape²``."""
    half = 0.5 * params[1]
    ramp = max(params[2] * params[1], 1e-9)
    norm = 0.0
    cross = 0.0
    for i in range(x.size):
        total = 0.0
        for o in offsets:
            total += min(max((half - abs(x[i] - params[0] + o)) / ramp, 0.0), 1.0)
        value = total / offsets.size
        shape[i] = value
        norm += w[i] * value * value
        cross += w[i] * value * r[i]
    depth = max(-cross / norm, 0.0) if norm > 0 else 0.0
    return depth, norm


@numba.njit(cache=True, nogil=True)
def _residuals(params, x, r, w, sqrt_w, offsets, noise, out):  # pragma: no cover - numba
    """Noise-normalised residuals of the best-depth trapezoid with ``params``, into ``out``."""
    depth, _ = _profile(params, x, r, w, sqrt_w, offsets, out)
    for i in range(x.size):
        out[i] = sqrt_w[i] * (r[i] + depth * out[i]) / noise


@numba.njit(cache=True, nogil=True)
def _sum_squares(values):  # pragma: no cover - numba
    total = 0.0
    for v in values:
        total += v * v
    return total


@numba.njit(cache=True, nogil=True)
def _householder(matrix, rhs):  # pragma: no cover - numba
    """QR of ``matrix`` (rows × 3, overwritten) by Householder reflections, applied to
    ``rhs`` as well: returns R (3×3, upper) and the first three entries of Qᵀ rhs."""
    rows = matrix.shape[0]
    for j in range(3):
        norm = 0.0
        for i in range(j, rows):
            norm += matrix[i, j] * matrix[i, j]
        norm = math.sqrt(norm)
        if norm == 0.0:
            continue
        alpha = -norm if matrix[j, j] >= 0.0 else norm
        matrix[j, j] -= alpha  # v = column - alpha e_j, stored in place
        vnorm2 = 0.0
        for i in range(j, rows):
            vnorm2 += matrix[i, j] * matrix[i, j]
        for k in range(j + 1, 3):
            dot = 0.0
            for i in range(j, rows):
                dot += matrix[i, j] * matrix[i, k]
            factor = 2.0 * dot / vnorm2
            for i in range(j, rows):
                matrix[i, k] -= factor * matrix[i, j]
        dot = 0.0
        for i in range(j, rows):
            dot += matrix[i, j] * rhs[i]
        factor = 2.0 * dot / vnorm2
        for i in range(j, rows):
            rhs[i] -= factor * matrix[i, j]
        matrix[j, j] = alpha
        for i in range(j + 1, rows):
            matrix[i, j] = 0.0
    upper = np.zeros((3, 3))
    for j in range(3):
        for k in range(j, 3):
            upper[j, k] = matrix[j, k]
    return upper, rhs[:3].copy()


@numba.njit(cache=True, nogil=True)
def _damped(upper, qtf, scale, par):  # pragma: no cover - numba
    """R and Qᵀf of the damped problem ``[J; √par D] p ≈ [-f; 0]`` from J's own R and Qᵀf
    (MINPACK's qrsolv, by Householder on the stacked 6×3 system)."""
    stacked = np.zeros((6, 3))
    rhs = np.zeros(6)
    for j in range(3):
        for k in range(3):
            stacked[j, k] = upper[j, k]
        stacked[3 + j, j] = math.sqrt(par) * scale[j]
        rhs[j] = qtf[j]
    return _householder(stacked, rhs)


@numba.njit(cache=True, nogil=True)
def _solve_step(upper, qtf, step):  # pragma: no cover - numba
    """``step = -R⁻¹ Qᵀf``; components past the first zero pivot are 0 (MINPACK's
    rank-deficient solution)."""
    rank = 3
    for j in range(3):
        if upper[j, j] == 0.0:
            rank = j
            break
    for j in range(2, -1, -1):
        if j >= rank:
            step[j] = 0.0
            continue
        total = -qtf[j]
        for k in range(j + 1, rank):
            total -= upper[j, k] * step[k]
        step[j] = total / upper[j, j]
    return rank


@numba.njit(cache=True, nogil=True)
def _scaled_norm(scale, values):  # pragma: no cover - numba
    total = 0.0
    for j in range(3):
        total += (scale[j] * values[j]) ** 2
    return math.sqrt(total)


@numba.njit(cache=True, nogil=True)
def _newton_slope(upper, scale, step, dxnorm):  # pragma: no cover - numba
    """MINPACK lmpar's ``temp``: ‖R⁻ᵀ D (D step) / ‖D step‖‖, whose square sets the
    Newton correction of the damping."""
    solved = np.empty(3)
    for j in range(3):
        total = scale[j] * scale[j] * step[j] / dxnorm
        for k in range(j):
            total -= upper[k, j] * solved[k]
        solved[j] = total / upper[j, j]
    return math.sqrt(solved[0] ** 2 + solved[1] ** 2 + solved[2] ** 2)


@numba.njit(cache=True, nogil=True)
def _lmpar(upper, qtf, scale, delta, par, step):  # pragma: no cover - numba
    """MINPACK's lmpar: the damping ``par`` (returned) whose step (into ``step``) has a
    scaled length within 10 % of the trust radius ``delta``, or the Gauss-Newton step
    (``par`` = 0) when that already lies inside it."""
    rank = _solve_step(upper, qtf, step)
    dxnorm = _scaled_norm(scale, step)
    fp = dxnorm - delta
    if fp <= 0.1 * delta:
        return 0.0
    parl = 0.0
    if rank == 3:
        slope = _newton_slope(upper, scale, step, dxnorm)
        parl = fp / delta / slope / slope
    gnorm = 0.0
    for j in range(3):
        total = 0.0  # (Jᵀf)_j = (Rᵀ Qᵀf)_j
        for k in range(j + 1):
            total += upper[k, j] * qtf[k]
        gnorm += (total / scale[j]) ** 2
    gnorm = math.sqrt(gnorm)
    paru = gnorm / delta
    if paru == 0.0:
        paru = _DWARF / min(delta, 0.1)
    par = min(max(par, parl), paru)
    if par == 0.0:
        par = gnorm / dxnorm
    for iteration in range(1, 11):
        if par == 0.0:
            par = max(_DWARF, 0.001 * paru)
        damped, damped_qtf = _damped(upper, qtf, scale, par)
        _solve_step(damped, damped_qtf, step)
        dxnorm = _scaled_norm(scale, step)
        previous = fp
        fp = dxnorm - delta
        if abs(fp) <= 0.1 * delta or (parl == 0.0 and fp <= previous < 0.0) \
                or iteration == 10:
            break
        slope = _newton_slope(damped, scale, step, dxnorm)
        correction = fp / delta / slope / slope
        if fp > 0.0:
            parl = max(parl, par)
        elif fp < 0.0:
            paru = min(paru, par)
        par = max(parl, par + correction)
    return par


@numba.njit(cache=True, nogil=True)
def _lm_kernel(u0, x, r, w, sqrt_w, offsets, noise, duration, lo, hi,
               max_nfev):  # pragma: no cover - numba
    """MINPACK's lmder (Moré 1978) on the three unbounded parameters; (u, residuals, χ²).

    A trust region in parameters scaled by the largest Jacobian column norms seen
    (``mode=1``), initial radius ``_FACTOR`` times the scaled start; a forward-difference
    Jacobian with scipy's "2-point" step; the damping found by :func:`_lmpar`; the radius
    shrunk or grown by the ratio of actual to predicted reduction exactly as lmder does,
    and lmder's stopping tests (``_FTOL``, ``_XTOL``, ``_GTOL``, ``max_nfev`` evaluations
    counting the first). J is factored by Householder QR without column pivoting (MINPACK
    pivots), every sum in a fixed order: on a well-posed fit it takes MINPACK's steps to well
    within the tolerances (tested against ``least_squares(method="lm")``); on a flat χ² the
    two can part on rounding, each about as often to the lower χ².
    """
    n_data = x.size
    u = u0.copy()
    fun = np.empty(n_data)
    shifted = np.empty(n_data)
    trial_fun = np.empty(n_data)
    jac = np.empty((n_data, 3))
    f_work = np.empty(n_data)
    column_norm = np.empty(3)
    gradient = np.empty(3)
    scale = np.zeros(3)
    step = np.zeros(3)
    trial = np.empty(3)
    _residuals(_physical(u, duration, lo, hi), x, r, w, sqrt_w, offsets, noise, fun)
    nfev = 1
    fnorm = math.sqrt(_sum_squares(fun))
    first = True
    par = 0.0
    delta = 0.0
    xnorm = 0.0
    while True:
        for j in range(3):
            sign = 1.0 if u[j] >= 0.0 else -1.0
            for k in range(3):
                trial[k] = u[k]
            trial[j] = u[j] + _FD_STEP * sign * max(1.0, abs(u[j]))
            difference = trial[j] - u[j]
            _residuals(_physical(trial, duration, lo, hi), x, r, w, sqrt_w, offsets, noise,
                       shifted)
            for i in range(n_data):
                jac[i, j] = (shifted[i] - fun[i]) / difference
        for j in range(3):
            total = 0.0
            for i in range(n_data):
                total += jac[i, j] * jac[i, j]
            column_norm[j] = math.sqrt(total)
            total = 0.0
            for i in range(n_data):
                total += jac[i, j] * fun[i]
            gradient[j] = total
        for i in range(n_data):
            f_work[i] = fun[i]
        upper, qtf = _householder(jac, f_work)
        if first:
            for j in range(3):
                scale[j] = column_norm[j] if column_norm[j] > 0.0 else 1.0
            xnorm = _scaled_norm(scale, u)
            delta = _FACTOR * xnorm if xnorm > 0.0 else _FACTOR
        cosine = 0.0
        if fnorm > 0.0:
            for j in range(3):
                if column_norm[j] > 0.0:
                    cosine = max(cosine, abs(gradient[j]) / (column_norm[j] * fnorm))
        if cosine <= _GTOL:
            break
        for j in range(3):
            scale[j] = max(scale[j], column_norm[j])
        while True:
            par = _lmpar(upper, qtf, scale, delta, par, step)
            pnorm = _scaled_norm(scale, step)
            if first:
                delta = min(delta, pnorm)
            for j in range(3):
                trial[j] = u[j] + step[j]
            _residuals(_physical(trial, duration, lo, hi), x, r, w, sqrt_w, offsets, noise,
                       trial_fun)
            nfev += 1
            fnorm1 = math.sqrt(_sum_squares(trial_fun))
            actred = 1.0 - (fnorm1 / fnorm) ** 2 if 0.1 * fnorm1 < fnorm else -1.0
            quadratic = 0.0  # ‖J step‖² = ‖R step‖²
            for j in range(3):
                total = 0.0
                for k in range(j, 3):
                    total += upper[j, k] * step[k]
                quadratic += total * total
            temp1 = quadratic / fnorm ** 2
            temp2 = par * pnorm * pnorm / fnorm ** 2
            prered = temp1 + temp2 / 0.5
            dirder = -(temp1 + temp2)
            ratio = actred / prered if prered != 0.0 else 0.0
            if ratio <= 0.25:
                shrink = 0.5 if actred >= 0.0 else 0.5 * dirder / (dirder + 0.5 * actred)
                if 0.1 * fnorm1 >= fnorm or shrink < 0.1:
                    shrink = 0.1
                delta = shrink * min(delta, pnorm / 0.1)
                par = par / shrink
            elif par == 0.0 or ratio >= 0.75:
                delta = pnorm / 0.5
                par = 0.5 * par
            if ratio >= 1e-4:
                for j in range(3):
                    u[j] = trial[j]
                for i in range(n_data):
                    fun[i] = trial_fun[i]
                xnorm = _scaled_norm(scale, u)
                fnorm = fnorm1
                first = False
            if (abs(actred) <= _FTOL and prered <= _FTOL and 0.5 * ratio <= 1.0) \
                    or delta <= _XTOL * xnorm or nfev >= max_nfev \
                    or (abs(actred) <= _EPS and prered <= _EPS and 0.5 * ratio <= 1.0) \
                    or delta <= _EPS * xnorm:
                return u, fun, fnorm * fnorm
            if ratio >= 1e-4:
                break
    return u, fun, fnorm * fnorm
