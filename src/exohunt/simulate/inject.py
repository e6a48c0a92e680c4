"""Inject a physical signal into any light curve, real or simulated."""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.simulate.params import EclipsingBinaryParams, PlanetParams
from exohunt.simulate.signals import signal_model

__all__ = ["apply_model", "inject"]


def inject(lc: LightCurve, params: PlanetParams | EclipsingBinaryParams, *,
           exposure_days: float | None = None, supersample: int | None = None) -> LightCurve:
    """Multiply a light curve's flux by a noiseless transit or eclipsing-binary model.

    Parameters
    ----------
    lc : LightCurve
        Any light curve (flux in any unit: the model is multiplicative, so raw counts,
        mean-normalised flux and relative flux all get the right fractional depth). Flux with
        a median ≤ 0 (e.g. mean-subtracted Kaggle rows) cannot take a multiplicative signal and
        is refused; add a level first.
    params : PlanetParams or EclipsingBinaryParams
        The signal; ``t0`` on the light curve's clock (days).
    exposure_days, supersample : optional
        Exposure integration (defaults: the light curve's cadence; 7 sub-samples above 10 min).

    Returns
    -------
    LightCurve
        Same time stamps; flux and flux_err multiplied by the model; ``meta['injected']`` records
        the parameters.
    """
    if not isinstance(params, PlanetParams | EclipsingBinaryParams):
        raise TypeError(f"params must be PlanetParams or EclipsingBinaryParams, "
                        f"got {type(params).__name__}")
    model = signal_model(lc.time, params, exposure_days=exposure_days, supersample=supersample)
    return apply_model(lc, params, model)  # which refuses flux without a positive level


def apply_model(lc: LightCurve, params: PlanetParams | EclipsingBinaryParams,
                model: np.ndarray) -> LightCurve:
    """What :func:`inject` returns, with the model already computed (``signal_model`` of
    ``params`` at ``lc.time``, shape (T,)): for a caller that needs the model itself too (the
    training injections' centroid and SAP columns), so that batman runs once."""
    _check_level(lc)
    flux_err = None if lc.flux_err is None else lc.flux_err * model
    injected = [*lc.meta.get("injected", ()), {"type": type(params).__name__,
                                                **params.to_dict()}]
    return lc.replace(flux=lc.flux * model, flux_err=flux_err, meta={"injected": injected})


def _check_level(lc: LightCurve) -> None:
    finite = lc.flux[np.isfinite(lc.flux)]
    if finite.size and not np.median(finite) > 0:
        raise ValueError("inject() needs flux around a positive level (counts or relative flux); "
                         "this light curve's median is not positive (mean-subtracted flux, as "
                         "in the Kaggle CSVs?): add a level first")
