"""The true period of a periodogram peak found at a fraction of it.

A box search can put a planet at 1/2 or 1/3 of its period: where rotation or a gap spoils some
transits, the alias's SDE (against its own stretch of the spectrum) can win although its box
fold averages the transits with empty epochs. The signal then reads as a transit half or a third
as deep with a strong odd/even difference, which is what an eclipsing binary looks like, and
its period is wrong. On the vetting benchmark's development split 5 of 299 planets with SNR ≥ 10
were found so (``benchmarks/results_edge_planets.md``), most of them among the planets that set
precision at recall 0.95.

The test is the box's own arithmetic. Fold the same detrended flux at ``k·P`` for each of the
``k`` epochs the alias merges. If every epoch at ``P`` holds a transit of depth δ, each of those
folds keeps a k-th of the transits: its box SNR is ``SNR_P/√k``. If only one epoch in ``k``
does (the true period is ``k·P``), that fold keeps all of them at the full depth, ``√k·SNR_P``.
The geometric middle, ``SNR_kP > SNR_P`` (:data:`ALIAS_GAIN` = 1), separates the two; for
``k = 2`` it asks the other epochs to be less than √2 − 1 ≈ 41 % as deep, a 3 σ odd/even
difference at SNR 10 and 6 σ at SNR 20 when the period was right. An eclipsing binary with two
equal eclipses stays at ``P`` (its fold at 2P halves the SNR); one whose secondary is under
41 % of its primary moves to its true period, where the secondary shows at phase 0.5.
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import fold_phase

__all__ = ["ALIAS_FACTORS", "ALIAS_GAIN", "box_snr", "true_period"]

#: Multiples of the found period tried (its 1/2 and 1/3 aliases).
ALIAS_FACTORS = (2, 3)
#: ``k·P`` replaces ``P`` where its best epoch's box SNR exceeds ``P``'s by this factor.
ALIAS_GAIN = 1.0
_MIN_IN = 3  # in-transit cadences below which a fold's box SNR is not computed


def box_snr(time: np.ndarray, flux: np.ndarray, noise: float, period: float, t0: float,
            duration: float) -> tuple[float, int]:
    """Box SNR of the transits at ``t0 + n·period`` and how many epochs have data in them.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Detrended light curve (days; any flux unit, dips negative).
    noise : float
        Per-cadence noise in the flux unit.
    period, t0, duration : float
        Ephemeris and box duration (days).

    Returns
    -------
    (float, int)
        ``(mean out of transit − mean in transit) / noise · √N_in`` (NaN with fewer than 3
        cadences in or out of transit) and the number of epochs with in-transit data.
    """
    inside = np.abs(fold_phase(time, period, t0)) < 0.5 * duration
    n_in = int(inside.sum())
    if n_in < _MIN_IN or inside.size - n_in < _MIN_IN or not noise > 0:
        return float("nan"), 0
    depth = float(flux[~inside].mean() - flux[inside].mean())
    epochs = np.unique(np.round((time[inside] - t0) / period)).size
    return depth / noise * np.sqrt(n_in), int(epochs)


def true_period(time: np.ndarray, flux: np.ndarray, noise: float, period: float, t0: float,
                duration: float, *, period_max: float = np.inf, min_transits: int = 2,
                factors: tuple[int, ...] = ALIAS_FACTORS,
                gain: float = ALIAS_GAIN) -> tuple[float, float]:
    """``(period, t0)``: the found ephemeris, or ``k·period`` at its best epoch where that
    fold's box SNR is more than ``gain`` times the found one's (module docstring).

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Detrended light curve (days; dips negative), without the cadences other signals mask.
    noise : float
        Per-cadence noise in the flux unit.
    period, t0, duration : float
        The periodogram peak's ephemeris and box duration (days).
    period_max : float
        Longest period the search allows (days): a multiple beyond it is not tried.
    min_transits : int
        Epochs with in-transit data that a multiple needs (as a reported signal does).
    factors : tuple of int
        Multiples tried.
    gain : float
        SNR ratio a multiple must exceed.
    """
    base, _ = box_snr(time, flux, noise, period, t0, duration)
    if not np.isfinite(base) or base <= 0:
        return period, t0
    best = (gain * base, period, t0)
    for k in factors:
        if k * period > period_max:
            continue
        for epoch in range(k):
            start = t0 + epoch * period
            snr, n_epochs = box_snr(time, flux, noise, k * period, start, duration)
            if n_epochs >= min_transits and snr > best[0]:
                best = (snr, k * period, start)
    return float(best[1]), float(best[2])
