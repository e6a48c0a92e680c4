"""Reading speed and peak memory: exohunt's Kaggle CSV reader against pandas, plus FITS/TFRecord.

Generates an exoTrain-sized Kaggle CSV (5,087 stars × 3,197 flux columns + LABEL, about
262 MB) in a temporary folder, then reads it with

- ``exohunt.io.read`` (pyarrow in 16 MiB slices straight to float32),
- ``pandas.read_csv(path, engine="pyarrow")``,
- ``pandas.read_csv(path)`` (the C engine),

each run in a fresh subprocess, round-robin, ``--runs`` times (median and min–max reported).
Peak memory is the rise of the process's high-water RSS during the read, measured from just
before it (after imports and a small warm-up read, so library code pages do not count): the
high-water mark is reset through ``/proc/self/clear_refs`` and read from ``VmHWM``
(``ru_maxrss`` where that is unavailable). It is compared with the float32 (N, T) array.
Also times reading the real FITS folder and TFRecord shards of ``../shared/data`` when present.

    python benchmarks/bench_read.py                 # writes benchmarks/results_read.md
    python benchmarks/bench_read.py --runs 5 --out /tmp/read.md
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _machine import machine_description

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
METHODS = {
    "exohunt.io.read": "exohunt",
    'pandas.read_csv(engine="pyarrow")': "pandas-pyarrow",
    "pandas.read_csv (C engine)": "pandas-c",
}


# -- worker: one measurement in a fresh process --------------------------------------------
def _rss_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _reader(method: str):
    if method == "exohunt":
        import exohunt.io

        def read(path):
            batch = exohunt.io.read(path)
            return batch.flux, batch.labels
    else:
        import pandas as pd

        engine = "pyarrow" if method == "pandas-pyarrow" else "c"

        def read(path):
            frame = pd.read_csv(path, engine=engine)
            return frame.drop(columns="LABEL").to_numpy(), frame["LABEL"].to_numpy() - 1
    return read


def worker(method: str, path: str, warmup: str) -> None:
    read = _reader(method)
    read(warmup)
    exact = _reset_peak()
    base = _rss_mb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    flux, labels = read(path)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    peak = (_rss_mb("VmHWM") if exact else None) or \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rise_mb": peak - base,
                      "base_mb": base, "exact_peak": exact, "shape": list(flux.shape),
                      "checksum": float(np.nansum(flux, dtype=np.float64)),
                      "planets": int(np.sum(labels))}))


# -- driver ----------------------------------------------------------------------------------
def generate(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    """A Kaggle-layout CSV of random fluxes (10 decimals, ~16 bytes a cell like exoTrain)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    names = ["LABEL"] + [f"FLUX.{i}" for i in range(1, cols + 1)]
    labels = np.where(rng.random(rows) < 0.0073, 2, 1)
    arrays = [pa.array(labels)]
    for _ in range(cols):
        arrays.append(pa.array(np.round(rng.normal(0, 300, rows) + rng.normal(0, 2000), 10)))
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    pacsv.write_csv(pa.Table.from_arrays(arrays, names=names), path, options)
    text = path.read_bytes()[:200_000].split(b"\n")
    (path.parent / "warmup.csv").write_bytes(b"\n".join(text[:3]) + b"\n")


def measure(method: str, path: Path) -> dict:
    command = [sys.executable, __file__, "--worker", method, str(path),
               str(path.parent / "warmup.csv")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def time_in_process(function, runs: int) -> tuple[float, list[float], object]:
    """Cold first call (imports included) and the warm repeats."""
    start = time.perf_counter()
    value = function()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        value = function()
        warm.append(time.perf_counter() - start)
    return cold, warm, value


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def _summary(results: dict[str, list[dict]], array_mb: float) -> str:
    """One sentence comparing exohunt with each pandas engine (medians)."""
    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    ours = "exohunt.io.read"
    parts = []
    for name in results:
        if name == ours:
            continue
        wall, cpu, peak = (median(name, key) / median(ours, key)
                           for key in ("seconds", "cpu_seconds", "peak_rise_mb"))
        parts.append(f"{name} takes {wall:.1f}× the wall time, {cpu:.1f}× the CPU time and "
                     f"{peak:.1f}× the peak memory")
    peak = median(ours, "peak_rise_mb") / array_mb
    return (f"Against exohunt.io.read (whose peak rise is {peak:.1f}× the float32 array; the "
            "target is at most 3×): " + "; ".join(parts) + ".")


def run(args: argparse.Namespace) -> str:
    load_before = os.getloadavg()
    lines = ["# Reading benchmark", "",
             f"Command: `python benchmarks/bench_read.py --runs {args.runs}`  ",
             f"Machine: {machine_description('numpy', 'pandas', 'pyarrow')}  ",
             f"Load average at start: {load_before[0]:.2f} (shared machine: other jobs may "
             "have run at the same time; methods were interleaved run by run)", ""]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exoTrain_like.csv"
        generate(path, args.rows, args.cols)
        size = path.stat().st_size
        array_mb = args.rows * args.cols * 4 / 2**20
        results = {name: [] for name in METHODS}
        for _ in range(args.runs):
            for name, method in METHODS.items():
                results[name].append(measure(method, path))
        lines += [f"## Kaggle CSV: {args.rows:,} × {args.cols + 1:,} columns, "
                  f"{size / 1e6:.0f} MB (generated, not kept)", "",
                  f"Float32 (N, T) array: {array_mb:.1f} MiB. Wall and CPU (user + system, "
                  "all threads) seconds and peak-memory rises in MiB: median of "
                  f"{args.runs} runs (min–max).", "",
                  "| reader | wall (s) | CPU (s) | peak rise (MiB) | peak / float32 array "
                  "| result |", "| --- | --- | --- | --- | --- | --- |"]
        for name, runs in results.items():
            peaks = [r["peak_rise_mb"] for r in runs]
            dtype = "float32" if METHODS[name] == "exohunt" else "float64 DataFrame"
            lines.append(f"| {name} | {_stats([r['seconds'] for r in runs])} | "
                         f"{_stats([r['cpu_seconds'] for r in runs])} | {_stats(peaks)} | "
                         f"{statistics.median(peaks) / array_mb:.1f}× | "
                         f"{dtype} |")
        lines += ["", _summary(results, array_mb)]
        checks = np.array([r["checksum"] for runs in results.values() for r in runs])
        agree = bool(np.allclose(checks, checks[0], rtol=0, atol=1e-3 * args.rows * args.cols))
        shapes = {tuple(r["shape"]) for runs in results.values() for r in runs}
        lines += ["", f"Shapes returned: {sorted(shapes)}; flux sums agree between readers "
                      f"(float32 vs float64 rounding aside): {agree}.", ""]
    lines += shared_data(args.runs)
    load_after = os.getloadavg()
    lines += [f"Load average at the end: {load_after[0]:.2f}.", ""]
    return "\n".join(lines)


def shared_data(runs: int) -> list[str]:
    folder, shards = SHARED / "lightcurves", SHARED / "astronet_triage"
    if not folder.is_dir():
        return ["(../shared/data not present: FITS and TFRecord timings skipped.)", ""]
    sys.path.insert(0, str(ROOT / "src"))
    import exohunt.io

    lines = ["## Real data (../shared/data)", "",
             f"In-process: first call (imports of astropy etc. included), then median of {runs} "
             "repeats (min–max).", "", "| input | result | first call (s) | repeat (s) |",
             "| --- | --- | --- | --- |"]
    cold, warm, lcs = time_in_process(lambda: exohunt.io.read(folder), runs)
    cadences = sum(len(lc) for lc in lcs)
    lines.append(f"| lightcurves/ ({len(lcs)} FITS files) | {cadences:,} cadences | "
                 f"{cold:.2f} | {_stats(warm)} |")
    if shards.is_dir():
        for pattern in ("train-*", "val-*"):
            cold, warm, views = time_in_process(lambda p=pattern: exohunt.io.read(shards / p),
                                                runs)
            lines.append(f"| astronet_triage/{pattern} | {len(views):,} records (CRC-checked) "
                         f"| {cold:.2f} | {_stats(warm)} |")
    return [*lines, ""]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=5087)
    parser.add_argument("--cols", type=int, default=3197)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_read.md")
    args = parser.parse_args()
    report = run(args)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
