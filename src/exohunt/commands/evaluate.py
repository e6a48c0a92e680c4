"""``exohunt evaluate RUN_DIR DATA [--truth T] --out REPORT_DIR``: score labelled data once and
write metrics.json, report.html and plots/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from exohunt.commands._common import (
    add_jobs,
    add_quiet,
    add_read_options,
    add_seed,
    load_run_or_fail,
)

HELP = "score labelled test data once: metrics with intervals, report.html, plots"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run directory made by 'exohunt train'")
    parser.add_argument("data", metavar="DATA", help="labelled data (Kaggle-layout CSV, …)")
    parser.add_argument("--truth", default=None,
                        help="truth table CSV (default: DATA's sibling *_truth.csv, if any)")
    parser.add_argument("--no-truth", action="store_true",
                        help="do not pick up a sibling *_truth.csv automatically")
    parser.add_argument("--out", required=True, metavar="REPORT_DIR", help="report directory")
    parser.add_argument("--bootstrap", type=int, default=1000,
                        help="bootstrap resamples for the 95%% intervals (default 1000)")
    add_seed(parser, default=0)
    add_jobs(parser)
    add_read_options(parser)
    add_quiet(parser)


def print_summary(result: dict, stream=None) -> None:
    """The headline, confusion matrix, classification report and truth tables."""
    stream = sys.stdout if stream is None else stream
    from exohunt.evaluation.tables import BestThreshold
    from exohunt.evaluation.text import format_confusion, format_headline, format_table

    print(format_headline(result), file=stream)
    print(format_confusion(result), file=stream)
    prevalence = result["n_positive"] / max(result["n_total"], 1)
    print(f"\nClassification report (both classes; accuracy is not a headline at "
          f"{prevalence:.0%} prevalence):", file=stream)
    print(result["classification_report"], file=stream)
    best = result["best_threshold_on_this_data"]
    print(BestThreshold(best["threshold"], best["precision"], best["recall"],
                        best["f1"]).line(), file=stream)
    import pandas as pd

    if result.get("recall_by_snr"):
        print("\nRecall by injected SNR (Wilson 95%):", file=stream)
        print(format_table(pd.DataFrame(result["recall_by_snr"]), {
            "snr_bin": "SNR", "n_planets": "planets", "n_found": "found", "recall": "recall",
            "recall_ci_low": "low", "recall_ci_high": "high"}), file=stream)
    if result.get("fp_rate_by_kind"):
        print("\nFalse-positive rate by kind (Wilson 95%):", file=stream)
        print(format_table(pd.DataFrame(result["fp_rate_by_kind"]), {
            "kind": "kind", "n_stars": "stars", "n_flagged": "flagged", "fp_rate": "FP rate",
            "fp_rate_ci_low": "low", "fp_rate_ci_high": "high"}), file=stream)


def run(args: argparse.Namespace) -> int:
    from exohunt.evaluation.data import find_sibling_truth
    from exohunt.evaluation.evaluator import check_report_dir, evaluate
    from exohunt.io import read

    check_report_dir(Path(args.out))
    run_ = load_run_or_fail(args.run_dir)
    truth = args.truth
    if truth is None and not args.no_truth:
        truth = find_sibling_truth(args.data)
        if truth is not None:
            print(f"Using truth table {truth} (found next to {args.data}; --no-truth to skip)",
                  file=sys.stderr)
    elif truth is not None and not Path(truth).is_file():
        from exohunt.errors import InputError

        raise InputError(f"{truth}: truth table not found; expected a CSV with label, kind, snr")
    data = read(args.data, format=args.input_format, flux_column=args.flux_column)
    result = evaluate(run_, data, truth=truth, out=args.out, seed=args.seed,
                      n_bootstrap=args.bootstrap, jobs=args.jobs, progress=not args.quiet,
                      data_name=args.data)
    print_summary(result)
    if result.get("warning"):
        print(f"warning: {result['warning']}", file=sys.stderr)
    print(f"\nReport: {result['report']}")
    return 0
