"""Round 32: the smallest companion radius ratio a dip allows, for planets and binaries.

``min_companion_radius_ratio`` (:mod:`exohunt.training.geometry`) reads the trapezoid fit's depth
and total duration, the period and the catalogue density, and returns the smallest occulter
that can make the dip on the catalogue star: a grazing binary's eclipse, as shallow as a
planet's transit, needs a large companion. This computes it for every star's deciding signal
under a saved development model (as ``diag_target_eb_scores.py`` reads them) and compares the
SNR >= 10 planets, the on-target EBs (all, and those passing at recall 0.95) and the
background EBs::

    python benchmarks/diag_companion_ratio.py --work /tmp/r24/ctx \\
        --split test10000-seed6262 --models /tmp/r31/models_k \\
        --scores /tmp/r31/devscores_k --train-seed 43
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
from bench_context_models import planet_recall_threshold
from diag_target_eb_scores import rescored_split, saved_model_args

#: Radius ratios counted: 0.25 is 2.4 Jupiter radii on a Sun-like star.
CUTS = (0.25, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args = saved_model_args(parser, argv)
    started = time.time()
    from exohunt.training.geometry import MAX_RADIUS_RATIO, companion_ratios

    truth, _, best, p, _stored = rescored_split(args)
    kind, snr = truth["kind"].to_numpy(), truth["snr"].to_numpy(float)
    strong = np.flatnonzero((kind == "planet") & (snr >= 10))
    at95 = planet_recall_threshold(p[strong], 0.95)
    rows = best.reindex(range(len(truth)))
    ratio = companion_ratios(rows)  # the deciding signals carry the statistics' columns
    eb = np.flatnonzero(kind == "eb")
    groups = {"SNR >= 10 planets": strong,
              "on-target EBs": eb, "on-target EBs passing at recall 0.95": eb[p[eb] >= at95],
              "background EBs": np.flatnonzero(kind == "background-eb")}
    lines = ["# Round 32: the smallest companion radius ratio of the deciding signals", "",
             machine_description(), "",
             f"Command: `python benchmarks/diag_companion_ratio.py --work {args.work} "
             f"--split {args.split} --models {args.models} --scores {args.scores} "
             f"--train-seed {args.train_seed}`", "",
             f"Recall-0.95 threshold (SNR >= 10 planets) {at95:.3f}. "
             f"{MAX_RADIUS_RATIO:g}: no companion up to {MAX_RADIUS_RATIO:g} R* makes the dip.",
             "", "| stars | n | measured | median | 90th percentile | 99th percentile | "
             + " | ".join(f"> {c:g}" for c in CUTS) + f" | = {MAX_RADIUS_RATIO:g} |",
             "|---" * (7 + len(CUTS)) + "|"]
    for name, group in groups.items():
        values = ratio[group]
        finite = values[np.isfinite(values)]
        quantiles = (" | ".join(f"{np.percentile(finite, q):.3f}" for q in (50, 90, 99))
                     if finite.size else "— | — | —")
        lines.append(f"| {name} | {len(group)} | {finite.size} | {quantiles} | "
                     + " | ".join(str(int((finite > c).sum())) for c in CUTS)
                     + f" | {int((finite >= MAX_RADIUS_RATIO).sum())} |")
    passing = groups["on-target EBs passing at recall 0.95"]
    lines += ["", "| passing on-target EB | score | true k | grazing | depth-implied k "
              "(√fit depth) | smallest companion k |", "|---|---|---|---|---|---|"]
    for star in passing[np.argsort(-p[passing])]:
        lines.append(f"| {star} | {p[star]:.3f} | {truth['rp_rs'].iat[star]:.2f} | "
                     f"{truth['grazing'].iat[star]} | "
                     f"{np.sqrt(max(rows['fit_depth'].iat[star], 0.0)):.3f} | "
                     f"{ratio[star]:.3f} |")
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
