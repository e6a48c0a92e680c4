"""Guards of the later iterations of the multi-signal search (:func:`exohunt.search.search`).

The search drops a spot model (:mod:`exohunt.search.prewhiten`) when a signal it finds lies at
a harmonic of the rotation period: a deep planet can be taken for the rotation, and the spot
model would then eat its transits. Spot residuals however also make weak peaks at the rotation
harmonics, so on a spotted star without planets a noise peak routinely triggers the drop. The
signal itself is still measured as before (its features do not change), but the *next* search
would then run on the plain biweight residual of a spotted star: red, with a noise σ up to
twenty times that of the spot-model residual, whose periodogram has peaks of SDE 15-23 at
spot-like durations.

:func:`keep_spot_model` therefore re-judges the drop before the next search: the spot model,
refitted with every found transit masked, is restored when its residual (outside the masked
transits) is white and clearly whiter than the plain one. When the rotation really was a
planet, its transits are masked now and the spot model has nothing left to fit: both residuals
are equally white, or the spot model does not whiten what is left (WASP-47 in K2 campaign 3:
b at twice the "rotation" period, residual whiteness 1.5 with the model, 1.8 without), and
the drop stands.

:func:`transit_shaped` keeps later peaks that red noise makes (broad dips at the longest
searched duration) out of the reported signals: they are masked like the lone
dips of :func:`exohunt.search.search` and the search goes on.
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.detrend import detrend
from exohunt.search.grid import expected_duration
from exohunt.search.prewhiten import ROTATION_SLACK, Prepared
from exohunt.search.rotation import WHITE_ENOUGH, whiteness

__all__ = ["MAX_REJECTED", "box_misshaped", "keep_spot_model", "transit_shaped"]

#: Later peaks that are not shaped like a transit are masked and searched past, at most this
#: many per search; the search stops at the next one.
MAX_REJECTED = 2


def keep_spot_model(spotted: Prepared, plain: Prepared, det: LightCurve, mask: np.ndarray,
                    options: dict) -> tuple[Prepared, LightCurve, dict]:
    """Choose between the dropped spot model and the plain biweight for the next search.

    Parameters
    ----------
    spotted : Prepared
        The pre-whitening with the spot model, as before the drop.
    plain : Prepared
        ``spotted.without_rotation()``, in use since the drop.
    det : LightCurve
        The current detrended light curve, ``plain`` detrended with ``mask``.
    mask : ndarray of bool, shape (T,)
        Cadences of ``spotted.clean`` inside every transit found so far.
    options : dict
        :func:`~exohunt.search.detrend.detrend` keyword arguments in use (``window_length``
        is ``plain.window``).

    Returns
    -------
    prepared : Prepared
        ``spotted`` when its residual's :func:`~exohunt.search.rotation.whiteness` outside
        ``mask`` is white (at most ``WHITE_ENOUGH``) and, times ``ROTATION_SLACK``, below the
        plain residual's; else ``plain``.
    det : LightCurve
        The detrended light curve of the chosen pre-whitening (``det`` when ``plain``).
    options : dict
        ``options`` with the chosen pre-whitening's window.
    """
    redetrended = {**options, "window_length": spotted.window}
    det_spotted = detrend(spotted(mask), mask=mask, **redetrended)
    # detrending may clip flares, so each residual is judged on its own cadences
    masked_times = spotted.clean.time[mask]
    keep_spotted = ~np.isin(det_spotted.time, masked_times)
    keep_plain = ~np.isin(det.time, masked_times)
    if min(keep_spotted.sum(), keep_plain.sum()) < 50:
        return plain, det, options
    white_spotted = whiteness(det_spotted.flux[keep_spotted])
    if white_spotted <= WHITE_ENOUGH and ROTATION_SLACK * white_spotted < whiteness(
            det.flux[keep_plain]):
        return spotted, det_spotted, redetrended
    return plain, det, options


def transit_shaped(signal, limits: dict[str, float]) -> bool:
    """Whether a later signal is shaped like a transit, by the duration tests red noise fails.

    On spotted stars, once the first signal is masked, the strongest peaks left are mostly
    broad dips of the spot residual: at the longest searched duration (2.5 times a central
    transit of a Sun-like star) and with a trapezoid fit longer still (5-7.5 times). Planets
    pass (two-planet stars of ``benchmarks/bench_tls.py``: box and fitted durations 0.3-1.3
    times the expected). The scatter of single-transit depths is not used: real planets under
    instrument systematics fail it (WASP-47 d in K2 campaign 3: 5.2-7.3).

    Parameters
    ----------
    signal : Signal
        A signal found after the first.
    limits : dict
        Vetting thresholds (:data:`exohunt.search.vetting.VETTING_THRESHOLDS` with overrides).

    Returns
    -------
    bool
        The box duration is within ``min_duration_ratio`` .. ``max_duration_ratio`` of the
        expected and the fitted trapezoid is not longer than ``max_duration_ratio`` (a NaN fit
        passes).
    """
    low, high = limits["min_duration_ratio"], limits["max_duration_ratio"]
    return bool(low <= signal.duration_ratio <= high and not signal.fit_duration_ratio > high)


def box_misshaped(time: np.ndarray, peak, limits: dict[str, float]) -> bool:
    """Whether a later peak fails :func:`transit_shaped` on its box duration alone and has data
    in at least two transits: it is then rejected before its statistics and trapezoid fit
    (13 ms a peak on Kaggle-length curves) are computed, with the same outcome.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Times (days) of the cadences the peak's statistics would use (other signals' transits
        left out).
    peak : sequence
        ``(period, t0, duration, ...)`` of the box search, days.
    limits : dict
        Vetting thresholds, as for :func:`transit_shaped`.

    Returns
    -------
    bool
        The duration ratio is outside ``min_duration_ratio`` .. ``max_duration_ratio`` and
        ``n_transits_with_data`` (as :func:`~exohunt.search.vetting.transit_statistics`
        counts it) is at least 2.
    """
    period, t0, duration = (float(v) for v in peak[:3])
    ratio = duration / float(expected_duration(period))
    if limits["min_duration_ratio"] <= ratio <= limits["max_duration_ratio"] or not time.size:
        return False
    t0 = float(time.min() + (t0 - time.min()) % period)  # as exohunt.search.core._make_signal
    inside = np.abs(fold_phase(time, period, t0)) < 0.5 * duration
    return np.unique(np.round((time[inside] - t0) / period)).size >= 2
