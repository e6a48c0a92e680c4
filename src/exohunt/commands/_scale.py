"""Command-line options of scale runs, shared by ``exohunt predict`` and ``exohunt search``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from exohunt.errors import InputError


def add_scale_options(parser: argparse.ArgumentParser) -> None:
    """``--scheduler``, ``--input-list``, ``--shard``, ``--csv``, ``--file-timeout``."""
    group = parser.add_argument_group(
        "scale out", "run on a Dask cluster or as shards of an array job, into a resumable "
        "output folder (Parquet parts, manifest.json, errors table); any of these options, an "
        "@LIST input or an existing --out folder selects it")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="Dask scheduler (tcp://host:8786), or 'local' for a LocalCluster "
                            "of --jobs workers (default: $EXOHUNT_SCHEDULER, else no Dask)")
    group.add_argument("--input-list", default=None, metavar="FILE",
                       help="file listing input paths or URLs, one per line (same as @FILE)")
    group.add_argument("--shard", default=None, metavar="I/N",
                       help="process only the I-th of N slices of the listing (0 <= I < N; "
                            "e.g. $SLURM_ARRAY_TASK_ID/10); the last shard to finish merges")
    group.add_argument("--csv", action="store_true",
                       help="also write all rows as one CSV into the output folder at the end")
    group.add_argument("--file-timeout", type=float, default=300.0, metavar="S",
                       help="seconds one file may take on a worker before the worker is "
                            "restarted and the file listed in errors (default 300)")


def require_inputs(args: argparse.Namespace) -> None:
    """Fail unless INPUT or ``--input-list`` names something (INPUT is optional: ``nargs="*"``)."""
    if not args.inputs and args.input_list is None:
        raise InputError("no INPUT given; expected files, folders, globs, @FILE or "
                         "--input-list FILE")


def wants_scale(args: argparse.Namespace, out_is_folder: bool) -> str | None:
    """The scheduler (or ``""`` for a scale run without Dask); None for the classic path."""
    from exohunt.scale.engine import environment_scheduler

    scheduler = environment_scheduler(args.scheduler)
    listed = args.input_list is not None or any(str(i).startswith("@") for i in args.inputs)
    if scheduler or args.shard or listed or out_is_folder:
        return scheduler or ""
    return None


def scale_options(args: argparse.Namespace, scheduler: str) -> dict:
    """Keyword arguments of :func:`exohunt.scale.scan` from the command line."""
    if args.chunk_size is not None and args.chunk_size < 1:
        raise InputError(f"--chunk-size must be at least 1, got {args.chunk_size}")
    if not args.file_timeout > 0:
        raise InputError(f"--file-timeout must be positive seconds, got {args.file_timeout}")
    from exohunt.scale import DEFAULT_SCALE_CHUNK

    return {"scheduler": scheduler or None, "jobs": args.jobs, "shard": args.shard,
            "input_list": args.input_list, "progress": not args.quiet,
            "chunk_size": args.chunk_size or DEFAULT_SCALE_CHUNK,
            "file_timeout": args.file_timeout}


def print_summary(command: str, summary) -> None:
    """What a scale run did, in two lines."""
    print(f"{command}: {summary.n_chunks - summary.n_skipped} of {summary.n_chunks} chunks run "
          f"({summary.n_skipped} finished earlier), {summary.n_stars} stars in "
          f"{summary.seconds:.1f} s, {summary.n_candidates} candidates, {summary.n_errors} "
          f"unreadable inputs, {summary.n_retried} chunks retried file by file -> "
          f"{summary.out}")
    merged = summary.merged
    if merged is None:
        print("not all chunks are done yet (other shards, or rerun to resume); the final "
              "tables are written by the run that finishes the last chunk", file=sys.stderr)
    else:
        print(f"complete: {merged['n_rows']} rows, {merged['n_candidates']} candidates, "
              f"{merged['n_errors']} errors ({Path(summary.out) / 'errors.csv'})")
