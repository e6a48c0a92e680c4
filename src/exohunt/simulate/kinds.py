"""Random draws of stars and signals, one function per kind of star.

Distributions (log-U = uniform in the logarithm; all times in days):

Every star (the "base"): white noise log-U 50-2,000 ppm; flux level log-U 10^3.5-10^5.5 counts;
granulation σ = white σ × log-U 0.05-0.4 with correlation time log-U 0.3-3 h; mild spot
modulation with probability 0.4 (semi-amplitude log-U 20-300 ppm, period log-U 1-40 d); a small
flare with probability 0.08; a weak roll sawtooth with probability 0.3 (20-200 ppm); a slow drift
(log-U 50-2,000 ppm); thermal ramps after gaps with probability 0.5 (100-2,000 ppm, τ 0.1-1 d);
0-3 gaps of log-U 0.1-2.5 d; Poisson(1) cosmic rays (5-30 σ) and Poisson(0.3) low outliers
(4-10 σ), both per 3,197 cadences.

Kinds add to the base:

- ``quiet``: nothing.
- ``rotator``: spots with semi-amplitude log-U 0.1-3 %, period log-U 0.5-40 d, lifetime 1-5
  rotations.
- ``flare``: log-U 3-30 flares (amplitude log-U 0.1-10 %, FWHM log-U 2-40 min), and with
  probability 0.7 fast rotation (0.5-10 d, 0.1-1 %).
- ``systematics``: roll sawtooth 0.05-1 % with one-cadence dips of twice that at half the
  thruster firings, drift 0.5-5 %, ramps 0.1-1 % after every gap, 1-4 gaps.
- ``planet``: a host of kind quiet/rotator/flare/systematics (``host_kind``, drawn from the
  preset's host mix, :mod:`exohunt.simulate.dataset`) plus a transit: period log-U 0.5 d to
  min(40 d, 0.45 × baseline), impact U(0, 0.9), stellar density log-U 0.3-5 g/cm³ (raised where
  needed to keep a/R* ≥ 3), limb darkening u1 U(0.25, 0.55), u2 U(0.1, 0.3), circular orbit;
  Rp/R* (≤ 0.3) solved for an SNR drawn log-U over the preset's range (see
  :mod:`exohunt.simulate.signals` for the SNR convention); ≥ 2 transits with data.
- ``eb``: a host drawn like a planet's, plus an eclipsing binary: period log-U 0.5-20 d
  (≤ 0.45 × baseline), R2/R1 U(0.25, 1), surface-brightness ratio U(0.05, 1), mass ratio
  (R2/R1)^1.25, primary density log-U 0.5-3 g/cm³, eccentricity U(0.05, 0.5) with probability
  0.5 when P > 3 d (else circular), ω U(0, 360°); 30 % grazing (b between 1 - k and 1 + 0.7 k,
  V-shaped), otherwise b U(0, 1 - k); ellipsoidal variation on; the primary density is raised 4×
  when the stars would nearly touch (a(1 - e) < 1.5 (R1 + R2)).
- ``background-eb``: an ``eb`` diluted so that its SNR is drawn like a planet's.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from exohunt.simulate.params import (
    BRIGHT_SNR_RANGE,
    DAY_SIDE_ALBEDO,
    EclipsingBinaryParams,
    PlanetParams,
)
from exohunt.simulate.signals import dilution_for_snr, rp_rs_for_snr
from exohunt.simulate.stars import StarParams, gap_mask

__all__ = ["HOST_KINDS", "KINDS", "draw_eb", "draw_planet", "draw_star", "log_uniform"]

KINDS = ("planet", "eb", "background-eb", "rotator", "flare", "systematics", "quiet")
HOST_KINDS = ("quiet", "rotator", "flare", "systematics")
_MINUTE = 1.0 / 1440.0


def log_uniform(rng: np.random.Generator, low: float, high: float, size: int | None = None):
    """Draw(s) uniform in log between ``low`` and ``high``."""
    return np.exp(rng.uniform(math.log(low), math.log(high), size))


def _gaps(rng: np.random.Generator, time: np.ndarray, n_gaps: int) -> tuple:
    span = float(time[-1] - time[0])
    gaps = []
    for _ in range(n_gaps):
        length = min(float(log_uniform(rng, 0.1, 2.5)), 0.08 * span)
        start = float(time[0]) + rng.uniform(0.05, 0.95) * span
        gaps.append((start, start + length))
    return tuple(sorted(gaps))


def _flares(rng: np.random.Generator, time: np.ndarray, n: int, amp: tuple, fwhm_min: tuple):
    peaks = rng.uniform(time[0], time[-1], n)
    amps = log_uniform(rng, *amp, n)
    widths = log_uniform(rng, *fwhm_min, n) * _MINUTE
    return tuple((float(p), float(w), float(a)) for p, w, a in zip(peaks, widths, amps))


def _base_star(rng: np.random.Generator, time: np.ndarray) -> dict:
    per_len = len(time) / 3197.0
    noise = float(log_uniform(rng, 50, 2000))
    star = {
        "noise_ppm": noise,
        "flux_level": float(10 ** rng.uniform(3.5, 5.5)),
        "granulation_ppm": noise * float(log_uniform(rng, 0.05, 0.4)),
        "granulation_tau_hours": float(log_uniform(rng, 0.3, 3.0)),
        "drift_amplitude": float(log_uniform(rng, 5e-5, 2e-3)),
        "gaps": _gaps(rng, time, int(rng.choice(4, p=[0.35, 0.35, 0.2, 0.1]))),
        "n_cosmic_rays": int(rng.poisson(1.0 * per_len)),
        "n_low_outliers": int(rng.poisson(0.3 * per_len)),
    }
    if rng.random() < 0.4:
        period = float(log_uniform(rng, 1, 40))
        star.update(rotation_period=period, rotation_amplitude=float(log_uniform(rng, 2e-5, 3e-4)),
                    spot_lifetime=period * float(rng.uniform(1, 5)))
    if rng.random() < 0.08:
        star["flares"] = _flares(rng, time, int(rng.integers(1, 3)), (3e-4, 3e-3), (3, 20))
    if rng.random() < 0.3:
        star["sawtooth_amplitude"] = float(log_uniform(rng, 2e-5, 2e-4))
    if rng.random() < 0.5:
        star.update(ramp_amplitude=float(log_uniform(rng, 1e-4, 2e-3)),
                    ramp_tau=float(log_uniform(rng, 0.1, 1.0)))
    return star


def draw_star(rng: np.random.Generator, kind: str, time: np.ndarray) -> StarParams:
    """A star of ``kind`` (its nuisance part only; signals come from draw_planet/draw_eb)."""
    star = _base_star(rng, time)
    if kind == "rotator":
        period = float(log_uniform(rng, 0.5, 40))
        star.update(rotation_period=period, rotation_amplitude=float(log_uniform(rng, 1e-3, 3e-2)),
                    spot_lifetime=period * float(rng.uniform(1, 5)))
    elif kind == "flare":
        star["flares"] = _flares(rng, time, int(log_uniform(rng, 3, 30)), (1e-3, 0.1), (2, 40))
        if rng.random() < 0.7:
            period = float(log_uniform(rng, 0.5, 10))
            star.update(rotation_period=period, spot_lifetime=period * float(rng.uniform(1, 5)),
                        rotation_amplitude=float(log_uniform(rng, 1e-3, 1e-2)))
    elif kind == "systematics":
        star.update(sawtooth_amplitude=float(log_uniform(rng, 5e-4, 1e-2)),
                    sawtooth_period=float(rng.uniform(0.23, 0.26)),
                    drift_amplitude=float(log_uniform(rng, 5e-3, 5e-2)),
                    ramp_amplitude=float(log_uniform(rng, 1e-3, 1e-2)),
                    ramp_tau=float(log_uniform(rng, 0.2, 1.5)),
                    gaps=_gaps(rng, time, int(rng.integers(1, 5))))
        star["firing_dip"] = 2.0 * star["sawtooth_amplitude"]
    elif kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return StarParams(**star)


def _choose_t0(rng: np.random.Generator, time: np.ndarray, valid: np.ndarray,
               period: float) -> tuple[float, int]:
    """An epoch giving ≥ 2 transit centres on valid cadences (20 tries); returns (t0, count)."""
    t0, count = float(time[0]), 0
    for _ in range(20):
        t0 = float(time[0]) + rng.uniform(0, period)
        centres = np.arange(t0, float(time[-1]), period)
        nearest = np.clip(np.searchsorted(time, centres), 0, len(time) - 1)
        count = int(valid[nearest].sum())
        if count >= 2:
            break
    return t0, count


def _max_period(time: np.ndarray, cap: float) -> float:
    return min(cap, 0.45 * float(time[-1] - time[0]))


def draw_planet(rng: np.random.Generator, time: np.ndarray, star: StarParams,
                snr_range: tuple[float, float], *, day_rng: np.random.Generator | None = None,
                bright_share: float = 0.0, day_side: bool = True
                ) -> tuple[PlanetParams, float, int]:
    """A planet for ``star`` with Rp/R* solved for an SNR drawn log-uniform in ``snr_range``.

    With ``day_rng`` (a stream of its own, so that ``rng``'s later draws keep their order) the
    planet gets a day side, its albedo log-uniform in :data:`DAY_SIDE_ALBEDO` (an occultation
    of ``albedo (Rp/a)²``), and with probability ``bright_share`` its SNR is drawn from
    :data:`BRIGHT_SNR_RANGE` instead of ``snr_range``; ``day_side=False`` leaves the albedo
    at 0 (drawn all the same: the same planets otherwise).

    Returns
    -------
    params : PlanetParams
    target_snr : float
        The SNR asked for (the achieved one may be lower only if Rp/R* hit its 0.3 cap).
    n_transits : int
        Transit centres falling on valid cadences.
    """
    valid = gap_mask(time, star.gaps)
    period = float(log_uniform(rng, 0.5, _max_period(time, 40.0)))
    t0, n_transits = _choose_t0(rng, time, valid, period)
    params = PlanetParams(period=period, t0=t0, rp_rs=0.03, impact=float(rng.uniform(0, 0.9)),
                          stellar_density=float(log_uniform(rng, 0.3, 5.0)),
                          u1=float(rng.uniform(0.25, 0.55)), u2=float(rng.uniform(0.1, 0.3)))
    if params.a_rs < 3.0:  # no planet inside ~3 stellar radii: such hosts must be denser
        params = replace(params, stellar_density=params.stellar_density * (3.0 / params.a_rs) ** 3)
    target = float(log_uniform(rng, *snr_range))
    if day_rng is not None:
        albedo = float(log_uniform(day_rng, *DAY_SIDE_ALBEDO))
        params = replace(params, albedo=albedo if day_side else 0.0)
        if day_rng.random() < bright_share:
            target = float(log_uniform(day_rng, *BRIGHT_SNR_RANGE))
    return rp_rs_for_snr(time, params, star.noise_ppm, target, valid), target, n_transits


def draw_eb(rng: np.random.Generator, time: np.ndarray, star: StarParams, *,
            snr_range: tuple[float, float] | None = None) -> tuple[EclipsingBinaryParams, int]:
    """An eclipsing binary; with ``snr_range`` a background one, diluted to a planet-like SNR."""
    valid = gap_mask(time, star.gaps)
    period = float(log_uniform(rng, 0.5, _max_period(time, 20.0)))
    t0, n_eclipses = _choose_t0(rng, time, valid, period)
    k = float(rng.uniform(0.25, 1.0))
    ecc, omega = 0.0, 90.0
    if period > 3 and rng.random() < 0.5:
        ecc, omega = float(rng.uniform(0.05, 0.5)), float(rng.uniform(0, 360))
    grazing = rng.random() < 0.3
    impact = float(rng.uniform(1 - k, 1 + 0.7 * k) if grazing else rng.uniform(0, 1 - k))
    params = EclipsingBinaryParams(
        period=period, t0=t0, radius_ratio=k, impact=impact,
        surface_brightness_ratio=float(rng.uniform(0.05, 1.0)), mass_ratio=min(1.0, k**1.25),
        stellar_density=float(log_uniform(rng, 0.5, 3.0)), ecc=ecc, omega_deg=omega,
        u1=float(rng.uniform(0.25, 0.55)), u2=float(rng.uniform(0.1, 0.3)))
    if params.a_rs * (1 - ecc) < 1.5 * (1 + k):  # keep the stars detached
        params = replace(params, stellar_density=params.stellar_density * 4)
    if snr_range is not None:
        target = float(log_uniform(rng, *snr_range))
        params = dilution_for_snr(time, params, star.noise_ppm, target, valid)
    return params, n_eclipses
