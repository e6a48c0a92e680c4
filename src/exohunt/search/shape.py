"""Shape tests that separate planets from (background) eclipsing binaries.

A diluted background eclipsing binary can have a planet's depth and period, but not its
shape: its companion is a star (radius ratio k ≳ 0.25), so ingress and egress take a large
share of the eclipse (V or wide-U shape), and the second star is often eclipsed too, at phase
0.5 or — for an eccentric orbit — anywhere else. A planet (k ≲ 0.15) gives a flat-bottomed
U with short ingress and, at these precisions, no secondary eclipse.

Both tests return *significances* (in σ), not just best-fit values: at SNR 10 a best-fit
ingress fraction is noisy, and a classifier needs to know how sure the shape is.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from exohunt.search.exact_sums import template_chi2
from exohunt.search.transit_fit import _binned

__all__ = ["U_TEMPLATES", "V_TEMPLATES", "deepest_dip", "secondary_search", "v_shape_sigma"]

#: Radius ratios (occulter / eclipsed star) and impact parameters of the templates. Planets:
#: k ≤ 0.15; stellar companions: k ≥ 0.3, central to grazing (b > 1 − k never reaches full
#: overlap, which gives the V of a grazing eclipse).
U_TEMPLATES = tuple((k, b) for k in (0.02, 0.05, 0.1, 0.15) for b in (0.0, 0.4, 0.6, 0.75))
V_TEMPLATES = tuple((k, b) for k in (0.3, 0.5, 0.7, 1.0) for b in (0.0, 0.5, 0.9, 1.1))

_SCALES = (0.6, 0.8, 1.0, 1.25, 1.6, 2.0)   # total duration / the search's box duration
_LIMB = (0.4, 0.25)                          # quadratic limb darkening of a Sun-like star
#: More cadences near the transit than _MAX_POINTS (a TESS 2-min sector; never a 3,197-point
#: Kaggle row) are averaged into _BINS phase bins across the ±2-duration window first: the
#: templates vary little within a bin (1/100 of the duration) and the χ² differences that make
#: the statistic keep their value (the within-bin scatter is the same for every template).
_MAX_POINTS = 2000
_BINS = 400


def _template(tau: np.ndarray, k: float, b: float) -> np.ndarray:
    """Unit-depth eclipse profile at ``tau`` = time from mid-eclipse / half the total duration.

    Small-occulter approximation: the lost light is the overlapping fraction of the occulter's
    disc (linear across the limb) times the limb-darkened intensity beneath its centre. It is
    exact in the limit k → 0 and keeps the shapes that matter here: a planet's flat,
    limb-darkened bottom and short ingress, a large companion's long ingress (V).
    """
    half_chord = np.sqrt(max((1 + k) ** 2 - b**2, 1e-6))
    r = np.hypot(np.clip(tau, -1.0, 1.0) * half_chord, b)
    overlap = np.clip((1 + k - r) / (2 * k), 0.0, 1.0)
    mu = np.sqrt(1 - np.minimum(r, 1.0) ** 2)
    u1, u2 = _LIMB
    shape = np.where(np.abs(tau) < 1, overlap * (1 - u1 * (1 - mu) - u2 * (1 - mu) ** 2), 0.0)
    return shape


_TAU = np.linspace(0.0, 1.0, 1001)  # tabulated |tau|; profiles are symmetric


@lru_cache(maxsize=4)
def _table(templates: tuple) -> np.ndarray:
    """Profiles of ``templates`` tabulated on ``_TAU``, shape (len(templates), 1001 + 1);
    the extra last column (0) is where every cadence beyond the eclipse lands."""
    rows = [_template(_TAU, k, b) for k, b in templates]
    return np.concatenate([np.asarray(rows), np.zeros((len(rows), 1))], axis=1)


def _template_fits(x: np.ndarray, r: np.ndarray, duration: float, templates: tuple,
                   exposure: float, w: np.ndarray | None = None) -> float:
    """Smallest χ² (flux unit²) of ``r`` over ``templates`` × duration scales, depth free
    (dips only); each profile is averaged over the exposure (5 sub-samples), since a
    30-minute cadence stretches a planet's short ingress noticeably."""
    w = np.ones(x.size) if w is None else np.ascontiguousarray(w, dtype=float)
    offsets = np.linspace(-0.4, 0.4, 5) * exposure if exposure > 0 else np.zeros(1)
    # one numba call with numpy's fixed summation order (exact_sums), not BLAS: BLAS kernels
    # sum in an order that depends on the CPU and the thread count
    return float(template_chi2(np.ascontiguousarray(x, dtype=float),
                               np.ascontiguousarray(r, dtype=float), w, _table(templates),
                               0.5 * duration * np.asarray(_SCALES), offsets))


def v_shape_sigma(phase: np.ndarray, resid: np.ndarray, duration: float, noise: float, *,
                  exposure: float = 0.0) -> float:
    """How much better an eclipse-like V fits the folded dip than a planet-like U, in σ.

    Limb-darkened eclipse templates (free depth, total duration 0.6-2× ``duration``) are
    fitted by least squares to the cadences within 2 durations of mid-transit. With χ²_U the
    best fit among planet-sized occulters (:data:`U_TEMPLATES`) and χ²_V among stellar ones
    (:data:`V_TEMPLATES`), the result is ``sign(χ²_U − χ²_V) · sqrt(|χ²_U − χ²_V|) / noise``:
    positive for a V, negative for a U, near 0 when the data cannot tell.

    Parameters
    ----------
    phase : ndarray, shape (T,)
        Time from the nearest mid-transit, days.
    resid : ndarray, shape (T,)
        Detrended flux minus its out-of-transit level (dips negative).
    duration : float
        The search's box duration, days.
    noise : float
        Per-point noise in the flux unit.
    exposure : float
        Exposure (cadence) length, days; the templates are smeared over it.

    Returns
    -------
    float
        NaN with fewer than 10 cadences near the transit or no noise estimate.
    """
    near = np.abs(phase) < 2.0 * duration
    if near.sum() < 10 or not noise > 0:
        return float("nan")
    x, r, w = phase[near], resid[near], None
    if x.size > _MAX_POINTS:
        x, r, w = _binned(x, r, 4.0 * duration / _BINS)
    chi2_u = _template_fits(x, r, duration, U_TEMPLATES, exposure, w)
    chi2_v = _template_fits(x, r, duration, V_TEMPLATES, exposure, w)
    delta = (chi2_u - chi2_v) / noise**2
    return float(np.sign(delta) * np.sqrt(abs(delta)))


def secondary_search(phase: np.ndarray, resid: np.ndarray, period: float, duration: float,
                     noise: float) -> tuple[float, float]:
    """The most significant dip of the transit's duration anywhere outside the transit.

    An eccentric binary's secondary eclipse is not at phase 0.5, where the usual test looks.
    Box dips of width ``duration`` are tried at centres half a duration apart over the whole
    orbit, except within 1.5 durations of the transit.

    Parameters
    ----------
    phase, resid : ndarray, shape (T,)
        As in :func:`v_shape_sigma`; ``phase`` in [-period/2, period/2).
    period, duration : float
        Days.
    noise : float
        Per-point noise in the flux unit.

    Returns
    -------
    (sigma, depth) : tuple of float
        Significance (depth / (noise / sqrt(n_in))) and depth (flux unit) of the deepest dip;
        NaN when no window has data.
    """
    sigma, depth, _ = deepest_dip(phase, resid, period, duration, noise)
    return sigma, depth


def deepest_dip(phase: np.ndarray, resid: np.ndarray, period: float, duration: float,
                noise: float) -> tuple[float, float, float]:
    """:func:`secondary_search` and where its dip lies: ``(sigma, depth, centre)``, the
    centre in days from mid-transit, in [-period/2, period/2) (all NaN when no window has
    data)."""
    nothing = (float("nan"), float("nan"), float("nan"))
    if not noise > 0 or period <= 4 * duration:
        return nothing
    order = np.argsort(phase)
    sorted_phase = phase[order]
    cumulative = np.concatenate([[0.0], np.cumsum(resid[order])])
    centres = np.arange(-0.5 * period, 0.5 * period, 0.5 * duration)
    centres = centres[np.abs(centres) > 1.5 * duration]
    lo = np.searchsorted(sorted_phase, centres - 0.5 * duration)
    hi = np.searchsorted(sorted_phase, centres + 0.5 * duration)
    counts = hi - lo
    full = counts >= 3
    if not full.any():
        return nothing
    depths = -(cumulative[hi[full]] - cumulative[lo[full]]) / counts[full]
    sigmas = depths * np.sqrt(counts[full]) / noise
    best = int(np.argmax(sigmas))
    return float(sigmas[best]), float(depths[best]), float(centres[full][best])
