"""``exohunt search INPUT... --out DIR``: period search and vetting, no model.

Writes ``DIR/candidates.csv`` (one row per signal: ``source, index, period_days, t0_days,
duration_hours, depth_ppm, snr``, then ``sde``, ``kind`` and the vetting statistics;
``kind`` is ``periodic``, or ``single`` for a transit-like dip seen once, whose period, SDE
and vetting statistics are empty and which never passes vetting; ``notes`` says what the
junk masking, and with ``--flares`` the flare removal, took out before the search, see
``--junk``) and, unless
``--no-plots``, one diagnostic PNG per star in ``DIR/plots/``. Stars are searched in parallel
worker processes (``--jobs``); the search is deterministic, so ``--seed`` changes nothing and
is accepted for a uniform command line.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from exohunt.commands._common import add_jobs, add_quiet, add_read_options
from exohunt.commands._scale import (
    add_scale_options,
    print_summary,
    require_inputs,
    scale_options,
    wants_scale,
)
from exohunt.errors import InputError

HELP = "search light curves for periodic transits (BLS) and vet them: candidates.csv + plots"
DETREND_CHOICES = ("biweight", "median")
#: exohunt.search.junk.JUNK_MODES, spelled out so that --help need not import the search
JUNK_CHOICES = ("auto", "strict", "off")
LEAD_COLUMNS = ["source", "index", "period_days", "t0_days", "duration_hours", "depth_ppm",
                "snr", "sde"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="light-curve files, folders or glob patterns (any readable "
                             "format), or @FILE listing paths one per line")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--max-signals", type=int, default=3,
                        help="most signals per star (default 3)")
    parser.add_argument("--min-sde", type=float, default=None,
                        help="stop searching a star below this SDE (default: the vetting SDE)")
    parser.add_argument("--period-min", type=float, default=None, help="days (default 0.5)")
    parser.add_argument("--period-max", type=float, default=None,
                        help="days (default: half the baseline)")
    parser.add_argument("--detrend", default="biweight", choices=DETREND_CHOICES,
                        help="detrending method (default biweight)")
    parser.add_argument("--window-length", type=float, default=None,
                        help="detrending window in days (default from the baseline)")
    parser.add_argument("--junk", default="auto", choices=JUNK_CHOICES,
                        help="mask strong-background and elevated-scatter segments and clip "
                             "outliers before the search: auto; strict (never a dip a transit "
                             "of the shortest searched duration could make); off (default auto)")
    parser.add_argument("--flares", action="store_true",
                        help="remove flares (a sharp rise and its decaying tail) and detrend "
                             "again before the search: their tails drag the trend up and leave "
                             "dips beside them on active stars (default off)")
    parser.add_argument("--alias", action=argparse.BooleanOptionalAction, default=True,
                        help="report a signal at 2 or 3 times the periodogram's period where "
                             "folding there, at the best epoch, gives the higher box SNR: a "
                             "planet found at half or a third of its period (default on, as "
                             "in the models' features; --no-alias turns it off)")
    parser.add_argument("--no-plots", action="store_true", help="skip the diagnostic PNGs")
    add_quiet(parser)
    add_jobs(parser)
    parser.add_argument("--seed", type=int, default=42,
                        help="accepted for a command line like the other commands'; the search "
                             "is deterministic, nothing in it is random (default 42)")
    add_read_options(parser)
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="scale runs only: files per task (default 128)")
    add_scale_options(parser)


def _run_scale(args: argparse.Namespace, scheduler: str, options: dict) -> int:
    from exohunt.scale import search_scale

    read_options = {k: v for k, v in (("format", args.input_format),
                                      ("flux_column", args.flux_column)) if v is not None}
    summary = search_scale(args.inputs, args.out, search_options=options,
                           read_options=read_options,
                           plots=None if args.no_plots else Path(args.out) / "plots",
                           **scale_options(args, scheduler))
    print_summary("exohunt search", summary)
    return 0


def _stars(args: argparse.Namespace) -> tuple[list[tuple], list[str]]:
    """(source, index, LightCurve) for every star, and one line per unreadable input."""
    from exohunt.batch import LightCurveBatch, ViewBatch
    from exohunt.io import iter_inputs

    options = {} if args.flux_column is None else {"flux_column": args.flux_column}
    stars, problems = [], []
    for source, obj in iter_inputs(args.inputs, args.input_format, **options):
        if isinstance(obj, InputError):
            problems.append(str(obj))
        elif isinstance(obj, ViewBatch):
            problems.append(f"{source}: already-folded views (TFRecord) cannot be searched")
        elif isinstance(obj, LightCurveBatch):
            stars.extend((source, i, obj.lightcurve(i)) for i in range(len(obj)))
        elif isinstance(obj, list):
            stars.extend((source, 0, lc) for lc in obj)
        else:
            stars.append((source, 0, obj))
    return stars, problems


def _plot_name(source: str, index: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(source).name)
    return f"{stem}_{index}.png"


def _validate(args: argparse.Namespace) -> dict:
    if args.max_signals < 1:
        raise InputError(f"--max-signals must be at least 1, got {args.max_signals}")
    if args.jobs < 0:
        raise InputError(f"--jobs must be >= 0 (0 = all cores), got {args.jobs}")
    for name in ("period_min", "period_max", "window_length"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            raise InputError(f"--{name.replace('_', '-')} must be positive days, got {value}")
    options = {"max_signals": args.max_signals, "period_min": args.period_min,
               "period_max": args.period_max, "detrend_method": args.detrend,
               "window_length": args.window_length, "junk": args.junk, "flares": args.flares,
               "alias": args.alias}
    if args.min_sde is not None:
        options["min_sde"] = args.min_sde
    return options


def run(args: argparse.Namespace) -> int:
    from exohunt.search.runner import search_stars

    options = _validate(args)
    require_inputs(args)
    scheduler = wants_scale(args, out_is_folder=False)
    if scheduler is not None:
        return _run_scale(args, scheduler, options)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    stars, problems = _stars(args)
    for line in problems:
        print(f"exohunt search: skipped: {line}", file=sys.stderr)
    if not stars:
        raise InputError("no readable light curve among the inputs")
    plots = None if args.no_plots else out / "plots"
    (plots or out).mkdir(parents=True, exist_ok=True)
    tasks = [(source, index, lc, None if plots is None else plots / _plot_name(source, index))
             for source, index, lc in stars]
    rows = search_stars(tasks, options, jobs=args.jobs, progress=not args.quiet)
    columns = [*LEAD_COLUMNS, "kind"]
    for row in rows:
        columns += [c for c in row if c not in columns]
    with open(out / "candidates.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    passing = sum(bool(r["passes_vetting"]) for r in rows)
    singles = sum(r["kind"] == "single" for r in rows)
    print(f"searched {len(stars)} light curve(s): {len(rows) - singles} signal(s), {passing} "
          f"passing vetting, {singles} single event(s) -> {out / 'candidates.csv'}"
          + ("" if plots is None else f", {plots}/"))
    return 0
