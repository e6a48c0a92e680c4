"""``exohunt compare RUN_DIR... [--markdown FILE]``: one table of metrics, times and sizes."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "compare runs: planet-class P/R/F1/AP with intervals, threshold, time, throughput, size"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", metavar="RUN_DIR", nargs="+",
                        help="run directories (their latest 'exohunt evaluate') or report "
                             "directories written by 'exohunt evaluate --out'")
    parser.add_argument("--markdown", default=None, metavar="FILE",
                        help="also write the table as Markdown to FILE")


def run(args: argparse.Namespace) -> int:
    from exohunt.evaluation.compare import collect, comparison_markdown, comparison_text

    rows = collect(args.paths)
    print("Planet class on each run's latest evaluation (95% bootstrap intervals); "
          "training time and model size from the run")
    print(comparison_text(rows))
    if any(row.data.startswith("validation") for row in rows):
        print("Runs marked 'validation' have not been evaluated: run 'exohunt evaluate' first.")
    if args.markdown:
        Path(args.markdown).write_text(comparison_markdown(rows) + "\n")
        print(f"Markdown table: {args.markdown}")
    return 0
