"""Transit statistics and vetting tests for one candidate signal on a detrended light curve.

The depth and SNR assume white noise of ``noise`` per point (the robust standard deviation of
the detrended flux): depth errors are ``noise * sqrt(1/n_in + 1/n_out)``. Residual systematics
(K2's roll, spots, TESS scattered light) are red on the hours of a transit, where white errors
are too small: the tests that compare depths *with each other* (odd/even, secondary, single
transits) divide by errors scaled by the time-averaging factor β of :func:`red_noise_beta`
(Pont, Zucker & Queloz 2006; Winn et al. 2008), so red noise does not read as an eclipsing
binary's odd/even difference or as unequal transits. The detection SNR stays white, like the
search's, and β is a feature of its own.
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import fold_phase
from exohunt.search.binned import median_cadence
from exohunt.search.detrend import robust_std
from exohunt.search.exact_sums import ingress_fraction_grid
from exohunt.search.grid import expected_duration
from exohunt.search.shape import secondary_search, v_shape_sigma
from exohunt.search.transit_fit import fit_trapezoid

__all__ = ["VETTING_THRESHOLDS", "check_thresholds", "passes_vetting", "red_noise_beta",
           "transit_statistics"]

#: Default vetting thresholds; a signal passes when every test passes.
VETTING_THRESHOLDS = {
    "min_sde": 8.0,                 # signal detection efficiency of the periodogram peak
    "min_snr": 7.1,                 # transit depth / depth error
    "min_transits_with_data": 3,    # distinct transits with in-transit points
    "max_single_event_fraction": 0.8,  # share of chi-square from the strongest transit
    "max_odd_even_sigma": 3.0,      # odd/even depth difference (σ) …
    "max_odd_even_rel": 0.1,        # … only fails if also > 10 % of the depth
    "max_secondary_sigma": 3.0,     # |secondary eclipse (or brightening)| significance (σ) …
    "max_secondary_rel": 0.1,       # … only fails if also deeper than 10 % of the primary
    "max_depth_scatter": 5.0,       # chi2/dof of single-transit depths (10 % slack)
    "max_oot_variability": 0.3,     # folded out-of-transit scatter / depth (sinusoids, spots)
    "min_duration_ratio": 0.15,     # duration / expected for a Sun-like star
    "max_duration_ratio": 2.2,      # longer: broad dips of a variable star, or a giant
}
#: Trial total durations (× the box duration) and ingress fractions of _ingress_fraction.
_INGRESS_SCALES = np.array([0.8, 1.0, 1.25, 1.5])
_INGRESS_FRACTIONS = np.linspace(0.02, 0.5, 13)


def _box(flux: np.ndarray, inside: np.ndarray, outside: np.ndarray, noise: float
         ) -> tuple[float, float]:
    """Depth (out-of-transit mean minus in-transit mean) and its error."""
    n_in, n_out = int(inside.sum()), int(outside.sum())
    if n_in == 0 or n_out == 0:
        return float("nan"), float("nan")
    depth = float(flux[outside].mean() - flux[inside].mean())
    return depth, float(noise * np.sqrt(1 / n_in + 1 / n_out))


def _ingress_fraction(phase: np.ndarray, resid: np.ndarray, duration: float) -> float:
    """Best-fitting trapezoid ingress time as a fraction of the duration (0 = box, 0.5 = V)."""
    near = np.abs(phase) < 1.5 * duration
    x, r = np.abs(phase[near]), resid[near]
    if x.size < 5:
        return float("nan")
    # one numba call for the 52 trials (numpy's summation order: the same bits as the
    # numpy expressions it replaced, see exact_sums)
    return float(ingress_fraction_grid(np.ascontiguousarray(x, dtype=float),
                                       np.ascontiguousarray(r, dtype=float), float(duration),
                                       _INGRESS_SCALES, _INGRESS_FRACTIONS))


def _depth_scatter(depths: np.ndarray, errors: np.ndarray, depth: float) -> float:
    """Reduced chi-square of single-transit depths about the mean depth, allowing 10 %
    intrinsic scatter: ≫ 1 when a few unrelated events make up a 'periodic' signal."""
    if depths.size < 2 or not depth > 0:
        return float("nan")
    sigma2 = errors**2 + (0.1 * depth) ** 2
    return float(np.sum((depths - depth) ** 2 / sigma2) / (depths.size - 1))


#: β needs this many duration-long bins of out-of-transit data (fewer: NaN, errors unscaled).
_MIN_BETA_BINS = 8


def red_noise_beta(time: np.ndarray, resid: np.ndarray, keep: np.ndarray, *, duration: float,
                   noise: float) -> float:
    """Time-averaging red-noise factor β at the transit's duration.

    The out-of-transit residuals are averaged in consecutive bins one ``duration`` long (bins
    less than half as full as the median one, at gaps and edges, are left out); β is the
    robust scatter of the bin means (1.4826 × their median absolute deviation, so other
    planets' transits or flares do not set it) over what white noise of ``noise`` per point
    gives, ``noise * sqrt(mean(1 / n_bin))``.

    Parameters
    ----------
    time, resid : ndarray, shape (T,)
        Time (days) and detrended flux minus its baseline (flux unit).
    keep : ndarray of bool, shape (T,)
        Out-of-transit cadences to use.
    duration : float
        Transit duration (days).
    noise : float
        White per-point noise (flux unit).

    Returns
    -------
    float
        β (about 1 for white noise, > 1 when the noise is correlated on the duration's
        timescale; not floored at 1); NaN with fewer than 8 usable bins or zero noise.
    """
    t, r = time[keep], resid[keep]
    if t.size == 0 or not duration > 0 or not noise > 0:
        return float("nan")
    index = np.floor((t - t[0]) / duration).astype(np.int64)
    counts = np.bincount(index)
    sums = np.bincount(index, weights=r)
    full = counts >= 0.5 * np.median(counts[counts > 0])
    if full.sum() < _MIN_BETA_BINS:
        return float("nan")
    observed = robust_std(sums[full] / counts[full])
    return observed / (noise * float(np.sqrt(np.mean(1.0 / counts[full]))))


def _oot_variability(phase: np.ndarray, resid: np.ndarray, keep: np.ndarray, *,
                     period: float, duration: float, noise: float) -> float:
    """Scatter of the folded out-of-transit flux in duration-wide phase bins beyond white
    noise (sinusoidal or spot residuals), in the flux unit."""
    index = np.floor((phase[keep] + period / 2) / duration).astype(np.int64)
    counts = np.bincount(index)
    sums = np.bincount(index, weights=resid[keep])
    full = counts > 0
    if full.sum() < 3:
        return float("nan")
    means = sums[full] / counts[full]
    excess = np.var(means) - np.mean(noise**2 / counts[full])
    return float(np.sqrt(max(excess, 0.0)))


def transit_statistics(time: np.ndarray, flux: np.ndarray, *, period: float, t0: float,
                       duration: float, noise: float) -> dict[str, float]:
    """Depth, SNR and vetting statistics of a box transit.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Detrended light curve (days; flux around 1).
    period, t0, duration : float
        Candidate ephemeris in days.
    noise : float
        Per-point noise in the flux unit.

    Returns
    -------
    dict
        ``depth, depth_err, snr, n_transits, n_transits_with_data, odd_even_sigma,
        secondary_depth, secondary_sigma, red_noise_beta, ingress_fraction, v_shape_sigma,
        secondary_any_sigma, secondary_any_rel, duration_ratio, single_event_fraction,
        depth_scatter, oot_variability, fit_t0, fit_duration, fit_duration_ratio,
        fit_ingress_fraction, fit_depth, fit_snr`` (NaN where undefined; see
        :mod:`exohunt.search.shape` for the shape tests and
        :mod:`exohunt.search.transit_fit` for the ``fit_*`` trapezoid).
    """
    phase = fold_phase(time, period, t0)
    inside = np.abs(phase) < 0.5 * duration
    outside = np.abs(phase) > duration
    depth, depth_err = _box(flux, inside, outside, noise)
    baseline = float(np.median(flux[outside])) if outside.any() else 1.0
    epoch = np.round((time - t0) / period).astype(np.int64)
    in_epochs = epoch[inside]
    events, counts = np.unique(in_epochs, return_counts=True)
    # each transit's points in time order (a stable sort by epoch), summed one transit at a
    # time as before: the same numbers in the same order, without a mask per transit
    deficit = (baseline - flux[inside])[np.argsort(in_epochs, kind="stable")]
    parts = np.split(deficit, np.cumsum(counts)[:-1]) if counts.size else []
    sums = np.array([np.sum(part) for part in parts])
    chi2 = np.maximum(sums, 0.0) ** 2 / np.maximum(counts, 1) / max(noise, 1e-300) ** 2
    beta = red_noise_beta(time, flux - baseline, outside, duration=duration, noise=noise)
    # errors of depths compared with each other: white × β (never shrunk below white)
    red = max(beta, 1.0) if np.isfinite(beta) else 1.0
    scatter = _depth_scatter(sums / np.maximum(counts, 1), red * noise / np.sqrt(counts), depth)
    first = np.ceil((time.min() - t0) / period - 0.5 * duration / period)
    last = np.floor((time.max() - t0) / period + 0.5 * duration / period)
    odd = (epoch % 2).astype(bool)
    d_odd, e_odd = _box(flux, inside & odd, outside, noise)
    d_even, e_even = _box(flux, inside & ~odd, outside, noise)
    phase2 = fold_phase(time, period, t0 + 0.5 * period)
    sec_in = np.abs(phase2) < 0.5 * duration
    sec_out = (np.abs(phase2) > duration) & ~inside
    d_sec, e_sec = _box(flux, sec_in, sec_out, noise)
    oot = _oot_variability(phase, flux - baseline, outside & ~sec_in, period=period,
                           duration=duration, noise=noise)
    any_sigma, any_depth = secondary_search(phase, flux - baseline, period, duration, noise)
    exposure = median_cadence(time)  # days: the integration time of each cadence
    fit = fit_trapezoid(phase, flux - baseline, duration, noise,
                        exposure=exposure)
    return {
        "depth": depth,
        "depth_err": depth_err,
        "snr": depth / depth_err if depth_err > 0 else float("nan"),
        "n_transits": int(max(last - first + 1, 0)),
        "n_transits_with_data": int(events.size),
        "odd_even_sigma": abs(d_odd - d_even) / (red * float(np.hypot(e_odd, e_even))),
        "odd_even_rel": abs(d_odd - d_even) / depth if depth > 0 else float("nan"),
        "secondary_depth": d_sec,
        "secondary_sigma": d_sec / (red * e_sec) if e_sec > 0 else float("nan"),
        "red_noise_beta": beta,
        "depth_scatter": scatter,
        "oot_variability": oot / depth if depth > 0 else float("nan"),
        "ingress_fraction": _ingress_fraction(phase, flux - baseline, duration),
        "v_shape_sigma": v_shape_sigma(phase, flux - baseline, duration, noise,
                                       exposure=exposure),
        "secondary_any_sigma": any_sigma,
        "secondary_any_rel": any_depth / depth if depth > 0 else float("nan"),
        "duration_ratio": duration / float(expected_duration(period)),
        "fit_t0": t0 + fit.t0_offset,
        "fit_duration": fit.duration,
        "fit_duration_ratio": fit.duration / float(expected_duration(period)),
        "fit_ingress_fraction": fit.ingress_fraction,
        "fit_depth": fit.depth,
        "fit_snr": fit.snr,
        "single_event_fraction": float(chi2.max() / chi2.sum()) if chi2.sum() > 0
        else float("nan"),
    }


def check_thresholds(thresholds: dict[str, float] | None) -> dict[str, float]:
    """:data:`VETTING_THRESHOLDS` updated with ``thresholds``; unknown keys raise ValueError
    naming the allowed ones."""
    limits = dict(VETTING_THRESHOLDS)
    unknown = set(thresholds or {}) - set(limits)
    if unknown:
        raise ValueError(f"unknown vetting thresholds {sorted(unknown)}; "
                         f"allowed: {sorted(limits)}")
    limits.update(thresholds or {})
    return limits


def passes_vetting(stats: dict[str, float], *, sde: float,
                   thresholds: dict[str, float] | None = None) -> bool:
    """Whether a signal passes every test of ``thresholds`` (default
    :data:`VETTING_THRESHOLDS`; unknown keys are rejected). NaN statistics fail the test
    they belong to, except odd/even and secondary, which cannot be judged without data."""
    limits = check_thresholds(thresholds)
    secondary_rel = stats["secondary_depth"] / stats["depth"] if stats["depth"] > 0 else 0.0
    tests = (
        sde >= limits["min_sde"],
        stats["snr"] >= limits["min_snr"],
        stats["n_transits_with_data"] >= limits["min_transits_with_data"],
        stats["single_event_fraction"] <= limits["max_single_event_fraction"],
        not (stats["odd_even_sigma"] > limits["max_odd_even_sigma"]
             and stats["odd_even_rel"] > limits["max_odd_even_rel"]),
        not (abs(stats["secondary_sigma"]) > limits["max_secondary_sigma"]
             and abs(secondary_rel) > limits["max_secondary_rel"]),
        not stats["oot_variability"] > limits["max_oot_variability"],
        not stats["depth_scatter"] > limits["max_depth_scatter"],
        limits["min_duration_ratio"] <= stats["duration_ratio"] <= limits["max_duration_ratio"],
    )
    return bool(all(tests))
