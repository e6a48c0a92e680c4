"""Round 25: which SNR >= 10 planets of a vetting split does the search miss, and why?

On the 10,000-star record split the search's top signal is another one for 13 of the 305
planets with SNR >= 10 (4.3 %), and recall 0.95 then has to take nearly every planet it finds,
down to the weakest (BENCHMARKS.md, round 25). This script looks at a *development* split of
the same preset (``bench_context_models.py --stage features --split test --test-seed S``; never
a record split): for every planet with true SNR >= 10 it asks whether the search's top signal
is the planet (period within 0.5 % of the true one or of its half or double, the record's
rule) and tabulates the share found by host kind, true SNR, number of transits and period,
then lists the misses with what the search found instead::

    python benchmarks/diag_context_search_misses.py --work /tmp/r24/ctx \\
        --split test10000-seed6262 --out benchmarks/results_context_search_misses.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import (
    read_split,
    split_diagnostic_args,
    split_truth,
    top_signal_is_planet,
)


def share_table(frame: pd.DataFrame, by: str, bins: list | None = None) -> list[str]:
    """Planets and the share whose top signal is the planet, per value (or bin) of ``by``."""
    key = pd.cut(frame[by], bins, right=False) if bins else frame[by].fillna("-")
    lines = [f"| {by} | planets | top signal is the planet | missed |", "|---|---|---|---|"]
    for value, group in frame.groupby(key, observed=True):
        lines.append(f"| {value} | {len(group)} | {group['found'].mean():.3f} | "
                     f"{int((~group['found']).sum())} |")
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    args = split_diagnostic_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]),
                                 "test10000-seed6262", argv)
    from exohunt.training.features import extract

    started = time.time()
    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    signals = extract(read_split(folder, truth), "tabular", jobs=args.jobs,
                      cache_dir=Path(args.work) / "cache").signals
    frame = truth.assign(found=top_signal_is_planet(truth, signals["period_days"].to_numpy()),
                         found_period=signals["period_days"].to_numpy(float),
                         found_snr=signals["snr"].to_numpy(float),
                         found_sde=signals["sde"].to_numpy(float),
                         found_transits=signals["n_transits"].to_numpy(float))
    strong = frame[(frame["kind"] == "planet") & (frame["snr"] >= 10)].copy()
    lines = ["# Round 25: the search's misses among SNR >= 10 planets (development split)", "",
             f"Machine: {machine_description()}.", "",
             f"Command: `python benchmarks/diag_context_search_misses.py --work {args.work} "
             f"--split {args.split}`", "",
             f"{len(truth)} stars; planets with true SNR >= 10: {len(strong)}, the search's top "
             f"signal is the planet for {int(strong['found'].sum())} "
             f"({strong['found'].mean():.3f}).", ""]
    lines += share_table(strong, "host_kind")
    lines += share_table(strong, "snr", [10, 12, 15, 20, 30, 60, np.inf])
    lines += share_table(strong, "n_transits", [1, 2, 3, 4, 6, 10, 1000])
    lines += share_table(strong, "period_days", [0, 1, 3, 10, 20, 1000])
    misses = strong[~strong["found"]].sort_values("snr")
    columns = ["period_days", "snr", "n_transits", "depth_ppm", "duration_hours", "host_kind",
               "rotation_period_days", "rotation_amplitude_ppm", "n_flares", "sawtooth_ppm",
               "n_gaps", "found_period", "found_snr", "found_sde", "found_transits"]
    lines += ["Every miss (true SNR >= 10), with what the search found instead:", "",
              "| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    for _, row in misses.iterrows():
        cells = [f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c])
                 for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
