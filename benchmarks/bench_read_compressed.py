"""Reading a zipped / gzipped Kaggle CSV against the plain one: CPU time and peak memory.

Generates an exoTrain-sized Kaggle CSV (5,087 × 3,197 simulated fluxes, as in
``bench_read.py``) in a temporary folder, packs it as ``exoTrain.csv.zip`` (deflate) and
``exoTrain.csv.gz`` (both zlib level 6, as ``zip``/``gzip`` write them by default), then reads
each with ``exohunt.io.read`` in a fresh subprocess, round-robin, ``--runs`` times. Per run:

- whole-process CPU time (user + system, imports included) and peak RSS (``ru_maxrss``), both
  from the child's own ``rusage`` (``os.wait4``; the data are generated in another child so
  that the driver, whose size a child's ``ru_maxrss`` starts from, stays small);
- the read alone: CPU seconds (``time.process_time`` around ``read``), and the child's peak
  RSS at the end of the read (``VmHWM``).

The issue's target: the zipped file in at most 1.6× the plain file's CPU time, with peak
memory no higher.

    python benchmarks/bench_read_compressed.py            # appends to benchmarks/results_read.md
    python benchmarks/bench_read_compressed.py --runs 3 --out /tmp/x.md
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _machine import machine_description
from bench_read import generate

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("plain", "zip", "gz")


def worker(path: str) -> None:
    import resource

    import numpy as np

    import exohunt.io

    before = _hwm_mb()
    start = time.process_time()
    batch = exohunt.io.read(path)
    cpu = time.process_time() - start
    peak = _hwm_mb()  # before the checksum below
    print(json.dumps({"read_cpu": cpu, "shape": list(batch.flux.shape),
                      "hwm_mb": peak, "import_hwm_mb": before,
                      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "checksum": float(np.nansum(batch.flux, dtype=np.float64)),
                      "compression": batch.meta.get("compression")}))


def _hwm_mb() -> float:
    """This process's own peak RSS (``VmHWM``: per address space, so, unlike ``ru_maxrss``,
    not raised by the size of the parent at fork)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(path: Path) -> dict:
    """One read in a fresh process: its rusage (CPU, peak RSS) and what it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen([sys.executable, __file__, "--worker", str(path)],
                             stdout=subprocess.PIPE, env=env)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"worker failed on {path}")
    record = json.loads(output.decode().strip().splitlines()[-1])
    record["process_cpu"] = usage.ru_utime + usage.ru_stime
    record["peak_rss_mb"] = usage.ru_maxrss / 1024
    return record


def pack(path: Path) -> dict[str, Path]:
    zipped = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.write(path, path.name)
    gzipped = path.with_name(path.name + ".gz")
    with open(path, "rb") as source, gzip.open(gzipped, "wb", compresslevel=6) as target:
        shutil.copyfileobj(source, target, 1 << 22)
    return {"plain": path, "zip": zipped, "gz": gzipped}


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def run(args: argparse.Namespace) -> str:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exoTrain.csv"
        # in a child, so that this driver stays small: a child's ru_maxrss starts at the
        # size of its parent at fork
        subprocess.run([sys.executable, __file__, "--generate", str(path), str(args.rows),
                        str(args.cols)], check=True)
        files = {"plain": path, "zip": path.with_name(path.name + ".zip"),
                 "gz": path.with_name(path.name + ".gz")}
        sizes = {name: f.stat().st_size / 1e6 for name, f in files.items()}
        results: dict[str, list[dict]] = {name: [] for name in VARIANTS}
        for _ in range(args.runs):
            for name in VARIANTS:
                results[name].append(measure(files[name]))
    checks = {r["checksum"] for runs in results.values() for r in runs}
    plain = results["plain"]
    lines = ["", "## Round 7: compressed Kaggle CSVs (zip, gzip)", "",
             f"Command: `python benchmarks/bench_read_compressed.py --runs {args.runs}`  ",
             f"Machine: {machine_description('numpy', 'pyarrow')}, AVX-512: {_avx512()}  ",
             f"Load average at start: {load:.2f} (2 cores shared with other jobs during the "
             "run; variants interleaved run by run)", "",
             f"{args.rows:,} × {args.cols:,} simulated fluxes + LABEL; median of {args.runs} "
             "fresh processes each. Process CPU and peak RSS from the child's rusage "
             "(imports included); read CPU: `time.process_time` around `exohunt.io.read`; "
             "peak RSS at the end of the read (`VmHWM`, imports included, the checksum "
             f"after it not); import-only peak: {_median(plain, 'import_hwm_mb'):.0f} MiB.", "",
             "| file | size (MB) | read CPU (s) | ratio | process CPU (s) | ratio | "
             "peak RSS, rusage (MiB) | ratio | peak RSS, VmHWM (MiB) | ratio |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in VARIANTS:
        runs = results[name]
        cells = [f"{_median(runs, key):.2f} | {_median(runs, key) / _median(plain, key):.2f}×"
                 for key in ("read_cpu", "process_cpu")]
        peaks = [f"{_median(runs, key):.0f} | {_median(runs, key) / _median(plain, key):.2f}×"
                 for key in ("peak_rss_mb", "hwm_mb")]
        lines.append(f"| {files_label(name)} | {sizes[name]:.0f} | {cells[0]} | {cells[1]} | "
                     f"{peaks[0]} | {peaks[1]} |")
    lines += ["", f"All {sum(map(len, results.values()))} reads gave the same array "
                  f"(checksums agree: {len(checks) == 1})."]
    return "\n".join(lines) + "\n"


def _avx512() -> str:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    return "yes" if "avx512f" in flags else "no"


def files_label(name: str) -> str:
    return {"plain": "exoTrain.csv", "zip": "exoTrain.csv.zip", "gz": "exoTrain.csv.gz"}[name]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--generate":
        path = Path(sys.argv[2])
        generate(path, int(sys.argv[3]), int(sys.argv[4]))
        pack(path)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=5087)
    parser.add_argument("--cols", type=int, default=3197)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_read.md")
    args = parser.parse_args()
    text = run(args)
    print(text)
    with open(args.out, "a") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
