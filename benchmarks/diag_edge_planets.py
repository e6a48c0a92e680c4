"""Round 32: which SNR >= 10 planets set a development model's recall-0.95 threshold, and why?

Precision at recall 0.95 is decided by the lowest-scoring 5 % of the SNR >= 10 planets: every
false positive above the lowest of the top 95 % counts. This reads one seed's saved model and
probabilities (``dev_context_protocol.py --save-models DIR --scores DIR``), scores every
signal of a development split's stars again from the feature cache (their best must
reproduce the saved probabilities), and lists the lowest-scoring SNR >= 10 planets with the
period their deciding signal has against the true one ("period" within 1 %, "harmonic" at
1/3, 1/2, 2 or 3 times, else "miss"), their host and the statistics that stand out. The
counts below the table say how many of the planets under the threshold the search (not the
model) put at the wrong period::

    python benchmarks/diag_edge_planets.py --work /tmp/r24/ctx \\
        --split test10000-seed6262 --models /tmp/r31/models_k \\
        --scores /tmp/r31/devscores_k --train-seed 43

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
from bench_context_models import evaluate, planet_recall_threshold
from dev_context_recall import period_match
from diag_target_eb_scores import rescored_split, saved_model_args

#: Deciding-signal statistics listed for each planet.
SHOWN = ("snr", "depth_ppm", "n_transits_with_data", "odd_even_sigma", "v_shape_sigma",
         "depth_scatter", "centroid_offset_sigma", "density_mismatch_sigma")
#: Planets listed: this many times the number below the recall-0.95 threshold.
LISTED = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args = saved_model_args(parser, argv)
    started = time.time()
    truth, _, best, p, stored = rescored_split(args)
    kind, snr = truth["kind"].to_numpy(), truth["snr"].to_numpy(float)
    strong = np.flatnonzero((kind == "planet") & (snr >= 10))
    at95 = planet_recall_threshold(p[strong], 0.95)
    order = strong[np.argsort(p[strong], kind="stable")]
    below = int((p[strong] < at95).sum())
    found = best["period_days"].reindex(range(len(truth))).to_numpy(float)
    match = period_match(found, truth["period_days"].to_numpy(float))
    shown = [c for c in SHOWN if c in best]
    lines = ["# Round 32: the planets that set the recall-0.95 threshold", "",
             machine_description(), "",
             f"Command: `python benchmarks/diag_edge_planets.py --work {args.work} "
             f"--split {args.split} --models {args.models} --scores {args.scores} "
             f"--train-seed {args.train_seed}`", "",
             f"SNR >= 10 planets {len(strong)}; recall-0.95 threshold {at95:.3f} (stored "
             f"{stored:.3f}); {below} planets score below it.", "",
             "| rank | star | score | host | true P (d) | found P (d) | match | true SNR | "
             "impact | " + " | ".join(shown) + " |", "|---" * (9 + len(shown)) + "|"]
    for rank, star in enumerate(order[:LISTED * max(below, 1)], 1):
        row = best.loc[star] if star in best.index else None
        values = [float(row[c]) if row is not None else np.nan for c in shown]
        lines.append(f"| {rank} | {star} | {p[star]:.3f} | {truth['host_kind'].iat[star]} | "
                     f"{truth['period_days'].iat[star]:.3f} | {found[star]:.3f} | "
                     f"{match[star]} | {snr[star]:.1f} | {truth['impact'].iat[star]:.2f} | "
                     + " | ".join(f"{v:.3g}" for v in values) + " |")
    lines += ["", "| planets | n | at their period | at a harmonic (1/3-3x) | elsewhere |",
              "|---|---|---|---|---|"]
    for name, group in (("below the threshold", order[:below]), ("all SNR >= 10", strong)):
        counts = {m: int((match[group] == m).sum()) for m in ("period", "harmonic", "miss")}
        lines.append(f"| {name} | {len(group)} | {counts['period']} | {counts['harmonic']} | "
                     f"{counts['miss']} |")
    # the size of the lead: precision at recall 0.95 if the search had found these planets
    # (scored 1, above every other star), everything else as it is
    lines += ["", "| if found (scored 1) | planets | P@0.95 (resolvable) | on-target EB @ 0.95 |",
              "|---|---|---|---|"]
    for name, chosen in (("none (as scored)", np.zeros(len(truth), bool)),
                         ("those at a harmonic", match == "harmonic"),
                         ("all not at their period", match != "period")):
        chosen = chosen & np.isin(np.arange(len(truth)), strong)
        q = np.where(chosen, 1.0, p)
        figures = evaluate(truth, q, stored)
        lines.append(f"| {name} | {int(chosen.sum())} | "
                     f"{figures['precision_resolvable_at95']:.3f} | "
                     f"{figures['eb_fp_at95']:.2%} |")
    hosts = truth["host_kind"].to_numpy()
    lines += ["", "| host | SNR >= 10 planets | below the threshold | not at their period |",
              "|---|---|---|---|"]
    for host in sorted(set(hosts[strong])):
        mine = strong[hosts[strong] == host]
        lines.append(f"| {host} | {len(mine)} | {int(np.isin(mine, order[:below]).sum())} | "
                     f"{int((match[mine] != 'period').sum())} |")
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
