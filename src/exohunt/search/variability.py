"""Where a signal sits: in its own star's variability, and against the data's gaps.

Three things tell a detrending residual from a transit, and the flux statistics of
:mod:`exohunt.search.vetting` see none of them, because they read the light curve *after* the
trend is gone and without its gaps:

- **How much trend was removed under the transits.** A time-windowed filter or spot model
  that does not quite follow fast modulation leaves dips where the modulation is steepest; a
  planet's transit falls anywhere in it. ``trend_under_transit`` is the range of the removed
  trend across each transit (the box's cadences), in units of the signal's depth, medianed
  over transits: near 0 for a transit on a quiet star; a 1 % wave with a one-day period moves
  by up to ~8,000 ppm (2π × 1 % × 0.125 d / 1 d) across a 3-hour transit, 16 depths of a
  500-ppm dip. A planet on a fast rotator can score high too, so this is evidence for a
  person to weigh, not a cut.
- **Whether the period is a simple multiple of the rotation's.** Residuals of an imperfect
  spot model repeat at the rotation period or a small rational multiple of it (1/2, 2/3, 3/2,
  2, ...); a planet's period is unrelated. ``variability_period_days`` is the highest peak of
  the power spectrum of the flux before detrending, the signal's transits left out
  (:func:`~exohunt.search.rotation.rotation_period`), ``variability_amplitude_sigma`` the
  peak-to-peak amplitude of its first two harmonics in units of the per-cadence noise left
  after detrending (how real that period is: 0.5-2 for the quiet hosts of the real files), and
  ``rotation_harmonic_offset`` = min_k |ln(P / (k P_var))| over ``HARMONIC_RATIOS`` (0 at
  an exact multiple).
- **Whether the transits sit at the edges of the data.** A trend filter is least constrained
  at a gap's edge, where the thermal settling of Kepler after a downlink or safe mode and
  TESS's scattered light at an orbit's start also leave ramps: a handful of dips there, linked
  by the box search at a long period, make a "signal" whose transits all touch gaps. A
  planet's transits fall at edges only by chance. ``gap_edge_share`` is the share of the
  signal's in-transit χ² (per transit: (Σ deficit)² / n, as in
  :func:`exohunt.search.core._dominant_event`) from transits whose centre lies within
  ``duration / 2 + max(duration, EDGE_MARGIN_DAYS)`` of the first or last cadence or of a gap
  longer than ``GAP_DAYS`` (the detrending's segment break: shorter gaps, K2's thruster
  firings or TESS's momentum dumps, do not restart the trend and are everywhere).

:func:`variability_statistics` is called once per reported signal, beside the centroid and
catalogue statistics (:mod:`exohunt.search.context`); unlike those it needs only the flux, so
it is finite on every input, the Kaggle layout included. They are vetting outputs: as gbm
inputs they did not help on the simulated development split (``benchmarks/
dev_context_recall.py``, ``var:`` and ``edge:`` recipes), so no model reads them and training
skips them (``search(..., variability=False)``).
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.rotation import _harmonics, rotation_period

__all__ = ["HARMONIC_RATIOS", "VARIABILITY_COLUMNS", "variability_statistics"]

#: Statistics of :func:`variability_statistics` (floats, NaN when not measurable).
VARIABILITY_COLUMNS = ("trend_under_transit", "variability_period_days",
                       "variability_amplitude_sigma", "rotation_harmonic_offset",
                       "gap_edge_share")
#: Ratios of signal period to variability period that count as harmonics of the rotation.
HARMONIC_RATIOS = (1 / 3, 1 / 2, 2 / 3, 1.0, 3 / 2, 2.0, 5 / 2, 3.0, 4.0)
#: Transit durations (total width) left out of the variability periodogram: a deep transit
#: would otherwise be the "rotation" of a quiet star.
_MASK_WIDTH = 2.0
_MIN_CADENCES = 20
#: A gap is a time step longer than this (days): the biweight's default ``break_tolerance``.
GAP_DAYS = 0.5
#: A transit "touches" an edge when its centre is within half its duration plus the larger of
#: one duration and this many days (a ramp's few hours) of it.
EDGE_MARGIN_DAYS = 0.1


def _unit(clean: LightCurve, det: LightCurve) -> float:
    """Input flux per detrended-flux unit: the median level (relative flux) or the
    detrending's scale ``meta["flux_scale"]`` (additive); NaN when unknown."""
    if det.meta.get("flux_mode") == "additive":
        return float(det.meta.get("flux_scale", np.nan))
    return float(np.median(clean.flux))


def _trend(clean: LightCurve, det: LightCurve, unit: float) -> np.ndarray | None:
    """The trend removed at each cadence of ``det``, in units of the detrended flux (the
    depth's unit), or None when ``det``'s cadences are not among ``clean``'s.

    Relative flux: ``det = x / b`` with ``x`` the flux after the spot model and ``b`` the
    biweight, so ``clean / det`` is ``b`` plus the spot model (to first order in the
    residual), over ``unit`` (the median level). Additive flux: ``det = 1 + (x - b) / s``
    with the scale ``s = unit``, so the trend is ``clean - s (det - 1)``, over ``s``.
    """
    index = np.searchsorted(clean.time, det.time)
    if (index >= len(clean)).any() or not np.array_equal(clean.time[index], det.time):
        return None
    raw = clean.flux[index]
    if det.meta.get("flux_mode") == "additive":
        return raw / unit - (det.flux - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return raw / det.flux / unit


def _per_transit(epoch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the in-transit cadences' (sorted-time) epoch numbers: each transit's epoch, first
    index and number of cadences (a transit's cadences are consecutive in time)."""
    starts = np.flatnonzero(np.r_[True, epoch[1:] != epoch[:-1]])
    return epoch[starts], starts, np.diff(np.r_[starts, epoch.size])


def _trend_under_transit(trend: np.ndarray, starts: np.ndarray, counts: np.ndarray,
                         depth: float) -> float:
    """Median over transits of two or more cadences of the trend's range, over ``depth``."""
    if not (depth > 0):
        return float("nan")
    ranges = np.maximum.reduceat(trend, starts) - np.minimum.reduceat(trend, starts)
    ranges = ranges[counts >= 2]
    return float(np.median(ranges) / depth) if ranges.size else float("nan")


def _gap_edge_share(time: np.ndarray, deficit: np.ndarray, epochs: np.ndarray,
                    starts: np.ndarray, counts: np.ndarray, *, period: float, t0: float,
                    duration: float) -> float:
    """Share of the in-transit χ² ((Σ deficit)² / n per transit) from transits near an edge
    of ``time`` (the first or last cadence, a gap over ``GAP_DAYS``)."""
    gaps = np.flatnonzero(np.diff(time) > GAP_DAYS)
    edges = np.concatenate([time[:1], time[gaps], time[gaps + 1], time[-1:]])
    chi2 = np.maximum(np.add.reduceat(deficit, starts), 0.0) ** 2 / counts
    if not chi2.sum() > 0:
        return float("nan")
    centres = t0 + epochs * period
    margin = 0.5 * duration + max(duration, EDGE_MARGIN_DAYS)
    near = np.min(np.abs(centres[:, None] - edges[None, :]), axis=1) < margin
    return float(chi2[near].sum() / chi2.sum())


def _variability(clean: LightCurve, noise: float, *, period: float, t0: float,
                 duration: float) -> tuple[float, float, float]:
    time = clean.time
    keep = np.abs(fold_phase(time, period, t0)) >= 0.5 * _MASK_WIDTH * duration
    time, flux = time[keep], clean.flux[keep]
    if time.size < _MIN_CADENCES or not time[-1] > time[0]:
        return (float("nan"),) * 3
    flux = flux - float(np.median(flux))
    p_var = rotation_period(time, flux)
    design = _harmonics(time, p_var)  # the spot model's two harmonics, without its splines
    try:  # normal equations: five well-separated columns, a third of lstsq's time
        coef = np.linalg.solve(design.T @ design, design.T @ flux)
    except np.linalg.LinAlgError:
        coef = np.linalg.lstsq(design, flux, rcond=None)[0]
    model = design[:, 1:] @ coef[1:]
    amplitude = float(np.ptp(model) / noise) if noise > 0 else float("nan")
    offset = float(np.min(np.abs(np.log(period / (p_var * np.asarray(HARMONIC_RATIOS))))))
    return p_var, amplitude, offset


def variability_statistics(clean: LightCurve, det: LightCurve, *, period: float, t0: float,
                           duration: float, depth: float) -> dict[str, float]:
    """The trend under a signal's transits and its period's relation to the star's rotation.

    Parameters
    ----------
    clean : LightCurve
        The flux the search detrended (finite, time-sorted, FFI junk masked, a K2 sawtooth
        corrected where chosen; *before* any spot model or biweight).
    det : LightCurve
        Its detrended flux (``meta``: ``flux_mode`` and, additive, ``flux_scale``), whose
        cadences are among ``clean``'s.
    period, t0, duration : float
        The signal's ephemeris, days.
    depth : float
        Its box depth, in the detrended flux's unit.

    Returns
    -------
    dict
        :data:`VARIABILITY_COLUMNS` → float: ``trend_under_transit`` (trend range across a
        transit / depth, median over transits with two or more cadences),
        ``variability_period_days`` (days), ``variability_amplitude_sigma`` (peak-to-peak /
        the detrended flux's per-cadence noise) and ``rotation_harmonic_offset``
        (natural-log units), ``gap_edge_share`` (0-1); NaN where not measurable.
    """
    out = dict.fromkeys(VARIABILITY_COLUMNS, float("nan"))
    if not (period > 0 and duration > 0) or len(clean) < _MIN_CADENCES:
        return out
    unit = _unit(clean, det)
    if not (unit > 0):
        return out
    inside = np.abs(fold_phase(det.time, period, t0)) < 0.5 * duration
    if inside.sum() >= 2:
        epoch = np.round((det.time[inside] - t0) / period)
        epochs, starts, counts = _per_transit(epoch)
        out["gap_edge_share"] = _gap_edge_share(
            clean.time, 1.0 - det.flux[inside], epochs, starts, counts, period=period, t0=t0,
            duration=duration)
        trend = _trend(clean, det, unit)
        if trend is not None:
            out["trend_under_transit"] = _trend_under_transit(trend[inside], starts, counts,
                                                              depth)
    # the white noise after detrending, in the input's unit: the raw flux's point-to-point
    # scatter would count a fast rotator's own slope as noise
    noise = float(det.meta.get("noise", np.nan)) * unit
    p_var, amplitude, offset = _variability(clean, noise, period=period, t0=t0,
                                            duration=duration)
    out.update(variability_period_days=p_var, variability_amplitude_sigma=amplitude,
               rotation_harmonic_offset=offset)
    return out
