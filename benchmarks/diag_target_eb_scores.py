"""Round 30: which on-target eclipsing binaries pass a development model, and on which signal?

A model trained with ``signals_per_star`` K > 1 scores a star by its best signal, so an
on-target EB can pass on its eclipses (the top signal) or on a later one: a secondary eclipse
searched apart, an alias of its period, or its host's noise once the eclipses are masked.
This reads one seed's saved model and probabilities (``dev_context_protocol.py
--save-models DIR --scores DIR``), scores every signal of the split's stars again from the
feature cache (their best must reproduce the saved probabilities), takes the on-target EBs
that reach the split's own recall-0.95 threshold (SNR >= 10 planets, as ``evaluate``) and
lists, for each, the signal that decides it: its rank, its period against the binary's (at
it, or 1/3-3 times it, :func:`exohunt.training.augment.found_at_period`: the binary
itself; elsewhere: another signal), its depth, SNR and odd/even and secondary statistics;
with ``--training``, how many of a training split's planets and on-target EBs have top
signals in the passing EBs' depth and SNR ranges::

    python benchmarks/diag_target_eb_scores.py --work /tmp/r24/ctx --split test10000-seed6262 \\
        --models /tmp/r30/models --scores /tmp/r30/devscores --train-seed 42 \\
        --training train10000-seed7107

Run with the package code the model was trained with (a worktree of that commit).
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
    planet_recall_threshold,
    read_split,
    saved_scores,
    split_diagnostic_args,
    split_truth,
)

#: Signal statistics listed beside each deciding signal, where the features have them.
SHOWN = ("odd_even_sigma", "secondary_sigma", "secondary_any_sigma",
         "centroid_offset_sigma", "v_shape_sigma", "planet_radius_earth")
#: Round 32: a V shape this significant (:func:`exohunt.search.shape.v_shape_sigma`) is
#: counted among the passing EBs and the SNR >= 10 planets (their deciding signals).
V_SHAPE_CUT = 5.0


def deciding_signals(rows: pd.DataFrame) -> pd.DataFrame:
    """Each star's highest-scoring signal (first on ties), indexed by star."""
    order = rows.sort_values(["star", "probability", "signal"], ascending=[True, False, True])
    return order.drop_duplicates("star").set_index("star")


def training_comparison(work: Path, split: str, deciding: pd.DataFrame, jobs: int) -> list[str]:
    """Where the passing EBs' deciding signals lie against the training split's planets and
    on-target EBs (their top signals, from the training features' cache: three signals,
    no variability statistics, as ``train(..., signals_per_star=3)`` searched them)."""
    from exohunt.training.features import extract, split_later_signals

    folder = work / split
    truth = split_truth(folder)
    raw = extract(read_split(folder, truth), "tabular", jobs=jobs, cache_dir=work / "cache",
                  signals_per_star=3, variability=False)
    top = split_later_signals(raw)[0].signals
    # the ranges of the EBs that pass on their eclipses (top signal, at the binary's period)
    deciding = deciding[(deciding["signal"] == 0) & deciding["at_binary"]]
    depth_range = (deciding["depth_ppm"].min(), deciding["depth_ppm"].max())
    snr_range = (deciding["snr"].min(), deciding["snr"].max())
    lines = [f"Training split {split} (top signals), against the {len(deciding)} EBs that "
             f"pass on their eclipses (top signal at the binary's period; depth "
             f"{depth_range[0]:.0f}-{depth_range[1]:.0f} ppm, SNR "
             f"{snr_range[0]:.1f}-{snr_range[1]:.1f}):", "",
             "| stars | n | median depth (ppm) | median SNR | SNR > 100 | in the passing EBs' "
             "depth and SNR ranges |", "|---|---|---|---|---|---|"]
    groups = {f"training {k}s": top[truth["kind"].eq(k).to_numpy()] for k in ("planet", "eb")}
    groups["passing test EBs (eclipses)"] = deciding
    for name, rows in groups.items():
        inside = rows["depth_ppm"].between(*depth_range) & rows["snr"].between(*snr_range)
        lines.append(f"| {name} | {len(rows)} | {rows['depth_ppm'].median():.0f} | "
                     f"{rows['snr'].median():.1f} | {int((rows['snr'] > 100).sum())} | "
                     f"{int(inside.sum())} |")
    return lines


def saved_model_args(parser: argparse.ArgumentParser, argv: list[str] | None):
    """Add the saved model's options (``--models``, ``--scores``, ``--train-seed``) to a
    split diagnostic's parser and parse (``split_diagnostic_args``: ``--work``, ``--split``,
    ``--jobs``, ``--out``)."""
    parser.add_argument("--models", required=True, help="dev_context_protocol.py --save-models")
    parser.add_argument("--scores", required=True, help="dev_context_protocol.py --scores DIR")
    parser.add_argument("--train-seed", type=int, default=42)
    return split_diagnostic_args(parser, "test10000-seed6262", argv)


def rescored_split(args) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray, float]:
    """(truth, every signal's rows, each star's deciding signal, p, stored threshold): the
    split's stars scored again, signal by signal, by the saved model of ``args.train_seed``
    from the feature cache; their best must reproduce the saved probabilities."""
    from exohunt.training.ensemble import load_model

    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    saved_p, stored = saved_scores(
        Path(args.scores) / f"{args.split}-seed{args.train_seed}.npz", truth)
    model = load_model(Path(args.models) / f"seed{args.train_seed}", device="cpu")
    rows = model.predict(read_split(folder, truth), jobs=args.jobs,
                         cache_dir=Path(args.work) / "cache")
    best = deciding_signals(rows)
    p = best["probability"].reindex(range(len(truth))).to_numpy(float)
    if not np.allclose(p, saved_p, rtol=0, atol=1e-9):
        raise SystemExit("the signals' best scores do not reproduce the saved probabilities")
    return truth, rows, best, p, stored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--training", default=None,
                        help="a training split folder under WORK (e.g. train10000-seed7107): "
                             "compare its planets' and EBs' top signals with the passing EBs'")
    args = saved_model_args(parser, argv)
    started = time.time()
    from exohunt.training.augment import found_at_period

    truth, rows, best, p, stored = rescored_split(args)
    kind, snr = truth["kind"].to_numpy(), truth["snr"].to_numpy(float)
    at95 = planet_recall_threshold(p[(kind == "planet") & (snr >= 10)], 0.95)
    eb = np.flatnonzero(kind == "eb")
    passing = eb[p[eb] >= at95]
    deciding = best.loc[passing].copy()
    deciding["true_period"] = truth["period_days"].to_numpy(float)[passing]
    deciding["true_snr"] = snr[passing]
    deciding["grazing"] = truth["grazing"].to_numpy()[passing] if "grazing" in truth else None
    deciding["true_k"] = truth["rp_rs"].to_numpy(float)[passing]
    deciding["at_binary"] = found_at_period(deciding["period_days"].to_numpy(float),
                                            deciding["true_period"].to_numpy(float))
    n_top = rows.groupby("star")["signal"].max().reindex(range(len(truth))).fillna(0) + 1
    ranks = deciding["signal"].to_numpy(int)
    lines = ["# Rounds 30-32: on-target eclipsing binaries that pass a development model", "",
             machine_description(), "",
             f"Command: `python benchmarks/diag_target_eb_scores.py --work {args.work} --split "
             f"{args.split} --models {args.models} --scores {args.scores} --train-seed "
             f"{args.train_seed}" + (f" --training {args.training}" if args.training else "")
             + "`", "",
             f"Recall-0.95 threshold (SNR >= 10 planets) {at95:.3f}, stored "
             f"{stored:.3f}; on-target EBs {len(eb)}, passing at recall "
             f"0.95 {len(passing)} ({len(passing) / max(len(eb), 1):.1%}).", "",
             "| deciding signal | at the binary's period (1/3-3x) | elsewhere |", "|---|---|---|"]
    for rank in sorted(set(ranks.tolist())):
        mine = ranks == rank
        lines.append(f"| rank {rank} ({'top' if rank == 0 else 'later'}) | "
                     f"{int((mine & deciding['at_binary'].to_numpy()).sum())} | "
                     f"{int((mine & ~deciding['at_binary'].to_numpy()).sum())} |")
    shown = [c for c in SHOWN if c in deciding]
    grazing = deciding["grazing"].astype(str).str.lower().eq("true").to_numpy()
    lines += ["", f"Grazing (the truth's `grazing`): {int(grazing.sum())} of the "
              f"{len(passing)} passing, against "
              f"{int(truth['grazing'].astype(str).str.lower().eq('true').to_numpy()[eb].sum())}"
              f" of the split's {len(eb)} on-target EBs."]
    if "v_shape_sigma" in best:
        v_shape = best["v_shape_sigma"].reindex(range(len(truth))).to_numpy(float)
        strong = np.flatnonzero((kind == "planet") & (snr >= 10))
        lines.append(f"V-shaped at v_shape_sigma > {V_SHAPE_CUT:g}: "
                     f"{int((v_shape[passing] > V_SHAPE_CUT).sum())} of the passing EBs, "
                     f"{int((v_shape[strong] > V_SHAPE_CUT).sum())} of the {len(strong)} "
                     "SNR >= 10 planets (their deciding signals).")
    lines += ["", "| star | score | true SNR | true period (d) | true k | grazing | signals | "
              "deciding rank | period (d) | ratio | depth (ppm) | SNR | " + " | ".join(shown)
              + " |", "|---" * (12 + len(shown)) + "|"]
    for star, row in deciding.sort_values("probability", ascending=False).iterrows():
        lines.append(f"| {star} | {row['probability']:.3f} | {row['true_snr']:.1f} | "
                     f"{row['true_period']:.3f} | {row['true_k']:.2f} | {row['grazing']} | "
                     f"{int(n_top[star])} | {int(row['signal'])} | "
                     f"{row['period_days']:.3f} | "
                     f"{row['period_days'] / row['true_period']:.3f} | "
                     f"{row['depth_ppm']:.0f} | {row['snr']:.1f} | "
                     + " | ".join(f"{row[c]:.2f}" for c in shown) + " |")
    if args.training:
        lines += ["", *training_comparison(Path(args.work), args.training, deciding, args.jobs)]
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
