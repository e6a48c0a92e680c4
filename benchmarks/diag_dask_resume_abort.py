"""Diagnostic: how often does a resumed Dask scan abort at interpreter exit?

Runs ``tests/test_scale_dask.py::test_client_killed_mid_run_resumes_to_the_same_table`` (a
scan whose client is killed mid-run, then resumed) ``--runs`` times, each in a fresh pytest
process with ``PYTHONFAULTHANDLER=1``, and counts the runs that fail and those whose resumed
client died with "terminate called without an active exception" (an abort during
finalization, after its output was complete). Round 17 saw 2 such aborts in 16 runs while the
finished parts were read with Arrow's thread pool; ``scale.shards._parts`` now reads them in
the calling thread.

    python benchmarks/diag_dask_resume_abort.py --runs 30

``--test`` runs another test the same way, e.g. round 18's
``tests/test_scale_dask.py::test_scheduler_killed_mid_run_resumes_on_a_fresh_one`` (one
fresh-clone CI run saw its client exit 1 instead of 2 once; the failing runs' output is
printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/test_scale_dask.py::test_client_killed_mid_run_resumes_to_the_same_table"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--test", default=TEST, help=f"pytest node id (default {TEST})")
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    failed = aborted = 0
    for run in range(1, args.runs + 1):
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               args.test], cwd=ROOT, env=env, capture_output=True, text=True)
        bad = done.returncode != 0
        failed += bad
        aborted += bad and "terminate called without an active exception" in done.stdout
        print(f"run {run}: {'FAILED' if bad else 'passed'}", flush=True)
        if bad:
            print(done.stdout[-3000:], flush=True)
    print(f"{args.runs} runs: {failed} failed, {aborted} of them aborted at exit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
