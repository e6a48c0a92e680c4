"""What a ``predict`` worker costs before its first useful star, with and without the fork
server's warm-up (:mod:`exohunt._worker_warmup`).

Each variant runs in a fresh interpreter (the fork server is one per process, its preload list
fixed when it starts): a one-worker pool made as :class:`exohunt.scoring_pool.ChunkScorer`
makes it (same context, same initializer loading the bundled default), then

- **init CPU**: the worker's own CPU time when its first task starts (a forked process starts
  at zero: this is what it spent loading the run after the fork);
- **per-star CPU**: the worker's CPU for ``Run.predict`` of each of the first four simulated
  TESS 2-min files in turn (the first carries whatever was not compiled or imported yet).

    python benchmarks/bench_worker_startup.py [--repeats 2] [--work W --tess-set N]

Results: ``benchmarks/results_predict_overhead.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "bundled"), str(HERE)]

BASE_PRELOAD = ["exohunt.scoring_pool", "exohunt.training.ensemble", "exohunt.search"]
VARIANTS = {"without warm-up": BASE_PRELOAD,
            "with _worker_warmup": [*BASE_PRELOAD, "exohunt._worker_warmup"]}


def _init_cpu() -> float:
    return time.process_time()


def _per_star_cpu(paths: list[str]) -> list[float]:
    import warnings

    import exohunt
    from exohunt import scoring_pool

    out = []
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lc = exohunt.read(path)
            started = time.process_time()
            scoring_pool._RUN.predict([lc], jobs=1, progress=False)
        out.append(time.process_time() - started)
    return out


def child(variant: str, paths: list[str]) -> dict:
    from multiprocessing import get_context

    from exohunt import scoring_pool
    from exohunt.bundled import bundled_run_dir

    context = get_context("forkserver")
    context.set_forkserver_preload(VARIANTS[variant])
    with ProcessPoolExecutor(1, mp_context=context, initializer=scoring_pool._init_worker,
                             initargs=(str(bundled_run_dir()),)) as pool:
        init = pool.submit(_init_cpu).result()
        stars = pool.submit(_per_star_cpu, paths).result()
    return {"variant": variant, "init_s": init, "stars_s": stars}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_predict"))
    parser.add_argument("--tess-set", type=int, default=160,
                        help="size of the simulated TESS set the 4 files come from (as "
                             "bench_predict.py --tess-set: made once under --work)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.paths)))
        return 0
    from _default_data import TEST_SEED_OFFSET, flavour_files

    from _machine import machine_description

    paths = sorted(flavour_files(args.work, "tess-2min", "test", TEST_SEED_OFFSET,
                                 args.tess_set))[:4]
    print(f"{machine_description('numpy', 'sklearn')}; one worker, bundled default, "
          f"4 TESS 2-min files\n")
    print("| preload | worker init CPU [s] | first 4 stars CPU [s] |\n|---|---|---|")
    for variant in VARIANTS:
        inits, stars = [], []
        for _ in range(args.repeats):
            done = subprocess.run([sys.executable, __file__, "--child", variant, *paths],
                                  capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            inits.append(f"{result['init_s']:.2f}")
            stars.append(" / ".join(f"{s:.2f}" for s in result["stars_s"]))
        print(f"| {variant} | {', '.join(inits)} | {'; '.join(stars)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
