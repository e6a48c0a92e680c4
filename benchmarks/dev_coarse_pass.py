"""Development study (issue 20): a coarser first box-search pass, and what it costs in
recovery near the detection threshold.

The box search's first pass takes every ``COARSE_STRIDE``-th frequency of the grid and refines
the ``COARSE_PEAKS`` highest local maxima (``exohunt.search.peaks``). A larger stride saves CPU
but lets a weak transit's epochs drift further from the best box at the nearest coarse
frequency, so its coarse peak may drop out of the refined few; refining more maxima may buy
that back. This script measures both on ``bench_tls.py``'s injected stars (quiet and spotted
hosts, zero to two planets at SNR 5-7, 7-10, 10-20) drawn with a *development* seed, each
variant in turn in one process (rounds alternate variants, so load drifts hit all):

- CPU ms per light curve (``search(max_signals=3, min_sde=0)``, as ``bench_tls.py``);
- recovery per SNR bin at a matched false-alarm rate (each variant's SDE threshold is the
  ``1 - far`` quantile of its own best peak on the planet-free stars), bench_tls's rules;
- how many planets the variants disagree on.

    python benchmarks/dev_coarse_pass.py --seed 1001 --variants 2:8 3:8 3:16
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _search_all(stars: list, ranks: int = 3) -> tuple[list, float]:
    from exohunt.search import search

    out, start = [], time.process_time()
    for lc in stars:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = search(lc, max_signals=ranks, min_sde=0.0)
        out.append([(float(s.period), float(s.sde)) for s in result.signals])
    return out, 1e3 * (time.process_time() - start) / len(stars)


def main() -> None:
    from _machine import machine_description
    from _tls_stars import SNR_BINS, iter_stars
    from bench_tls import matches
    from exohunt.lightcurve import LightCurve
    from exohunt.search import peaks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1001, help="development seed (not 7)")
    parser.add_argument("--per-cell", type=int, default=60)
    parser.add_argument("--multi-per-cell", type=int, default=30)
    parser.add_argument("--noise-per-host", type=int, default=150)
    parser.add_argument("--variants", nargs="+", default=["2:8", "3:8", "3:16"],
                        help="STRIDE:PEAKS pairs")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--far", type=float, default=0.05)
    args = parser.parse_args()
    variants = [tuple(int(x) for x in v.split(":")) for v in args.variants]
    stars, planets, free = [], [], []
    for star in iter_stars(args.per_cell, args.multi_per_cell, args.noise_per_host, args.seed):
        if star.n_planets == 0:
            free.append(len(stars))
        planets += [{**p, "star": len(stars), "host": star.host} for p in star.planets]
        stars.append(LightCurve(star.time, star.flux).remove_nans())
    _search_all(stars[:5])  # compile / load the numba kernels
    results, cpu = {}, {v: [] for v in variants}
    for _ in range(args.rounds):
        for stride, top in variants:
            # every grid gets the variant's pass (no fallback for short grids)
            peaks.COARSE_STRIDE, peaks.COARSE_PEAKS = stride, top
            peaks.MIN_COARSE_FREQUENCIES = 0
            results[stride, top], ms = _search_all(stars)
            cpu[stride, top].append(ms)
    found = {}
    limits = {}
    for v in variants:
        best = [max((sde for _, sde in results[v][i]), default=0.0) for i in free]
        limits[v] = float(np.quantile(best, 1 - args.far))
        found[v] = np.array([any(sde > limits[v] and matches(period, p["period"])
                                 for period, sde in results[v][p["star"]])
                             for p in planets])
    snr = np.array([p["snr"] for p in planets])
    print(f"machine: {machine_description('numpy', 'numba')}; seed {args.seed}; "
          f"{len(stars)} stars ({len(free)} planet-free), {len(planets)} planets; CPU ms per "
          f"light curve, median of {args.rounds} rounds; recovery at a {args.far:.0%} "
          "false-alarm rate (each variant's own threshold)\n")
    bins = " | ".join(f"SNR {lo:g}-{hi:g}" for lo, hi in SNR_BINS)
    print(f"| stride:peaks | CPU ms/LC | SDE threshold | {bins} | planets found differently "
          "from the first variant |")
    print("|---|---|---|" + "---|" * len(SNR_BINS) + "---|")
    reference = found[variants[0]]
    for v in variants:
        cells = []
        for lo, hi in SNR_BINS:
            inside = (snr >= lo) & (snr < hi)
            cells.append(f"{found[v][inside].sum()}/{inside.sum()} "
                         f"({found[v][inside].mean():.0%})")
        lost = int((reference & ~found[v]).sum())
        gained = int((found[v] & ~reference).sum())
        print(f"| {v[0]}:{v[1]} | {np.median(cpu[v]):.1f} | {limits[v]:.2f} | "
              + " | ".join(cells) + f" | -{lost} / +{gained} |")


if __name__ == "__main__":
    main()
