"""What the imports on ``exohunt predict``'s path cost, each in a fresh interpreter.

CPU seconds (user + system of the child) of ``python -c STATEMENT`` less that of
``python -c pass``, median of ``--repeats``: importing torch; importing skops' loader as
skops does it (its ``all_estimators`` walk imports torch through scikit-learn's vendored
``array_api_compat.torch``) and with torch refused (``exohunt._imports.import_without_torch``);
and loading the bundled default the way ``exohunt predict`` does, with whether torch ended
up imported.

    python benchmarks/diag_predict_imports.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

from _machine import machine_description  # noqa: E402

STATEMENTS = {
    "import torch": "import torch",
    "import skops.io (as skops does it)": "import skops.io",
    "import skops.io, torch refused (exohunt._imports)":
        "from exohunt._imports import import_without_torch; import_without_torch('skops.io')",
    "load the bundled default (as exohunt predict)":
        "import sys; from exohunt.training.ensemble import load_model; "
        "from exohunt.bundled import bundled_run_dir; load_model(bundled_run_dir()); "
        "print('torch imported:', 'torch' in sys.modules)",
}


def _cpu(statement: str) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True,
                          check=True, env={**os.environ,
                                           "PYTHONPATH": str(HERE.parent / "src")})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done.stdout.strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    base = statistics.median(_cpu("pass")[0] for _ in range(args.repeats))
    print(f"{machine_description('numpy', 'sklearn')}; CPU s beyond `python -c pass` "
          f"({base:.2f} s), median of {args.repeats}\n")
    print("| statement | CPU s | output |\n|---|---|---|")
    for label, statement in STATEMENTS.items():
        runs = [_cpu(statement) for _ in range(args.repeats)]
        cpu = statistics.median(c for c, _ in runs) - base
        print(f"| {label} | {cpu:.2f} | {runs[-1][1]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
