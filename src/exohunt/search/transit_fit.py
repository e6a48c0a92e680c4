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
import scipy
from scipy.optimize import least_squares

try:  # MINPACK's lmder, as least_squares(method="lm") calls it
    from scipy.optimize._minpack import _lmder
except ImportError:  # pragma: no cover - other scipy builds
    _lmder = None

__all__ = ["TrapezoidFit", "fit_trapezoid", "trapezoid"]

_WINDOW = 2.5          # fitted window: ± this many box durations around mid-transit
_MAX_POINTS = 120      # more folded cadences than this are averaged into phase bins
_SUBSAMPLES = 4        # exposure averaging
_T14_LIMITS = (0.25, 3.0)   # × the box duration
_START_T14 = (0.7, 1.1, 1.8)
_START_F = (0.1, 0.35)
#: scipy's 2-point finite-difference relative step (sqrt of the float64 epsilon).
_FD_STEP = float(np.finfo(np.float64).eps ** 0.5)
#: scipy 1.16 on computes least_squares' "lm" Jacobian in Python (approx_derivative) and
#: calls MINPACK's lmder with it (no diag), which _levenberg_marquardt reproduces; before, lmdif
#: differenced in Fortran.
_SCIPY_FD_IN_PYTHON = tuple(int(v) for v in scipy.__version__.split(".")[:2]) >= (1, 16)


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

    # Levenberg-Marquardt (MINPACK, little Python overhead per step) on unbounded
    # parameters mapped into the bounds: offset and T14 through tanh, f through a logistic.
    # Model, profiled depth and residuals are one numba kernel with fixed-order sums and the
    # C library's tanh/exp (numpy's vectorised ones differ in the last bit between CPUs,
    # which on a planet-free star's flat χ² sends the optimiser elsewhere).
    starts = [np.array([0.0, t * duration, f]) for t in _START_T14 for f in _START_F]
    start = min(starts, key=lambda p: _chi2(p, data))
    u_best, fun = _levenberg_marquardt(_unbounded(start, duration, lo, hi), data)
    best = _physical(u_best, duration, lo, hi)
    if _chi2(start, data) < float(np.sum(fun * fun)):
        best = start
    depth, norm = _profile(best, *data[:5], np.empty(x.size))
    depth_err = noise / math.sqrt(norm) if norm > 0 else float("nan")
    values = (best[0], best[1], best[2], depth, depth_err, depth / depth_err)
    # Rounded to 9 significant digits, for the same reason as the inputs above.
    return TrapezoidFit(*(float(f"{v:.9g}") for v in values), n_points=n_points)


def _levenberg_marquardt(u0: np.ndarray, data: tuple) -> tuple[np.ndarray, np.ndarray]:
    """MINPACK's Levenberg-Marquardt (lmder) from ``u0``: the best parameters and residuals.

    The same steps as ``least_squares(..., method="lm", max_nfev=50)``: scipy ≥ 1.16 hands
    MINPACK a 2-point finite-difference Jacobian computed in Python (``x_scale="jac"``, no
    ``diag``), reproduced here without the Python machinery around it, which cost ~1.5
    times the fit itself. Other scipy versions run ``least_squares``.
    """
    if _lmder is None or not _SCIPY_FD_IN_PYTHON:
        fit = least_squares(_residuals_unbounded, u0, args=data, method="lm", max_nfev=50)
        return fit.x, fit.fun
    last: list = [None, None]

    def fun(u: np.ndarray) -> np.ndarray:
        if last[0] is None or not np.array_equal(u, last[0]):
            last[0], last[1] = u.copy(), _residuals_unbounded(u, *data)
        return last[1].copy()

    def jac(u: np.ndarray) -> np.ndarray:
        # scipy's approx_derivative, "2-point", no bounds: the same floating-point steps
        f0 = fun(u)
        step = _FD_STEP * ((u >= 0).astype(float) * 2 - 1) * np.maximum(1.0, np.abs(u))
        out = np.empty((u.size, f0.size))
        for i in range(u.size):
            shifted = u.copy()
            shifted[i] = u[i] + step[i]
            out[i] = (_residuals_unbounded(shifted, *data) - f0) / ((u[i] + step[i]) - u[i])
        return out.T  # Fortran order, as scipy hands it over

    try:
        u, info, _ = _lmder(fun, jac, np.array(u0, dtype=float), (), True, False, 1e-8, 1e-8,
                            1e-8, 50, 100.0, None)
    except (TypeError, ValueError, KeyError):  # a scipy whose private entry point changed
        fit = least_squares(_residuals_unbounded, u0, args=data, method="lm", max_nfev=50)
        return fit.x, fit.fun
    return u, info["fvec"]


def _chi2(params: np.ndarray, data: tuple) -> float:
    out = np.empty(data[0].size)
    _residuals(params, *data[:6], out)
    return float(np.sum(out * out))


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
