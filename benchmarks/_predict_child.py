"""One source tree's side of ``bench_predict.py --ref-src``: run in a fresh interpreter with
``PYTHONPATH`` set to that tree, it measures :func:`exohunt.predict.predict` and prints one JSON
object on its last line.

    python benchmarks/_predict_child.py rates RUN_DIR INPUT... --jobs 1 2 --repeats 1
    python benchmarks/_predict_child.py stages RUN_DIR INPUT...

``rates``: per ``jobs`` value, the wall time and stars/s of ``predict`` (after a warm-up call
on the first input's first stars: numba kernels, the trees' first call, the worker pool's
code paths) and, for ``jobs=1``, the CPU ms per star of this process.

``stages``: one ``predict`` call with ``jobs=1`` (everything in this process) after a
warm-up, its CPU time split into stages by timing the functions that bound them (exclusive:
a stage's time leaves out the stages inside it; "write CSV, chunking, bookkeeping" is the
rest). No profiler: its overhead would inflate the Python-heavy stages (astropy's FITS
parsing 3x) and not the compiled ones.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

def _instrument():
    """Time the functions that bound each stage (exclusive CPU time, as profile_search)."""
    from exohunt.io import api
    from exohunt.search import core, features
    from exohunt.training import run
    from profile_search import StageTimer

    timer = StageTimer()
    timer.wrap(api, "read_file", "read input (parse, LightCurve/batch)")
    timer.wrap(features, "search", "search (detrend, pre-whiten, BLS, vetting)")
    timer.wrap(core, "context_statistics", "context statistics (centroid, catalogue)")
    timer.wrap(features, "make_views", "views")
    timer.wrap(features, "star_signal_features", "per-star rows (stats dicts)")
    timer.wrap(features, "_run", "light curves from rows / payloads")
    timer.wrap(run, "extract", "feature tables (stack views, DataFrames)")
    timer.wrap(run.Run, "_score_raw", "trees (gbm scoring)")
    timer.wrap(run, "prediction_table", "prediction table")
    timer.wrap(run.Run, "predict", "Run.predict other")
    return timer


def _inputs(paths: list[str]) -> tuple[object, int]:
    """What ``predict`` gets (one CSV path, or the list of files) and the number of stars."""
    if len(paths) == 1 and paths[0].endswith(".csv"):
        import exohunt

        return paths[0], len(exohunt.read(paths[0]))
    return paths, len(paths)


def _warm_inputs(paths: list[str], folder: Path) -> object:
    if len(paths) == 1 and paths[0].endswith(".csv"):
        import exohunt
        from exohunt.io.writers import write_kaggle_csv

        return str(write_kaggle_csv(folder / "warm.csv", exohunt.read(paths[0]).subset(
            list(range(8)))))
    return paths[:4]


def rates(run_dir: str, paths: list[str], jobs_list: list[int], repeats: int) -> dict:
    from exohunt.predict import predict
    from exohunt.training import load_model

    run = load_model(run_dir)
    inputs, n = _inputs(paths)
    out: dict = {"n": n, "rows": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        warm = _warm_inputs(paths, folder)
        for jobs in jobs_list:
            predict(run, warm, out=folder / "warm_pred.csv", jobs=jobs, progress=False)
        for repeat in range(repeats):
            for jobs in jobs_list:
                cpu, started = time.process_time(), time.perf_counter()
                summary = predict(run, inputs, out=folder / f"p{jobs}.csv", jobs=jobs,
                                  progress=False)
                wall = time.perf_counter() - started
                out["rows"].append({"jobs": jobs, "repeat": repeat, "wall_s": wall,
                                    "stars_per_s": summary.n_stars / wall,
                                    "cpu_ms": (1e3 * (time.process_time() - cpu) / n
                                               if jobs == 1 else None),
                                    "load": os.getloadavg()[0]})
    return out


def stages(run_dir: str, paths: list[str]) -> dict:
    from exohunt.predict import predict
    from exohunt.training import load_model

    run = load_model(run_dir)
    inputs, n = _inputs(paths)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        predict(run, _warm_inputs(paths, folder), out=folder / "w_pred.csv", jobs=1,
                progress=False)
        timer = _instrument()
        cpu = time.process_time()
        predict(run, inputs, out=folder / "p.csv", jobs=1, progress=False)
        total = time.process_time() - cpu
    ms = {stage: 1e3 * seconds / n for stage, seconds in timer.seconds.items()}
    ms["write CSV, chunking, bookkeeping"] = 1e3 * total / n - sum(ms.values())
    return {"n": n, "cpu_ms": 1e3 * total / n, "stage_ms": ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("rates", "stages"))
    parser.add_argument("run")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # catalogue values out of range in simulated headers
    result = (rates(args.run, args.inputs, args.jobs, args.repeats) if args.what == "rates"
              else stages(args.run, args.inputs))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
