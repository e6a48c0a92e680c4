"""Geometry of an eclipse from the search's statistics: the smallest companion that makes it.

A derived model input (round 32), computed from a feature set's cached statistics rather than
in the search: :func:`companion_ratios` reads the trapezoid fit's depth and duration, the
period and the catalogue density that the search already reports
(:mod:`exohunt.search.stellar`), so trying it as an input re-runs no search.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from exohunt.search.stellar import _a_over_r

__all__ = ["MAX_RADIUS_RATIO", "companion_ratios", "min_companion_radius_ratio",
           "overlap_fraction"]

#: Largest companion radius ratio :func:`min_companion_radius_ratio` tries (and returns where
#: none up to it can give the eclipse: a duration too short for the catalogue star at any
#: impact parameter), and its step.
MAX_RADIUS_RATIO = 2.0
_RATIO_STEP = 0.002


def overlap_fraction(k: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of a uniform unit disc covered by a disc of radius ``k`` at centre distance
    ``b`` (both arrays, broadcast)."""
    k, b = np.broadcast_arrays(np.asarray(k, float), np.asarray(b, float))
    # inside the star (k²), or covering all of it (1), else a lens or nothing
    out = np.where(b <= 1.0 - k, k**2, np.where(b <= k - 1.0, 1.0, 0.0))
    lens = (b > np.abs(1.0 - k)) & (b < 1.0 + k)
    kk, bb = k[lens], b[lens]
    alpha = np.arccos(np.clip((bb**2 + kk**2 - 1.0) / (2.0 * bb * kk), -1.0, 1.0))
    beta = np.arccos(np.clip((bb**2 + 1.0 - kk**2) / (2.0 * bb), -1.0, 1.0))
    chord = np.sqrt(np.clip(4.0 * bb**2 - (1.0 + bb**2 - kk**2) ** 2, 0.0, None))
    out[lens] = (kk**2 * alpha + beta - 0.5 * chord) / math.pi
    return out


def min_companion_radius_ratio(depth: float, duration: float, period: float,
                               density: float) -> float:
    """The smallest occulter-to-star radius ratio that gives a dip of ``depth`` lasting
    ``duration`` on a star of the catalogue's ``density``, circular orbit, uniform disc.

    The depth alone gives ``k = √depth``, which is right for a full transit but hides most of
    a grazing companion: a grazing eclipse is as shallow as a planet's and V-shaped like a
    grazing planet's, and its depth-implied radius lies in the planet range. The duration and
    the catalogue density fix the chord, ``(1 + k)² − b² = (a/R* · sin(π T14 / P))²``; along
    it a larger ``k`` grazes at a larger ``b``, and the first ``k`` (from ``√depth`` in steps of
    0.002) whose overlap reaches the depth is returned. A planet on its catalogue star comes
    out near its own ``k``; a binary's grazing eclipse, short for its depth, far above any
    planet's (``benchmarks/diag_companion_ratio.py``). Limb darkening and an eccentric orbit
    (a shorter transit) both raise it; it is a model input, not a cut.

    Parameters
    ----------
    depth : float
        Deepest point of the dip, a fraction of the target's flux (the trapezoid fit's).
    duration : float
        Total duration T14, days (the trapezoid fit's).
    period : float
        Orbital period, days.
    density : float
        The star's mean density from its catalogue parameters, g cm⁻³.

    Returns
    -------
    float
        ``k`` in [√depth, :data:`MAX_RADIUS_RATIO`] (the maximum where no ``k`` up to it can
        give the dip); NaN where an input is missing or not positive.
    """
    values = (depth, duration, period, density)
    if not all(np.isfinite(v) and v > 0 for v in values) or depth >= 1:
        return float("nan")
    a_over_r = _a_over_r(math.log10(density), period)
    chord2 = (a_over_r * math.sin(min(math.pi * duration / period, math.pi / 2))) ** 2
    k = np.arange(math.sqrt(depth), MAX_RADIUS_RATIO, _RATIO_STEP)
    b = np.sqrt(np.clip((1.0 + k) ** 2 - chord2, 0.0, None))
    reached = np.flatnonzero(overlap_fraction(k, b) >= depth)
    return float(k[reached[0]]) if reached.size else MAX_RADIUS_RATIO


def companion_ratios(stats: pd.DataFrame) -> np.ndarray:
    """:func:`min_companion_radius_ratio` of every row of a feature set's statistics (shape
    (N,)): the trapezoid fit's depth (``fit_depth_rel`` × ``depth_ppm``) and total duration
    (``fit_duration_ratio`` × ``duration_hours`` / ``duration_ratio``: both ratios are to the
    expected duration of a central transit), the period (``log10_period``) and the
    catalogue density (``transit_density`` over 10^``density_ratio_log10``); NaN where one is
    missing (no catalogue, no fit, a depth in unknown units)."""
    known = stats["depth_ppm_known"].to_numpy(float) > 0
    depth = stats["fit_depth_rel"].to_numpy(float) * stats["depth_ppm"].to_numpy(float) * 1e-6
    # both ratios are to the expected central-transit duration at the period (vetting):
    # T14 = fit_duration_ratio × expected = fit_duration_ratio × box / duration_ratio
    with np.errstate(divide="ignore", invalid="ignore"):  # no fit or no ratio: NaN below
        duration = (stats["fit_duration_ratio"].to_numpy(float)
                    * stats["duration_hours"].to_numpy(float)
                    / stats["duration_ratio"].to_numpy(float) / 24.0)
    period = 10.0 ** stats["log10_period"].to_numpy(float)
    density = (stats["transit_density"].to_numpy(float)
               / 10.0 ** stats["density_ratio_log10"].to_numpy(float))
    return np.array([min_companion_radius_ratio(d, t, p, r) if ok else np.nan
                     for d, t, p, r, ok in zip(depth, duration, period, density, known)])
