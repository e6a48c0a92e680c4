"""Benchmark: CPU per star of ``extract_features`` on Kaggle-layout rows, this code beside an
older checkout, interleaved in fresh processes (a CPU-time ratio holds on a loaded machine where
wall times do not).

    git worktree add ../old 4fde671
    python benchmarks/bench_feature_cpu.py --old-src ../old/src [--stars 300] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import sys, time, warnings
warnings.simplefilter("ignore")
import exohunt
from exohunt.search.features import extract_features
n = int(sys.argv[1])
batch = exohunt.simulate(preset="kaggle", seed=7).train.subset(list(range(n)))
extract_features(batch.subset(list(range(5))), jobs=1)  # compile/warm the numba kernels
start = time.process_time()
extract_features(batch, jobs=1)
print(1e3 * (time.process_time() - start) / n)
"""


def cpu_ms(src: Path, stars: int) -> float:
    """CPU ms per star of one fresh process running the code under ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(stars)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-src", required=True, type=Path, help="an older checkout's src/")
    parser.add_argument("--stars", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from _machine import machine_description

    print(machine_description("numpy", "scipy", "numba"))
    here = HERE.parent / "src"
    rows = []
    for _ in range(args.repeats):
        rows.append((cpu_ms(args.old_src, args.stars), cpu_ms(here, args.stars)))
    for old, new in rows:
        print(f"old {old:.1f} ms   this {new:.1f} ms   ratio {new / old:.2f}")


if __name__ == "__main__":
    main()
