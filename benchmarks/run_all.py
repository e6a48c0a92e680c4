"""Run every benchmark script and collect their Markdown into one file.

Usage::

    python benchmarks/run_all.py            # the full set (an hour or more on 2 cores)
    python benchmarks/run_all.py --quick    # a smoke run of each script (minutes)

Each ``benchmarks/bench_*.py`` script accepts ``--quick`` and writes its own
``benchmarks/results_<area>.md``; this script runs them one after another (never in parallel,
so that timings don't disturb each other) and concatenates the result files, with the machine
description, into ``benchmarks/results_all.md``. BENCHMARKS.md quotes from those files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from _machine import machine_description

HERE = Path(__file__).resolve().parent

# Cheap ones first, so that a broken environment fails fast.
ORDER = ("read", "simulate", "search", "predict", "train", "models", "demo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke-run every script")
    parser.add_argument("--only", nargs="*", default=None, choices=ORDER,
                        help="run only these benchmarks")
    args = parser.parse_args(argv)
    names = args.only or list(ORDER)
    sections = [f"# exohunt benchmark results ({'quick' if args.quick else 'full'} run)\n",
                f"Date: {dt.date.today().isoformat()}  \n"
                f"Machine: {machine_description('numpy', 'torch')}\n"]
    failed = []
    for name in names:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"[run_all] skipping {script.name}: not present", file=sys.stderr)
            continue
        command = [sys.executable, str(script), *(["--quick"] if args.quick else [])]
        print(f"[run_all] {' '.join(command)}", flush=True)
        start = time.perf_counter()
        status = subprocess.run(command, check=False).returncode
        seconds = time.perf_counter() - start
        print(f"[run_all] {script.name}: exit {status} after {seconds:.0f} s", flush=True)
        if status != 0:
            failed.append(script.name)
            continue
        result = HERE / f"results_{name}.md"
        if result.exists():
            sections.append(result.read_text())
    (HERE / "results_all.md").write_text("\n\n".join(sections))
    print(f"[run_all] wrote {HERE / 'results_all.md'}")
    if failed:
        print(f"[run_all] failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
