"""Diagnostic: where does the search miss injected planets? (development set, not the test).

Simulates planets only (SNR drawn log-uniform over ``--snr``) on hosts of the chosen kinds with
the simulator's own star and planet draws, under a development seed (default 1001; the ``big``
test split uses seed 7 in ``bench_search.py`` and is not looked at here), runs ``search`` on the
Kaggle-style flux, and tabulates period recovery (top signal within 0.1 %) by host kind and by
rotation period/amplitude, sawtooth amplitude relative to the transit depth, period and number
of transits.

    .venv/bin/python benchmarks/diag_search_misses.py --n 300 --hosts rotator,systematics
"""

from __future__ import annotations

import argparse
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd


def _search_one(args: tuple) -> dict:
    from exohunt.lightcurve import LightCurve
    from exohunt.search import search

    time_, flux = args
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = search(LightCurve(time_, flux).remove_nans(), max_signals=3)
    top = result.signals[0] if result.signals else None
    return {"found_period": top.period if top else np.nan,
            "found_sde": top.sde if top else np.nan,
            "passes": bool(top.passes_vetting) if top else False,
            "cpu_ms": 1e3 * (time.process_time() - cpu)}


def make_planets(n: int, seed: int, hosts: dict[str, float], snr: tuple[float, float]
                 ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """``n`` planet stars: time (T,), Kaggle-style flux (n, T) and the truth table."""
    from exohunt.simulate import split_spec
    from exohunt.simulate.dataset import SplitSpec

    base = split_spec("big", "test")
    return render_split(SplitSpec(n, n, base.mix, snr, hosts), seed)


def render_split(spec, seed: int) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """The stars of a custom simulated ``SplitSpec`` (test split of ``seed``): time (T,),
    Kaggle-style flux (n, T) and the truth table."""
    from exohunt.simulate import style_flux, time_grid, truth_frame
    from exohunt.simulate.dataset import iter_split

    grid = time_grid()
    flux, rows = np.empty((spec.n_stars, grid.size)), []
    for star in iter_split(spec, seed, "test", grid):
        flux[star.index] = style_flux(star, "kaggle")
        rows.append(star.truth)
    return grid, flux, truth_frame(rows)


def bucket_table(frame: pd.DataFrame, column: str, edges: list[float]) -> pd.DataFrame:
    """Recovery and count per bin of ``column``."""
    bins = pd.cut(frame[column], edges)
    return frame.groupby(bins, observed=True)["recovered"].agg(["mean", "size"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1001)
    parser.add_argument("--hosts", default="quiet,rotator,flare,systematics")
    parser.add_argument("--snr", default="10,60")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--csv", default=None, help="write the per-star table here")
    args = parser.parse_args()
    hosts = {h: 1.0 for h in args.hosts.split(",")}
    low, high = (float(x) for x in args.snr.split(","))
    grid, flux, truth = make_planets(args.n, args.seed, hosts, (low, high))
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
        out = list(pool.map(_search_one, [(grid, f) for f in flux], chunksize=4))
    frame = pd.concat([truth, pd.DataFrame(out)], axis=1)
    frame["recovered"] = (frame["found_period"] / frame["period_days"] - 1).abs() < 1e-3
    frame["saw_over_depth"] = frame["sawtooth_ppm"] / frame["depth_ppm"]
    frame["rot_over_depth"] = frame["rotation_amplitude_ppm"] / frame["depth_ppm"]
    print(f"n={len(frame)} recovered {frame['recovered'].mean():.1%}; "
          f"CPU {frame['cpu_ms'].median():.0f} ms median per star")
    print(frame.groupby("host_kind")["recovered"].agg(["mean", "size"]))
    for column, edges in (("period_days", [0.4, 1, 2, 5, 10, 20, 40]),
                          ("n_transits", [1, 2, 3, 5, 10, 200]),
                          ("snr", [0, 15, 25, 40, 100]),
                          ("rotation_period_days", [0, 1, 2, 3, 5, 10, 50]),
                          ("rot_over_depth", [0, 1, 3, 10, 30, 100, 1e4]),
                          ("saw_over_depth", [0, 0.3, 1, 3, 10, 100, 1e4])):
        print(bucket_table(frame, column, edges))
    if args.csv:
        frame.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
