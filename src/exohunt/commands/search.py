"""``exohunt search``: not implemented yet."""

from __future__ import annotations

import argparse

from exohunt.errors import NotImplementedYetError

HELP = "(search: not implemented yet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    raise NotImplementedYetError("'exohunt search' is not implemented yet")
