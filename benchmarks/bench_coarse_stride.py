"""What a coarser first box-search pass would save, and what it would change (a feature
change: not adopted, measured for the record).

The box search's first pass takes every ``COARSE_STRIDE``-th frequency (3 since search-18, on
grids of ``COARSE_STRIDE × MIN_COARSE_FREQUENCIES`` frequencies or more; ``dev_coarse_pass.py``
also varies the maxima refined and measures recovery at a matched false-alarm rate). This script
searches the same Kaggle-length light curves (the ``big`` preset's test split, as
``bench_search.py``: ``search(max_signals=3)`` plus views) with each stride in turn, in one
process, alternating strides so that load drifts hit both, and reports CPU ms per light curve,
how many stars keep the same top signal, and the vetted recoveries::

    python benchmarks/bench_coarse_stride.py --stars 200 --strides 2 3
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _search_all(data, stars: int) -> tuple[list, float]:
    from exohunt.lightcurve import LightCurve
    from exohunt.search import make_views, search

    out, start = [], time.process_time()
    for i in range(stars):
        lc = LightCurve(data.test.time, data.test.flux[i]).remove_nans()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = search(lc, max_signals=3)
        for signal in result.signals:
            make_views(result.detrended, signal)
        out.append([(s.period, s.sde, s.passes_vetting) for s in result.signals])
    return out, 1e3 * (time.process_time() - start) / stars


def main() -> None:
    from _machine import machine_description
    from exohunt.search import peaks
    from exohunt.simulate import simulate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stars", type=int, default=200)
    parser.add_argument("--strides", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data = simulate(preset="big", seed=args.seed, n_train=10, n_test=args.stars)
    truth = data.test_truth.reset_index(drop=True)
    _search_all(data, min(args.stars, 5))  # compile / load the numba kernels
    results, cpu = {}, {s: [] for s in args.strides}
    for _ in range(args.rounds):
        for stride in args.strides:
            peaks.COARSE_STRIDE = stride
            peaks.MIN_COARSE_FREQUENCIES = 0  # the stride asked for, on every grid
            results[stride], ms = _search_all(data, args.stars)
            cpu[stride].append(ms)
    planets = np.flatnonzero(truth["kind"].eq("planet").to_numpy())
    others = np.flatnonzero(~truth["kind"].eq("planet").to_numpy())
    reference = results[args.strides[0]]
    print(f"machine: {machine_description('numpy', 'numba')}; {args.stars} stars, "
          "CPU ms per light curve (median of rounds)")
    print("| stride | CPU ms/LC | same top signal | same top SDE (bits) | vetted planets "
          "(period ±1 %) | non-planets with a vetted signal |")
    print("|---|---|---|---|---|---|")
    for stride in args.strides:
        got = results[stride]
        same = sum((not a and not b) or (bool(a) and bool(b) and abs(a[0][0] / b[0][0] - 1)
                                           < 1e-3) for a, b in zip(reference, got))
        same_sde = sum((not a and not b) or (bool(a) and bool(b) and a[0][1] == b[0][1])
                       for a, b in zip(reference, got))
        found = sum(any(abs(s[0] / truth.loc[i, "period_days"] - 1) < 0.01 and s[2]
                        for s in got[i]) for i in planets)
        alarms = sum(any(s[2] for s in got[i]) for i in others)
        print(f"| {stride} | {np.median(cpu[stride]):.1f} | {same}/{args.stars} | "
              f"{same_sde}/{args.stars} | {found}/{planets.size} | {alarms}/{others.size} |")


if __name__ == "__main__":
    main()
