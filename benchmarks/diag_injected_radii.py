"""Round 26: how large are the planets that training injects into light-curve files?

``train(..., imbalance="inject")`` on single-star files injects planets whose Rp/R* is solved
for an SNR drawn log-uniform in 7-150, or with probability ``BRIGHT_PLANET_SHARE`` in
``BRIGHT_SNR_RANGE`` (150-2000, so that the models see hot Jupiters). On a noisy host a bright
SNR needs a large planet, and only the simulator's Rp/R* cap of 0.3 holds it, so some injected
"planets" are larger than the 2 Jupiter radii the vetting calls a star
(``MAX_PLANET_RADIUS_EARTH``). Round 26 tried capping them at 1.8 R_Jup over the catalogue
radius (commit 6012172); it lowered on-target EB false positives but not precision at recall
0.9 by its pre-registered rule, and was reverted (``BENCHMARKS.md``, round 26).

For ``--n`` planet-free stars of the context benchmark's training split (``bench_context_models``
``--work``), this injects one planet per star as training does (``_draw_snr``, then
``inject_lightcurve``, the code ``injected_features`` runs) and reports the planet radii
(Rp/R* × catalogue radius, R_earth), the share above 2 R_Jup and above 1.8 R_Jup (what the
tried cap would have changed), for all and for the bright ones::

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

#: The cap tried in round 26 (not adopted), R_earth: 1.8 Jupiter radii.
TRIED_CAP_EARTH = 1.8 * 71492.0 / 6378.1


def main(argv: list[str] | None = None) -> int:
    from exohunt.search.stellar import MAX_PLANET_RADIUS_EARTH, R_SUN_IN_EARTH
    from exohunt.training.augment import BRIGHT_PLANET_SHARE, BRIGHT_SNR_RANGE, _draw_snr
    from exohunt.training.inject_context import inject_lightcurve

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
        draw = np.random.default_rng([args.seed, k])
        snr = _draw_snr(draw, BRIGHT_PLANET_SHARE)  # as _injected_curves draws it
        rp_rs = float(inject_lightcurve(lc, "planet", snr, draw).meta["injected"][-1]["rp_rs"])
        radius = float((lc.meta.get("star") or {}).get("radius", np.nan))
        rows.append((snr, radius, rp_rs, rp_rs * radius * R_SUN_IN_EARTH))
    snr, radius, rp_rs, size = (np.array(c) for c in zip(*rows, strict=True))
    known = np.isfinite(radius)
    bright = snr >= BRIGHT_SNR_RANGE[0]
    lines = ["# Round 26: radii of the planets training injects into light-curve files", "",
             f"Machine: {machine_description()}.", "",
             f"Command: `python benchmarks/diag_injected_radii.py --work {args.work} --n "
             f"{args.n} --seed {args.seed}`", "",
             f"{args.n} planet-free stars of the training split ({int(known.sum())} with a "
             f"catalogue radius), one planet each; bright: SNR drawn in {BRIGHT_SNR_RANGE}. "
             f"Planet radius = Rp/R* × catalogue radius, R_earth; 2 R_Jup = "
             f"{MAX_PLANET_RADIUS_EARTH:.1f}, 1.8 R_Jup = {TRIED_CAP_EARTH:.1f} R_earth.", "",
             "| planets | n | radius median [90 %, 99 %, max] | at the 0.3 Rp/R* cap | "
             "> 2 R_Jup | > 1.8 R_Jup |", "|---|---|---|---|---|---|"]
    for name, rows_ in (("all", known), ("bright", known & bright)):
        v = size[rows_]
        q = np.percentile(v, [50, 90, 99])
        lines.append(f"| {name} | {v.size} | {q[0]:.1f} [{q[1]:.1f}, {q[2]:.1f}, {v.max():.1f}] "
                     f"| {np.mean(rp_rs[rows_] >= 0.2999):.3f} "
                     f"| {np.mean(v > MAX_PLANET_RADIUS_EARTH):.3f} "
                     f"| {np.mean(v > TRIED_CAP_EARTH):.3f} |")
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
