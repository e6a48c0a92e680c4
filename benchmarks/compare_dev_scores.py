"""Round 30: development figures of saved scores, unrounded, for rules decided at the margin.

``dev_context_protocol.py`` prints its figures to three decimals; a rule such as
"P@0.95 >= base - 0.01" can fall between them. This reads the probabilities it saved
(``--scores DIR``: ``SPLIT-seedS.npz``) for each named run and reports the means over the
development splits of the figures the rules use, from ``bench_context_models.evaluate``::

    python benchmarks/compare_dev_scores.py --work /tmp/r24/ctx --seed 42 \\
        --runs base=/tmp/r30/devscores_base,K=/tmp/r30/devscores_k

Several seeds (``--seed 42,43,44``) average over every seed × split combination; a run's
scores may lie in several folders (``NAME=DIR1:DIR2``: each file is read from the first
folder that has it), e.g. seeds trained in different sessions.

``--paired NAME --resamples N`` (round 33) adds how far each run's means could move against
run NAME's with another draw of the development stars: every resample draws each split's
stars with replacement within each kind (``interval_context_targets.stratified_resample``),
the same stars for every run and seed, and recomputes the means over the combinations; the
table gives each difference to NAME with its 95 % percentile interval and the share of
resamples in which it is above zero. The training seeds stay the three trained, so this is
the development stars' share of the uncertainty, not the training draw's::

    python benchmarks/compare_dev_scores.py --work /tmp/r24/ctx --seed 42,43,44 \
        --runs K=...,E3=... --paired K --resamples 1000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _report import emit
from bench_context_models import evaluate, ranking_metrics, refuse_record_split, saved_scores
from interval_context_targets import Split, figures, stratified_resample

FIGURES = ("precision_resolvable_at95", "average_precision", "precision_at90", "eb_fp_at95",
           "far_beb_rejected_stored")
#: The figures resampled for ``--paired`` (``interval_context_targets.figures`` and
#: ``bench_context_models.ranking_metrics``).
RESAMPLED = ("precision_resolvable_at95", "average_precision", "precision_at90", "eb_fp_at95",
             "far_beb_rejected_stored")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--dev", default="test10000-seed6262,test3000-seed5151,test3000-seed5252")
    parser.add_argument("--seed", default="42",
                        help="the training seed(s) of the scores, comma-separated")
    parser.add_argument("--runs", required=True, help="NAME=DIR[:DIR...],... "
                                                      "(dev_context_protocol --scores folders)")
    parser.add_argument("--paired", default=None,
                        help="a run's NAME: each other run's difference to it over resamples "
                             "of the development stars")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--resample-seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    splits = args.dev.split(",")
    try:
        seeds = [int(seed) for seed in args.seed.split(",")]
    except ValueError:
        parser.error(f"--seed: expected integers separated by commas, got {args.seed!r}")
    for split in splits:
        refuse_record_split(parser, split)
    truths = {s: pd.read_csv(Path(args.work) / s / "test_truth.csv") for s in splits}
    lines = [f"Means over {len(seeds) * len(splits)} combinations: training seed(s) "
             f"{', '.join(map(str, seeds))} × {', '.join(splits)}; far BEBs at the saved "
             "stored threshold.", "",
             "| run | " + " | ".join(FIGURES) + " |", "|---" * (1 + len(FIGURES)) + "|"]
    loaded = {}  # run name -> [(split, p, stored threshold)] for every seed × split
    for item in args.runs.split(","):
        name, _, folders = item.partition("=")
        rows, loaded[name] = [], []
        for seed in seeds:
            for split in splits:
                candidates = [Path(f) / f"{split}-seed{seed}.npz" for f in folders.split(":")]
                found = [path for path in candidates if path.is_file()]
                if not found:
                    parser.error(f"run {name}: no {candidates[0].name} in {folders}")
                p, stored = saved_scores(found[0], truths[split])
                rows.append(evaluate(truths[split], p, stored))
                loaded[name].append((split, p, stored))
        lines.append(f"| {name} | " + " | ".join(
            f"{np.mean([r[k] for r in rows]):.5f}" for k in FIGURES) + " |")
    if args.paired is not None:
        if args.paired not in loaded:
            parser.error(f"--paired: no run named {args.paired!r} in --runs")
        lines += ["", *paired_differences(loaded, args.paired, truths, args.resamples,
                                          args.resample_seed)]
    emit(lines, args.out)
    return 0


def paired_differences(loaded: dict, reference: str, truths: dict, resamples: int,
                       seed: int) -> list[str]:
    """Markdown lines: each run's mean of :data:`RESAMPLED` minus ``reference``'s, with its
    95 % interval and share above zero over ``resamples`` stratified resamples of the
    development stars (the same stars for every run)."""
    rng = np.random.default_rng(seed)
    splits = {name: Split(truth) for name, truth in truths.items()}
    others = [name for name in loaded if name != reference]
    differences = {name: {f: [] for f in RESAMPLED} for name in others}
    for _ in range(resamples):
        drawn = {name: stratified_resample(split.kind, rng) for name, split in splits.items()}
        drawn_truth = {name: truths[name].iloc[rows] for name, rows in drawn.items()}
        means = {}
        for name, scored in loaded.items():
            values = [{**figures(splits[s], p, stored, drawn[s]),
                       **ranking_metrics(drawn_truth[s], p[drawn[s]])} for s, p, stored in scored]
            means[name] = {f: np.mean([v[f] for v in values]) for f in RESAMPLED}
        for name in others:
            for f in RESAMPLED:
                differences[name][f].append(means[name][f] - means[reference][f])
    lines = [f"Differences to {reference} over {resamples} resamples of the development stars "
             "(within each kind; the same stars for every run): the difference on the splits "
             "themselves is the table above; here the median over resamples, the 95 % "
             "interval and the share of resamples above zero.", "",
             "| run | " + " | ".join(f"{f} − {reference}" for f in RESAMPLED) + " |",
             "|---" * (1 + len(RESAMPLED)) + "|"]
    for name in others:
        cells = []
        for f in RESAMPLED:
            values = np.asarray(differences[name][f])
            lo, hi = np.percentile(values, [2.5, 97.5])
            cells.append(f"{np.median(values):+.4f} [{lo:+.4f}, {hi:+.4f}] "
                         f"({np.mean(values > 0):.2f} > 0)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
