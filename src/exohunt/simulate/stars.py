"""The star and the instrument: noise, variability, systematics, gaps and outliers.

Everything here is relative flux (1 = the star's true mean level) and pure given a
``numpy.random.Generator``. :func:`star_flux` combines the parts as

    flux = signal × (1 + rotation + flares) × systematics + white + granulation + outliers

with NaN in data gaps. Components:

- white noise, σ = ``noise_ppm`` per cadence (the σ of the SNR convention);
- granulation-like correlated noise: a stationary AR(1) (Ornstein-Uhlenbeck) process with
  standard deviation ``granulation_ppm`` and correlation time ``granulation_tau_hours``;
- rotational spot modulation: two harmonics of the rotation period whose amplitudes and phases
  wander between random knots spaced by the spot lifetime (evolving spots);
- flares: the Davenport (2014) template, averaged over the exposure;
- systematics: a K2-like roll sawtooth (thruster firings every ~6 h with jitter, half of them
  leaving a one-cadence dip of ``firing_dip``, as in raw K2 photometry), a slow
  quadratic drift and exponential thermal ramps after each gap (and at the start);
- gaps (NaN, ``valid`` False), cosmic-ray hits (single high points) and a few low outliers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

__all__ = [
    "StarParams",
    "flare_model",
    "gap_mask",
    "granulation_noise",
    "rotation_model",
    "star_flux",
    "star_noise",
    "systematics_model",
]


@dataclass(frozen=True)
class StarParams:
    """Everything about a simulated star except a transit/eclipse signal.

    Amplitudes are fractions of the mean flux unless the name says ppm; times in days.
    ``flares`` holds ``(t_peak, fwhm_days, amplitude)`` triples; ``gaps`` ``(start, stop)`` pairs.
    """

    noise_ppm: float
    flux_level: float = 1e5
    granulation_ppm: float = 0.0
    granulation_tau_hours: float = 1.0
    rotation_period: float = 10.0
    rotation_amplitude: float = 0.0
    spot_lifetime: float = 20.0
    flares: tuple[tuple[float, float, float], ...] = ()
    sawtooth_amplitude: float = 0.0
    sawtooth_period: float = 0.245
    firing_dip: float = 0.0
    drift_amplitude: float = 0.0
    ramp_amplitude: float = 0.0
    ramp_tau: float = 0.5
    gaps: tuple[tuple[float, float], ...] = ()
    n_cosmic_rays: int = 0
    n_low_outliers: int = 0


def star_noise(n: int, noise_ppm: float, rng: np.random.Generator, *, granulation_ppm: float = 0.0,
               granulation_tau_hours: float = 1.0, cadence_days: float = 0.0204) -> np.ndarray:
    """White plus granulation-like noise in relative flux, mean 0.

    Parameters
    ----------
    n : int
        Number of cadences.
    noise_ppm : float
        White-noise standard deviation per cadence, ppm (the σ of the SNR convention).
    rng : numpy.random.Generator
        Source of randomness.
    granulation_ppm, granulation_tau_hours : float
        Standard deviation (ppm) and correlation time (hours) of the AR(1) component; 0 = none.
    cadence_days : float
        Spacing of the cadences, days (sets the AR(1) coefficient).

    Returns
    -------
    ndarray, shape (n,)
    """
    noise = rng.normal(0.0, noise_ppm * 1e-6, n)
    if granulation_ppm > 0:
        noise += granulation_noise(n, granulation_ppm, granulation_tau_hours, cadence_days, rng)
    return noise


def granulation_noise(n: int, sigma_ppm: float, tau_hours: float, cadence_days: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) noise: standard deviation ``sigma_ppm``, correlation time ``tau_hours``."""
    phi = math.exp(-cadence_days * 24.0 / tau_hours)
    drive = rng.normal(0.0, sigma_ppm * 1e-6 * math.sqrt(1.0 - phi**2), n)
    start = rng.normal(0.0, sigma_ppm * 1e-6)
    out, _ = lfilter([1.0], [1.0, -phi], drive, zi=[phi * start])
    return out


def _wander(time: np.ndarray, spacing: float, values: np.ndarray) -> np.ndarray:
    knots = time[0] + spacing * np.arange(len(values)) - spacing * 0.5
    return np.interp(time, knots, values)


def rotation_model(time: np.ndarray, period: float, amplitude: float, lifetime: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Evolving spot modulation, relative flux around 0, typical semi-amplitude ``amplitude``.

    Two harmonics (the second at 0.1-0.5 of the first); their amplitudes (log-normal, 30 %) and
    phases (random walk, 0.6 rad per knot) change at knots spaced by ``lifetime`` days.
    """
    if amplitude <= 0:
        return np.zeros_like(time)
    span = float(time[-1] - time[0]) if len(time) else 0.0
    n_knots = int(span / lifetime) + 3
    out = np.zeros_like(time)
    for harmonic, scale in ((1, 1.0), (2, rng.uniform(0.1, 0.5))):
        amp = amplitude * scale * rng.lognormal(0.0, 0.3, n_knots)
        phase = rng.uniform(0, 2 * math.pi) + np.cumsum(rng.normal(0.0, 0.6, n_knots))
        out += _wander(time, lifetime, amp) * np.sin(
            2 * math.pi * harmonic * time / period + _wander(time, lifetime, phase))
    return out


def _davenport(x: np.ndarray) -> np.ndarray:
    rise = 1 + 1.941 * x - 0.175 * x**2 - 2.246 * x**3 - 1.125 * x**4
    decay = 0.6890 * np.exp(-1.600 * x) + 0.3030 * np.exp(-0.2783 * x)
    return np.where(x < -1, 0.0, np.where(x <= 0, rise, decay))


def flare_model(time: np.ndarray, flares: tuple[tuple[float, float, float], ...],
                exposure_days: float, supersample: int = 9) -> np.ndarray:
    """Sum of Davenport (2014) flares, averaged over each exposure; relative flux above 0."""
    out = np.zeros_like(time)
    if not flares:
        return out
    offsets = (np.arange(supersample) + 0.5) / supersample - 0.5
    fine = time[:, None] + offsets[None, :] * exposure_days
    for t_peak, fwhm, amplitude in flares:
        near = (time > t_peak - fwhm - exposure_days) & (time < t_peak + 60 * fwhm + exposure_days)
        if near.any():
            out[near] += amplitude * _davenport((fine[near] - t_peak) / fwhm).mean(axis=1)
    return out


def systematics_model(time: np.ndarray, star: StarParams, rng: np.random.Generator, *,
                      pointing: np.ndarray | None = None) -> np.ndarray:
    """Multiplicative systematics around 1: roll sawtooth, quadratic drift, ramps after gaps.

    ``pointing`` (shape (T,), zeros), when given, receives the part the spacecraft's pointing
    causes (the roll sawtooth and the drift; not the thermal ramps or the one-cadence firing
    dips), which the simulator's centroids follow; it draws nothing more.
    """
    out = np.ones_like(time)
    if pointing is None:
        pointing = np.zeros_like(time)
    t_start, span = float(time[0]), max(float(time[-1] - time[0]), 1e-9)
    if star.sawtooth_amplitude > 0:
        n_fire = int(span / star.sawtooth_period) + 3
        intervals = star.sawtooth_period * (1 + 0.05 * rng.standard_normal(n_fire))
        firings = t_start - rng.uniform(0, star.sawtooth_period) + np.cumsum(intervals)
        idx = np.clip(np.searchsorted(firings, time) - 1, 0, n_fire - 2)
        phase = np.clip((time - firings[idx]) / intervals[idx + 1], 0, 1)
        sawtooth = star.sawtooth_amplitude * 2 * (phase - 0.5)
        out += sawtooth
        pointing += sawtooth
        if star.firing_dip > 0:  # K2: about half the thruster firings leave a one-cadence dip
            hit = firings[(rng.random(n_fire) < 0.5) & (firings > time[0]) & (firings < time[-1])]
            where = np.clip(np.searchsorted(time, hit), 0, len(time) - 1)
            out[where] -= star.firing_dip * rng.uniform(0.5, 1.5, len(where))
    if star.drift_amplitude > 0:
        x = 2 * (time - t_start) / span - 1
        c1, c2 = rng.normal(0, 1, 2)
        drift = star.drift_amplitude * (c1 * x + c2 * (x**2 - 1 / 3)) / math.hypot(c1, c2)
        out += drift
        pointing += drift
    if star.ramp_amplitude > 0:
        starts = [t_start] + [stop for _, stop in star.gaps]
        for t_ramp in starts:
            after = time >= t_ramp
            sign = rng.choice((-1.0, 1.0))
            decay = np.exp(-(time[after] - t_ramp) / star.ramp_tau)
            out[after] += sign * star.ramp_amplitude * decay
    return out


def gap_mask(time: np.ndarray, gaps: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Boolean mask, True at cadences outside every ``(start, stop)`` gap."""
    valid = np.ones(len(time), dtype=bool)
    for start, stop in gaps:
        valid &= ~((time >= start) & (time < stop))
    return valid


def star_flux(time: np.ndarray, star: StarParams, rng: np.random.Generator,
              signal: np.ndarray | None = None, *,
              parts: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One star's relative flux and validity mask.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Cadence mid-times in days.
    star : StarParams
        The star's noise, variability and systematics.
    rng : numpy.random.Generator
        Source of every random number used (deterministic given its state).
    signal : ndarray, shape (T,), optional
        Noiseless multiplicative signal (transit or eclipse model), 1 out of transit.
    parts : dict, optional
        Filled with the noiseless components, shape (T,) each: ``variability`` (1 + rotation +
        flares, the star's own light), ``systematics`` (the multiplicative instrumental series)
        and ``pointing`` (its pointing-driven part, roll sawtooth and drift, which the
        simulator's centroids follow). Filling it draws nothing more.

    Returns
    -------
    flux : ndarray, shape (T,)
        Relative flux around 1; NaN in gaps.
    valid : ndarray of bool, shape (T,)
    """
    cadence = float(np.median(np.diff(time))) if len(time) > 1 else 0.0204
    variability = 1.0 + rotation_model(time, star.rotation_period, star.rotation_amplitude,
                                       star.spot_lifetime, rng)
    variability += flare_model(time, star.flares, cadence)
    pointing = np.zeros_like(time)
    systematics = systematics_model(time, star, rng, pointing=pointing)
    if parts is not None:
        parts.update(variability=variability, systematics=systematics, pointing=pointing)
    flux = variability * systematics
    if signal is not None:
        flux *= signal
    flux += star_noise(len(time), star.noise_ppm, rng, granulation_ppm=star.granulation_ppm,
                       granulation_tau_hours=star.granulation_tau_hours, cadence_days=cadence)
    sigma = star.noise_ppm * 1e-6
    for count, low, high, sign in ((star.n_cosmic_rays, 5, 30, 1.0),
                                   (star.n_low_outliers, 4, 10, -1.0)):
        if count:
            where = rng.integers(0, len(time), count)
            flux[where] += sign * sigma * rng.uniform(low, high, count)
    valid = gap_mask(time, star.gaps)
    flux[~valid] = np.nan
    return flux, valid
