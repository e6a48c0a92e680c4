"""Penalised B-splines with slowly varying coefficients of given functions (P-splines).

The model is ``sum_j c_j(t) g_j(t)`` where the ``g_j`` are fixed functions (a constant,
sinusoids, …) and each ``c_j`` is a cubic B-spline with equally spaced knots. Interleaving the
coefficients knot by knot makes the normal matrix banded (bandwidth 4 × the number of
functions), so one fit costs O(T): numba accumulates the normal equations and solves them by a
banded Cholesky factorisation (written out here: LAPACK's, through scipy 1.17's
``cholesky_banded``, took up to a second for these small bands on a loaded machine, its
OpenBLAS threads waiting on each other). A second-difference penalty on each
``c_j`` (Eilers & Marx 1996) keeps the fit defined across data gaps.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["bspline_rows", "fit_modulated", "modulated_coefficients", "predict_modulated"]


def bspline_rows(time: np.ndarray, spacing: float, span: tuple[float, float] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Cubic B-spline basis with knots every ~``spacing`` days over the span of ``time``
    (or over ``span`` = (start, end) days, which must contain every time).

    The values are those of ``scipy.interpolate.BSpline.design_matrix`` to the bit (the same
    Cox-de Boor recursion, :func:`_cubic_basis`; ``tests/test_search_pspline.py`` compares
    them), without building its sparse matrix and scattering it back into rows, which cost
    more than the recursion itself.

    Returns
    -------
    first : ndarray of int64, shape (T,)
        Index of the first of the 4 basis functions that are non-zero at each time.
    values : ndarray, shape (T, 4)
        Their values.
    n_basis : int
        Number of basis functions.
    """
    time = np.ascontiguousarray(time, dtype=float)
    start, end = (time[0], time[-1]) if span is None else span
    n_int = max(int(np.ceil((end - start) / spacing)), 1)
    inner = np.linspace(start, end, n_int + 1)
    if time.size and not (inner[0] <= time.min() and time.max() <= inner[-1]):
        raise ValueError(f"times must lie within the knots' span {inner[0]}..{inner[-1]}")
    knots = np.r_[[inner[0]] * 3, inner, [inner[-1]] * 3]
    first = np.clip(np.searchsorted(inner, time, side="right") - 1, 0, n_int - 1)
    return first.astype(np.int64), _cubic_basis(time, knots, first), n_int + 3


@numba.njit(cache=True, nogil=True)
def _cubic_basis(time, knots, first):  # pragma: no cover - numba
    """The 4 cubic B-splines non-zero on knot interval ``first[i]`` (``knots`` clamped with 3
    repeats at each end), at each ``time[i]``: the Cox-de Boor recursion in scipy's order of
    operations (``_deBoor_D`` of ``scipy/interpolate/src/__fitpack.cc``), so the same bits."""
    out = np.empty((time.size, 4))
    h = np.empty(4)
    hh = np.empty(4)
    for i in range(time.size):
        x = time[i]
        ell = first[i] + 3  # the interval [knots[ell], knots[ell + 1])
        h[0] = 1.0
        for j in range(1, 4):
            for n in range(j):
                hh[n] = h[n]
            h[0] = 0.0
            for n in range(1, j + 1):
                xb = knots[ell + n]
                xa = knots[ell + n - j]
                if xb == xa:
                    h[n] = 0.0
                    continue
                w = hh[n - 1] / (xb - xa)
                h[n - 1] += w * (xb - x)
                h[n] = w * (x - xa)
        for n in range(4):
            out[i, n] = h[n]
    return out


@numba.njit(cache=True)
def _accumulate(first, values, funcs, y, weight, n_coef):  # pragma: no cover - numba
    """Normal equations in LAPACK upper band storage (``band[w - 1 + i - j, j] = A[i, j]``).

    They are summed row by row (``rows[i, d] = A[i, i + d]``): the products of one point then
    go to consecutive addresses, which vectorises, where the band's columns lie a whole row
    apart. Every element is the same sum, in the same order, as accumulating into the band
    directly: the same bits."""
    m = funcs.shape[1]
    width = 4 * m
    rows = np.zeros((n_coef, width))
    rhs = np.zeros(n_coef)
    row = np.empty(width)
    for i in range(y.size):
        wi = weight[i]
        if wi == 0.0:
            continue
        for a in range(width):
            row[a] = values[i, a // m] * funcs[i, a % m]
        base = first[i] * m
        yi = y[i]
        for a in range(width):
            wa = wi * row[a]  # (w r_a) r_b: the association of the direct sum
            rhs[base + a] += wa * yi
            r = base + a
            for d in range(width - a):
                rows[r, d] += wa * row[a + d]
    band = np.zeros((width, n_coef))
    for i in range(n_coef):
        for d in range(min(width, n_coef - i)):
            band[width - 1 - d, i + d] = rows[i, d]
    return band, rhs


@numba.njit(cache=True)
def _predict(first, values, funcs, coef):  # pragma: no cover - numba
    """Each term ``c_j(t_i) g_j(t_i)``: shape (T, M). Every element is summed over the four
    basis functions in order, each product as ``(B g) c``."""
    m = funcs.shape[1]
    out = np.zeros((first.size, m))
    for i in range(first.size):
        base = first[i] * m
        for b in range(4):
            vb = values[i, b]
            for j in range(m):
                out[i, j] += vb * funcs[i, j] * coef[base + b * m + j]
    return out


@numba.njit(cache=True)
def _solve_banded(band, rhs):  # pragma: no cover - numba
    """Solve A x = rhs for symmetric positive-definite A in LAPACK upper band storage
    (``band[w - 1 + i - j, j] = A[i, j]``, i ≤ j) by a banded Cholesky factorisation."""
    w, n = band.shape
    u = band.copy()
    for j in range(n):
        lo = max(0, j - w + 1)
        for i in range(lo, j + 1):
            total = u[w - 1 + i - j, j]
            for k in range(max(lo, i - w + 1), i):
                total -= u[w - 1 + k - i, i] * u[w - 1 + k - j, j]
            if i == j:
                u[w - 1, j] = np.sqrt(max(total, 1e-300))
            else:
                u[w - 1 + i - j, j] = total / u[w - 1, i]
    z = rhs.copy()
    for j in range(n):  # U^T z = rhs
        for k in range(max(0, j - w + 1), j):
            z[j] -= u[w - 1 + k - j, j] * z[k]
        z[j] /= u[w - 1, j]
    x = z
    for j in range(n - 1, -1, -1):  # U x = z
        for k in range(j + 1, min(n, j + w)):
            x[j] -= u[w - 1 + j - k, k] * x[k]
        x[j] /= u[w - 1, j]
    return x


@numba.njit(cache=True)
def _add_penalty(band, n_basis, m, strength):  # pragma: no cover - numba
    """Add ``strength`` × DᵀD (second differences of each function's coefficients) to the
    band in place. DᵀD's diagonals are 1, 5, 6, …, 6, 5, 1 (main), −2, −4, …, −4, −2 (first)
    and 1 (second)."""
    width = band.shape[0]
    for lag in range(3):
        row = width - 1 - lag * m
        for k in range(n_basis - lag):
            if lag == 0:
                value = 1.0 if k == 0 or k == n_basis - 1 else (
                    5.0 if k == 1 or k == n_basis - 2 else 6.0)
            elif lag == 1:
                value = -2.0 if k == 0 or k == n_basis - 2 else -4.0
            else:
                value = 1.0
            for j in range(m):
                band[row, (k + lag) * m + j] += strength * value


def fit_modulated(rows: tuple[np.ndarray, np.ndarray, int], funcs: np.ndarray, y: np.ndarray,
                  weight: np.ndarray, penalty: float = 1e-3, parts: bool = False
                  ) -> np.ndarray:
    """Weighted least-squares fit of ``y`` by spline-modulated ``funcs``.

    Parameters
    ----------
    rows : tuple
        :func:`bspline_rows` of the times.
    funcs : ndarray, shape (T, M)
        The functions ``g_j`` at each time.
    y : ndarray, shape (T,)
        Data.
    weight : ndarray, shape (T,)
        Weight of each point (0 leaves it out).
    penalty : float
        Second-difference penalty relative to the mean weight per coefficient.
    parts : bool
        Return each term ``c_j(t) g_j(t)`` separately.

    Returns
    -------
    ndarray, shape (T,), or (T, M) with ``parts``
        The fitted model at every time (points of weight 0 included).
    """
    funcs = np.ascontiguousarray(funcs, dtype=float)
    coef = modulated_coefficients(rows, funcs, y, weight, penalty)
    return predict_modulated(rows, funcs, coef, parts=parts)


def modulated_coefficients(rows: tuple[np.ndarray, np.ndarray, int], funcs: np.ndarray,
                           y: np.ndarray, weight: np.ndarray, penalty: float = 1e-3
                           ) -> np.ndarray:
    """The spline coefficients of :func:`fit_modulated` (same arguments), shape
    (n_basis × M,), interleaved knot by knot; :func:`predict_modulated` evaluates them at
    any times inside the knots' span."""
    first, values, n_basis = rows
    funcs = np.ascontiguousarray(funcs, dtype=float)
    m = funcs.shape[1]
    n_coef = n_basis * m
    band, rhs = _accumulate(first, values, funcs, np.asarray(y, dtype=float),
                            np.asarray(weight, dtype=float), n_coef)
    strength = penalty * max(float(np.sum(weight)), 1.0) / n_basis
    _add_penalty(band, n_basis, m, float(strength))
    band[-1] += 1e-9 * (np.max(band[-1]) + 1e-300)  # keeps empty coefficients defined
    return _solve_banded(band, rhs)


def predict_modulated(rows: tuple[np.ndarray, np.ndarray, int], funcs: np.ndarray,
                      coef: np.ndarray, parts: bool = False) -> np.ndarray:
    """The model of coefficients ``coef`` at the times of ``rows`` (:func:`bspline_rows`
    with the fit's knots) and ``funcs`` (shape (T, M)): shape (T,), or (T, M) with
    ``parts``."""
    first, values, _ = rows
    terms = _predict(first, values, np.ascontiguousarray(funcs, dtype=float), coef)
    return terms if parts else terms.sum(axis=1)
