"""The host star's catalogue parameters against the transit: density and planet radius.

A transit's period ``P``, total duration ``T14``, flat-bottom duration ``T23`` and depth
``k²`` fix the scaled semi-major axis ``a/R*`` and the impact parameter ``b`` of a circular
orbit, hence the star's mean density ``ρ* = 3π (a/R*)³ / (G P²)`` (Seager & Mallén-Ornelas
2003, their eqs. 7, 8 and 9, planet mass neglected). A background binary's eclipse follows
its own stars' density, not the catalogued target's, so a mismatch points to a false
positive; a "planet" larger than two Jupiter radii is a star.

Two things blur the transit density and must not reject real planets:

- **Impact parameter.** For a given ``T14``, ``ρ ∝ ((1 + k)² − b²)^{3/2}``: ``b = 0`` gives the
  *largest* density, a larger ``b`` a lower one. The trapezoid's ingress fraction would fix
  ``b``, but limb darkening lengthens the fitted ingress (a central transit of a Sun-like star
  fits ``f ≈ 0.23-0.27`` against a geometric 0.1, which would put ρ 0.6 dex low), so the
  statistic is one-sided and robust: the allowed range runs from ``b = 0`` down to
  ``b = 1 − k`` (the last non-grazing impact) when the fit is flat-bottomed, and down to 0
  when a V shape lies within 2σ of the fitted ingress (Carter et al. 2008, eq. 19:
  ``σ_τ = T √(6τ/T) / Q`` with ``Q`` the transit's SNR; then the orbit may be grazing).
  The trapezoid's ``T14`` also runs past the contact points of a limb-darkened transit (a
  median 0-10 % longer than the true duration for simulated planets found at their period,
  ``benchmarks/diag_density_estimates.py``): :data:`LIMB_DARKENING_TOLERANCE_DEX` below the
  lower bound.

  ``transit_density`` is not read off the trapezoid: a small planet's trapezoid ingress is
  set by limb darkening (median fitted ``f`` 0.13-0.25 for simulated planets at SNR ≥ 10,
  whose geometric ingress is a few per cent), which forces ``b → 1`` and put the estimate a
  median 0.5-1.0 dex below the true density (round 25). It is the posterior median of a
  limb-darkened transit model profiled over ``b`` (:func:`limb_darkened_density`, uniform
  prior on ``b``): where the data cannot tell ``b``, the density near ``b = 0.5``. How close it
  comes to the true and the catalogue density, on simulated planets and on the known planets
  in real files, is measured by ``benchmarks/diag_density_estimates.py``
  (``results_density_estimates.md``, ``BENCHMARKS.md``, round 26).
- **Eccentricity.** ``ρ_circ / ρ_true = ((1 + e sin ω) / √(1 − e²))³`` spans about 0.3-3 for
  ``e ≲ 0.3``: :data:`ECCENTRICITY_TOLERANCE_DEX` on either side.

The catalogue density is ``ρ = 3 g / (4π G R)`` from ``logg`` and ``radius``; headers carry no
uncertainties, so the typical ones per catalogue of
:func:`exohunt.io.stellar.catalogue_uncertainty` (KIC, EPIC, TIC-7, TIC-8) are used.
``density_mismatch_sigma`` is the distance of the catalogue density outside the allowed
transit range, in units of the combined (catalogue, duration) error in dex: 0 when they
agree, NaN without a catalogue density.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import numpy as np

from exohunt.errors import DataQualityWarning
from exohunt.io.stellar import PLAUSIBLE_RANGES, catalogue_uncertainty
from exohunt.search.centroid import aperture_depth_factor

__all__ = ["ECCENTRICITY_TOLERANCE_DEX", "IMPACT_GRID", "LIMB_DARKENING",
           "MAX_PLANET_RADIUS_EARTH", "STELLAR_COLUMNS", "catalogue_density",
           "limb_darkened_density", "stellar_statistics", "transit_density"]

#: Statistics of :func:`stellar_statistics` (float, NaN when not measurable).
STELLAR_COLUMNS = ("transit_density", "density_ratio_log10", "density_mismatch_sigma",
                   "planet_radius_earth", "radius_too_large")
G_CGS = 6.674e-8                 # cm³ g⁻¹ s⁻²
R_SUN_CM = 6.957e10              # IAU nominal solar radius
R_SUN_IN_EARTH = 6.957e5 / 6378.1   # IAU nominal equatorial Earth radius
#: Two Jupiter radii (IAU nominal equatorial, 71 492 km) in Earth radii.
MAX_PLANET_RADIUS_EARTH = 2 * 71492.0 / 6378.1
#: log10 tolerance each way for eccentric orbits (a factor of 3: e ≲ 0.3, any ω).
ECCENTRICITY_TOLERANCE_DEX = math.log10(3.0)
#: log10 tolerance below the lower bound: a trapezoid fitted to a limb-darkened transit puts
#: its corners outside the contact points (T14 a median 0-10 % long on simulated planets,
#: benchmarks/diag_density_estimates.py), which underestimates the density at a given impact
#: parameter.
LIMB_DARKENING_TOLERANCE_DEX = 0.2
#: A fitted ingress fraction (+2σ) at least this is treated as possibly grazing (V-shaped).
GRAZING_INGRESS_FRACTION = 0.45


#: Quadratic limb-darkening coefficients (u1, u2) of the density fit: a Sun-like star in the
#: Kepler band (Claret & Bloemen 2011 give about 0.40 and 0.26 at 5750 K, log g 4.5; the
#: simulator draws u1 from 0.25-0.55 and u2 from 0.1-0.3). Headers carry no coefficients, and
#: a wrong u1 by 0.15 moves the density less than the impact parameter does.
LIMB_DARKENING = (0.40, 0.25)
#: Impact parameters, in units of ``1 + k``, over which :func:`limb_darkened_density`
#: profiles the fit (denser towards grazing, where the density changes fastest with b).
IMPACT_GRID = (0.0, 0.25, 0.45, 0.62, 0.76, 0.87, 0.95)
_SUPERSAMPLE_ABOVE_DAYS = 10.0 / 1440.0   # integrate cadences longer than 10 min
_FIT_WINDOW = 1.5                          # durations each side of the transit centre fitted
_MIN_IN_TRANSIT_BINS = 4


def _a_over_r(log10_rho: float, period: float) -> float:
    """Kepler's third law: a/R* of a circular orbit around a star of density 10**log10_rho."""
    return (G_CGS * 10.0**log10_rho * (period * 86400.0) ** 2 / (3.0 * math.pi)) ** (1 / 3)


def _density(a_over_r: float, period: float) -> float:
    """Kepler's third law the other way: the density (g cm⁻³) of a circular orbit's star."""
    period_s = period * 86400.0
    return 3.0 * math.pi * a_over_r**3 / (G_CGS * period_s**2)


def limb_darkened_density(time: np.ndarray, flux: np.ndarray, *, period: float, t0: float,
                          duration: float, depth: float, noise: float, exposure: float = 0.0,
                          limb_darkening: tuple[float, float] = LIMB_DARKENING) -> float:
    """Stellar density (g cm⁻³) of a circular orbit from a limb-darkened transit fit.

    A trapezoid's ingress is set by limb darkening for a small planet, which reads as a
    grazing orbit and a density 0.5-1 dex low (round 25). Here batman's quadratic
    limb-darkened model (Mandel & Agol 2002) is fitted instead, for ``k = Rp/R*`` and the
    density, at each impact parameter of :data:`IMPACT_GRID`; the χ² profile over ``b`` gives
    a posterior under a uniform prior on ``b`` (isotropic orbits: transiting planets have
    uniform impact parameters), and the density returned is its median. Where the data
    cannot tell ``b`` (a small planet at long cadence) that is the density at ``b ≈ 0.5``,
    0.1-0.2 dex below the ``b = 0`` maximum; a resolved ingress narrows it.

    Parameters
    ----------
    time, flux : ndarray, shape (T,)
        Detrended light curve: days, relative flux around 1 (other signals removed).
    period, t0 : float
        Ephemeris, days.
    duration : float
        Total duration ``T14`` (days) of the trapezoid fit: the starting point and the
        window (:data:`_FIT_WINDOW` durations each side) of the fit.
    depth : float
        Fitted depth (relative flux), the starting point of ``k``.
    noise : float
        Per-cadence noise (relative flux).
    exposure : float
        Cadence integration time, days (cadences over 10 min are integrated, 5 samples).
    limb_darkening : (float, float)
        Quadratic coefficients ``(u1, u2)``.

    Returns
    -------
    float
        Posterior median density, g cm⁻³; NaN when the fit is not possible (fewer than
        four binned points in transit, non-physical inputs, a failed fit).
    """
    import batman
    from scipy.interpolate import PchipInterpolator

    from exohunt.lightcurve import fold_phase

    if not (period > 0 and 0 < duration < period / 2 and 0 < depth < 1 and noise > 0):
        return float("nan")
    phase = fold_phase(np.asarray(time, float), period, t0)
    near = np.abs(phase) < _FIT_WINDOW * duration
    x, y = phase[near], np.asarray(flux, float)[near]
    finite = np.isfinite(y)
    x, y = x[finite], y[finite]
    # bins of a thirtieth of the duration: the shape is resolved, the fit costs the same
    # whatever the number of transits
    width = duration / 30.0
    index = np.floor(x / width).astype(np.int64)
    _, inverse, counts = np.unique(index, return_inverse=True, return_counts=True)
    xb = np.bincount(inverse, x) / counts
    outside = np.abs(x) > 0.5 * duration
    if outside.sum() < 5 or (np.abs(xb) < 0.5 * duration).sum() < _MIN_IN_TRANSIT_BINS:
        return float("nan")
    yb = np.bincount(inverse, y) / counts - float(np.median(y[outside]))
    sigma = noise / np.sqrt(counts)
    params = batman.TransitParams()
    params.t0, params.per, params.rp, params.a, params.inc = 0.0, period, 0.1, 10.0, 90.0
    params.ecc, params.w = 0.0, 90.0
    params.u, params.limb_dark = list(limb_darkening), "quadratic"
    long_cadence = exposure > _SUPERSAMPLE_ABOVE_DAYS
    try:
        model = batman.TransitModel(params, np.ascontiguousarray(xb),
                                    supersample_factor=5 if long_cadence else 1,
                                    exp_time=exposure if long_cadence else 0.0)
    except Exception:  # batman refuses degenerate inputs
        return float("nan")

    def residuals(theta: np.ndarray, fraction: float) -> np.ndarray:
        k, log10_rho = theta
        a = _a_over_r(log10_rho, period)
        params.rp, params.a = k, a
        params.inc = math.degrees(math.acos(min(fraction * (1.0 + k) / a, 1.0)))
        return (model.light_curve(params) - 1.0 - yb) / sigma

    u1, u2 = limb_darkening
    k0 = min(math.sqrt(depth / max(1.0 - u1 / 3.0 - u2 / 6.0, 0.1)), 0.99)  # disc-averaged LD
    s14 = math.sin(math.pi * duration / period) ** 2
    # b = 0 first, from the trapezoid's T14 (Seager & Mallén-Ornelas); each further impact
    # parameter starts from the last fit, its density moved as ((1 + k)² − b²)^{3/2} at that T14
    a0 = math.sqrt((1 + k0) ** 2 / s14)
    theta = np.array([k0, math.log10(_density(a0, period))])
    log_rho, chi2, fractions = [], [], []
    last = 0.0
    for fraction in IMPACT_GRID:
        k = theta[0]
        shrink = (1.0 - fraction**2) / (1.0 - last**2)  # b = fraction (1 + k)
        theta = np.array([k, theta[1] + 1.5 * math.log10(max(shrink, 1e-6))])
        try:
            theta, value = _levenberg_marquardt(lambda t, f=fraction: residuals(t, f), theta)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            continue
        if np.isfinite(value):
            log_rho.append(float(theta[1]))
            chi2.append(value)
            fractions.append(fraction)
        last = fraction
    if len(log_rho) < 3:
        return float("nan")
    # the profile between grid points (monotone cubic: no overshoot), then the posterior
    # median on a fine grid of b (uniform prior)
    fine = np.linspace(0.0, fractions[-1], 400)
    chi2_fine = PchipInterpolator(fractions, chi2)(fine)
    log_rho_fine = PchipInterpolator(fractions, log_rho)(fine)
    weight = np.exp(-0.5 * (chi2_fine - chi2_fine.min()))
    cumulative = np.cumsum(weight) / weight.sum()
    return float(10.0 ** log_rho_fine[min(int(np.searchsorted(cumulative, 0.5)), fine.size - 1)])


#: Bounds of the fitted (Rp/R*, log10 density in g cm⁻³) and the forward-difference steps.
_FIT_LOWER, _FIT_UPPER = np.array([1e-4, -4.0]), np.array([1.0, 3.0])
_FIT_STEPS = np.array([1e-4, 1e-3])
_FIT_ITERATIONS = 10


def _levenberg_marquardt(residuals, start: np.ndarray) -> tuple[np.ndarray, float]:
    """Least squares of ``residuals(theta)`` over the two bounded parameters: (theta, χ²).

    A plain Levenberg-Marquardt with a forward-difference Jacobian and steps clipped to
    the bounds. scipy's ``least_squares`` finds the same minimum
    (``tests/test_search_stellar.py``), but on seven two-parameter fits of ~100 binned
    points per signal its per-call overhead, not batman, sets the cost; the search's
    throughput with this fit is measured by ``benchmarks/bench_bundled_throughput.py``.
    """
    theta = np.clip(np.asarray(start, float), _FIT_LOWER, _FIT_UPPER)
    r = residuals(theta)
    value = float(r @ r)
    damping = 1e-3
    for _ in range(_FIT_ITERATIONS):
        jacobian = np.empty((r.size, 2))
        for j in range(2):
            step = _FIT_STEPS[j] if theta[j] + _FIT_STEPS[j] <= _FIT_UPPER[j] else -_FIT_STEPS[j]
            moved = theta.copy()
            moved[j] += step
            jacobian[:, j] = (residuals(moved) - r) / step
        normal = jacobian.T @ jacobian
        gradient = jacobian.T @ r
        for _ in range(6):  # raise the damping until the step lowers χ²
            matrix = normal + damping * np.diag(np.diag(normal) + 1e-12)
            trial = np.clip(theta - np.linalg.solve(matrix, gradient), _FIT_LOWER, _FIT_UPPER)
            r_trial = residuals(trial)
            trial_value = float(r_trial @ r_trial)
            if trial_value < value:
                break
            damping *= 10.0
        else:
            return theta, value  # no step lowers χ²: a minimum (or a bound)
        gain = value - trial_value
        theta, r, value = trial, r_trial, trial_value
        damping = max(damping / 10.0, 1e-7)
        if gain < 1e-2:  # χ² settled: the posterior weights exp(−χ²/2) no longer move
            break
    return theta, value


def _checked(star: Mapping, field: str, source: str) -> float:
    """``star[field]`` as a float, NaN when absent or implausible (warning naming both)."""
    try:
        value = float(star.get(field, float("nan")))
    except (TypeError, ValueError):
        warnings.warn(f"{source}: stellar {field} {star.get(field)!r} is not a number; "
                      "density and radius statistics left NaN", DataQualityWarning,
                      stacklevel=3)
        return float("nan")
    lo, hi = PLAUSIBLE_RANGES[field]
    if np.isfinite(value) and not lo <= value <= hi:
        warnings.warn(f"{source}: stellar {field} = {value:g} is outside [{lo:g}, {hi:g}]; "
                      "density and radius statistics left NaN", DataQualityWarning, stacklevel=3)
        return float("nan")
    return value


def catalogue_density(star: Mapping, source: str = "light curve") -> tuple[float, float]:
    """Mean density ``3g / (4πGR)`` in g cm⁻³ and its 1σ error in dex.

    ``star`` holds ``logg`` (dex, cgs) and ``radius`` (R_sun); ``(nan, nan)`` when either is
    absent or implausible. The error combines the catalogue's typical logg and radius errors
    as independent (conservative: catalogue loggs are partly derived from the radius).
    """
    logg, radius = _checked(star, "logg", source), _checked(star, "radius", source)
    if not (np.isfinite(logg) and np.isfinite(radius)):
        return float("nan"), float("nan")
    rho = 3.0 * 10.0**logg / (4.0 * math.pi * G_CGS * radius * R_SUN_CM)
    sigma = catalogue_uncertainty(star)
    sigma_dex = math.hypot(sigma["logg"], math.log10(1.0 + sigma["radius_fraction"]))
    return rho, sigma_dex


def transit_density(period: float, duration: float, ingress_fraction: float,
                    depth: float) -> float:
    """Stellar density (g cm⁻³) of a circular orbit from a trapezoid transit.

    Parameters
    ----------
    period, duration : float
        Period and total duration ``T14``, days.
    ingress_fraction : float
        ``T12 / T14`` in [0, 0.5]; ``T23 = T14 (1 − 2f)``.
    depth : float
        Undiluted fractional depth ``≈ (Rp/R*)²``.

    Returns
    -------
    float
        Seager & Mallén-Ornelas (2003) eqs. 7-9 with ``b²`` clipped to [0, (1 − k)²]; NaN for
        non-physical inputs.
    """
    if not (period > 0 and 0 < duration < period / 2 and 0 <= ingress_fraction <= 0.5
            and 0 < depth < 1):
        return float("nan")
    k = math.sqrt(depth)
    s14 = math.sin(math.pi * duration / period) ** 2
    s23 = math.sin(math.pi * duration * (1 - 2 * ingress_fraction) / period) ** 2
    ratio = s23 / s14
    b2 = ((1 - k) ** 2 - ratio * (1 + k) ** 2) / (1 - ratio) if ratio < 1 else 0.0
    b2 = min(max(b2, 0.0), (1 - k) ** 2)
    return _density(math.sqrt(((1 + k) ** 2 - b2 * (1 - s14)) / s14), period)


def _ingress_error(duration: float, ingress_fraction: float, snr: float,
                   cadence: float) -> float:
    """1σ error of ``T12/T14`` (Carter et al. 2008, eq. 19, ingress floored at the
    cadence since a shorter ingress is not resolved)."""
    tau = max(ingress_fraction * duration, cadence, 1e-4)
    width = max(duration - tau, tau)
    return math.sqrt(6.0 * tau / width) * width / snr / duration


def stellar_statistics(meta: Mapping, *, period: float, duration: float,
                       ingress_fraction: float, depth: float, snr: float,
                       cadence: float = 0.0, time: np.ndarray | None = None,
                       flux: np.ndarray | None = None, t0: float = float("nan"),
                       noise: float = float("nan")) -> dict[str, float]:
    """Transit vs catalogue density and the implied planet radius of one signal.

    Parameters
    ----------
    meta : mapping
        Light-curve metadata: ``star`` (catalogue parameters), ``crowdsap``, ``flux_column``,
        ``flux_mode``, ``source``.
    period, duration : float
        Period and fitted total duration ``T14``, days.
    ingress_fraction : float
        Fitted ``T12/T14``.
    depth : float
        Fitted depth in the light curve's relative flux (PDCSAP: already undiluted).
    snr : float
        The fitted transit's SNR (depth / its error).
    cadence : float
        Cadence, days (floors the resolvable ingress; the integration time of the
        limb-darkened fit).
    time, flux : ndarray, shape (T,), optional
        The detrended light curve (days, relative flux) the signal was found in, for
        :func:`limb_darkened_density`; without it ``transit_density`` and
        ``density_ratio_log10`` are NaN.
    t0, noise : float
        Transit centre (days) and per-cadence noise (relative flux) of that fit.

    Returns
    -------
    dict
        ``transit_density`` (g cm⁻³, circular orbit: the posterior median of
        :func:`limb_darkened_density`);
        ``density_ratio_log10`` (log10 transit / catalogue density); ``density_mismatch_sigma``
        (σ outside the allowed range, 0 when consistent); ``planet_radius_earth`` (R_earth);
        ``radius_too_large`` (1 above :data:`MAX_PLANET_RADIUS_EARTH`, else 0). NaN when not
        measurable (no relative flux, no catalogue, failed fit).
    """
    out = dict.fromkeys(STELLAR_COLUMNS, float("nan"))
    if meta.get("flux_mode", "relative") != "relative":
        return out
    column = str(meta.get("flux_column") or "").upper()
    undiluted = depth / aperture_depth_factor({**meta, "flux_column": ""}) \
        if column.startswith("SAP") else depth
    star = meta.get("star") if isinstance(meta.get("star"), Mapping) else {}
    source = str(meta.get("source") or meta.get("target_id") or "light curve")
    radius = _checked(star, "radius", source) if star else float("nan")
    if undiluted > 0 and np.isfinite(radius):
        out["planet_radius_earth"] = math.sqrt(undiluted) * radius * R_SUN_IN_EARTH
        out["radius_too_large"] = float(out["planet_radius_earth"] > MAX_PLANET_RADIUS_EARTH)
    if time is not None and flux is not None:
        # the fit runs on the light curve's own flux; PDCSAP is undiluted already, and a
        # SAP depth's dilution changes k, not the duration that sets the density
        out["transit_density"] = limb_darkened_density(
            time, flux, period=period, t0=t0, duration=duration, depth=depth, noise=noise,
            exposure=cadence)
    rho_cat, sigma_cat = catalogue_density(star, source) if star else (np.nan, np.nan)
    if np.isfinite(out["transit_density"]) and np.isfinite(rho_cat):
        out["density_ratio_log10"] = math.log10(out["transit_density"]) - math.log10(rho_cat)
    if not (np.isfinite(rho_cat) and snr > 0
            and np.isfinite(transit_density(period, duration, ingress_fraction, undiluted))):
        return out
    # The allowed range: b = 0 (the largest density at this T14) down to b = 1 − k (a
    # flat-bottomed transit is not grazing), or to 0 when a V shape is within 2σ of the fit.
    grazing = ingress_fraction + 2.0 * _ingress_error(duration, ingress_fraction, snr,
                                                      cadence) >= GRAZING_INGRESS_FRACTION
    upper = transit_density(period, duration, 0.0, undiluted)
    lower = 0.0 if grazing else transit_density(period, duration, 0.5, undiluted)
    # ρ ∝ T14⁻³ at fixed b; Carter et al. 2008: σ_T ≈ T √(2τ/T) / Q
    sigma_t = math.sqrt(2.0 * max(ingress_fraction, 0.02)) / snr
    sigma = math.hypot(sigma_cat, 3.0 * sigma_t / math.log(10))
    log_cat = math.log10(rho_cat)
    high = math.log10(upper) + ECCENTRICITY_TOLERANCE_DEX
    low = (math.log10(lower) - ECCENTRICITY_TOLERANCE_DEX - LIMB_DARKENING_TOLERANCE_DEX
           if lower > 0 else -math.inf)
    out["density_mismatch_sigma"] = max(0.0, (log_cat - high) / sigma, (low - log_cat) / sigma)
    return out
