"""A user's first command: ``exohunt predict their_file.fits`` on one real file, end to end.

Wall time of the whole command as a user runs it (start-up, imports, loading the bundled
default, reading, search, trees, the CSV, exit), for this tree and, with ``--old-src``,
another one, alternating run by run so that both see the same machine. Median of
``--repeats`` runs each; the file is the real TESS sector of pi Men (a known planet) from
``../shared/data/lightcurves`` unless ``--file`` names another.

    python benchmarks/bench_first_predict.py [--old-src <worktree>/src] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

from _machine import machine_description  # noqa: E402

PI_MEN = "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits"


def _once(src: Path, file: Path, out: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    exohunt = str(Path(sys.executable).with_name("exohunt"))
    started = time.perf_counter()
    subprocess.run([exohunt, "predict", str(file), "--out", str(out), "--quiet"], env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path,
                        default=HERE.parents[1] / "shared" / "data" / "lightcurves" / PI_MEN)
    parser.add_argument("--old-src", type=Path, default=None,
                        help="another tree's src/ to time alternately (e.g. a worktree of main)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_first_predict.csv"))
    args = parser.parse_args(argv)
    trees = {"this tree": HERE.parent / "src"}
    if args.old_src is not None:
        trees["old tree"] = args.old_src
    walls: dict[str, list[float]] = {name: [] for name in trees}
    for src in trees.values():  # one untimed run each: numba caches, page cache
        _once(src, args.file, args.out)
    for _ in range(args.repeats):
        for name, src in trees.items():
            walls[name].append(_once(src, args.file, args.out))
    print(f"{machine_description('numpy', 'sklearn')}; exohunt predict {args.file.name} "
          "(bundled default, default options)\n")
    print("| tree | median wall s | runs |\n|---|---|---|")
    for name, values in walls.items():
        print(f"| {name} ({trees[name]}) | {statistics.median(values):.2f} | "
              f"{', '.join(f'{v:.2f}' for v in values)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
