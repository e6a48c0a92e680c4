"""The ``exohunt`` command.

Each subcommand lives in :mod:`exohunt.commands` as a module with ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. This file only assembles them and turns
user errors (:class:`exohunt.errors.ExohuntError`) into one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from exohunt import __version__
from exohunt.errors import ExohuntError

# Order is the order shown by ``exohunt --help``; it follows the flow of DESIGN.md.
COMMANDS = ("demo", "simulate", "train", "evaluate", "predict", "search", "compare", "info")


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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except ExohuntError as error:
        print(f"exohunt {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"exohunt {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
