"""Options shared by several subcommands, so that they read the same everywhere."""

from __future__ import annotations

import argparse


def add_seed(parser: argparse.ArgumentParser, default: int = 42) -> None:
    """``--seed N``: every random choice of the command derives from it."""
    parser.add_argument("--seed", type=int, default=default,
                        help=f"random seed for reproducible results (default {default})")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """``--quiet`` (alias ``--no-progress``): hide the progress bar; ``args.quiet``."""
    parser.add_argument("--quiet", "--no-progress", dest="quiet", action="store_true",
                        help="no progress bar")


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


def load_run_or_fail(path):
    """Load a run directory, turning every way it can be wrong into a one-line user error.

    Returns the :class:`exohunt.training.Run`; raises :class:`exohunt.errors.RunDirectoryError`
    naming the path and what was expected (the CLI prints it and exits 2).
    """
    from pathlib import Path

    from exohunt.errors import ExohuntError, RunDirectoryError

    path = Path(path)
    expected = ("a run directory made by 'exohunt train' (config.json and model.pt or "
                "model.skops, or ensemble.json and member-NN/ run directories)")
    if not path.exists():
        raise RunDirectoryError(f"{path}: not found; expected {expected}")
    if not path.is_dir():
        raise RunDirectoryError(f"{path}: is not a directory; expected {expected}")
    from exohunt.training import load_model

    try:
        return load_model(path)
    except ExohuntError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise RunDirectoryError(f"{path}: cannot be loaded ({type(error).__name__}: {error}); "
                                f"expected {expected}") from None


def seed_everything(seed: int) -> None:
    """Seed torch, once the model has been loaded (exohunt's own numpy code takes explicit
    seeded generators). A tree model's run never imports torch, so there is nothing to seed:
    importing it only to seed it cost ``exohunt predict`` 1.2 s of CPU
    (``benchmarks/diag_predict_imports.py``)."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
