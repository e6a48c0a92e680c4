"""Noiseless signal models: planet transits and eclipsing binaries, via batman.

Both use batman's analytic quadratic-limb-darkening model (Mandel & Agol 2002), integrated over
each exposure by supersampling (7 sub-samples for cadences longer than 10 minutes, e.g. Kepler's
29.4-min long cadence; none for 2-minute data).

Eclipsing binaries: the primary eclipse is batman's transit of star 1 by star 2 (radius ratio
k ≤ 1); the secondary eclipse is batman's secondary-eclipse mode (star 2 as a uniform disc of flux
ratio ``L2/L1`` behind star 1, at the secondary conjunction that batman computes from e and ω).
The two are combined as ``(F_primary + F_secondary - 1) / (1 + L2/L1)``, multiplied by an
ellipsoidal term ``1 - A cos(4π φ)`` and finally diluted as ``(F + D - 1) / D``.

SNR convention (used everywhere in exohunt's truth tables): the matched-filter SNR, the SNR an
ideal detector that knows the signal's shape reaches in white noise (the quantity behind
Kepler's expected MES)::

    snr = sqrt(Σ_valid (1 − F_i)²) / σ_white

``F_i`` is the exposure-integrated model at valid cadence ``i`` (planet transits; for binaries
the primary eclipses only, diluted) and ``σ_white`` the white-noise standard deviation per
cadence (fraction). For a box of depth δ over N cadences this is δ √N / σ_white. Until
2026-11-30 exohunt used ``depth_mid · sqrt(N_touch) / σ_white`` (mid-transit depth of the
unbinned model times the root of the number of cadences whose exposure merely *touches* a
transit), which credits limb-darkened, ingress and partly covered cadences with the full
central depth: it overstated the detectable SNR by about 1.3× (1.1-1.9×, most for short
transits). It is kept as :func:`central_depth_snr` (truth column ``central_depth_snr``) so that
older figures can be compared.
"""

from __future__ import annotations

import math
from dataclasses import replace

import batman
import numpy as np

from exohunt.simulate.params import EclipsingBinaryParams, PlanetParams

__all__ = [
    "central_depth_snr",
    "dilution_for_snr",
    "eb_model",
    "expected_snr",
    "in_transit_count",
    "rp_rs_for_snr",
    "secondary_depth",
    "secondary_eclipse_time",
    "signal_depth",
    "signal_model",
    "transit_model",
]

Signal = PlanetParams | EclipsingBinaryParams
_SUPERSAMPLE_ABOVE_DAYS = 10.0 / 1440.0


def _exposure(time: np.ndarray, exposure_days: float | None,
              supersample: int | None) -> tuple[float, int]:
    if exposure_days is None:
        exposure_days = float(np.median(np.diff(time))) if len(time) > 1 else 0.0
    if supersample is None:
        supersample = 7 if exposure_days > _SUPERSAMPLE_ABOVE_DAYS else 1
    if exposure_days <= 0:
        supersample = 1
    return exposure_days, supersample


def _batman_params(params: Signal, rp: float) -> batman.TransitParams:
    bp = batman.TransitParams()
    bp.t0 = params.t0
    bp.per = params.period
    bp.rp = rp
    bp.a = params.a_rs
    bp.inc = params.inclination_deg
    bp.ecc = params.ecc
    bp.w = params.omega_deg
    bp.u = [params.u1, params.u2]
    bp.limb_dark = "quadratic"
    return bp


def _half_window(params: Signal, rp: float) -> float:
    """Upper bound (days) on half the duration of either eclipse, over every ω and b ≥ 0."""
    a_sin_i = params.a_rs * math.sin(math.radians(params.inclination_deg))
    central = params.period / math.pi * math.asin(min(1.0, (1.0 + rp) / a_sin_i))
    return 0.5 * central * math.sqrt(1 - params.ecc**2) / (1 - params.ecc) * 1.05


def _run(time: np.ndarray, bp: batman.TransitParams, exposure_days: float | None,
         supersample: int | None, transittype: str = "primary", *,
         centre: float | None = None, half_window: float | None = None) -> np.ndarray:
    """batman's light curve at ``time``; with ``centre``/``half_window`` (days) only cadences
    whose exposure can overlap an eclipse centred on ``centre + n P`` are computed (the rest is
    the out-of-eclipse level), which makes long, sparse series several times faster."""
    time = np.ascontiguousarray(time, dtype=float)
    exp, ss = _exposure(time, exposure_days, supersample)
    out = np.full(time.shape, 1.0 + (bp.fp if transittype == "secondary" else 0.0))
    near = np.ones(time.shape, dtype=bool)
    if centre is not None and half_window is not None:
        offset = (time - centre + 0.5 * bp.per) % bp.per - 0.5 * bp.per
        near = np.abs(offset) <= half_window + exp
    if near.any():
        model = batman.TransitModel(bp, time[near], supersample_factor=ss, exp_time=exp,
                                    transittype=transittype)
        out[near] = model.light_curve(bp)
    return out


def transit_model(time: np.ndarray, params: PlanetParams, *, exposure_days: float | None = None,
                  supersample: int | None = None) -> np.ndarray:
    """Relative flux (1 out of transit) of a star with a transiting planet.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Mid-exposure times in days.
    params : PlanetParams
        The planet.
    exposure_days : float, optional
        Exposure length in days; default the median cadence (0 = instantaneous).
    supersample : int, optional
        Sub-samples per exposure; default 7 for exposures over 10 minutes, else 1.

    Returns
    -------
    ndarray, shape (T,)
        With ``params.albedo`` > 0 the planet's day side adds ``params.occultation_depth``
        outside its occultation (half an orbit from the transit on a circular orbit; no
        phase curve), normalised so that 1 is the star plus the day side.
    """
    bp = _batman_params(params, params.rp_rs)
    half = _half_window(params, params.rp_rs)
    flux = _run(time, bp, exposure_days, supersample, centre=params.t0, half_window=half)
    fp = params.occultation_depth
    if fp > 0:
        # batman's secondary-eclipse mode: the planet as a uniform disc of flux ratio fp
        # hidden by the star (as the binaries' secondaries in _eclipses)
        bp.fp = fp
        bp.t_secondary = _t_secondary(bp, params.t0)
        secondary = _run(time, bp, exposure_days, supersample, transittype="secondary",
                         centre=bp.t_secondary, half_window=half)
        flux = (flux + secondary - 1.0) / (1.0 + fp)
    return flux


def _t_secondary(bp: batman.TransitParams, t0: float) -> float:
    """batman's mid-time (days) of the secondary eclipse following ``t0`` (``bp.fp`` set)."""
    return float(batman.TransitModel(bp, np.array([t0])).get_t_secondary(bp))


def secondary_eclipse_time(params: EclipsingBinaryParams) -> float:
    """Mid-time (days) of the secondary eclipse following ``params.t0``."""
    bp = _batman_params(params, params.radius_ratio)
    bp.fp = params.flux_ratio
    return _t_secondary(bp, params.t0)


def _eclipses(time: np.ndarray, params: EclipsingBinaryParams, exposure_days: float | None,
              supersample: int | None, *, primary_only: bool = False) -> np.ndarray:
    """Undiluted eclipses of the binary, normalised to 1 out of eclipse."""
    fp = params.flux_ratio
    bp = _batman_params(params, params.radius_ratio)
    half = _half_window(params, params.radius_ratio)
    primary = _run(time, bp, exposure_days, supersample, centre=params.t0, half_window=half)
    if primary_only:
        return (primary + fp) / (1.0 + fp)
    bp.fp = fp
    bp.t_secondary = secondary_eclipse_time(params)
    secondary = _run(time, bp, exposure_days, supersample, transittype="secondary",
                     centre=bp.t_secondary, half_window=half)
    return (primary + secondary - 1.0) / (1.0 + fp)


def eb_model(time: np.ndarray, params: EclipsingBinaryParams, *,
             exposure_days: float | None = None, supersample: int | None = None) -> np.ndarray:
    """Relative flux of an (optionally diluted) eclipsing binary.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Mid-exposure times in days.
    params : EclipsingBinaryParams
        The binary (``params.dilution`` ≥ 1 scales every feature down).
    exposure_days, supersample
        As for :func:`transit_model`.

    Returns
    -------
    ndarray, shape (T,)
        1 out of eclipse (apart from the ellipsoidal variation).
    """
    flux = _eclipses(time, params, exposure_days, supersample)
    amplitude = params.ellipsoidal_amplitude * params.dilution  # undiluted amplitude
    if amplitude > 0:
        phase = (np.asarray(time, dtype=float) - params.t0) / params.period
        flux = flux * (1.0 - amplitude * np.cos(4.0 * math.pi * phase))
    return (flux + params.dilution - 1.0) / params.dilution


def signal_model(time: np.ndarray, params: Signal, **options: float | int | None) -> np.ndarray:
    """:func:`transit_model` or :func:`eb_model`, according to the type of ``params``."""
    if isinstance(params, PlanetParams):
        return transit_model(time, params, **options)
    if isinstance(params, EclipsingBinaryParams):
        return eb_model(time, params, **options)
    raise TypeError(f"expected PlanetParams or EclipsingBinaryParams, got {type(params).__name__}")


def signal_depth(params: Signal) -> float:
    """Fractional depth at mid-transit (primary mid-eclipse) of the unbinned model."""
    t0 = np.array([params.t0])
    if isinstance(params, PlanetParams):
        return float(1.0 - transit_model(t0, params, exposure_days=0.0)[0])
    flux = _eclipses(t0, params, 0.0, 1, primary_only=True)[0]
    return float((1.0 - flux) / params.dilution)


def secondary_depth(params: EclipsingBinaryParams) -> float:
    """Fractional depth of the secondary eclipse at its mid-time (diluted, unbinned)."""
    fp = params.flux_ratio
    bp = _batman_params(params, params.radius_ratio)
    bp.fp = fp
    bp.t_secondary = secondary_eclipse_time(params)
    visible = _run(np.array([bp.t_secondary]), bp, 0.0, 1, transittype="secondary")[0]
    return float((1.0 + fp - visible) / (1.0 + fp) / params.dilution)


def in_transit_count(time: np.ndarray, params: Signal, valid: np.ndarray | None = None, *,
                     exposure_days: float | None = None) -> int:
    """Number of valid cadences whose exposure overlaps a transit (primary eclipse)."""
    if isinstance(params, PlanetParams):
        flux = transit_model(time, params, exposure_days=exposure_days)
    else:
        flux = _eclipses(time, params, exposure_days, None, primary_only=True)
    inside = flux < 1.0 - 1e-9
    if valid is not None:
        inside &= np.asarray(valid, dtype=bool)
    return int(inside.sum())


def _primary_deficit(time: np.ndarray, params: Signal,
                     exposure_days: float | None = None) -> np.ndarray:
    """1 − flux of the planet's transits or the binary's (diluted) primary eclipses."""
    if isinstance(params, PlanetParams):
        return 1.0 - transit_model(time, params, exposure_days=exposure_days)
    flux = _eclipses(time, params, exposure_days, None, primary_only=True)
    return (1.0 - flux) / params.dilution


def expected_snr(time: np.ndarray, params: Signal, noise_ppm: float,
                 valid: np.ndarray | None = None, *, exposure_days: float | None = None) -> float:
    """Matched-filter SNR ``sqrt(Σ (1 − F)²) / σ`` of the signal (see the module docstring).

    Parameters
    ----------
    time : ndarray, shape (T,)
        Cadence mid-times in days.
    params : PlanetParams or EclipsingBinaryParams
        The signal (binaries: primary eclipses only).
    noise_ppm : float
        White-noise standard deviation per cadence, ppm of the star's flux.
    valid : ndarray of bool, shape (T,), optional
        False at cadences lost to gaps.

    Returns
    -------
    float
        The SNR an ideal matched filter reaches in white noise of ``noise_ppm``.
    """
    deficit = _primary_deficit(time, params, exposure_days)
    if valid is not None:
        deficit = deficit[np.asarray(valid, dtype=bool)]
    return float(np.sqrt(np.sum(deficit**2)) / (noise_ppm * 1e-6))


def central_depth_snr(time: np.ndarray, params: Signal, noise_ppm: float,
                      valid: np.ndarray | None = None, *,
                      exposure_days: float | None = None) -> float:
    """exohunt's SNR before 2026-11-30: ``depth_mid · sqrt(N_touch) / σ``, the unbinned
    mid-transit depth times the root of the number of valid cadences whose exposure overlaps a
    transit. It overstates :func:`expected_snr` (by 1.3× on average for Kepler long cadence),
    and is kept only to compare with figures measured on that scale."""
    n_in = in_transit_count(time, params, valid, exposure_days=exposure_days)
    return signal_depth(params) / (noise_ppm * 1e-6) * math.sqrt(n_in)


def rp_rs_for_snr(time: np.ndarray, params: PlanetParams, noise_ppm: float, snr: float,
                  valid: np.ndarray | None = None, *, max_rp_rs: float = 0.3,
                  min_rp_rs: float = 0.002) -> PlanetParams:
    """``params`` with Rp/R* chosen so that :func:`expected_snr` equals ``snr``.

    Depth scales as (Rp/R*)², so Rp/R* is rescaled by ``sqrt(target / current)`` until the SNR is
    within 0.5 % (at most 8 steps); Rp/R* is kept within ``[min_rp_rs, max_rp_rs]``, so the SNR can
    fall short of ``snr`` when that is unreachable.
    """
    current = params
    for _ in range(8):
        achieved = expected_snr(time, current, noise_ppm, valid)
        if achieved <= 0:
            return current
        ratio = snr / achieved
        if abs(ratio - 1.0) < 0.005:
            break
        k = float(np.clip(current.rp_rs * math.sqrt(ratio), min_rp_rs, max_rp_rs))
        if k == current.rp_rs:
            break
        current = replace(current, rp_rs=k)
    return current


def dilution_for_snr(time: np.ndarray, params: EclipsingBinaryParams, noise_ppm: float,
                     snr: float, valid: np.ndarray | None = None) -> EclipsingBinaryParams:
    """``params`` diluted (D ≥ 1) so that its SNR is ``snr``; undiluted if already fainter."""
    undiluted = replace(params, dilution=1.0)
    achieved = expected_snr(time, undiluted, noise_ppm, valid)
    return replace(params, dilution=max(1.0, achieved / snr))
