"""Simulated datasets: the presets, and the stars of a split made one at a time.

Presets (``n`` stars / planets; the negatives' kinds in fixed proportions, exact counts by the
largest-remainder rule, then shuffled):

=========  =============  ==============================================================
preset     split          stars / planets, negatives' mix, planet SNR (log-uniform)
=========  =============  ==============================================================
kaggle     train          5,087 / 37; quiet 40 %, rotator 25 %, systematics 12 %, eb 9 %,
                          flare 8 %, background-eb 6 %; SNR 8-60
kaggle     test           570 / 5; same mix and SNR
big        train          identical to kaggle's train (same stars for the same seed)
big        test           5,000 / 150; quiet 33 %, rotator 22 %, eb 14 %, systematics 12 %,
                          background-eb 11 %, flare 8 %; SNR 5-60
vetting    train          6,000 / 300; of all stars 10 % eb and 15 % background-eb, the rest
                          quiet 36 %, rotator 22 %, systematics 9 %, flare 7 % of the
                          negatives; SNR 5-60 (issue 15's centroid/density benchmark)
vetting    test           3,000 / 120; same mix and SNR (use a seed never used for training)
=========  =============  ==============================================================

Every star also has (from its auxiliary stream, see below) true stellar parameters and the
input catalogue's noisy view of them (:mod:`exohunt.simulate.hosts`), and a pixel scene: a
neighbour, pointing, centroids, SAP flux and background (:mod:`exohunt.simulate.scene`). A
planet's or on-target binary's host has the density its transit/eclipse model uses; a background
EB's eclipses follow the binary's own density (``stellar_density``), not the target's
(``star_density``).

Stars with a signal (planet, eb, background-eb) sit on a host whose variability is drawn from
the host mix (every preset): quiet 70 %, rotator 20 %, flare 5 %, systematics 5 % — planet hosts
of a confirmed-planet sample such as Kaggle's are biased towards quiet stars, because planets are
found more easily there; EB hosts get the same mix so that host variability does not separate
planets from EBs. Background EBs are diluted to an SNR drawn like the planets'. With
``n_train``/``n_test`` overrides the planet count scales with the preset's planet fraction (at
least 1).

Randomness: star ``i`` of split ``s`` uses ``SeedSequence(seed, spawn_key=(s, 1, i))`` and the
kind order uses ``spawn_key=(s, 0)`` (s = 0 train, 1 test), so the splits never share stars and a
star does not depend on how many others are made or on chunking. Everything added for centroids
and catalogue parameters comes from an independent auxiliary stream, ``spawn_key=(s, 2, i)``
(parameters) and ``(s, 2, i, 1)`` (per-cadence centroid and jitter noise), so the flux of every
star is bit-identical to what the simulator made before centroids existed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from exohunt.simulate.hosts import catalogue_view, draw_host
from exohunt.simulate.kinds import HOST_KINDS, KINDS, draw_eb, draw_planet, draw_star
from exohunt.simulate.scene import (
    MISSIONS,
    SceneParams,
    draw_scene,
    mission_for_cadence,
    scene_truth,
)
from exohunt.simulate.signals import (
    central_depth_snr,
    eb_model,
    expected_snr,
    secondary_depth,
    secondary_eclipse_time,
    signal_depth,
    transit_model,
)
from exohunt.simulate.stars import StarParams, star_flux

__all__ = ["PRESETS", "SimulatedStar", "SplitSpec", "iter_split", "make_star", "split_kinds"]

KAGGLE_MIX = {"quiet": 0.40, "rotator": 0.25, "systematics": 0.12, "eb": 0.09, "flare": 0.08,
              "background-eb": 0.06}
HOST_MIX = {"quiet": 0.70, "rotator": 0.20, "flare": 0.05, "systematics": 0.05}
BIG_MIX = {"quiet": 0.33, "rotator": 0.22, "eb": 0.14, "systematics": 0.12,
           "background-eb": 0.11, "flare": 0.08}
# Shares of the negatives giving 10 % eb and 15 % background-eb of all stars at 4 % planets.
VETTING_MIX = {"quiet": 0.36, "rotator": 0.22, "background-eb": 0.156, "eb": 0.104,
               "systematics": 0.09, "flare": 0.07}


@dataclass(frozen=True)
class SplitSpec:
    """How one split of a preset is made."""

    n_stars: int
    n_planets: int
    mix: dict[str, float]
    planet_snr: tuple[float, float]
    host_mix: dict[str, float] = field(default_factory=lambda: dict(HOST_MIX))
    #: share of the planets whose SNR is drawn from BRIGHT_SNR_RANGE instead (draw_planet)
    bright_share: float = 0.0
    #: planets have a day side (an occultation, draw_planet); False: the flux of before
    day_side: bool = True

    def resized(self, n_stars: int | None) -> SplitSpec:
        """The same split with ``n_stars`` stars and a proportional number of planets."""
        if n_stars is None or n_stars == self.n_stars:
            return self
        n_planets = max(1, round(n_stars * self.n_planets / self.n_stars))
        return SplitSpec(n_stars, min(n_planets, n_stars), self.mix, self.planet_snr,
                         self.host_mix, self.bright_share, self.day_side)


_KAGGLE_TRAIN = SplitSpec(5087, 37, KAGGLE_MIX, (8.0, 60.0))
PRESETS: dict[str, dict[str, SplitSpec]] = {
    "kaggle": {"train": _KAGGLE_TRAIN, "test": SplitSpec(570, 5, KAGGLE_MIX, (8.0, 60.0))},
    "big": {"train": _KAGGLE_TRAIN, "test": SplitSpec(5000, 150, BIG_MIX, (5.0, 60.0))},
    "vetting": {"train": SplitSpec(6000, 300, VETTING_MIX, (5.0, 60.0)),
                "test": SplitSpec(3000, 120, VETTING_MIX, (5.0, 60.0))},
}
SPLIT_IDS = {"train": 0, "test": 1}

TRUTH_COLUMNS = (
    "index", "kind", "label", "period_days", "t0_days", "duration_hours", "depth_ppm", "snr",
    "central_depth_snr", "rp_rs", "impact", "noise_ppm", "target_snr", "n_transits",
    "host_kind", "flux_level",
    "stellar_density", "a_rs", "inclination_deg", "u1", "u2", "secondary_depth_ppm",
    "t_secondary_days", "albedo", "occultation_ppm", "eccentricity", "omega_deg", "dilution",
    "undiluted_depth_ppm",
    "surface_brightness_ratio", "flux_ratio", "mass_ratio", "ellipsoidal_ppm", "grazing",
    "granulation_ppm", "rotation_period_days", "rotation_amplitude_ppm", "n_flares",
    "max_flare_amplitude_ppm", "sawtooth_ppm", "firing_dip_ppm", "drift_ppm", "ramp_ppm", "n_gaps",
    "n_valid", "n_cosmic_rays", "n_low_outliers",
    "mission", "neighbour_offset_pixels", "neighbour_flux_share", "source_offset_pixels",
    "source_offset_error_px", "source_resolvable", "sap_depth_ppm", "centroid_shift_px",
    "centroid_noise_px", "pointing_drift_px", "crowdsap", "flfrcsap",
    "star_teff", "star_logg", "star_radius", "star_mass", "star_feh", "star_mag", "star_density",
    "catalog_teff", "catalog_logg", "catalog_radius", "catalog_feh", "catalog_mag",
)


def count_kinds(spec: SplitSpec) -> dict[str, int]:
    """Exact number of stars of each kind (largest-remainder rounding of the mix)."""
    n_neg = spec.n_stars - spec.n_planets
    names = list(spec.mix)
    raw = np.array([spec.mix[k] for k in names]) / sum(spec.mix.values()) * n_neg
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n_neg - counts.sum()]] += 1
    return {"planet": spec.n_planets, **dict(zip(names, counts.tolist()))}


def split_kinds(spec: SplitSpec, seed: int, split: str) -> np.ndarray:
    """The kind of every star of a split, in row order (object array of str)."""
    counts = count_kinds(spec)
    kinds = np.concatenate([np.full(n, kind, dtype=object) for kind, n in counts.items()])
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SPLIT_IDS[split], 0)))
    return kinds[rng.permutation(len(kinds))]


@dataclass(frozen=True)
class SimulatedStar:
    """One simulated star: relative flux (NaN in gaps), its validity mask and truth row.

    ``scene``, ``catalogue`` (the ``meta["star"]`` dict) and ``lights`` (noiseless
    ``target_light``, ``neighbour_light`` and ``pointing``, shape (T,) each) feed
    :func:`exohunt.simulate.lightcurves.star_lightcurve`, which renders the per-cadence
    centroids from ``series_seed``.
    """

    index: int
    kind: str
    flux: np.ndarray
    valid: np.ndarray
    flux_level: float
    noise_ppm: float
    truth: dict = field(default_factory=dict)
    signal: object = None
    scene: SceneParams | None = None
    catalogue: dict = field(default_factory=dict)
    lights: dict = field(default_factory=dict)
    series_seed: np.random.SeedSequence | None = None


def _host_kind(rng: np.random.Generator, mix: dict[str, float]) -> str:
    weights = np.array([mix.get(k, 0.0) for k in HOST_KINDS])
    return str(rng.choice(HOST_KINDS, p=weights / weights.sum()))


def _star_truth(star: StarParams) -> dict:
    return {
        "noise_ppm": star.noise_ppm, "flux_level": star.flux_level,
        "granulation_ppm": star.granulation_ppm,
        "rotation_period_days": star.rotation_period if star.rotation_amplitude > 0 else math.nan,
        "rotation_amplitude_ppm": star.rotation_amplitude * 1e6, "n_flares": len(star.flares),
        "max_flare_amplitude_ppm": 1e6 * max((a for *_, a in star.flares), default=0.0),
        "sawtooth_ppm": star.sawtooth_amplitude * 1e6,
        "firing_dip_ppm": star.firing_dip * 1e6, "drift_ppm": star.drift_amplitude * 1e6,
        "ramp_ppm": star.ramp_amplitude * 1e6, "n_gaps": len(star.gaps),
        "n_cosmic_rays": star.n_cosmic_rays, "n_low_outliers": star.n_low_outliers,
    }


def _signal_truth(time: np.ndarray, params, star: StarParams, valid: np.ndarray) -> dict:
    truth = {
        "period_days": params.period, "t0_days": params.t0, "duration_hours": params.t14 * 24,
        "depth_ppm": signal_depth(params) * 1e6, "impact": params.impact,
        "snr": expected_snr(time, params, star.noise_ppm, valid),
        "central_depth_snr": central_depth_snr(time, params, star.noise_ppm, valid),
        "stellar_density": params.stellar_density, "a_rs": params.a_rs,
        "inclination_deg": params.inclination_deg, "u1": params.u1, "u2": params.u2,
        "eccentricity": params.ecc, "omega_deg": params.omega_deg,
    }
    if hasattr(params, "rp_rs"):
        truth.update(rp_rs=params.rp_rs, albedo=params.albedo,
                     occultation_ppm=params.occultation_depth * 1e6)
        return truth
    truth.update(
        rp_rs=params.radius_ratio, t_secondary_days=secondary_eclipse_time(params),
        secondary_depth_ppm=secondary_depth(params) * 1e6,
        dilution=params.dilution, undiluted_depth_ppm=truth["depth_ppm"] * params.dilution,
        surface_brightness_ratio=params.surface_brightness_ratio, mass_ratio=params.mass_ratio,
        ellipsoidal_ppm=params.ellipsoidal_amplitude * 1e6, grazing=params.grazing,
        flux_ratio=params.flux_ratio)
    return truth


def make_star(time: np.ndarray, kind: str, index: int, rng: np.random.Generator,
              spec: SplitSpec, aux_seed: np.random.SeedSequence | None = None, *,
              flavour=None) -> SimulatedStar:
    """Draw and render one star of ``kind`` (see :mod:`exohunt.simulate.kinds`).

    ``rng`` draws everything the flux depends on; ``aux_seed`` seeds the independent stream of
    the host's parameters, the catalogue's errors and the pixel scene (default: derived from
    ``rng``'s seed without consuming it). ``flavour`` (a
    :class:`exohunt.simulate.flavours.Flavour`) makes the star look like one mission product
    (its gaps, noise per cadence, roll, mission and header catalogue); without it nothing
    changes, bit for bit.
    """
    if aux_seed is None:
        parent = rng.bit_generator.seed_seq
        aux_seed = np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, 2))
    has_signal = kind in ("planet", "eb", "background-eb")
    host = _host_kind(rng, spec.host_mix) if has_signal else kind
    star = draw_star(rng, host, time)
    if flavour is not None:  # its own stream: the flux draws below keep their order
        star = flavour.adjust_star(star, time, np.random.default_rng(np.random.SeedSequence(
            aux_seed.entropy, spawn_key=(*aux_seed.spawn_key, 3))))
    truth = {"index": index, "kind": kind, "label": int(kind == "planet"),
             "host_kind": host if has_signal else "", **_star_truth(star)}
    signal_params, model = None, None
    valid_for_truth = None
    if kind == "planet":
        # the day side's albedo and the bright share on a stream of their own (spawn key 5):
        # every other draw of the star keeps its order
        day_rng = np.random.default_rng(np.random.SeedSequence(
            aux_seed.entropy, spawn_key=(*aux_seed.spawn_key, 5)))
        signal_params, target, n_transits = draw_planet(
            rng, time, star, spec.planet_snr, day_rng=day_rng, bright_share=spec.bright_share,
            day_side=spec.day_side)
        model = transit_model(time, signal_params)
        truth.update(target_snr=target, n_transits=n_transits)
    elif kind in ("eb", "background-eb"):
        snr_range = spec.planet_snr if kind == "background-eb" else None
        signal_params, n_eclipses = draw_eb(rng, time, star, snr_range=snr_range)
        model = eb_model(time, signal_params)
        truth["n_transits"] = n_eclipses
    parts: dict = {}
    flux, valid = star_flux(time, star, rng, model, parts=parts)
    if signal_params is not None:
        valid_for_truth = valid
        truth.update(_signal_truth(time, signal_params, star, valid_for_truth))
    truth["n_valid"] = int(valid.sum())
    aux = np.random.default_rng(aux_seed)
    cadence = float(np.median(np.diff(time)))
    mission = flavour.mission if flavour is not None else mission_for_cadence(cadence)
    on_target = kind in ("planet", "eb")
    host_star = draw_host(aux, signal_params.stellar_density if on_target else None,
                          star.flux_level, mission)
    catalogue = catalogue_view(aux, host_star, MISSIONS[mission].catalog)
    dilution = signal_params.dilution if kind == "background-eb" else None
    scene = draw_scene(aux, kind, mission, star.noise_ppm, dilution, host_kind=host)
    if flavour is not None:
        scene, catalogue = flavour.adjust_scene(scene), flavour.adjust_catalogue(catalogue)
    truth.update(scene_truth(kind, scene, truth))
    truth.update({f"star_{name}": value for name, value in host_star.to_dict().items()})
    truth.update({f"catalog_{name}": catalogue[name]
                  for name in ("teff", "logg", "radius", "feh", "mag")})
    ones = np.ones_like(time)
    target_light = parts["variability"] * (model if on_target else ones)
    neighbour_light = 1.0 + dilution * (model - 1.0) if dilution is not None else ones
    lights = {"target_light": target_light, "neighbour_light": neighbour_light,
              "pointing": parts["pointing"]}
    series_seed = np.random.SeedSequence(aux_seed.entropy, spawn_key=(*aux_seed.spawn_key, 1))
    return SimulatedStar(index, kind, flux, valid, star.flux_level, star.noise_ppm, truth,
                         signal_params, scene, catalogue, lights, series_seed)


def star_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The deterministic generator of star ``index`` of ``split``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SPLIT_IDS[split], 1,
                                                                         index)))


def star_aux_seed(seed: int, split: str, index: int) -> np.random.SeedSequence:
    """The seed of star ``index``'s auxiliary stream (host, catalogue, scene)."""
    return np.random.SeedSequence(seed, spawn_key=(SPLIT_IDS[split], 2, index))


def iter_split(spec: SplitSpec, seed: int, split: str, time: np.ndarray) -> Iterator[SimulatedStar]:
    """Yield the stars of one split in row order, one at a time (memory: one star)."""
    if split not in SPLIT_IDS:
        raise ValueError(f"split must be one of {', '.join(SPLIT_IDS)}, got {split!r}")
    for index, kind in enumerate(split_kinds(spec, seed, split)):
        yield make_star(time, str(kind), index, star_rng(seed, split, index), spec,
                        star_aux_seed(seed, split, index))


assert set(KAGGLE_MIX) | {"planet"} == set(KINDS) == set(BIG_MIX) | {"planet"}
assert set(VETTING_MIX) | {"planet"} == set(KINDS) and abs(sum(VETTING_MIX.values()) - 1) < 1e-9
