"""The target's pixels: a neighbour, pointing, flux-weighted centroids, SAP flux and background.

Flux model. The simulated relative flux ``f`` (what the Kaggle CSV and ``PDCSAP_FLUX`` hold) has
the crowding removed, as Kepler/TESS PDC does: a neighbour holding a share β of the aperture's
light gives ``CROWDSAP = 1 − β`` and the aperture's own (SAP) relative flux is
``(1 − β) f + β``, times the pointing systematics PDC removed (``1 + g·p(t)``, g a flux gradient
log-U 0.01-0.1 per pixel in a random direction). A background EB of ``dilution`` D (the PDCSAP
depth is the binary's own depth / D) is the neighbour, with β = 1 / (1 + D); its SAP depth is
β × its own depth.

Centroids (``MOM_CENTR1/2``, pixels in the CCD frame): the flux-weighted mean of the target at
``target_pixel`` and the neighbour at offset **d** (pixels),
``c(t) = target_pixel + w(t) d + p(t) + noise`` with ``w = β n / ((1 − β) T + β n)``, T the
target's own noiseless light (its variability × a signal on it) and n the neighbour's (its
eclipses; 1 when unrelated). Hence, with δ the aperture's (SAP) fractional depth:

- background EB at offset D: out of eclipse c = βD, in eclipse the centroid moves by
  ``−δ D (1 − β) / (1 − δ)`` — toward the binary, by about its distance from the
  out-of-eclipse centroid;
- planet or on-target EB with an unrelated neighbour: ``+δ β D / (1 − δ)``, small and away from
  the neighbour's side (source offset 0).

Pointing ``p(t)`` (pixels, 2-D) is one series that drives both the centroids and the flux: the
pointing-driven part of the star's own instrumental series (its roll sawtooth and slow drift,
which are in the PDCSAP flux already; not the thermal ramps after gaps), normalised, along a
random direction with an amplitude of log-U 0.01-0.1 px (K2-like "systematics" stars: 0.1-1
px) — for Kepler/TESS-like stars only the day-scale part of that (a Gaussian low-pass of σ =
one day), as the real files' centroids show no sub-day wander above their noise, while K2-like
"systematics" stars keep the 6-hour roll — plus a linear drift (differential velocity
aberration) of the same size range, plus per-cadence jitter. The SAP flux follows ``p``
through g; ``POS_CORR1/2`` hold its slow part.

Noise per cadence and axis: jitter σ_floor plus photon noise ``k σ_SAP`` (σ_SAP the SAP's
relative white noise), calibrated on the real files in ``../shared/data/lightcurves`` by
``benchmarks/calibrate_centroid_noise.py`` (``benchmarks/results_centroid_noise.md``):
k = 1.18 px, σ_floor = 0.17 mpx (Kepler long cadence) and 4.0 mpx (TESS 2-minute).

Neighbours: a background EB's offset is drawn uniform in area within 4 px (80 %) or uniform in
radius within 1 px (20 %: blends close enough to survive the catalogue, many unresolvable by
design). Other stars get an unrelated neighbour with probability 0.5: β log-U 0.01-0.4, offset
uniform in area within 4 px.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["CENTROID_K_PX", "MISSIONS", "Mission", "SceneParams", "draw_scene",
           "mission_for_cadence", "neighbour_weight", "render_scene", "scene_truth"]

#: Centroid photon noise per unit relative flux noise, pixels (results_centroid_noise.md).
CENTROID_K_PX = 1.18


@dataclass(frozen=True)
class Mission:
    """What differs between the missions' files."""

    name: str
    catalog: str
    pixel_arcsec: float
    jitter_px: float  # per-cadence pointing jitter (results_centroid_noise.md)
    ccd_size: int
    aperture_radius_px: float
    background_e_s: tuple[float, float]  # log-U range of SAP_BKG, e-/s over the aperture
    field_deg: tuple[float, float, float]  # RA, Dec centre and half-width of the sky drawn


MISSIONS = {
    "Kepler": Mission("Kepler", "KIC", 3.98, 1.7e-4, 1024, 1.8, (300.0, 3000.0),
                      (290.67, 44.5, 6.0)),
    "TESS": Mission("TESS", "TIC", 21.0, 4.0e-3, 2048, 2.5, (200.0, 5000.0),
                    (90.0, -66.6, 12.0)),
}


def mission_for_cadence(cadence_days: float) -> str:
    """The mission a cadence implies: TESS under 10 minutes (2-minute data), else Kepler."""
    return "TESS" if cadence_days < 10.0 / 1440.0 else "Kepler"


@dataclass(frozen=True)
class SceneParams:
    """The target's pixel scene (offsets in pixels, CCD column/row frame)."""

    mission: str
    target_pixel: tuple[float, float]
    ra_deg: float
    dec_deg: float
    roll_deg: float
    neighbour_offset: tuple[float, float]  # (Δcol, Δrow) of the neighbour; (0, 0) if none
    neighbour_share: float  # β: the neighbour's share of the aperture's light
    neighbour_is_source: bool  # True for a background EB
    flfrcsap: float
    background_e_s: float
    drift_px: float
    drift_angle: float  # radians, direction of the systematics-driven motion
    dva_px: float
    dva_angle: float
    flux_gradient: tuple[float, float]  # SAP relative flux change per pixel (col, row)
    centroid_photon_px: float  # per cadence and axis
    jitter_px: float
    # Whether sub-day pointing excursions (K2's 6-hour roll) reach the centroids. Kepler and
    # TESS held their pointing to ~mpx within a day: on the real files the centroids'
    # residual after a day-scale detrend equals their cadence-to-cadence noise, so for such
    # stars only the day-scale part of the pointing series moves the centroids.
    fast_pointing: bool = False

    @property
    def neighbour_distance(self) -> float:
        """Distance of the neighbour from the target, pixels (0 without one)."""
        return float(math.hypot(*self.neighbour_offset))

    @property
    def crowdsap(self) -> float:
        """Share of the aperture's light from the target."""
        return 1.0 - self.neighbour_share

    @property
    def centroid_noise_px(self) -> float:
        """Total white centroid noise per cadence and axis, pixels."""
        return float(math.hypot(self.centroid_photon_px, self.jitter_px))

    def to_dict(self) -> dict:
        """Fields as a plain dict."""
        return asdict(self)


def _uniform_in_area(rng: np.random.Generator, radius: float) -> float:
    return radius * math.sqrt(float(rng.random()))


def draw_scene(rng: np.random.Generator, kind: str, mission: str, noise_ppm: float,
               dilution: float | None = None, *, host_kind: str | None = None) -> SceneParams:
    """Draw one star's scene (see the module docstring for the distributions).

    Parameters
    ----------
    rng : numpy.random.Generator
        The star's auxiliary stream.
    kind : str
        The star's kind; ``background-eb`` makes the neighbour the eclipsing binary.
    mission : {"Kepler", "TESS"}
    noise_ppm : float
        White noise of the (PDCSAP) relative flux per cadence, ppm.
    dilution : float, optional
        A background EB's dilution (≥ 1), which sets β = 1 / (1 + dilution).
    host_kind : str, optional
        The variability of a signal star's host (``systematics`` hosts move 0.1-1 px).
    """
    spec = MISSIONS[mission]
    lo, hi = 20.0, spec.ccd_size - 20.0
    target = (float(rng.uniform(lo, hi)), float(rng.uniform(lo, hi)))
    ra0, dec0, half = spec.field_deg
    ra = float((ra0 + rng.uniform(-half, half) / math.cos(math.radians(dec0))) % 360.0)
    dec = float(np.clip(dec0 + rng.uniform(-half, half), -89.0, 89.0))
    if kind == "background-eb":
        share = 1.0 / (1.0 + float(dilution if dilution is not None else 1.0))
        distance = float(rng.uniform(0, 1)) if rng.random() < 0.2 else _uniform_in_area(rng, 4)
    elif rng.random() < 0.5:
        share = float(np.exp(rng.uniform(math.log(0.01), math.log(0.4))))
        distance = _uniform_in_area(rng, 4.0)
    else:
        share, distance = 0.0, 0.0
    angle = float(rng.uniform(0, 2 * math.pi))
    offset = (distance * math.cos(angle), distance * math.sin(angle)) if share > 0 else (0.0, 0.0)
    drift_range = (0.1, 1.0) if (host_kind or kind) == "systematics" else (0.01, 0.1)
    gradient_size = float(np.exp(rng.uniform(math.log(0.01), math.log(0.1))))
    gradient_angle = float(rng.uniform(0, 2 * math.pi))
    photon = CENTROID_K_PX * (1.0 - share) * noise_ppm * 1e-6
    return SceneParams(
        mission=mission, target_pixel=target, ra_deg=ra, dec_deg=dec,
        roll_deg=float(rng.uniform(0, 360)), neighbour_offset=offset, neighbour_share=share,
        neighbour_is_source=kind == "background-eb", flfrcsap=float(rng.uniform(0.7, 0.95)),
        background_e_s=float(np.exp(rng.uniform(*np.log(spec.background_e_s)))),
        drift_px=float(np.exp(rng.uniform(*np.log(drift_range)))),
        drift_angle=float(rng.uniform(0, 2 * math.pi)),
        dva_px=float(np.exp(rng.uniform(*np.log(drift_range)))),
        dva_angle=float(rng.uniform(0, 2 * math.pi)),
        flux_gradient=(gradient_size * math.cos(gradient_angle),
                       gradient_size * math.sin(gradient_angle)),
        centroid_photon_px=photon, jitter_px=spec.jitter_px,
        fast_pointing=(host_kind or kind) == "systematics")


def scene_truth(kind: str, scene: SceneParams, truth: dict) -> dict:
    """The truth-table columns of a star's scene (documented in :mod:`exohunt.simulate`).

    ``truth`` must hold the signal's ``depth_ppm``, ``snr`` and ``noise_ppm`` for signal kinds.
    """
    beta, distance = scene.neighbour_share, scene.neighbour_distance
    out = {"mission": scene.mission, "neighbour_offset_pixels": distance,
           "neighbour_flux_share": beta, "crowdsap": scene.crowdsap, "flfrcsap": scene.flfrcsap,
           "centroid_noise_px": scene.centroid_noise_px,
           "pointing_drift_px": math.hypot(scene.drift_px, scene.dva_px)}
    if kind not in ("planet", "eb", "background-eb"):
        return out
    sap_depth = (1.0 - beta) * truth["depth_ppm"] * 1e-6
    if kind == "background-eb":
        source, shift = distance, -sap_depth * distance * (1.0 - beta) / (1.0 - sap_depth)
    else:
        source, shift = 0.0, sap_depth * beta * distance / (1.0 - sap_depth)
    snr = truth["snr"]
    error = (scene.centroid_noise_px / ((1.0 - beta) * truth["noise_ppm"] * 1e-6 * snr)
             if snr > 0 else math.inf)
    out.update(source_offset_pixels=source, sap_depth_ppm=sap_depth * 1e6,
               centroid_shift_px=shift, source_offset_error_px=error)
    if kind == "background-eb":
        out["source_resolvable"] = float(source >= 3.0 * error)
    return out


def neighbour_weight(share: float, target_light: np.ndarray,
                     neighbour_light: np.ndarray) -> np.ndarray:
    """The neighbour's share of the aperture's light at each cadence, ``β n / ((1−β) T + β n)``."""
    neighbour = share * neighbour_light
    return neighbour / ((1.0 - share) * target_light + neighbour)


def _unit_series(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    centred = values - np.mean(values[valid]) if valid.any() else values * 0.0
    scale = float(np.std(centred[valid])) if valid.any() else 0.0
    return centred / scale if scale > 0 else np.zeros_like(values)


def _day_scale(time: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` low-passed to day scales (a Gaussian of σ = one day, in cadences): the 6-hour
    roll sawtooth averages away, slow drifts stay.

    Gaussian, not a one-day boxcar: a boxcar's sidelobes pass a 0.245-day sawtooth's ripple,
    which :func:`_unit_series` then scaled up to the full pointing amplitude on stars whose
    pointing is mostly sawtooth; the search's one-day centroid detrending left 0.5 × that
    amplitude (``benchmarks/results_centroid_excess.md``).
    """
    from scipy.ndimage import gaussian_filter1d

    if len(time) < 3:
        return values
    cadence = float(np.median(np.diff(time)))
    sigma = 1.0 / cadence if cadence > 0 else 0.0
    if sigma < 1:
        return values
    return gaussian_filter1d(np.asarray(values, dtype=float), sigma=sigma, mode="nearest")


def render_scene(time: np.ndarray, scene: SceneParams, relative_flux: np.ndarray,
                 valid: np.ndarray, noise_ppm: float, target_light: np.ndarray,
                 neighbour_light: np.ndarray, pointing_flux: np.ndarray,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-cadence series of the scene, shape (T,) each, NaN in gaps.

    Parameters
    ----------
    time, relative_flux, valid : ndarray, shape (T,)
        Cadence times (days), the (PDCSAP-like) relative flux and its validity mask.
    noise_ppm : float
        White noise of ``relative_flux`` per cadence, ppm.
    target_light, neighbour_light : ndarray, shape (T,)
        Noiseless relative light of the target (variability × a signal on it) and of the
        neighbour (a background EB's undiluted eclipses; ones otherwise).
    pointing_flux : ndarray, shape (T,)
        The pointing-driven part of the star's instrumental flux series (relative, around 0:
        roll sawtooth and drift), which drives the pointing.
    rng : numpy.random.Generator
        Stream for the jitter and the centroid noise.

    Returns
    -------
    dict
        ``centroid_col``, ``centroid_row`` (pixels), ``sap_relative`` (SAP flux over its
        out-of-transit level), ``sap_relative_err``, ``pos_corr_col``, ``pos_corr_row``
        (pixels, the slow pointing), ``background_noise`` (relative, mean 0).
    """
    n = len(time)
    span = max(float(time[-1] - time[0]), 1e-9) if n else 1.0
    # drift_px is the amplitude of the whole pointing-driven series; Kepler/TESS-like stars'
    # centroids follow only its day-scale part (normalised first, so a series that is mostly
    # sawtooth leaves a small slow part rather than its filtered ripple scaled up)
    driven = scene.drift_px * _unit_series(pointing_flux, valid)
    if not scene.fast_pointing:
        driven = _day_scale(time, driven)
    linear = scene.dva_px * (2.0 * (time - time[0]) / span - 1.0) / math.sqrt(3.0)
    slow_col = driven * math.cos(scene.drift_angle) + linear * math.cos(scene.dva_angle)
    slow_row = driven * math.sin(scene.drift_angle) + linear * math.sin(scene.dva_angle)
    jitter = rng.normal(0.0, scene.jitter_px, (2, n))
    pointing_col, pointing_row = slow_col + jitter[0], slow_row + jitter[1]
    weight = neighbour_weight(scene.neighbour_share, target_light, neighbour_light)
    photon = rng.normal(0.0, scene.centroid_photon_px, (2, n))
    d_col, d_row = scene.neighbour_offset
    col = scene.target_pixel[0] + weight * d_col + pointing_col + photon[0]
    row = scene.target_pixel[1] + weight * d_row + pointing_row + photon[1]
    g_col, g_row = scene.flux_gradient
    beta = scene.neighbour_share
    pointing_loss = g_col * pointing_col + g_row * pointing_row
    sap = ((1.0 - beta) * relative_flux + beta) * (1.0 + pointing_loss)
    background = rng.normal(0.0, 0.01, n)
    out = {"centroid_col": col, "centroid_row": row, "sap_relative": sap,
           "sap_relative_err": np.full(n, (1.0 - beta) * noise_ppm * 1e-6),
           "pos_corr_col": slow_col, "pos_corr_row": slow_row, "background_noise": background}
    for name in ("centroid_col", "centroid_row", "sap_relative", "pos_corr_col", "pos_corr_row"):
        out[name] = np.where(valid, out[name], np.nan)
    return out
