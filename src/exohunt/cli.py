"""The ``exohunt`` command.

Each subcommand lives in :mod:`exohunt.commands` as a module with ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. This file only assembles them and turns
user errors (:class:`exohunt.errors.ExohuntError`) into one line on stderr and exit status 2,
and data-quality warnings (:class:`exohunt.errors.DataQualityWarning`) into one line each.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from exohunt import __version__
from exohunt.errors import DataQualityWarning, ExohuntError

# Order is the order shown by ``exohunt --help``; it follows the flow of DESIGN.md.
COMMANDS = ("demo", "simulate", "train", "tune", "evaluate", "predict", "models", "search",
            "compare", "info")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, subcommands included."""
    parser = argparse.ArgumentParser(
        prog="exohunt",
        description="Find transiting exoplanets in stellar light curves.",
    )
    parser.add_argument("--version", action="version", version=f"exohunt {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"exohunt.commands.{name}")
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def _one_line_warnings(command: str, show: Any) -> Any:
    """``warnings.showwarning`` printing a DataQualityWarning as one line on stderr
    (``exohunt COMMAND: warning: <file>: <what was set aside>``); others as before."""
    def showwarning(message: Any, category: type, filename: str, lineno: int,
                    file: Any = None, line: str | None = None) -> None:
        if issubclass(category, DataQualityWarning):
            print(f"exohunt {command}: warning: {message}", file=sys.stderr, flush=True)
        else:
            show(message, category, filename, lineno, file, line)

    return showwarning


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warnings(args.command, warnings.showwarning)
            return int(args._run(args) or 0)
    except ExohuntError as error:
        print(f"exohunt {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"exohunt {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
