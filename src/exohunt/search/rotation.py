"""Removal of fast, strong spot modulation before the biweight detrending.

A time-windowed location filter cannot follow a 1 % modulation with a period under ~3 days
without also eating transits. For such stars the rotation period is taken from the power
spectrum and the flux is fitted by the first two harmonics of that period whose amplitudes
and phases vary slowly, plus a slow level:

    f(t) = c(t) + sum_h a_h(t) sin(h ω t) + b_h(t) cos(h ω t),

with ``c``, ``a_h`` and ``b_h`` cubic B-splines with knots every ``SPACING_ROTATIONS``
rotation periods (a P-spline: a small second-difference penalty keeps it defined across
gaps). This is the quasi-periodic behaviour of evolving spots; the fit is one banded
least-squares problem (:mod:`exohunt.search.pspline`). It is made robust by refitting without
points beyond 3 σ, and cadences in ``mask`` (transits already found) are left out. A transit
is short against the spline spacing, so only a small part of it is absorbed.
"""

from __future__ import annotations

import numpy as np
from scipy.fft import next_fast_len

from exohunt.lightcurve import LightCurve
from exohunt.search.binned import TREND_BIN_WIDTH, bin_means, median_cadence, uses_bins
from exohunt.search.detrend import point_to_point_noise, robust_std
from exohunt.search.pspline import (
    bspline_rows,
    fit_modulated,
    modulated_coefficients,
    predict_modulated,
)

__all__ = ["SPACING_ROTATIONS", "binned_rotation_trend", "remove_rotation", "rotation_period",
           "rotation_trend", "whiteness"]

#: Knot spacings of the amplitude/phase splines tried, longest first, in rotation periods
#: (at least MIN_SPACING days): the first whose residual is white enough (WHITE_ENOUGH) is
#: kept, else the whitest. Long spacings absorb less of a transit.
SPACING_ROTATIONS = (4.0, 2.0, 1.0, 0.5)
MIN_SPACING = 0.4
WHITE_ENOUGH = 1.1
#: Whiteness (σ / point-to-point noise) above which a biweight residual counts as red.
RED_LIMIT = 1.2
#: Short cadences: the spot model is fitted on bins at most this many times shorter than the
#: rotation period (a bin mean then flattens the second harmonic by < 1 %).
BINS_PER_ROTATION = 40
#: Relative weight of the second-difference penalty on the spline coefficients.
PENALTY = 2e-4


def rotation_period(time: np.ndarray, flux: np.ndarray, *, max_frequency: float = 10.0,
                    oversample: int = 4) -> float:
    """Period (days) of the highest peak of the power spectrum between 3 cycles per baseline
    and ``max_frequency`` cycles per day.

    The flux is interpolated onto a uniform grid at the median cadence (gaps filled
    linearly), zero-padded to at least ``oversample`` times its length and Fourier
    transformed: for the near-uniform
    sampling of space photometry this is the Lomb-Scargle periodogram, in a millisecond.
    """
    cadence = median_cadence(time)
    grid = np.arange(time[0], time[-1], cadence)
    values = np.interp(grid, time, flux)
    values = values - values.mean()
    # zero-padded to a length with small prime factors only: a prime length (a sector's
    # 19,727 cadences) makes the transform ten times slower
    size = next_fast_len(oversample * grid.size, real=True)
    power = np.abs(np.fft.rfft(values, n=size)) ** 2
    freqs = np.fft.rfftfreq(size, d=cadence)
    band = (freqs >= 3.0 / (time[-1] - time[0])) & (freqs <= max_frequency)
    return float(1.0 / freqs[band][int(np.argmax(power[band]))])


def _harmonics(time: np.ndarray, period: float, start: float | None = None) -> np.ndarray:
    """Constant, then sine and cosine of the first two harmonics (phase 0 at ``start``,
    default ``time[0]``): shape (T, 5)."""
    phase = 2 * np.pi * (time - (time[0] if start is None else start)) / period
    return np.column_stack([np.ones_like(time), np.sin(phase), np.cos(phase),
                            np.sin(2 * phase), np.cos(2 * phase)])


def rotation_trend(time: np.ndarray, flux: np.ndarray, *, period: float | None = None,
                   mask: np.ndarray | None = None, spacing: float | None = None,
                   n_iter: int = 4) -> tuple[np.ndarray, float]:
    """Smooth spot-modulation model of ``flux`` (same unit) and the rotation period used.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Sorted times (days) and finite flux.
    period : float, optional
        Rotation period in days (default :func:`rotation_period`).
    mask : ndarray of bool, shape (T,), optional
        True for cadences to leave out of the fit (e.g. known transits).
    spacing : float, optional
        Knot spacing in days (default ``SPACING_ROTATIONS[0]`` periods, ≥ ``MIN_SPACING``).
    n_iter : int
        Most robust refits (points beyond 3 σ of the residual are dropped each time).

    Returns
    -------
    trend : ndarray, shape (T,)
    period : float
    """
    period = rotation_period(time, flux) if period is None else float(period)
    if spacing is None:
        spacing = max(SPACING_ROTATIONS[0] * period, MIN_SPACING)
    if uses_bins(time):
        return binned_rotation_trend(time, flux, period=period, mask=mask, spacing=spacing,
                                     n_iter=n_iter), period
    rows, funcs = bspline_rows(time, spacing), _harmonics(time, period)
    return _robust_refits(
        flux, mask, n_iter,
        lambda y, keep: fit_modulated(rows, funcs, y, keep.astype(float), PENALTY)), period


def _robust_refits(flux: np.ndarray, mask: np.ndarray | None, n_iter: int, fit) -> np.ndarray:
    """The spot model's robust loop: ``fit(y, keep)`` (the model at every cadence of
    ``y = flux - median``, fitted to the cadences where ``keep``) refitted up to ``n_iter``
    times, dropping cadences beyond 3 σ of the residual (those in ``mask`` never used);
    returns the last model plus the median."""
    level = float(np.median(flux))
    y = flux - level
    masked = None if mask is None else np.asarray(mask, dtype=bool)
    keep = np.ones(y.size, dtype=bool) if masked is None else ~masked
    model = np.zeros_like(y)
    for _ in range(n_iter):
        model = fit(y, keep)
        resid = y - model
        sigma = robust_std(resid[keep])
        new = np.abs(resid) < 3 * sigma if sigma > 0 else keep
        if masked is not None:
            new &= ~masked
        if np.array_equal(new, keep):
            break
        keep = new
    return model + level


def binned_rotation_trend(time: np.ndarray, flux: np.ndarray, *, period: float,
                          spacing: float, mask: np.ndarray | None = None,
                          n_iter: int = 4) -> np.ndarray:
    """:func:`rotation_trend` of a short-cadence light curve, fitted on bin medians.

    The same robust loop as :func:`rotation_trend` (cadences beyond 3 σ of the residual at
    every cadence dropped, those in ``mask`` never used), but each fit is made to the means
    of the kept cadences in bins (:func:`~exohunt.search.binned.bin_means`) at most
    :data:`~exohunt.search.binned.TREND_BIN_WIDTH` wide and at most 1 / ``BINS_PER_ROTATION``
    of the rotation period, each weighted by its number of kept cadences. The model at every
    cadence is the harmonics there times their spline amplitudes interpolated linearly from
    the bin times (splines with knots ≥ ``MIN_SPACING`` days apart are straight to ~1e-3 of
    their change over a bin): shape (T,), flux unit.
    """
    width = min(TREND_BIN_WIDTH, period / BINS_PER_ROTATION)
    harmonics = _harmonics(time, period)
    return _robust_refits(
        flux, mask, n_iter,
        lambda y, keep: _binned_fit(time, y, keep, harmonics, period, spacing, width))


def _binned_fit(time: np.ndarray, y: np.ndarray, keep: np.ndarray, harmonics: np.ndarray,
                period: float, spacing: float, width: float) -> np.ndarray:
    """One weighted fit of the spot model to the bin means of ``y[keep]``, at every cadence
    (``harmonics`` = :func:`_harmonics` of ``time``): the weighted least squares of the kept
    cadences themselves, up to the model's curvature within a bin."""
    times, values, good, counts = bin_means(time, y, keep, width)
    times, values, counts = times[good], values[good], counts[good]
    rows = bspline_rows(times, spacing, span=(time[0], time[-1]))
    funcs = _harmonics(times, period, start=time[0])
    coef = modulated_coefficients(rows, funcs, values, counts.astype(float), PENALTY)
    amplitudes = predict_modulated(rows, np.ones_like(funcs), coef, parts=True)
    model = np.zeros(time.size)
    for j in range(harmonics.shape[1]):
        model += np.interp(time, times, amplitudes[:, j]) * harmonics[:, j]
    return model


def whiteness(values: np.ndarray) -> float:
    """Robust σ over point-to-point noise: about 1 for white noise, more for red residuals."""
    ptp = point_to_point_noise(values)
    return robust_std(values) / ptp if ptp > 0 else 1.0


def remove_rotation(lc: LightCurve, *, period: float | None = None,
                    spacing: float | None = None, mask: np.ndarray | None = None
                    ) -> LightCurve:
    """``lc`` with its spot model (:func:`rotation_trend`) subtracted, median level kept.

    Without ``spacing``, the spacings ``SPACING_ROTATIONS`` are tried longest first and the
    first with a :func:`whiteness` under ``WHITE_ENOUGH`` is kept (else the whitest).
    ``meta`` records ``rotation_period_removed`` and ``rotation_spacing`` (days). ``mask`` as
    in :func:`rotation_trend`.
    """
    period = rotation_period(lc.time, lc.flux) if period is None else float(period)
    level = float(np.median(lc.flux))
    spacings = ([spacing] if spacing is not None else
                sorted({max(f * period, MIN_SPACING) for f in SPACING_ROTATIONS}, reverse=True))
    best = (np.inf, spacings[0], None)
    for trial in spacings:
        trend, _ = rotation_trend(lc.time, lc.flux, period=period, mask=mask, spacing=trial)
        score = whiteness(lc.flux - trend)
        if score < best[0]:
            best = (score, trial, trend)
        if score <= WHITE_ENOUGH:
            break
    _, chosen, trend = best
    return lc.replace(flux=lc.flux - trend + level,
                      meta={"rotation_period_removed": period, "rotation_spacing": chosen})
