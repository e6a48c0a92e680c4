"""Round 19: the variability statistics (exohunt.search.variability) of every signal the
search reports in the real Kepler/K2/TESS files of ../shared/data/lightcurves, with whether it
is at a known planet's period, and what the statistics cost.

Known planets should show a small ``trend_under_transit`` (their transits do not sit on the
steep parts of a trend) and periods unrelated to the star's variability; the flaring stars'
signals, if any, show what detrending residuals look like in real data.

    python benchmarks/diag_variability_real.py [--data ../shared/data/lightcurves]

The cost: ``search(max_signals=3)`` CPU per file with the statistics and without
(``variability=False``), interleaved, median of ``--repeats`` runs each; the table is the
first run's.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lightcurves"


def _known(row) -> list[float]:
    value = row.get("known_periods_days")
    if not isinstance(value, str) or not value:
        return []
    return [float(v) for v in value.split(";")]


def _at_known(period: float, known: list[float]) -> str:
    for k in known:
        for factor, name in ((1.0, "planet"), (0.5, "1/2 alias"), (2.0, "2x alias")):
            if abs(period / (k * factor) - 1) < 0.005:
                return f"{name} {k:g} d"
    return "-"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from exohunt.io import read
    from exohunt.search import search
    from exohunt.search.variability import VARIABILITY_COLUMNS

    manifest = pd.read_csv(args.data / "manifest.csv")
    print("Machine:", machine_description("numpy"))
    print("\n| file | target | label | period (d) | snr | known? | trend_under_transit | "
          "variability_period_days | variability_amplitude_sigma | rotation_harmonic_offset | "
          "gap_edge_share |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    cpu: dict[bool, list] = {True: [], False: []}  # variability on/off -> (file, seconds)
    for _, row in manifest.iterrows():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lc = read(args.data / row["file"])
            for repeat in range(args.repeats):
                for variability in (True, False):
                    start = time.process_time()
                    result = search(lc, max_signals=3, variability=variability)
                    cpu[variability].append((row["file"], time.process_time() - start))
                    if repeat == 0 and variability:
                        table = result.signals
        for s in table:
            values = " | ".join(f"{getattr(s, c):.3g}" for c in VARIABILITY_COLUMNS)
            print(f"| {row['file'][:30]} | {row['target'][:28]} | {row['label']} | "
                  f"{s.period:.4f} | {s.snr:.1f} | {_at_known(s.period, _known(row))} | "
                  f"{values} |", flush=True)
    with_stats = pd.DataFrame(cpu[True], columns=["file", "cpu"]).groupby("file").cpu.median()
    without = pd.DataFrame(cpu[False], columns=["file", "cpu"]).groupby("file").cpu.median()
    ratio = with_stats / without
    print(f"\nsearch(max_signals=3) CPU per file, median of {args.repeats}: with the variability "
          f"statistics / without, per file: median ratio {np.median(ratio):.3f} (range "
          f"{ratio.min():.3f}-{ratio.max():.3f}); total {with_stats.sum():.2f} s vs "
          f"{without.sum():.2f} s over {len(ratio)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
