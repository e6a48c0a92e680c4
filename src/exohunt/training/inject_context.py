"""Injection into single-star light curves that carry centroids and catalogue parameters.

A training planet or background EB injected into a real (or FITS-simulated) file must move its
centroids and agree with its catalogue the way a real one would, or the classifier learns that
"injected" means "centroid does not move" and "density always agrees". The physics is the
simulator's (:mod:`exohunt.simulate.scene`): the flux-weighted centroid of the aperture is the
light-weighted mean of its sources' positions, with the weights of
:func:`~exohunt.simulate.scene.neighbour_weight`.

- **Planet on the target.** The target dims by the transit ``m(t)``; a neighbour holding a
  share β = 1 − ``CROWDSAP`` of the aperture's light at offset **d** from the target keeps the
  out-of-transit centroid at ``target + β d``. In transit the neighbour's weight grows to
  ``β / ((1 − β) m + β)``, so the centroid moves by ``d (w(t) − β)`` — a few millipixels at
  most, away from the neighbour, and the source offset stays ~0. **d** is read off the file:
  ``(median centroid − target_pixel) / β``; without a target pixel or crowding the centroid is
  left as it is (the shift would be ≲ depth × β × d, below the centroid noise). The host's
  density is its catalogue density (``meta["star"]``, :func:`exohunt.search.stellar.
  catalogue_density`) scattered by the catalogue's own uncertainty, so the transit's duration
  agrees with the catalogue as a real planet's does.
- **Background EB.** A new star at offset **D** (drawn as the simulator draws background EBs:
  20 % within 1 px uniform in radius, 80 % uniform in area within 4 px) whose undiluted
  eclipses ``e(t)`` add light ``L e(t)`` to the aperture, ``L = (1 − β) / D_dil`` for the
  dilution ``D_dil`` that gives the drawn SNR in the (crowding-corrected) flux. The centroid
  becomes ``(1 − w_b) c(t) + w_b (target + D)`` with ``w_b`` its weight: in eclipse it moves
  by ~ depth × D toward the binary, whose source offset is D. The binary keeps its own stars'
  density (drawn), not the host's.

- **Eclipsing binary on the target** (``kind="eb"``, a negative like the simulator's ``eb``
  kind): the target itself eclipses, undiluted, with the simulator's binary distributions
  (:func:`exohunt.simulate.kinds.draw_eb`: R2/R1 0.25-1, 30 % grazing and V-shaped, secondary
  eclipses, eccentric orbits, ellipsoidal variation). The source is the target, so the centroid
  moves as for a planet (source offset ~0) and the primary's density is the host's catalogue
  density (scattered as for a planet); what gives it away is the eclipse itself: depth, shape,
  secondary and odd/even eclipses, and a duration set by two stars' masses and radii rather
  than a planet's. Without these the trees learn "centroid on target => planet".

The SAP flux, when present, takes the same signal at the aperture's dilution. Light curves
without centroid columns get the flux signal only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.simulate.scene import neighbour_weight

__all__ = ["INJECTION_KINDS", "beb_offset", "inject_lightcurve", "random_target_binary",
           "time_reversed"]

#: What :func:`inject_lightcurve` injects: a planet, a background EB, an EB on the target.
INJECTION_KINDS = ("planet", "binary", "eb")

_CENTROIDS = ("centroid_col", "centroid_row")


def beb_offset(rng: np.random.Generator) -> tuple[float, float]:
    """A background EB's (Δcol, Δrow) from the target, pixels, drawn as the simulator draws
    them (:func:`exohunt.simulate.scene.draw_scene`)."""
    distance = (float(rng.uniform(0, 1)) if rng.random() < 0.2
                else 4.0 * math.sqrt(float(rng.random())))
    angle = float(rng.uniform(0, 2 * math.pi))
    return distance * math.cos(angle), distance * math.sin(angle)


def _target_pixel(lc: LightCurve) -> np.ndarray | None:
    value = lc.meta.get("target_pixel")
    if isinstance(value, Sequence) and len(value) == 2:
        pixel = np.asarray(value, float)
        return pixel if np.all(np.isfinite(pixel)) else None
    return None  # absent, or one per segment: not used for injection


def _share(lc: LightCurve) -> float:
    """β: the neighbours' share of the aperture's light (1 − CROWDSAP; 0 when unknown)."""
    try:
        crowdsap = float(lc.meta.get("crowdsap", 1.0))
    except (TypeError, ValueError):
        return 0.0
    return float(np.clip(1.0 - crowdsap, 0.0, 0.99)) if np.isfinite(crowdsap) else 0.0


def _has_centroids(lc: LightCurve) -> bool:
    return all(name in lc.columns for name in _CENTROIDS)


def _planet_columns(lc: LightCurve, model: np.ndarray) -> dict[str, np.ndarray]:
    columns, beta = {}, _share(lc)
    target = _target_pixel(lc)
    if _has_centroids(lc) and target is not None and beta > 0:
        weight = neighbour_weight(beta, model, np.ones_like(model))
        for axis, name in enumerate(_CENTROIDS):
            values = np.asarray(lc.columns[name], float)
            offset = (np.nanmedian(values) - target[axis]) / beta  # d, pixels
            columns[name] = values + offset * (weight - beta)
    if "sap_flux" in lc.columns:
        columns["sap_flux"] = np.asarray(lc.columns["sap_flux"], float) * ((1 - beta) * model
                                                                           + beta)
    return columns


def _binary_columns(lc: LightCurve, diluted: np.ndarray, dilution: float,
                    offset: tuple[float, float]) -> dict[str, np.ndarray]:
    columns, beta = {}, _share(lc)
    light = (1.0 - beta) / dilution            # the binary's light out of eclipse, aperture = 1
    eclipses = 1.0 + dilution * (diluted - 1.0)  # the binary's own (undiluted) light
    share = light / (1.0 + light)
    if _has_centroids(lc):
        weight = neighbour_weight(share, np.ones_like(eclipses), eclipses)
        target = _target_pixel(lc)
        for axis, name in enumerate(_CENTROIDS):
            values = np.asarray(lc.columns[name], float)
            origin = target[axis] if target is not None else np.nanmedian(values)
            columns[name] = (1.0 - weight) * values + weight * (origin + offset[axis])
    if "sap_flux" in lc.columns:
        columns["sap_flux"] = (np.asarray(lc.columns["sap_flux"], float)
                               * (1.0 + light * eclipses) / (1.0 + light))
    return columns


def host_density(lc: LightCurve, rng: np.random.Generator) -> float | None:
    """A true density (g cm⁻³) for a planet host: its catalogue density scattered by the
    catalogue's 1σ error in dex, or None without catalogue parameters."""
    from exohunt.search.stellar import catalogue_density

    star = lc.meta.get("star")
    if not star:
        return None
    rho, error_dex = catalogue_density(star, str(lc.meta.get("source", "light curve")))
    if not (np.isfinite(rho) and np.isfinite(error_dex)):
        return None
    return float(rho * 10.0 ** rng.normal(0.0, error_dex))


def random_target_binary(time: np.ndarray, rng: np.random.Generator, valid: np.ndarray,
                         snr: float | None = None, *, noise_ppm: float | None = None,
                         density: float | None = None,
                         radius_ratio: tuple[float, float] = (0.25, 1.0),
                         grazing_share: float = 0.3):
    """An undiluted eclipsing binary drawn as the simulator draws its ``eb`` kind
    (:func:`exohunt.simulate.kinds.draw_eb`), its primary of ``density`` (g cm⁻³; default
    log-uniform 0.5-3, the simulator's), raised fourfold as often as it takes to keep the stars
    detached (a(1 − e) ≥ 1.5 (R1 + R2)).

    ``snr`` and ``noise_ppm`` are accepted for the interface of the other signal makers and
    not used: a binary on the target is not diluted, its depth is its own. ``radius_ratio``:
    the range the companion's radius ratio is drawn from (uniform; the simulator's
    0.25-1.0 by default; from 0.1, low-mass companions give 1-6 % eclipses, the depths of
    the on-target binaries that pass the models: ``benchmarks/diag_target_eb_scores.py``).
    """
    from exohunt.simulate.kinds import log_uniform
    from exohunt.simulate.params import EclipsingBinaryParams

    period = float(log_uniform(rng, 0.5, min(20.0, 0.45 * float(np.ptp(time)))))
    low, high = radius_ratio
    if not 0 < low <= high <= 1:
        raise ValueError(f"radius_ratio must satisfy 0 < low <= high <= 1, got {radius_ratio}")
    if not 0 <= grazing_share <= 1:
        raise ValueError(f"grazing_share must lie in [0, 1], got {grazing_share!r}")
    k = float(rng.uniform(low, high))
    ecc, omega = 0.0, 90.0
    if period > 3 and rng.random() < 0.5:
        ecc, omega = float(rng.uniform(0.05, 0.5)), float(rng.uniform(0, 360))
    grazing = rng.random() < grazing_share
    drawn_density = float(log_uniform(rng, 0.5, 3.0))  # drawn either way: same stream after
    binary = EclipsingBinaryParams(
        period=period, t0=float(time[0] + rng.uniform(0, period)), radius_ratio=k,
        impact=float(rng.uniform(1 - k, 1 + 0.7 * k) if grazing else rng.uniform(0, 1 - k)),
        surface_brightness_ratio=float(rng.uniform(0.05, 1.0)), mass_ratio=min(1.0, k**1.25),
        stellar_density=drawn_density if density is None else float(density), ecc=ecc,
        omega_deg=omega, u1=float(rng.uniform(0.25, 0.55)), u2=float(rng.uniform(0.1, 0.3)))
    from dataclasses import replace

    # keep the stars detached, as draw_eb does; a catalogue density can be far below the
    # simulator's 0.5 g/cm³ (a giant host), where one fourfold raise left a/R* under the
    # impact parameter of a grazing draw and the eclipse could not be made (ValueError)
    while binary.a_rs * (1 - ecc) < 1.5 * (1 + k):
        binary = replace(binary, stellar_density=binary.stellar_density * 4)
    return binary


def inject_lightcurve(lc: LightCurve, kind: str, snr: float, rng: np.random.Generator, *,
                      day_side: bool = True, offset: tuple[float, float] | None = None,
                      radius_ratio: tuple[float, float] = (0.25, 1.0),
                      grazing_share: float = 0.3) -> LightCurve:
    """A copy of ``lc`` with one random planet (``kind="planet"``, with its occultation when
    ``day_side``) or background EB (``kind="binary"``) at matched-filter SNR ``snr`` against
    the light curve's own white noise, or an undiluted eclipsing binary on the target
    (``kind="eb"``; ``snr`` unused), its centroids, SAP flux and catalogue consistent
    (module docstring).

    Parameters
    ----------
    lc : LightCurve
        Flux around a positive level (e-/s or relative), NaN allowed.
    kind : {"planet", "binary", "eb"}
    snr : float
    rng : numpy.random.Generator
    offset : (float, float), optional
        A binary's (Δcol, Δrow) from the target, pixels (default: drawn, :func:`beb_offset`).

    Returns
    -------
    LightCurve
        ``meta["injected"]`` records the signal (and ``meta["injected_offset_px"]`` a binary's
        offset from the target, pixels: 0 for ``"eb"``).
    """
    from exohunt.simulate.inject import apply_model
    from exohunt.simulate.signals import signal_model
    from exohunt.training.augment import (
        DAY_SIDE_ALBEDO,
        _random_binary,
        _random_planet,
        white_noise,
    )

    time = np.asarray(lc.time, float)
    flux = np.asarray(lc.flux, float)
    valid = np.isfinite(flux)
    level = float(np.median(flux[valid]))
    noise_ppm = white_noise(flux) / level * 1e6
    if kind == "planet":
        density = host_density(lc, rng)
        signal = _random_planet(time, rng, valid, snr, noise_ppm=noise_ppm, density=density)
        albedo = float(np.exp(rng.uniform(*np.log(DAY_SIDE_ALBEDO))))
        if day_side:  # the simulator's own day side (batman's secondary eclipse)
            from dataclasses import replace

            signal = replace(signal, albedo=albedo)
        model = signal_model(time, signal)
        out = apply_model(lc, signal, model)
        columns = _planet_columns(lc, model)
        extra_meta = {}
    elif kind == "binary":
        signal = _random_binary(time, rng, valid, snr, noise_ppm=noise_ppm)
        offset = beb_offset(rng) if offset is None else offset
        model = signal_model(time, signal)
        out = apply_model(lc, signal, model)
        columns = _binary_columns(lc, model, signal.dilution, offset)
        extra_meta = {"injected_offset_px": float(math.hypot(*offset))}
    elif kind == "eb":
        signal = random_target_binary(time, rng, valid, density=host_density(lc, rng),
                                      radius_ratio=radius_ratio, grazing_share=grazing_share)
        model = signal_model(time, signal)
        out = apply_model(lc, signal, model)
        columns = _planet_columns(lc, model)  # the source is the target
        extra_meta = {"injected_offset_px": 0.0}
    else:
        raise ValueError(f"kind must be one of {', '.join(INJECTION_KINDS)}, got {kind!r}")
    return out.replace(columns={**lc.columns, **columns}, meta=extra_meta)


def time_reversed(lc: LightCurve) -> LightCurve:
    """``lc`` mirrored in time: its cadences in reverse order at ``t_first + t_last - t``.

    A transit train is symmetric in time, so the mirrored light curve holds the same planet
    at the same period (the star's variability and systematics run backwards, which is the
    point of the copy). The time stamps are mirrored with the flux, not kept: with gaps
    between the cadences, reversed flux on the original stamps would shift every transit
    after a gap by the gap's asymmetry and break the train's period (round 23,
    ``benchmarks/diag_reversed_positives.py``: the search found 81 of the context benchmark's
    101 SNR >= 10 training planets' reversed copies at their period, 94 mirrored, 98 as
    simulated; the rest taught the models that a flare's or a ramp's residual is a planet).
    Flux, errors and every per-cadence column are reversed together.
    """
    time = np.asarray(lc.time, float)
    return lc.replace(time=time[0] + time[-1] - time[::-1], flux=lc.flux[::-1],
                      flux_err=None if lc.flux_err is None else lc.flux_err[::-1],
                      columns={k: np.asarray(v)[::-1] for k, v in lc.columns.items()})
