"""Round 26: how large are the planets that training injects into light-curve files?

``train(..., imbalance="inject")`` on single-star files injects planets whose Rp/R* is solved
for an SNR drawn log-uniform in 7-150, or with probability ``BRIGHT_PLANET_SHARE`` in
``BRIGHT_SNR_RANGE`` (150-2000, so that the models see hot Jupiters). On a noisy host a bright
SNR needs a large planet: before round 26 only the simulator's Rp/R* cap of 0.3 held it, so
some injected "planets" were larger than the 2 Jupiter radii the vetting calls a star
(``MAX_PLANET_RADIUS_EARTH``). Since round 26 ``inject_lightcurve`` also caps Rp at
``MAX_INJECTED_PLANET_RADIUS_EARTH`` (1.8 R_Jup) over the file's catalogue radius.

For ``--n`` planet-free stars of the context benchmark's training split (``bench_context_models``
``--work``), this draws one injected planet per star as training does (``_draw_snr`` then
``_random_planet`` on the host's own noise and catalogue density), once with the 0.3 cap alone
and once with the radius cap too (the same random draws), and reports the planet radii
(Rp/R* × catalogue radius, R_earth) and the share above 2 R_Jup::

    python benchmarks/diag_injected_radii.py --work /tmp/r24/ctx --n 1000 --seed 0 \\
        --out benchmarks/results_injected_radii.md
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import read_split, training_split


def main(argv: list[str] | None = None) -> int:
    from exohunt.search.stellar import MAX_PLANET_RADIUS_EARTH, R_SUN_IN_EARTH
    from exohunt.training.augment import (
        BRIGHT_PLANET_SHARE,
        BRIGHT_SNR_RANGE,
        _draw_snr,
        _random_planet,
        white_noise,
    )
    from exohunt.training.inject_context import (
        MAX_INJECTED_RP_RS,
        host_density,
        planet_rp_rs_cap,
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--n", type=int, default=1000, help="planet-free stars drawn")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    train_dir, truth = training_split(Path(args.work), args.n_train)
    rng = np.random.default_rng(args.seed)
    hosts = rng.choice(np.flatnonzero(truth["label"].to_numpy() == 0), args.n, replace=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        curves = read_split(train_dir, truth.iloc[np.sort(hosts)].reset_index(drop=True))
    rows = []
    for k, lc in enumerate(curves):
        time = np.asarray(lc.time, float)
        flux = np.asarray(lc.flux, float)
        valid = np.isfinite(flux)
        noise_ppm = white_noise(flux) / float(np.median(flux[valid])) * 1e6
        radius = float((lc.meta.get("star") or {}).get("radius", np.nan))
        drawn = []
        for cap in (MAX_INJECTED_RP_RS, planet_rp_rs_cap(lc)):
            draw = np.random.default_rng([args.seed, k])  # the same draws under either cap
            snr = _draw_snr(draw, BRIGHT_PLANET_SHARE)
            planet = _random_planet(time, draw, valid, snr, noise_ppm=noise_ppm,
                                    density=host_density(lc, draw), max_rp_rs=cap)
            drawn.append(planet.rp_rs * radius * R_SUN_IN_EARTH)
        rows.append((snr, radius, *drawn))
    snr, radius, old, new = (np.array(c) for c in zip(*rows, strict=True))
    known = np.isfinite(radius)
    bright = snr >= BRIGHT_SNR_RANGE[0]
    lines = ["# Round 26: radii of the planets training injects into light-curve files", "",
             f"Machine: {machine_description()}.", "",
             f"Command: `python benchmarks/diag_injected_radii.py --work {args.work} --n "
             f"{args.n} --seed {args.seed}`", "",
             f"{args.n} planet-free stars of the training split ({int(known.sum())} with a "
             f"catalogue radius), one planet each; bright: SNR drawn in {BRIGHT_SNR_RANGE} "
             f"({int(bright.sum())} stars). Planet radius = Rp/R* × catalogue radius, R_earth; "
             f"2 R_Jup = {MAX_PLANET_RADIUS_EARTH:.1f} R_earth.", "",
             "| cap | planets | radius median [90 %, 99 %, max] | share > 2 R_Jup | bright: "
             "radius median [90 %] | bright: share > 2 R_Jup |", "|---|---|---|---|---|---|"]
    for name, values in (("Rp/R* ≤ 0.3 (to round 25)", old),
                         ("also Rp ≤ 1.8 R_Jup (round 26)", new)):
        v, b = values[known], values[known & bright]
        q = np.percentile(v, [50, 90, 99])
        lines.append(f"| {name} | {v.size} | {q[0]:.1f} [{q[1]:.1f}, {q[2]:.1f}, {v.max():.1f}] | "
                     f"{np.mean(v > MAX_PLANET_RADIUS_EARTH):.3f} | {np.median(b):.1f} "
                     f"[{np.percentile(b, 90):.1f}] | {np.mean(b > MAX_PLANET_RADIUS_EARTH):.3f} |")
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
