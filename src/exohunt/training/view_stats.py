"""Vetting statistics read off pre-folded views (AstroNet-style records), for the models.

AstroNet TFRecords carry only two folded, normalised views (transit at the centre, its minimum
at -1, the out-of-transit median at 0) and four scalars — no light curve to run the search's own
vetting on. These pure functions measure, from the views alone, what tells an eclipsing binary
from a planet:

- a **secondary eclipse**: the deepest dip of the global view outside the primary's window,
  relative to the primary (an EB's secondary is often 10-100 % of its primary; a planet's
  occultation is ~0);
- the **shape** of the primary in the local view: widths at 15, 50 and 85 % of the depth — a
  planet's flat bottom keeps the 85 % width close to the 15 % width; a grazing or blended EB is
  V-shaped;
- the **stellar density** implied by period and duration, ρ* ∝ P / T³ for a central transit: a
  "transit" too long for its period belongs to a bigger (or blended) star;
- the scatter of the global view outside the primary, to weigh the above against the noise;
- the **moments of the local view** (spread, skewness, kurtosis, highest and 5th-percentile
  bin, bins below half depth) and its **smoothness** (bin-to-bin scatter relative to the
  spread, lag-1 autocorrelation): a resolved dip is smooth and keeps many bins near -1, while
  junk often owes its -1 to a single outlier bin or rides on scatter as large as the "dip".

On the AstroNet train shards (5-fold cross-validation), these
raised ``gbm``'s vetting AP from 0.645 to 0.685 and triage from 0.971 to 0.973; the
local-view moments then 0.685 → 0.693 and 0.973 → 0.974 (default configuration), or
0.694 → 0.711 and 0.976 → 0.976 with the "large" one (``benchmarks/explore_view_stats.py``).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import convolve1d

__all__ = ["LOCAL_MOMENT_COLUMNS", "VIEW_SHAPE_COLUMNS", "VIEW_STAT_COLUMNS", "local_moments",
           "view_statistics"]

#: Secondary-eclipse, width and density statistics (feature version ``viewbatch-2``).
VIEW_SHAPE_COLUMNS = (
    "view_secondary_rel", "view_phase_half_rel", "view_oot_scatter", "view_secondary_sigma",
    "view_width_50", "view_width_15", "view_width_85", "view_flat_bottom", "view_width_ratio",
    "view_asymmetry", "log10_density_proxy", "log10_depth_ppm",
)
#: Moments and smoothness of the local view (added in feature version ``viewbatch-3``).
LOCAL_MOMENT_COLUMNS = (
    "view_local_std", "view_local_skew", "view_local_kurtosis", "view_local_roughness",
    "view_local_lag1", "view_local_max", "view_local_p5", "view_local_below_half",
)
#: Everything :func:`view_statistics` returns.
VIEW_STAT_COLUMNS = VIEW_SHAPE_COLUMNS + LOCAL_MOMENT_COLUMNS
#: Fraction of the phase either side of 0.5 averaged for ``view_phase_half_rel``.
_HALF_PHASE_WINDOW = 0.02


def _running_mean(views: np.ndarray, width: int = 3) -> np.ndarray:
    """Centred running mean along the bins (edges averaged over the bins they have)."""
    kernel = np.ones(width)
    valid = np.isfinite(views)
    total = convolve1d(np.where(valid, views, 0.0), kernel, axis=1, mode="constant")
    count = convolve1d(valid.astype(float), kernel, axis=1, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def view_statistics(global_view: np.ndarray, local_view: np.ndarray, period_days: np.ndarray,
                    duration_hours: np.ndarray, depth_ppm: np.ndarray) -> dict[str, np.ndarray]:
    """Secondary-eclipse, shape and density statistics of folded, normalised views.

    Parameters
    ----------
    global_view : ndarray, shape (N, G)
        Whole-orbit views, phase -0.5 … 0.5 with the transit at bin ``G // 2``, normalised so
        the out-of-transit median is 0 and the transit minimum -1 (AstroNet's convention).
    local_view : ndarray, shape (N, L)
        The transit, a few durations wide, same normalisation.
    period_days, duration_hours, depth_ppm : ndarray, shape (N,)
        The event's period (days), duration (hours) and depth (ppm); NaN where unknown.

    Returns
    -------
    dict of str to ndarray, each shape (N,)
        :data:`VIEW_STAT_COLUMNS`. Depths are in units of the primary's depth, widths in local
        bins, ``log10_density_proxy`` is log10(P / T³) with P and T in days (log10 of the
        stellar density in g cm⁻³ is about this minus 3.2 for a central transit of a small planet:
        ρ* ≈ 3P / (Gπ²T³)). The local-view moments are in units of the primary's depth
        (``view_local_below_half`` is a fraction of the bins; ``view_local_roughness`` is about
        √2 for white noise and near 0 for a smooth dip).
        NaN where an input is NaN.
    """
    global_view = np.asarray(global_view, float)
    local_view = np.asarray(local_view, float)
    period = np.asarray(period_days, float)
    duration = np.asarray(duration_hours, float) / 24.0
    n_bins = global_view.shape[1]
    centre = n_bins // 2
    bins = np.arange(n_bins)

    # The primary's half-width in global bins, 1.5 durations wide plus a bin: beyond it the
    # primary's ingress cannot masquerade as a secondary. Unknown durations use 5 % of phase.
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.ceil(duration / period * n_bins / 2 * 1.5) + 1
    half = np.clip(np.where(np.isfinite(half), half, n_bins // 20), 2, n_bins // 4).astype(int)
    outside = np.abs(bins[None, :] - centre) > half[:, None]
    smooth_global = _running_mean(global_view)
    secondary = -np.nanmin(np.where(outside, smooth_global, np.inf), axis=1)
    phase = (bins - centre) / n_bins
    near_half = np.abs(np.abs(phase) - 0.5) <= _HALF_PHASE_WINDOW
    phase_half = -np.nanmean(global_view[:, near_half], axis=1)
    out_of_transit = np.where(outside, global_view, np.nan)
    median = np.nanmedian(out_of_transit, axis=1)
    scatter = 1.4826 * np.nanmedian(np.abs(out_of_transit - median[:, None]), axis=1)

    smooth_local = _running_mean(local_view)
    width_50 = (smooth_local < -0.5).sum(axis=1).astype(float)
    width_15 = (smooth_local < -0.15).sum(axis=1).astype(float)
    width_85 = (smooth_local < -0.85).sum(axis=1).astype(float)
    middle = local_view.shape[1] // 2
    asymmetry = (np.nanmean(local_view[:, :middle], axis=1)
                 - np.nanmean(local_view[:, middle + 1:], axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.log10(period / np.maximum(duration, 1e-3) ** 3)
        depth = np.log10(np.maximum(np.asarray(depth_ppm, float), 1.0))
    return {
        "view_secondary_rel": secondary,
        "view_phase_half_rel": phase_half,
        "view_oot_scatter": scatter,
        "view_secondary_sigma": secondary / np.maximum(scatter, 1e-3),
        "view_width_50": width_50,
        "view_width_15": width_15,
        "view_width_85": width_85,
        "view_flat_bottom": width_85 / np.maximum(width_15, 1.0),
        "view_width_ratio": width_50 / np.maximum(width_15, 1.0),
        "view_asymmetry": asymmetry,
        "log10_density_proxy": density,
        "log10_depth_ppm": depth,
        **local_moments(local_view),
    }


def local_moments(local_view: np.ndarray) -> dict[str, np.ndarray]:
    """Moments and smoothness of the local views, NaN-aware (:data:`LOCAL_MOMENT_COLUMNS`).

    Parameters
    ----------
    local_view : ndarray, shape (N, L)
        Normalised local views (out-of-transit median 0, transit minimum -1).

    Returns
    -------
    dict of str to ndarray, each shape (N,)
        NaN for a row without two finite bins.
    """
    view = np.asarray(local_view, float)
    finite = np.isfinite(view)
    count = finite.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(view, axis=1) / count
        centred = np.where(finite, view - mean[:, None], 0.0)
        variance = (centred**2).sum(axis=1) / count
        spread = np.sqrt(variance)
        skew = (centred**3).sum(axis=1) / count / spread**3
        kurtosis = (centred**4).sum(axis=1) / count / variance**2 - 3.0
        steps = np.diff(view, axis=1)
        step_ok = np.isfinite(steps)
        n_steps = step_ok.sum(axis=1)
        step_mean = np.where(step_ok, steps, 0.0).sum(axis=1) / n_steps
        step_var = (np.where(step_ok, steps - step_mean[:, None], 0.0) ** 2).sum(axis=1) / n_steps
        roughness = np.sqrt(step_var) / spread
        # lag-1 autocorrelation about the row mean, over neighbouring pairs that are both finite
        lag1 = (centred[:, :-1] * centred[:, 1:]).sum(axis=1) / (centred**2).sum(axis=1)
        below_half = (view < -0.5).sum(axis=1) / count
    empty = count < 2
    if empty.all():
        high = low = np.full(len(view), np.nan)
    else:
        safe = np.where(empty[:, None], 0.0, view)
        high = np.where(empty, np.nan, np.nanmax(safe, axis=1))
        low = np.where(empty, np.nan, np.nanpercentile(safe, 5, axis=1))
    stats = {"view_local_std": spread, "view_local_skew": skew,
             "view_local_kurtosis": kurtosis, "view_local_roughness": roughness,
             "view_local_lag1": lag1, "view_local_max": high, "view_local_p5": low,
             "view_local_below_half": below_half}
    return {k: np.where(empty, np.nan, v) for k, v in stats.items()}
