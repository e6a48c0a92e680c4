"""Round 33: the period test (``search(alias=True)``) in scoring only, with saved models.

A development-protocol trial of the period test needs every feature set searched again with
it (training split, injections, development splits: about three hours on two cores). This
screens it first for a fraction of that: the saved models of one recipe (trained on features
searched without the test, ``dev_context_protocol.py --save-models``) score one development
split twice: without the test (the probabilities the protocol saved: this branch's code with
the test off reproduces them exactly, as ``--check-split`` shows on a smaller split, but its
source digest differs, so reading them again here would search the split again) and with it
(searched once, cached apart, then read by every seed). The
models never saw a moved period in training, so this measures what the test changes in the
stars scored (planets found at their period, binaries moved to theirs), not what training
on it would add; it decides whether the full trial is worth its time, not whether to adopt::

    python benchmarks/diag_alias_scoring.py --work /tmp/r24/ctx --split test10000-seed6262 \\
        --models /tmp/r33/models_ke3 --scores /tmp/r33/devscores_ke3 \\
        --recipe 'kmin:eb3+snr10/w0.3*5#3tk' --seeds 42,43,44 --check-split test3000-seed5252

Run with the package code the models were trained with plus the test (branch
``search-alias-r33``: the same training code as main).
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
from bench_context_models import (
    evaluate,
    read_split,
    saved_scores,
    split_diagnostic_args,
    split_truth,
)
from dev_context_recall import period_match, scoring
from diag_target_eb_scores import deciding_signals, rescored_split

#: Figures compared (``bench_context_models.evaluate``'s names).
FIGURES = ("precision_resolvable_at95", "average_precision", "precision_at90", "eb_fp_at95",
           "beb_fp_at95", "far_beb_rejected_stored", "recall_strong_stored")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="dev_context_protocol.py --save-models")
    parser.add_argument("--scores", required=True, help="dev_context_protocol.py --scores DIR")
    parser.add_argument("--recipe", required=True, help="the recipe the models were trained "
                        "with (its feature prefixes apply to scoring)")
    parser.add_argument("--seeds", default="42")
    parser.add_argument("--check-split", default=None,
                        help="first score this development split with the test off and require "
                             "the saved probabilities (searches it again: the code's digest)")
    args = split_diagnostic_args(parser, "test10000-seed6262", argv)
    started = time.time()
    from exohunt.training.ensemble import load_model

    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    curves = read_split(folder, truth)
    cache = Path(args.work) / "cache"
    kind, snr = truth["kind"].to_numpy(), truth["snr"].to_numpy(float)
    strong = np.flatnonzero((kind == "planet") & (snr >= 10))
    true_period = truth["period_days"].to_numpy(float)
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.check_split:  # the code with the test off must give the saved probabilities
        with scoring(args.recipe):
            rescored_split(argparse.Namespace(
                work=args.work, split=args.check_split, scores=args.scores, models=args.models,
                train_seed=seeds[0], jobs=args.jobs))
        print(f"{args.check_split}: the saved probabilities reproduced with the test off",
              flush=True)
    lines = ["# Round 33: the period test in scoring only (saved models)", "",
             machine_description(), "",
             f"Command: `python benchmarks/diag_alias_scoring.py --work {args.work} "
             f"--split {args.split} --models {args.models} --scores {args.scores} "
             f"--recipe '{args.recipe}' --seeds {args.seeds}"
             f"{f' --check-split {args.check_split}' if args.check_split else ''}`", "",
             "| seed | search | " + " | ".join(FIGURES) + " | SNR >= 10 planets at their "
             "period (deciding signal) |", "|---" * (3 + len(FIGURES)) + "|"]
    means: dict[bool, list] = {False: [], True: []}
    seconds: dict[int, float] = {}
    for seed in seeds:
        saved_p, stored = saved_scores(Path(args.scores) / f"{args.split}-seed{seed}.npz", truth)
        model = load_model(Path(args.models) / f"seed{seed}", device="cpu")
        figures = evaluate(truth, saved_p, stored)
        means[False].append(figures)
        lines.append(f"| {seed} | without (saved) | "
                     + " | ".join(f"{figures[f]:.4f}" for f in FIGURES) + " | — |")
        clock = time.time()
        with scoring("alias:" + args.recipe):
            rows = model.predict(curves, jobs=args.jobs, cache_dir=cache)
        best = deciding_signals(rows)
        p = best["probability"].reindex(range(len(truth))).to_numpy(float)
        figures = evaluate(truth, p, stored)
        means[True].append(figures)
        found = best["period_days"].reindex(range(len(truth))).to_numpy(float)
        at_period = int((period_match(found[strong], true_period[strong]) == "period").sum())
        lines.append(f"| {seed} | with the test | "
                     + " | ".join(f"{figures[f]:.4f}" for f in FIGURES)
                     + f" | {at_period} of {strong.size} |")
        seconds[seed] = time.time() - clock
        print(f"seed {seed}: scored with the test in {seconds[seed]:.0f} s", flush=True)
    lines += ["", f"Means over seeds {args.seeds}:", "",
              "| search | " + " | ".join(FIGURES) + " |", "|---" * (1 + len(FIGURES)) + "|"]
    for alias in (False, True):
        lines.append(f"| {'with the test' if alias else 'without'} | " + " | ".join(
            f"{np.mean([f[name] for f in means[alias]]):.5f}" for name in FIGURES) + " |")
    lines += ["", "Scoring with the test, wall seconds per seed (the first searches the split "
              "where its features are not cached yet): "
              + ", ".join(f"{seed} {t:.0f}" for seed, t in seconds.items()) + ".", "",
              f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
