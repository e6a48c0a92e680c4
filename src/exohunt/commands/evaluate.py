"""``exohunt evaluate [RUN_DIR] DATA [--model NAME] [--truth T] --out REPORT_DIR``: score
labelled data once with a trained run (or a bundled model) and write metrics.json, report.html
and plots/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from exohunt.commands._common import (
    add_jobs,
    add_quiet,
    add_read_options,
    add_seed,
)
from exohunt.commands._model_choice import add_model_option, choose_model, load_choice

HELP = "score labelled test data once: metrics with intervals, report.html, plots"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.usage = ("exohunt evaluate [RUN_DIR] DATA... [--model NAME] --out REPORT_DIR "
                    "[options]")
    parser.add_argument("data", metavar="[RUN_DIR] DATA", nargs="+",
                        help="optional run directory made by 'exohunt train' (default: the "
                             "bundled model), then labelled data (Kaggle-layout CSV, TFRecord "
                             "views, …), or single-star FITS / time-flux files (folder, glob "
                             "or several paths) with --labels")
    add_model_option(parser)
    parser.add_argument("--labels", default=None, metavar="TABLE",
                        help="CSV mapping each file of DATA to a label or disposition (see "
                             "'exohunt train --labels'); with kind and snr columns (a simulator "
                             "truth table) it is also the truth table")
    parser.add_argument("--positive", default=None,
                        help="with --labels: dispositions counted as planets, e.g. "
                             "CONFIRMED,CANDIDATE")
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
    from exohunt.errors import InputError
    from exohunt.evaluation.data import find_sibling_truth
    from exohunt.evaluation.evaluator import check_report_dir, evaluate
    from exohunt.io import read

    check_report_dir(Path(args.out))
    if args.positive and not args.labels:
        raise InputError("--positive needs --labels TABLE (the table's dispositions)")
    choice = choose_model(list(args.data), args.model)
    if not choice.inputs:
        raise InputError("no DATA given; expected labelled data after the run directory")
    args.data = choice.inputs
    run_ = load_choice(choice)
    data_arg = args.data[0] if len(args.data) == 1 else args.data
    truth = args.truth
    if truth is None and not args.no_truth and not isinstance(data_arg, list):
        truth = find_sibling_truth(data_arg)
        if truth is not None:
            print(f"Using truth table {truth} (found next to {args.data}; --no-truth to skip)",
                  file=sys.stderr)
    elif truth is not None and not Path(truth).is_file():
        raise InputError(f"{truth}: truth table not found; expected a CSV with label, kind, snr")
    data = read(data_arg, format=args.input_format, flux_column=args.flux_column)
    if args.labels is not None:
        from exohunt.io.labels import apply_labels

        positive = tuple(p.strip() for p in args.positive.split(",")) if args.positive else None
        data, rows = apply_labels(data, args.labels, positive=positive)
        if truth is None and not args.no_truth and {"kind", "snr"} <= set(rows.columns):
            truth = rows.drop(columns=["index"], errors="ignore")
    name = data_arg if isinstance(data_arg, str) else _common_folder(data_arg)
    result = evaluate(run_, data, truth=truth, out=args.out, seed=args.seed,
                      n_bootstrap=args.bootstrap, jobs=args.jobs, progress=not args.quiet,
                      data_name=name, record=choice.bundled is None)
    print_summary(result)
    if result.get("warning"):
        print(f"warning: {result['warning']}", file=sys.stderr)
    print(f"\nReport: {result['report']}")
    return 0


def _common_folder(paths: list[str]) -> str:
    """The folder several DATA paths share (the report's and the run's record's name)."""
    import os

    try:
        return os.path.commonpath([os.path.abspath(p) for p in paths]) or paths[0]
    except ValueError:  # different drives
        return paths[0]
