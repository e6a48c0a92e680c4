"""Round 23: does the search find a training planet again in its time-reversed copy?

``exohunt train --imbalance inject`` adds each training planet once more, reversed in time
(``injected_features(reverse_positives=True)``), labelled "planet". A transit train is
symmetric in time, so the copy should hold the same planet at the same period. Before round
23 ``inject_context.time_reversed`` reversed the flux but kept the time stamps: with gaps
between the cadences (quarter and downlink gaps, quality-flagged cadences), every transit
after a gap moved by the gap's asymmetry and the train lost its period. Since round 23 the
time stamps are mirrored with the flux (``t_first + t_last - t``).

This script searches the context benchmark's training planets (``bench_context_models.py``,
train split of seed 7107) as they are, reversed on their own time stamps (the old copy) and
mirrored (the new one), and counts how many of each the search finds at the planet's true
period (or 1/3, 1/2, 2, 3 times it: ``training.augment.found_at_period``), by true SNR, with
the median SDE and the share of rows whose top signal is junk-like (depth scatter of the
single transits > 10, i.e. one event carries the signal)::

    nice -n 10 python benchmarks/diag_reversed_positives.py --work /tmp/r21/ctx \\
        --out benchmarks/results_reversed_positives.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import read_split, training_split


def reversed_on_same_stamps(lc):
    """The copy before round 23: flux, errors and columns reversed, time stamps kept."""
    return lc.replace(flux=lc.flux[::-1],
                      flux_err=None if lc.flux_err is None else lc.flux_err[::-1],
                      columns={k: np.asarray(v)[::-1] for k, v in lc.columns.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    from exohunt.training.augment import found_at_period
    from exohunt.training.features import extract
    from exohunt.training.inject_context import time_reversed

    started = time.perf_counter()
    work, cache = Path(args.work), Path(args.work) / "cache"
    folder, truth = training_split(work, args.n_train)
    planets = truth[truth["kind"] == "planet"].reset_index(drop=True)
    curves = read_split(folder, planets)
    true_period = planets["period_days"].to_numpy(float)
    strong = planets["snr"].to_numpy(float) >= 10
    gapped = np.array([np.max(np.diff(lc.time)) > 1.5 * np.median(np.diff(lc.time))
                       for lc in curves])
    copies = {"as simulated": curves,
              "reversed, same time stamps (before round 23)":
                  [reversed_on_same_stamps(lc) for lc in curves],
              "mirrored (round 23)": [time_reversed(lc) for lc in curves]}
    lines = ["# Time-reversed training planets: found again at their period?", "",
             f"Machine: {machine_description('numpy')}", "",
             f"Command: `python benchmarks/diag_reversed_positives.py --work {args.work}` "
             f"({len(planets)} planets of the training split, {int(strong.sum())} with true "
             f"SNR >= 10, {int(gapped.sum())} with a gap between cadences longer than 1.5 "
             "cadences)", "",
             "| copy | found at the period, SNR >= 10 | found, all | found, light curves with "
             "gaps | median SDE | junk-like top signal (depth scatter > 10) |",
             "|---|---|---|---|---|---|"]
    for name, data in copies.items():
        raw = extract(data, "tabular", jobs=args.jobs, cache_dir=cache, variability=False)
        found = found_at_period(raw.signals["period_days"].to_numpy(float), true_period)
        scatter = raw.stats["depth_scatter"].to_numpy(float)
        lines.append(f"| {name} | {int(found[strong].sum())} of {int(strong.sum())} "
                     f"({found[strong].mean():.1%}) | {int(found.sum())} of {len(found)} "
                     f"({found.mean():.1%}) | {int(found[gapped].sum())} of "
                     f"{int(gapped.sum())} | {np.median(raw.stats['sde']):.1f} | "
                     f"{int((scatter > 10).sum())} |")
    lines += ["", f"({time.perf_counter() - started:.0f} s)"]
    emit(lines, args.out)


if __name__ == "__main__":
    main()
