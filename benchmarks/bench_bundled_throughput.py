"""`exohunt predict` with the bundled default on N simulated TESS 2-min light curves (issue 16).

Writes N TESS 2-min sectors (~18,000 cadences each, the ``tess-2min`` flavour of the bundled
model's held-out seed; ``--flavour kepler-lc`` for Kepler long-cadence quarters, ~4,300
cadences, the Kepler-length rate beside it) as FITS files once, then times the command line
end to end, as a user runs it: ``exohunt predict FILE... --out predictions.csv --jobs J``
(read, search + vetting, trees, CSV; worker start-up included). Reports stars/s per run
and their median.

    python benchmarks/bench_bundled_throughput.py --stars 1000 --repeats 2 --jobs 2
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "bundled")]

from _default_data import TEST_SEED_OFFSET, flavour_files  # noqa: E402

from _machine import machine_description  # noqa: E402

TEST_SEED = 0 + TEST_SEED_OFFSET  # the bundled default's held-out seed (build seed 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stars", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", default="/tmp/bench_bundled_throughput")
    parser.add_argument("--flavour", default="tess-2min",
                        help="simulated mission flavour of the files (default tess-2min)")
    args = parser.parse_args(argv)
    work = Path(args.work)
    files = sorted(flavour_files(work, args.flavour, "test", TEST_SEED, args.stars))
    exohunt = str(Path(sys.executable).with_name("exohunt"))
    walls = []
    for repeat in range(args.repeats):
        out = work / f"predictions-{repeat}.csv"
        out.unlink(missing_ok=True)
        started = time.perf_counter()
        subprocess.run([exohunt, "predict", *files, "--out", str(out), "--jobs", str(args.jobs)],
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        print(f"run {repeat}: {walls[-1]:.1f} s, {len(files) / walls[-1]:.2f} stars/s", flush=True)
    print(f"{machine_description('numpy', 'sklearn')}; {len(files)} {args.flavour} files, "
          f"jobs {args.jobs}: median {len(files) / statistics.median(walls):.2f} stars/s "
          f"(runs: {', '.join(f'{w:.1f}' for w in walls)} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
