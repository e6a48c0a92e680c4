"""Vetting statistics from what real files carry beyond flux: centroids and the host star.

:func:`context_statistics` is the one call the search makes per signal; see
:mod:`exohunt.search.centroid` and :mod:`exohunt.search.stellar` for the physics and units.
Light curves without centroid columns or catalogue parameters (the Kaggle layout, plain
tables) get NaN.
"""

from __future__ import annotations

from collections.abc import Mapping

from exohunt.lightcurve import LightCurve
from exohunt.search.binned import median_cadence
from exohunt.search.centroid import CENTROID_COLUMNS, centroid_statistics
from exohunt.search.stellar import STELLAR_COLUMNS, stellar_statistics

__all__ = ["CONTEXT_COLUMNS", "context_statistics"]

#: Per-signal statistics added by :func:`context_statistics` (floats, NaN when absent).
CONTEXT_COLUMNS = CENTROID_COLUMNS + STELLAR_COLUMNS


def context_statistics(det: LightCurve, *, period: float, t0: float, duration: float,
                       fit: Mapping[str, float]) -> dict[str, float]:
    """Centroid and stellar-catalogue statistics of one signal.

    Parameters
    ----------
    det : LightCurve
        The detrended light curve the signal was measured on (other signals' transits
        removed), with the raw ``columns`` and the file's ``meta``.
    period, t0, duration : float
        The box search's ephemeris, days.
    fit : mapping
        The trapezoid fit's ``fit_duration`` (days), ``fit_ingress_fraction``, ``fit_depth``
        (relative flux), ``fit_snr`` and ``fit_t0`` (days; ``t0`` without it; see
        :mod:`exohunt.search.transit_fit`).

    Returns
    -------
    dict
        :data:`CONTEXT_COLUMNS` → float.
    """
    out = centroid_statistics(det, period, t0, duration)
    out.update(stellar_statistics(det.meta, period=period, duration=fit["fit_duration"],
                                  ingress_fraction=fit["fit_ingress_fraction"],
                                  depth=fit["fit_depth"], snr=fit["fit_snr"],
                                  cadence=median_cadence(det.time, default=0.0),
                                  time=det.time, flux=det.flux,
                                  t0=fit.get("fit_t0", t0),
                                  noise=float(det.meta.get("noise", float("nan")))))
    return out
