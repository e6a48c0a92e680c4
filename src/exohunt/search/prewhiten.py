"""Choice of the pre-whitening applied before the biweight: none, a roll-sawtooth correction
(:mod:`exohunt.search.sawtooth`), a spot model (:mod:`exohunt.search.rotation`), or both.

Only light curves whose first biweight residual is red (:func:`~exohunt.search.rotation.
whiteness` above ``RED_LIMIT``) or whose automatic window had to be shortened are examined,
and a correction is kept only when the residual after it (with the default window, which keeps
transits of every searched duration) is whiter than before.
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.search.detrend import _trend, default_window_length, detrend
from exohunt.search.rotation import RED_LIMIT, remove_rotation, whiteness
from exohunt.search.sawtooth import remove_sawtooth

__all__ = ["ROTATION_SLACK", "SAWTOOTH_GAIN", "Prepared", "prewhiten"]

#: The spot model (with the default biweight window after it) replaces the shortened biweight
#: window when its residual's whiteness is at most this times the other's.
ROTATION_SLACK = 1.1
#: The sawtooth correction is kept when it lowers the residual's excess whiteness (above 1,
#: white noise) by this factor.
SAWTOOTH_GAIN = 0.5
#: Biweight window (days) of the trend the sawtooth is measured against.
SAWTOOTH_TREND_WINDOW = 0.5


class Prepared:
    """The light curve handed to the biweight: ``clean`` (sawtooth already corrected where
    chosen) and, for spotted stars, the spot model refitted with found transits masked.
    ``window`` is the biweight window (days) to use with it, None for automatic."""

    def __init__(self, clean: LightCurve, rotation: bool = False,
                 window: float | None = None, plain_window: float | None = None):
        self.clean, self.period, self.spacing, self.window = clean, None, None, window
        self.plain_window = plain_window
        self.first = remove_rotation(clean) if rotation else clean
        if rotation:
            self.period = self.first.meta["rotation_period_removed"]
            self.spacing = self.first.meta["rotation_spacing"]

    def __call__(self, mask: np.ndarray | None = None) -> LightCurve:
        """The light curve to detrend, with cadences in ``mask`` left out of the spot fit."""
        if self.period is None or mask is None or not mask.any():
            return self.first
        return remove_rotation(self.clean, period=self.period, spacing=self.spacing, mask=mask)

    def without_rotation(self) -> Prepared:
        """The same light curve without the spot model, with the window chosen without it
        (when a signal turned out to be at the rotation period, the "rotation" was that
        signal)."""
        return Prepared(self.clean, window=self.plain_window)


def _needs_look(det: LightCurve, white: float) -> bool:
    """Whether ``det`` (whose :func:`whiteness` is ``white``) is worth pre-whitening."""
    shrunk = det.meta["window_length"] < default_window_length(det.time_span)
    return len(det) > 50 and (shrunk or white > RED_LIMIT)


def prewhiten(clean: LightCurve, det: LightCurve, options: dict) -> tuple[Prepared, LightCurve]:
    """Choose the pre-whitening of ``clean`` given its plain biweight detrending ``det``.

    Parameters
    ----------
    clean : LightCurve
        Finite, time-sorted light curve.
    det : LightCurve
        ``detrend(clean, **options)`` with the automatic window.
    options : dict
        :func:`~exohunt.search.detrend.detrend` keyword arguments.

    Returns
    -------
    prepared : Prepared
    det : LightCurve
        The detrended light curve for the chosen pre-whitening.
    """
    prepared = Prepared(clean, window=det.meta["window_length"])
    white = whiteness(det.flux)  # once: each comparison below needs it
    if not _needs_look(det, white):
        return prepared, det
    default = {**options, "window_length": default_window_length(clean.time_span)}
    trend = _trend(clean.time, clean.flux, method=options.get("method", "biweight"),
                   window_length=SAWTOOTH_TREND_WINDOW, break_tolerance=0.5, mask=None)
    corrected = remove_sawtooth(clean, trend)
    if corrected is not None:
        det_saw = detrend(corrected, **options)
        white_saw = whiteness(det_saw.flux)
        if white_saw - 1 < SAWTOOTH_GAIN * (white - 1):
            prepared, det = Prepared(corrected, window=det_saw.meta["window_length"]), det_saw
            clean, white = corrected, white_saw
            if not _needs_look(det, white):
                return prepared, det
    spotted = Prepared(clean, rotation=True, window=default["window_length"],
                       plain_window=det.meta["window_length"])
    det_spotted = detrend(spotted(), **default)
    if whiteness(det_spotted.flux) <= ROTATION_SLACK * white:
        return spotted, det_spotted
    return prepared, det
