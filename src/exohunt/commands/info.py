"""``exohunt info``: not implemented yet."""

from __future__ import annotations

import argparse

from exohunt.errors import NotImplementedYetError

HELP = "(info: not implemented yet)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    raise NotImplementedYetError("'exohunt info' is not implemented yet")
