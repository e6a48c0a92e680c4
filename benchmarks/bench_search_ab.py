"""Benchmark: recovery, false alarms and CPU time of exohunt's search under two source trees,
side by side on the same injected planets (a speed change must not cost detections).

Stars are those of ``bench_tls.py`` (:mod:`_tls_stars`: Kaggle-length curves of quiet and
spotted hosts with zero, one or two planets whose matched-filter SNR is drawn in the bins 5-7,
7-10 and 10-20; ``--cadence tess-2min`` renders them on a TESS 2-min sector instead). Each
tree runs ``search(max_signals=3, min_sde=0)`` on every star in a fresh
interpreter (``PYTHONPATH`` = that tree's ``src``; numba compiled before timing), one process
after the other, and reports:

- recovery at a matched false-alarm rate: each tree's SDE threshold is set so that ``--far`` of
  the planet-free stars have a signal above it; a planet is recovered when a signal above the
  threshold lies within 0.5 % of its period or of half or twice it;
- recovery and false alarms at the shipped vetting (a signal that passes ``passes_vetting``);
- CPU time (``time.process_time``) per light curve, median over stars.

    .venv/bin/python benchmarks/bench_search_ab.py --ref-src /path/to/main/src
    .venv/bin/python benchmarks/bench_search_ab.py --ref-src ../main/src --per-cell 40
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
CHILD = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, sys.argv[1])
from _tls_stars import SNR_BINS, iter_stars
from exohunt.lightcurve import LightCurve
from exohunt.search import search
out = []
first = True
for star in iter_stars(*map(int, sys.argv[3:7]), cadence=sys.argv[7]):
    lc = LightCurve(star.time, star.flux)
    if first:
        search(lc, max_signals=3, min_sde=0.0)  # compile or load the numba kernels
        first = False
    start = time.process_time()
    result = search(lc, max_signals=3, min_sde=0.0)
    spent = time.process_time() - start
    out.append({"host": star.host, "planets": star.planets, "cpu_s": spent,
                "signals": [(float(s.period), float(s.sde), bool(s.passes_vetting))
                            for s in result.signals]})
json.dump(out, open(sys.argv[2], "w"))
"""


def measure(src: Path, args: argparse.Namespace, folder: Path) -> list[dict]:
    """Search every star with the tree ``src``; one record per star."""
    path = folder / f"{abs(hash(str(src)))}.json"
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", CHILD, str(HERE), str(path), str(args.per_cell),
                    str(args.multi_per_cell), str(args.noise_per_host), str(args.seed),
                    args.cadence],
                   env=env, check=True)
    return json.loads(path.read_text())


def _matches(period: float, truth: float) -> bool:
    return any(abs(period / (truth * f) - 1) < 0.005 for f in (0.5, 1.0, 2.0))


def summarise(records: list[dict], far: float) -> dict:
    """Threshold at ``far``, recovery by SNR bin there and with the vetting, false alarms."""
    noise = [r for r in records if not r["planets"]]
    best = np.sort([max((s[1] for s in r["signals"]), default=-np.inf) for r in noise])
    threshold = float(np.quantile(best, 1 - far)) if best.size else np.inf
    bins = {"5-7": (5, 7), "7-10": (7, 10), "10-20": (10, 20)}
    found: dict[str, list[int]] = {b: [0, 0, 0] for b in bins}  # matched FAR, vetted, count
    for r in records:
        for p in r["planets"]:
            name = next((b for b, (lo, hi) in bins.items() if lo <= p["target_snr"] < hi), None)
            if name is None:
                continue
            hits = [s for s in r["signals"] if _matches(s[0], p["period"])]
            found[name][0] += any(s[1] > threshold for s in hits)
            found[name][1] += any(s[2] for s in hits)
            found[name][2] += 1
    vetted_fa = np.mean([any(s[2] for s in r["signals"]) for r in noise]) if noise else np.nan
    return {"threshold": threshold, "found": found, "vetted_fa": float(vetted_fa),
            "n_noise": len(noise),
            "cpu_ms": 1e3 * float(np.median([r["cpu_s"] for r in records]))}


def render(names: list[str], summaries: list[dict], args: argparse.Namespace) -> str:
    from _machine import machine_description

    lines = ["| tree | CPU ms/LC (median) | SDE threshold at "
             f"{args.far:.0%} FAR | SNR 5-7 | SNR 7-10 | SNR 10-20 | vetted: 5-7 | 7-10 | "
             "10-20 | vetted false alarms |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in zip(names, summaries):
        f = s["found"]
        cells = [f"{f[b][0]}/{f[b][2]}" for b in f] + [f"{f[b][1]}/{f[b][2]}" for b in f]
        lines.append(f"| {name} | {s['cpu_ms']:.1f} | {s['threshold']:.2f} | "
                     + " | ".join(cells) + f" | {s['vetted_fa']:.1%} (n={s['n_noise']}) |")
    lines += ["", f"Machine: {machine_description('numpy', 'numba')}; shared with other jobs. "
              f"Stars: `--per-cell {args.per_cell} --multi-per-cell {args.multi_per_cell} "
              f"--noise-per-host {args.noise_per_host} --seed {args.seed} "
              f"--cadence {args.cadence}`."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref-src", type=Path, required=True, help="the other tree's src")
    parser.add_argument("--per-cell", type=int, default=25)
    parser.add_argument("--multi-per-cell", type=int, default=10)
    parser.add_argument("--noise-per-host", type=int, default=60)
    parser.add_argument("--far", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cadence", default="kaggle", choices=("kaggle", "tess-2min"),
                        help="the stars' layout (see _tls_stars.CADENCES)")
    parser.add_argument("--ref-json", default=None,
                        help="reuse the reference tree's measurements from this file (written "
                             "there when absent; same star options only)")
    parser.add_argument("--new-json", default=None,
                        help="also write this tree's measurements to this file")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory() as tmp:
        if args.ref_json and Path(args.ref_json).exists():  # the reference tree's earlier run
            reference = json.loads(Path(args.ref_json).read_text())
        else:
            reference = measure(args.ref_src, args, Path(tmp))
            if args.ref_json:
                Path(args.ref_json).write_text(json.dumps(reference))
        runs = [reference, measure(SRC, args, Path(tmp))]
        if args.new_json:
            Path(args.new_json).write_text(json.dumps(runs[1]))
    text = render([f"reference ({args.ref_src})", "this tree"],
                  [summarise(r, args.far) for r in runs], args)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return text


if __name__ == "__main__":
    main()
