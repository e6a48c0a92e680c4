"""Round 29: which far background EBs pass a development model's stored threshold, and why?

Reads one model's probabilities on a development split as saved by
``dev_context_protocol.py --scores DIR`` (``SPLIT-seedS.npz``: ``p``, ``threshold``,
``files``), takes the background EBs whose source lies >= 1 px from the target and whose
score reaches the stored threshold, searches each of them again the way the features do
(top signal, ``min_sde=0``, junk off) with the package code on the path, and lists their
score, true SNR and the top signal's centroid statistics. Run with the code the scores were
made with (a worktree of that commit) for the statistics the model read::

    python benchmarks/diag_far_beb_scores.py --work /tmp/r24/ctx --split test10000-seed6262 \\
        --scores /tmp/r29/devscores21 --train-seed 42
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import (
    at_true_period,
    saved_scores,
    split_diagnostic_args,
    split_truth,
)


def top_signal(path: Path) -> dict:
    """The top signal's period and centroid statistics of one star's file."""
    import exohunt
    from exohunt.search import search

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = search(exohunt.read(path), max_signals=1, min_sde=0.0, junk="off")
    if not result.signals:
        return {"found_period": float("nan")}
    top = result.signals[0]
    return {"found_period": top.period, "centroid_shift_sigma": top.centroid_shift_sigma,
            "centroid_offset_pixels": top.centroid_offset_pixels,
            "centroid_offset_sigma": top.centroid_offset_sigma}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", required=True, help="dev_context_protocol.py --scores DIR")
    parser.add_argument("--train-seed", type=int, default=42)
    args = split_diagnostic_args(parser, "test10000-seed6262", argv)
    started = time.time()
    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    p, threshold = saved_scores(
        Path(args.scores) / f"{args.split}-seed{args.train_seed}.npz", truth)
    far = truth["kind"].eq("background-eb").to_numpy() & (truth["source_offset_pixels"] >= 1)
    passed = truth[far & (p >= threshold)].assign(p=p[far & (p >= threshold)])
    rows = pd.DataFrame([top_signal(folder / f) for f in passed["file"]], index=passed.index)
    passed = pd.concat([passed, rows], axis=1)
    passed["top_is_beb"] = at_true_period(passed["found_period"].to_numpy(),
                                          passed["period_days"].to_numpy())
    strong = passed["top_is_beb"] & (passed["centroid_offset_pixels"] > 1) & (
        passed["centroid_offset_sigma"] > 5)
    lines = ["# Round 29: far background EBs that pass a development model's stored threshold",
             "", machine_description(), "",
             f"Command: `python benchmarks/diag_far_beb_scores.py --work {args.work} --split "
             f"{args.split} --scores {args.scores} --train-seed {args.train_seed}`", "",
             f"Stored threshold {threshold:.3f}; far background EBs (source >= 1 px) "
             f"{int(far.sum())}, passing {len(passed)} ({len(passed) / far.sum():.1%}); the "
             f"top signal is the EB for {int(passed['top_is_beb'].sum())} of them, and "
             f"{int(strong.sum())} of those read a source > 1 px away at > 5 σ (scores "
             f"{passed['p'][strong].min():.3f}-{passed['p'][strong].max():.3f}, shifts "
             f"{passed['centroid_shift_sigma'][strong].min():.0f}-"
             f"{passed['centroid_shift_sigma'][strong].max():.0f} σ)." if strong.any() else
             f"Stored threshold {threshold:.3f}; far background EBs (source >= 1 px) "
             f"{int(far.sum())}, passing {len(passed)}; none with the EB as its top signal "
             "reads a source > 1 px away at > 5 σ.", "",
             "| star | score | true SNR | source (px) | host | top signal is the EB | shift σ | "
             "offset px | offset σ |", "|---|---|---|---|---|---|---|---|---|"]
    for _, row in passed.sort_values("p", ascending=False).iterrows():
        lines.append(f"| {row['index']} | {row['p']:.3f} | {row['snr']:.1f} | "
                     f"{row['source_offset_pixels']:.2f} | {row['host_kind']} | "
                     f"{'yes' if row['top_is_beb'] else 'no'} | "
                     f"{row.get('centroid_shift_sigma', np.nan):.1f} | "
                     f"{row.get('centroid_offset_pixels', np.nan):.2f} | "
                     f"{row.get('centroid_offset_sigma', np.nan):.1f} |")
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
