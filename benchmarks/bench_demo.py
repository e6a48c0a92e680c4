"""Benchmark: ``exohunt demo`` as a user runs it — wall time, the training stage's time, peak
memory, and what it found.

The demo simulates the ``kaggle`` preset, trains the default model (search of the 5,087
training stars, injection augmentation, fit, threshold) and evaluates it once on the test split.
Issue 5's speed target is about the training stage: ≤ 3 min wall on 2 cores, including its
preprocessing, and ≤ 4 GB. Each repeat runs the command in a fresh process into a fresh
directory (no cache is shared between repeats); wall time and the peak resident memory of the
process tree come from ``bench_models.run_measured``, the stage times from the demo's own
``[k/4] … (at MmS.Ss)`` progress lines, and the result (found, false alarms, threshold, AP)
from its printed headline, which is deterministic.

    python benchmarks/bench_demo.py [--repeats 2] [--out benchmarks/results_demo.md]
    python benchmarks/bench_demo.py --quick     # one `exohunt demo --quick`, a smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STAGE = re.compile(r"^\[(\d)/\d\] .*\(at (\d+)m([\d.]+)s\)", re.MULTILINE)


def parse_demo(stdout: str, stderr: str) -> dict:
    """Stage start times (s), the training stage's length, and the printed result."""
    starts = {int(k): 60 * int(m) + float(s) for k, m, s in STAGE.findall(stderr)}
    matrix = re.search(r"not planet\s+(\d+)\s+(\d+)\s*\n\s*planet\s+(\d+)\s+(\d+)", stdout)
    threshold = re.search(r"at threshold ([\d.]+)", stdout)
    ap = re.search(r"average precision\s+([\d.]+)", stdout)
    if len(starts) < 4 or not (matrix and threshold and ap):
        raise RuntimeError("the demo's output did not have the expected headline and stages")
    _, false_alarms, missed, found = map(int, matrix.groups())
    return {"training_s": starts[3] - starts[2], "evaluation_s": starts[4] - starts[3],
            "found": found, "planets": found + missed, "false_alarms": false_alarms,
            "threshold": float(threshold.group(1)), "average_precision": float(ap.group(1))}


def run_once(workdir: Path, quick: bool = False) -> dict:
    from bench_models import run_measured

    out = workdir / "exohunt-demo"
    command = [sys.executable, "-m", "exohunt.cli", "demo", "--out", str(out),
               *(["--quick"] if quick else [])]
    with open(workdir / "stdout.txt", "w") as so, open(workdir / "stderr.txt", "w") as se:
        wall, peak_mib, status = run_measured(command, stdout=so, stderr=se)
    if status != 0:
        raise RuntimeError(f"exohunt demo exited with {status}; see {workdir}")
    return {"wall_s": wall, "peak_mib": peak_mib,
            **parse_demo((workdir / "stdout.txt").read_text(),
                         (workdir / "stderr.txt").read_text())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=None,
                        help="default benchmarks/results_demo.md (_quick.md with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="one run of `exohunt demo --quick` (1,500 stars)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    out = args.out or str(HERE / f"results_demo{'_quick' if args.quick else ''}.md")
    runs = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(run_once(Path(tmp), args.quick))

    def cell(key: str, fmt: str) -> str:
        values = [r[key] for r in runs]
        return f"{np.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"

    last = runs[-1]
    text = "\n".join([
        f"## `exohunt demo{' --quick' if args.quick else ''}` "
        f"(`python benchmarks/bench_demo.py{' --quick' if args.quick else ''}`)", "",
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.1f} at the "
        f"end. Median (min-max) of {len(runs)} runs, each in a fresh directory.", "",
        "| whole demo, wall s | training stage s (target ≤ 180) | evaluation s | "
        "peak MiB, process tree (target ≤ 4096) | planets found | false alarms | "
        "threshold | AP |",
        "|---|---|---|---|---|---|---|---|",
        f"| {cell('wall_s', '.1f')} | {cell('training_s', '.1f')} | "
        f"{cell('evaluation_s', '.1f')} | {cell('peak_mib', '.0f')} | "
        f"{last['found']}/{last['planets']} | {last['false_alarms']} | "
        f"{last['threshold']:.3f} | {last['average_precision']:.3f} |", ""])
    print(text)
    Path(out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
