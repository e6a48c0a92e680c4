"""Round 31: which planet-free stars pass a development model at recall 0.95, and on what?

At recall 0.95 of the SNR >= 10 planets, the record's false positives are background EBs,
on-target EBs and planet-free stars (round 29, seed 42: 76, 24 and 45). This reads one
seed's saved model and probabilities (``dev_context_protocol.py --save-models DIR --scores
DIR``), scores every signal of a development split's stars again from the feature cache
(their best must reproduce the saved probabilities), and lists the planet-free stars (quiet,
rotator, flaring and systematics hosts with nothing injected) that reach the split's own
recall-0.95 threshold, with the statistics of the signal that decides each. Beside them, the
same statistics' medians for the planets that decide the threshold (SNR >= 10 planets whose
scores lie in the lowest 20 % of their kind), so that what tells the two apart, if anything
among the features, can be read off::

    python benchmarks/diag_planet_free_scores.py --work /tmp/r24/ctx \\
        --split test10000-seed6262 --models /tmp/r30/models_base \\
        --scores /tmp/r30/devscores_base --train-seed 42

Run with the package code the model was trained with (a worktree of that commit).
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

#: Host kinds of the simulator's planet-free stars.
PLANET_FREE = ("quiet", "rotator", "flare", "systematics")
#: Signal statistics compared (search SNR and SDE, shape, variability, data coverage).
SHOWN = ("snr", "sde", "depth_ppm", "duration_hours", "period_days", "n_transits_with_data",
         "single_event_fraction", "depth_scatter", "red_noise_beta", "fit_snr",
         "v_shape_sigma", "odd_even_sigma", "gap_edge_share", "trend_under_transit",
         "variability_amplitude_sigma", "centroid_offset_sigma", "density_mismatch_sigma")
#: Statistics where the passing stars stood out (round 31), and the cuts counted on both sides:
#: how many SNR >= 10 planets a rule "at least this much" would also catch.
CUTS = {"trend_under_transit": (1.0, 3.0, 5.0, 10.0),
        "variability_amplitude_sigma": (3.0, 10.0, 20.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args = saved_model_args(parser, argv)
    started = time.time()
    truth, _, best, p, stored = rescored_split(args)
    kind, snr = truth["kind"].to_numpy(), truth["snr"].to_numpy(float)
    strong = np.flatnonzero((kind == "planet") & (snr >= 10))
    at95 = planet_recall_threshold(p[strong], 0.95)
    free = np.flatnonzero(np.isin(kind, PLANET_FREE))
    passing = free[p[free] >= at95]
    edge = strong[p[strong] <= np.quantile(p[strong], 0.2)]
    shown = [c for c in SHOWN if c in best]
    lines = ["# Round 31: planet-free stars that pass a development model", "",
             machine_description(), "",
             f"Command: `python benchmarks/diag_planet_free_scores.py --work {args.work} "
             f"--split {args.split} --models {args.models} --scores {args.scores} "
             f"--train-seed {args.train_seed}`", "",
             f"Recall-0.95 threshold (SNR >= 10 planets) {at95:.3f}, stored {stored:.3f}; "
             f"planet-free stars {len(free)}, passing at recall 0.95 {len(passing)} "
             f"({len(passing) / max(len(free), 1):.2%}).", "",
             "| host | stars | passing | share |", "|---|---|---|---|"]
    for host in PLANET_FREE:
        mine = kind[free] == host
        n_pass = int((kind[passing] == host).sum())
        lines.append(f"| {host} | {int(mine.sum())} | {n_pass} | "
                     f"{n_pass / max(int(mine.sum()), 1):.2%} |")
    lines += ["", "Medians of the deciding signal's statistics:", "",
              "| statistic | passing planet-free | planets at the edge (lowest 20 % of SNR >= 10) "
              "| all SNR >= 10 planets |", "|---|---|---|---|"]
    for column in shown:
        values = [best[column].reindex(group).to_numpy(float) for group in (passing, edge, strong)]
        lines.append(f"| {column} | " + " | ".join(
            f"{np.nanmedian(v):.3g}" if np.isfinite(v).any() else "—" for v in values) + " |")
    lines += ["", "Deciding signals at or above a cut (SNR >= 10 planets: all of them, found "
              "or not):", "", "| statistic | cut | passing planet-free | SNR >= 10 planets | "
              "of them on rotators |", "|---|---|---|---|---|"]
    rotator_host = truth["host_kind"].to_numpy() == "rotator"
    for column, cuts in CUTS.items():
        if column not in best:
            continue
        values = best[column].reindex(range(len(truth))).to_numpy(float)
        for cut in cuts:
            above = values >= cut
            lines.append(f"| {column} | {cut:g} | {int(above[passing].sum())} of {len(passing)} | "
                         f"{int(above[strong].sum())} of {len(strong)} | "
                         f"{int((above & rotator_host)[strong].sum())} of "
                         f"{int(rotator_host[strong].sum())} |")
    lines += ["", "| star | host | score | deciding rank | " + " | ".join(shown) + " |",
              "|---" * (4 + len(shown)) + "|"]
    for star in passing[np.argsort(-p[passing])]:
        row = best.loc[star]
        lines.append(f"| {star} | {kind[star]} | {p[star]:.3f} | {int(row['signal'])} | "
                     + " | ".join(f"{row[c]:.3g}" for c in shown) + " |")
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
