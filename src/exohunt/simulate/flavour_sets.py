"""Sets of simulated stars in one mission flavour (:mod:`exohunt.simulate.flavours`), as
light curves carrying centroids, SAP flux, background and the header's catalogue, like
``exohunt simulate --format fits`` writes them.

The mix: ``planet_fraction`` of the stars host a planet (SNR log-U over ``planet_snr``, the
simulator's matched-filter scale); the others are drawn in the ``vetting`` preset's shares
(quiet 36 %, rotator 22 %, background EB 15.6 %, EB 10.4 %, systematics 9 %, flare 7 %).
Star ``i`` of a flavour's split uses the simulator's streams under the flavour's own seed
(:func:`flavour_seed`), so flavours never share stars, and a star does not depend on how many
others are made; its layout (span, segments) and FFI junk come from ``spawn_key=(s, 2, i, 4)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from exohunt.lightcurve import LightCurve
from exohunt.simulate.dataset import (
    VETTING_MIX,
    SplitSpec,
    make_star,
    split_kinds,
    star_aux_seed,
    star_rng,
)
from exohunt.simulate.flavours import FLAVOURS, ffi_junk, flavour_time
from exohunt.simulate.lightcurves import star_lightcurve

__all__ = ["DEFAULT_PLANET_SNR", "flavour_seed", "flavour_spec", "iter_flavour"]

#: Planets (and background EBs) from barely detectable to hot-Jupiter-like.
DEFAULT_PLANET_SNR = (5.0, 400.0)
#: FFI background during scattered light: e-/s over the aperture at the ramp's peak.
FFI_BACKGROUND_RAMP = 20000.0


def flavour_seed(seed: int, name: str) -> int:
    """The simulator seed of flavour ``name``'s stars for the user's ``seed``."""
    number = sorted(FLAVOURS).index(name) + 1
    return int(np.random.SeedSequence([int(seed), 7919, number]).generate_state(1)[0])


def flavour_spec(n_stars: int, planet_fraction: float = 0.25,
                 planet_snr: tuple[float, float] = DEFAULT_PLANET_SNR, *,
                 bright_share: float = 0.0) -> SplitSpec:
    """The split of ``n_stars`` (at least one planet) in the mix described above."""
    n_planets = min(n_stars, max(1, round(planet_fraction * n_stars)))
    return SplitSpec(n_stars, n_planets, dict(VETTING_MIX), tuple(planet_snr),
                     bright_share=bright_share)


def iter_flavour(name: str, split: str = "train", seed: int = 0, n_stars: int = 100, *,
                 planet_fraction: float = 0.25,
                 planet_snr: tuple[float, float] = DEFAULT_PLANET_SNR,
                 bright_share: float = 0.0) -> Iterator[tuple[LightCurve, dict]]:
    """Yield ``(light curve, truth row)`` for the stars of one flavour's split, one at a time.

    Parameters
    ----------
    name : str
        A key of :data:`exohunt.simulate.flavours.FLAVOURS`.
    split : {"train", "test"}
    seed : int
        The user's seed (each flavour derives its own, :func:`flavour_seed`).
    n_stars : int
    planet_fraction : float
        Share of the stars hosting a planet.
    planet_snr : (float, float)
        Range of the planets' (and background EBs') SNR.
    bright_share : float
        Share of the planets whose SNR is log-uniform in
        :data:`exohunt.simulate.params.BRIGHT_SNR_RANGE` instead (hot Jupiters of bright
        stars). Every planet has a day side (occultation), see
        :func:`exohunt.simulate.kinds.draw_planet`.

    Returns
    -------
    iterator of (LightCurve, dict)
        Flux in e-/s (NaN in gaps) with ``columns`` and ``meta`` as
        :func:`exohunt.simulate.star_lightcurve` makes them; ``meta["flavour"]``; the truth row
        of :mod:`exohunt.simulate` plus ``flavour``, ``cadence_minutes`` and ``span_days``.
    """
    if name not in FLAVOURS:
        raise ValueError(f"unknown flavour {name!r}; expected one of {', '.join(FLAVOURS)}")
    flavour = FLAVOURS[name]
    spec = flavour_spec(n_stars, planet_fraction, planet_snr, bright_share=bright_share)
    own_seed = flavour_seed(seed, name)
    for index, kind in enumerate(split_kinds(spec, own_seed, split)):
        aux_seed = star_aux_seed(own_seed, split, index)
        layout_rng = np.random.default_rng(np.random.SeedSequence(
            aux_seed.entropy, spawn_key=(*aux_seed.spawn_key, 4)))
        time, segments = flavour_time(flavour, layout_rng)
        star = make_star(time, str(kind), index, star_rng(own_seed, split, index), spec,
                         aux_seed, flavour=replace(flavour, layout=tuple(segments)))
        lc = star_lightcurve(star, time, f"SIM {name} {split} {index}")
        if flavour.ffi:
            lc = _with_ffi_junk(lc, star, segments, layout_rng)
        lc = lc.replace(meta={"flavour": name})
        truth = {**star.truth, "flavour": name, "cadence_minutes": flavour.cadence_days * 1440,
                 "span_days": float(time[-1] - time[0])}
        yield lc, truth


def _with_ffi_junk(lc: LightCurve, star, segments: list, rng: np.random.Generator) -> LightCurve:
    """Scattered light and momentum dumps in the PDCSAP-like and SAP flux and the background."""
    change, shape = ffi_junk(lc.time, segments, star.noise_ppm, rng)
    columns = dict(lc.columns)
    sap = columns["sap_flux"]
    columns["sap_flux"] = sap + change * np.nanmedian(sap)
    columns["background"] = columns["background"] + FFI_BACKGROUND_RAMP * shape * float(
        rng.uniform(0.5, 1.5))
    return lc.replace(flux=lc.flux + change * star.flux_level, columns=columns)
