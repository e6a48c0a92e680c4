"""Removal of fast, strong spot modulation before the biweight detrending.

A time-windowed location filter cannot follow a 1 % modulation with a period under ~3 days
without also eating transits. For such stars (the detrending window has shrunk to its minimum),
the rotation period is taken from the power spectrum and the flux is fitted, in
overlapping segments of 1.5 rotation periods (at least a day), by a quadratic plus the first
two harmonics, robustly (points beyond 3 σ are dropped and the fit repeated); the segment fits
are blended with triangular weights. Transits are short against a segment, so they survive.
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.search.detrend import MIN_AUTO_WINDOW, point_to_point_noise, robust_std

__all__ = ["is_fast_rotator", "remove_rotation", "rotation_period", "rotation_trend"]


def rotation_period(time: np.ndarray, flux: np.ndarray, *, max_frequency: float = 10.0,
                    oversample: int = 4) -> float:
    """Period (days) of the highest peak of the power spectrum between 3 cycles per baseline
    and ``max_frequency`` cycles per day.

    The flux is interpolated onto a uniform grid at the median cadence (gaps filled
    linearly), zero-padded ``oversample`` times and Fourier transformed: for the near-uniform
    sampling of space photometry this is the Lomb-Scargle periodogram, in a millisecond.
    """
    cadence = float(np.median(np.diff(time)))
    grid = np.arange(time[0], time[-1], cadence)
    values = np.interp(grid, time, flux)
    values = values - values.mean()
    size = oversample * grid.size
    power = np.abs(np.fft.rfft(values, n=size)) ** 2
    freqs = np.fft.rfftfreq(size, d=cadence)
    band = (freqs >= 3.0 / (time[-1] - time[0])) & (freqs <= max_frequency)
    return float(1.0 / freqs[band][int(np.argmax(power[band]))])


def _segment_fit(tt: np.ndarray, y: np.ndarray, omega: float) -> np.ndarray:
    design = np.column_stack([np.ones_like(tt), tt, tt**2, np.sin(omega * tt),
                              np.cos(omega * tt), np.sin(2 * omega * tt),
                              np.cos(2 * omega * tt)])
    keep = np.ones(y.size, dtype=bool)
    for _ in range(3):
        kept = design[keep]
        coef = np.linalg.lstsq(kept.T @ kept, kept.T @ y[keep], rcond=None)[0]
        resid = y - design @ coef
        sigma = robust_std(resid[keep])
        if sigma == 0:
            break
        keep = np.abs(resid) < 3 * sigma
    return design @ coef


def rotation_trend(time: np.ndarray, flux: np.ndarray, *, period: float | None = None
                   ) -> tuple[np.ndarray, float]:
    """Smooth spot-modulation model of ``flux`` (same unit) and the rotation period used.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Sorted times (days) and finite flux.
    period : float, optional
        Rotation period in days (default :func:`rotation_period`).

    Returns
    -------
    trend : ndarray, shape (T,)
    period : float
    """
    period = rotation_period(time, flux) if period is None else float(period)
    length = max(1.5 * period, 1.0)
    total, weight = np.zeros_like(flux), np.zeros_like(flux)
    for start in np.arange(time[0] - length / 2, time[-1], length / 2):
        inside = (time >= start) & (time < start + length)
        if inside.sum() < 15:
            continue
        tt = time[inside] - (start + length / 2)
        w = np.clip(1 - np.abs(tt) / (length / 2), 1e-3, None)
        total[inside] += w * _segment_fit(tt, flux[inside], 2 * np.pi / period)
        weight[inside] += w
    empty = weight == 0
    trend = np.where(empty, np.median(flux), total / np.where(empty, 1.0, weight))
    return trend, period


def is_fast_rotator(detrended: LightCurve) -> bool:
    """The automatic biweight window bottomed out (``MIN_AUTO_WINDOW``) and red residuals
    remain: robust σ above 1.3 × the point-to-point noise."""
    return bool(detrended.meta["window_length"] <= MIN_AUTO_WINDOW and len(detrended) > 50
                and detrended.meta["noise"] > 1.3 * point_to_point_noise(detrended.flux))


def remove_rotation(lc: LightCurve) -> LightCurve:
    """``lc`` with its spot model (:func:`rotation_trend`) subtracted, median level kept;
    ``meta["rotation_period_removed"]`` records the period (days)."""
    trend, period = rotation_trend(lc.time, lc.flux)
    level = float(np.median(lc.flux))
    return lc.replace(flux=lc.flux - trend + level, meta={"rotation_period_removed": period})
