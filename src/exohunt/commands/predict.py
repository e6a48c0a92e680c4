"""``exohunt predict [RUN_DIR] INPUT... [--model NAME] [--out predictions.csv]``: score any
readable input with a trained run, or with a bundled model when no run directory is given."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from exohunt.commands._common import (
    add_jobs,
    add_quiet,
    add_read_options,
    add_seed,
    seed_everything,
)
from exohunt.commands._model_choice import add_model_option, choose_model, load_choice
from exohunt.commands._scale import (
    add_scale_options,
    print_summary,
    require_inputs,
    scale_options,
    wants_scale,
)

HELP = ("score light curves with the bundled model or a trained run: predictions.csv (+ a PNG "
        "per candidate)")
DEFAULT_OUT = "predictions.csv"
#: Up to this many rows are also printed, so scoring a few files shows the answer at once.
PRINTED_ROWS = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.usage = "exohunt predict [RUN_DIR] INPUT... [--model NAME] [--out CSV|DIR] [options]"
    parser.add_argument("inputs", metavar="[RUN_DIR] INPUT", nargs="*",
                        help="optional run directory made by 'exohunt train' (default: the "
                             "bundled model), then Kaggle CSV, FITS files or folders, time/flux "
                             "tables, npy/npz, …, or @FILE listing paths one per line")
    add_model_option(parser)
    parser.add_argument("--out", default=None, metavar="CSV|DIR",
                        help=f"predictions CSV to write (default {DEFAULT_OUT}); a folder for "
                             "a scale run (see below)")
    parser.add_argument("--plots", default=None, metavar="DIR",
                        help="write a diagnostic PNG per candidate into DIR")
    parser.add_argument("--sort", action="store_true", help="sort rows by probability")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first unreadable input (default: report and skip it)")
    parser.add_argument("--threshold", type=float, default=None, metavar="P",
                        help="candidate threshold instead of the run's stored one (the run's "
                             "validation operating points are in RUN_DIR/config.json and "
                             "printed by exohunt train)")
    parser.add_argument("--signals", type=int, default=None, metavar="N",
                        help="score up to N signals per star, one row each (search-based "
                             "models; default: as many as the run was trained on, 1 unless "
                             "it was trained with --signals: the strongest signal only)")
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="stars scored at once; bounds memory (default 1024); in a scale "
                             "run, files per task (default 128)")
    add_jobs(parser)
    add_seed(parser)
    add_read_options(parser)
    add_quiet(parser)
    add_scale_options(parser)


def _run_scale(args: argparse.Namespace, scheduler: str, read_options: dict) -> int:
    from exohunt.errors import InputError
    from exohunt.scale import predict_scale

    if args.strict or args.sort:
        raise InputError("--strict and --sort do not apply to a scale run: unreadable inputs "
                         "go to OUT/errors.csv, and the rows keep the listing's order")
    summary = predict_scale(args.run_dir, args.inputs, args.out, threshold=args.threshold,
                            signals_per_star=args.signals, read_options=read_options,
                            plots=args.plots, csv=args.csv, **scale_options(args, scheduler))
    print_summary("exohunt predict", summary)
    return 0


def _print_rows(path: Path) -> None:
    """The rows of a small result, the columns a reader looks at first."""
    import pandas as pd

    rows = pd.read_csv(path)
    if rows.empty or len(rows) > PRINTED_ROWS:
        return
    rows = rows.assign(source=[Path(str(s)).name for s in rows["source"]])
    columns = [c for c in ("source", "index", "signal", "probability", "is_candidate",
                           "period_days", "depth_ppm", "snr") if c in rows]
    print(rows[columns].to_string(index=False, float_format=lambda v: f"{v:.4g}"))


def run(args: argparse.Namespace) -> int:
    from exohunt.errors import InputError
    from exohunt.predict import fits_one_task

    choice = choose_model(list(args.inputs), args.model)
    if not args.scheduler and fits_one_task(choice.inputs, {"format": args.input_format}):
        args.jobs = 1  # a few files: no pool (predict() decides alike), so no fork server
    if not args.scheduler:  # a local pool (scale runs' too) uses the same fork server
        # The workers' fork server imports and loads the model on the other core while this
        # one does the same, instead of after; its workers then inherit the loaded model.
        from exohunt.scoring_pool import start_server_early

        start_server_early(args.jobs, choice.directory)
    from exohunt.predict import DEFAULT_CHUNK_SIZE, predict

    args.run_dir, args.inputs = choice.directory, choice.inputs
    require_inputs(args)
    read_options = {k: v for k, v in (("format", args.input_format),
                                      ("flux_column", args.flux_column)) if v is not None}
    out = DEFAULT_OUT if args.out is None else str(args.out)
    scheduler = wants_scale(args, Path(out).is_dir() or out.endswith(("/", os.sep)))
    if scheduler is not None and args.out is None:
        raise InputError("a scale run writes a folder: give --out DIR")
    args.out = out
    run_ = load_choice(choice)
    seed_everything(args.seed)
    if scheduler is not None:
        return _run_scale(args, scheduler, read_options)

    def report(source: str, message: str) -> None:
        from tqdm.auto import tqdm

        text = message if message.startswith(source) else f"{source}: {message}"
        tqdm.write(f"skipped {text}", file=sys.stderr)  # on its own line, not inside the bar

    summary = predict(run_, args.inputs, out=args.out, jobs=args.jobs, strict=args.strict,
                      plots=args.plots, sort=args.sort, progress=not args.quiet,
                      chunk_size=DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size,
                      read_options=read_options, report=report,
                      signals_per_star=args.signals, threshold=args.threshold)
    print(f"Scored {summary.n_stars} stars from {summary.n_inputs} inputs in "
          f"{summary.seconds:.1f} s ({summary.stars_per_second:.1f} stars/s): "
          f"{summary.n_candidates} candidates (threshold "
          f"{run_.threshold if args.threshold is None else args.threshold:.3g}), "
          f"{summary.n_rows} rows -> {summary.out}"
          + (f" (bundled model {choice.bundled!r})" if choice.bundled else ""))
    _print_rows(Path(summary.out))
    if summary.plots:
        print(f"{len(summary.plots)} candidate plots in {args.plots}")
    if summary.skipped:
        print(f"{len(summary.skipped)} unreadable inputs skipped (listed above; --strict makes "
              "this fatal)")
    return 0
