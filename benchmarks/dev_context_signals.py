"""Round 25: would scoring a star's second and third signals find the planets the search ranks
below its own variability? (Development split only.)

The record counts a star by its search's top signal. On the 10,000-star development split the
top signal is another one for 8 of 299 planets with SNR >= 10, seven of them on rotating or
flaring hosts (``diag_context_search_misses.py``). ``search(max_signals=3)`` finds up to three
signals per star and ``exohunt predict --signals 3`` scores each. This script trains the
record's recipe (``dev_context_recall.py``'s recipe syntax), scores the development split's
top three signals per star, and compares two per-star rules side by side:

- **top signal** — the record's rule (the star's score is its strongest signal's);
- **best of three** — the star's score is the highest of its signals' scores.

For each it reports how many SNR >= 10 planets have a signal at their period among those
scored, and the record's figures (``bench_context_models.evaluate``) with the star's score; for
the best-of-three rule also how many SNR >= 10 planet stars take their score from a signal that
is not the planet's (such a star is "found" by a wrong signal)::

    python benchmarks/dev_context_signals.py --work /tmp/r24/ctx --split test10000-seed6262 \\
        --seeds 42 --out benchmarks/results_context_signals.md
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
    at_true_period,
    evaluate,
    read_split,
    refuse_record_split,
    training_split,
)
from dev_context_recall import scoring, train_recipe

SIGNALS = 3
SHOWN = ("precision_resolvable_at95", "average_precision", "precision_at90",
         "recall_strong_stored", "far_beb_rejected_stored", "beb_fp_at95", "eb_fp_at95")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--split", default="test10000-seed6262",
                        help="a development test split under WORK (testN-seedS)")
    parser.add_argument("--recipe", default="eb2+snr10/w0.3*5")
    parser.add_argument("--seeds", default="42", help="comma-separated training seeds")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    refuse_record_split(parser, args.split)
    started = time.time()
    work, cache = Path(args.work), Path(args.work) / "cache"
    train_dir, train_truth = training_split(work, args.n_train)
    dev_dir = work / args.split
    truth = pd.read_csv(dev_dir / "test_truth.csv")
    train_curves, dev_curves = read_split(train_dir, train_truth), read_split(dev_dir, truth)
    strong = ((truth["kind"] == "planet") & (truth["snr"] >= 10)).to_numpy()
    true_period = truth["period_days"].to_numpy(float)
    lines = ["# Round 25: a star's top signal against the best of its three (development split)",
             "", f"Machine: {machine_description()}.", "",
             f"Command: `python benchmarks/dev_context_signals.py --work {args.work} --split "
             f"{args.split} --recipe '{args.recipe}' --seeds {args.seeds}`", "",
             f"{len(truth)} stars, {int(strong.sum())} planets with SNR >= 10; recipe "
             f"`{args.recipe}`.", "",
             "| seed | rule | SNR >= 10 planets with a scored signal at their period | "
             "planet stars scored by another signal | " + " | ".join(SHOWN) + " |",
             "|---" * (4 + len(SHOWN)) + "|"]
    for seed in [int(s) for s in args.seeds.split(",")]:
        run = train_recipe(args.recipe, train_curves, train_dir / "train_truth.csv", cache,
                           args.jobs, seed)
        with scoring(args.recipe):
            table = run.predict(dev_curves, jobs=args.jobs, cache_dir=cache,
                                signals_per_star=SIGNALS)
        star = table["star"].to_numpy(int)
        prob = table["probability"].to_numpy(float)
        hit = at_true_period(table["period_days"].to_numpy(float), true_period[star])
        top = table["signal"].to_numpy(int) == 0
        p_top = np.zeros(len(truth))
        p_top[star[top]] = prob[top]
        p_best = np.zeros(len(truth))
        np.maximum.at(p_best, star, prob)
        best_is_planet = np.zeros(len(truth), bool)
        for k in np.flatnonzero(strong):  # the best signal of a planet's star: the planet's?
            rows = np.flatnonzero(star == k)
            if rows.size:
                best_is_planet[k] = hit[rows[np.argmax(prob[rows])]]
        found_top = np.zeros(len(truth), bool)
        found_top[star[top & hit]] = True
        found_any = np.zeros(len(truth), bool)
        found_any[star[hit]] = True
        for rule, p, found, wrong in (
                ("top signal", p_top, found_top, "-"),
                (f"best of {SIGNALS}", p_best, found_any,
                 str(int((strong & ~best_is_planet).sum())))):
            figures = evaluate(truth, p, run.threshold)
            lines.append(f"| {seed} | {rule} | {int((strong & found).sum())} | {wrong} | "
                         + " | ".join(f"{figures[k]:.3f}" for k in SHOWN) + " |")
        print("\n".join(lines[-2:]), flush=True)
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
