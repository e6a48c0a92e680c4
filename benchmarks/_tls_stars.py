"""The injected stars of ``bench_tls.py``: quiet and spotted (rotator) hosts, zero, one or two
planets each, every planet's matched-filter SNR drawn log-uniform inside a chosen bin.

Hosts and planets come from exohunt's simulator (:mod:`exohunt.simulate.kinds`): ``draw_star``
for the host (kind ``quiet`` or ``rotator``), ``draw_planet`` for each planet (period log-U 0.5 d
to 0.45 × baseline, Rp/R* solved for the SNR with the gaps taken into account), the flux rendered
by ``star_flux`` with the product of the planets' transit models. Kaggle-length curves (3,197
Kepler long cadences, 65.3 d) by default; ``cadence="tess-2min"`` renders the same draws on a
TESS 2-min sector instead (27.4 d with a 1.2-d orbit gap, ~18,900 cadences, the layout of
``profile_search.py``), the white noise per cadence scaled by sqrt(29.4 min / 2 min) so that
a host has the same precision per hour as on the Kaggle grid. Every star has its own seeded
generator, so a star does not change when the counts of other stars change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

SNR_BINS = ((5.0, 7.0), (7.0, 10.0), (10.0, 20.0))
HOSTS = ("quiet", "rotator")
#: Layouts: name -> (cadence in days, baseline in days, orbit gap (start, stop) in days), or
#: None for the Kaggle grid.
CADENCES = {"kaggle": None, "tess-2min": (2.0 / 1440, 27.4, (13.2, 14.4))}


def star_time(cadence: str) -> np.ndarray:
    """The cadence grid (days) of layout ``cadence`` (a key of :data:`CADENCES`)."""
    from exohunt.simulate.simulator import time_grid

    if cadence not in CADENCES:
        raise ValueError(f"unknown cadence {cadence!r}; expected one of {', '.join(CADENCES)}")
    if CADENCES[cadence] is None:
        return time_grid()
    step, baseline, (start, stop) = CADENCES[cadence]
    time = np.arange(0.0, baseline, step)
    return time[(time < start) | (time >= stop)]


@dataclass
class InjectedStar:
    """One benchmark star: its flux and the truth of each injected planet."""

    index: int
    host: str
    n_planets: int
    time: np.ndarray
    flux: np.ndarray
    planets: list[dict] = field(default_factory=list)


def plan(per_cell: int, multi_per_cell: int, noise_per_host: int) -> list[tuple[str, int, int]]:
    """``(host, n_planets, snr_bin)`` per star: ``per_cell`` single-planet and ``multi_per_cell``
    two-planet stars per (host, SNR bin), and ``noise_per_host`` planet-free stars per host
    (``snr_bin`` -1)."""
    rows = []
    for host in HOSTS:
        for b in range(len(SNR_BINS)):
            rows += [(host, 1, b)] * per_cell + [(host, 2, b)] * multi_per_cell
        rows += [(host, 0, -1)] * noise_per_host
    return rows


def _separated(periods: list[float], period: float) -> bool:
    """True when ``period`` is not within 5 % of another planet's period or its 1/2x, 2x."""
    return all(abs(period / (p * f) - 1) > 0.05 for p in periods for f in (0.5, 1.0, 2.0))


def make_star(index: int, host: str, n_planets: int, snr_bin: int, seed: int,
              cadence: str = "kaggle") -> InjectedStar:
    """Render star ``index`` (deterministic in ``seed``, ``index`` and ``cadence``)."""
    from exohunt.simulate.kinds import draw_planet, draw_star
    from exohunt.simulate.signals import expected_snr, transit_model
    from exohunt.simulate.simulator import KEPLER_LONG_CADENCE_DAYS
    from exohunt.simulate.stars import gap_mask, star_flux

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    time = star_time(cadence)
    star = draw_star(rng, host, time)
    if cadence != "kaggle":  # the same precision per hour as on the Kaggle grid
        step = float(np.median(np.diff(time)))
        star = replace(star, noise_ppm=star.noise_ppm * np.sqrt(KEPLER_LONG_CADENCE_DAYS / step))
    valid = gap_mask(time, star.gaps)
    model = np.ones_like(time)
    planets: list[dict] = []
    for _ in range(n_planets):
        for _attempt in range(20):  # keep the planets of one star apart in period (no aliases)
            params, target, n_transits = draw_planet(rng, time, star, SNR_BINS[snr_bin])
            if _separated([p["period"] for p in planets], params.period):
                break
        planets.append({"period": params.period, "t0": params.t0, "target_snr": target,
                        "snr": expected_snr(time, params, star.noise_ppm, valid),
                        "n_transits": n_transits, "rp_rs": params.rp_rs})
        model = model * transit_model(time, params)
    flux, _ = star_flux(time, star, rng, model if planets else None)
    return InjectedStar(index, host, n_planets, time, flux, planets)


def iter_stars(per_cell: int, multi_per_cell: int, noise_per_host: int, seed: int,
               cadence: str = "kaggle"):
    """Yield the planned stars one at a time (memory: one star); ``cadence`` a key of
    :data:`CADENCES`."""
    for index, (host, n_planets, snr_bin) in enumerate(plan(per_cell, multi_per_cell,
                                                            noise_per_host)):
        yield make_star(index, host, n_planets, snr_bin, seed, cadence)
