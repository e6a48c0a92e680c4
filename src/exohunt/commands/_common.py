"""Options shared by several subcommands, so that they read the same everywhere."""

from __future__ import annotations

import argparse


def add_seed(parser: argparse.ArgumentParser, default: int = 42) -> None:
    """``--seed N``: every random choice of the command derives from it."""
    parser.add_argument("--seed", type=int, default=default,
                        help=f"random seed for reproducible results (default {default})")


def add_jobs(parser: argparse.ArgumentParser) -> None:
    """``--jobs N``: worker processes (0 = all cores)."""
    parser.add_argument("--jobs", type=int, default=0,
                        help="worker processes for per-star work (default 0 = all cores)")


def add_device(parser: argparse.ArgumentParser) -> None:
    """``--device``: where neural networks run."""
    parser.add_argument("--device", default="auto",
                        help="torch device: auto (GPU when present), cpu, cuda, cuda:1, mps")


def add_read_options(parser: argparse.ArgumentParser) -> None:
    """Options that control how input files are read."""
    parser.add_argument("--format", dest="input_format", default=None,
                        help="input format (default: detected from the file)")
    parser.add_argument("--flux-column", default=None,
                        help="FITS flux column to use (default: PDCSAP_FLUX or the product's own)")
