"""Round 32: the search's period test (``search(alias=True)``) on a development split.

The models' top signal (``extract_features``, the models' search options) with and without
the test, star by star, for a development split's SNR >= 10 planets (all of them) and seeded
samples of its on-target EBs, background EBs and planet-free stars: how many top signals lie
at the true period ("period", within 1 %), at 1/3, 1/2, 2 or 3 times it ("harmonic") or
elsewhere, and how many periods the test moved. A planet-free star has no true period: only
the moves are counted. ::

    python benchmarks/bench_alias.py --work /tmp/r24/ctx --split test10000-seed6262 \\
        --per-kind 400
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
from bench_context_models import read_split, split_diagnostic_args, split_truth
from dev_context_recall import period_match

#: The simulator's host kinds without an injected signal.
PLANET_FREE = ("quiet", "rotator", "flare", "systematics")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=400,
                        help="stars sampled of each kind but the SNR >= 10 planets (all)")
    parser.add_argument("--sample-seed", type=int, default=32)
    args = split_diagnostic_args(parser, "test10000-seed6262", argv)
    started = time.time()
    from exohunt.search import extract_features

    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    kind, snr = truth["kind"].to_numpy(), truth["snr"].to_numpy(float)
    rng = np.random.default_rng(args.sample_seed)
    groups = {"planets, SNR >= 10": np.flatnonzero((kind == "planet") & (snr >= 10))}
    for name, mask in (("on-target EBs", kind == "eb"), ("background EBs", kind == "background-eb"),
                       ("planet-free", np.isin(kind, PLANET_FREE))):
        rows = np.flatnonzero(mask)
        groups[name] = np.sort(rng.choice(rows, size=min(args.per_kind, rows.size), replace=False))
    chosen = np.concatenate(list(groups.values()))
    curves = read_split(folder, truth.iloc[chosen])
    options = {"jobs": args.jobs, "variability": False}  # else the models' search options
    found, cpu = {}, {}
    for alias in (False, True):
        clock = time.process_time()
        features = extract_features(curves, alias=alias, **options)
        cpu[alias] = time.process_time() - clock
        found[alias] = features.signals["period_days"].to_numpy(float)
    true = truth["period_days"].to_numpy(float)[chosen]
    lines = ["# Round 32: the search's period test on a development split", "",
             machine_description(), "",
             f"Command: `python benchmarks/bench_alias.py --work {args.work} --split {args.split} "
             f"--per-kind {args.per_kind} --sample-seed {args.sample_seed}`", "",
             "Top signal with the models' search options, without and with `alias=True`.", "",
             "| stars | n | at the period: off → on | at a harmonic: off → on | elsewhere: "
             "off → on | moved | moved to the period | moved away from it |",
             "|---|---|---|---|---|---|---|---|"]
    start = 0
    for name, rows in groups.items():
        part = slice(start, start + rows.size)
        start += rows.size
        before, after = found[False][part], found[True][part]
        moved = ~np.isclose(before, after, rtol=1e-6, equal_nan=True)
        if name == "planet-free":
            lines.append(f"| {name} | {rows.size} | — | — | — | {int(moved.sum())} | — | — |")
            continue
        m0, m1 = period_match(before, true[part]), period_match(after, true[part])
        counts = [f"{int((m0 == m).sum())} → {int((m1 == m).sum())}"
                  for m in ("period", "harmonic", "miss")]
        lines.append(f"| {name} | {rows.size} | " + " | ".join(counts) + f" | {int(moved.sum())} | "
                     f"{int((moved & (m1 == 'period')).sum())} | "
                     f"{int((moved & (m0 == 'period')).sum())} |")
    lines += ["", f"Search CPU in this process (workers not counted with --jobs > 1): off "
              f"{cpu[False]:.0f} s, on {cpu[True]:.0f} s.", "",
              f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
