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
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _report import emit
from bench_context_models import evaluate, refuse_record_split, saved_scores

FIGURES = ("precision_resolvable_at95", "average_precision", "precision_at90", "eb_fp_at95",
           "far_beb_rejected_stored")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--dev", default="test10000-seed6262,test3000-seed5151,test3000-seed5252")
    parser.add_argument("--seed", default="42",
                        help="the training seed(s) of the scores, comma-separated")
    parser.add_argument("--runs", required=True, help="NAME=DIR[:DIR...],... "
                                                      "(dev_context_protocol --scores folders)")
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
    for item in args.runs.split(","):
        name, _, folders = item.partition("=")
        rows = []
        for seed in seeds:
            for split in splits:
                candidates = [Path(f) / f"{split}-seed{seed}.npz" for f in folders.split(":")]
                found = [path for path in candidates if path.is_file()]
                if not found:
                    parser.error(f"run {name}: no {candidates[0].name} in {folders}")
                p, stored = saved_scores(found[0], truths[split])
                rows.append(evaluate(truths[split], p, stored))
        lines.append(f"| {name} | " + " | ".join(
            f"{np.mean([r[k] for r in rows]):.5f}" for k in FIGURES) + " |")
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
