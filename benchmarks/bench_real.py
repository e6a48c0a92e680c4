"""Real light curves scored by a trained run: what ``exohunt predict`` says of the Kepler, K2
and TESS files in ``../shared/data/lightcurves`` (known planets, Kepler-90, flaring stars).

Usage::

    python benchmarks/bench_real.py --run RUN_DIR [--signals 1 2]

Scores every FITS file once per ``--signals`` value (1 = one row per star, its strongest
signal; more = one row per signal) and writes ``benchmarks/results_real.md``: one table per
value, rows sorted by probability, with the run's threshold and, when the run has them, its
validation operating points.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "lightcurves"
COLUMNS = ["source", "signal", "probability", "is_candidate", "period_days", "snr"]


def score(run, files: list[Path], signals: int) -> pd.DataFrame:
    """``exohunt predict`` on ``files``, sorted by probability, as a DataFrame."""
    from exohunt.predict import predict

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "predictions.csv"
        predict(run, [str(f) for f in files], out=out, jobs=1, progress=False, sort=True,
                signals_per_star=signals)
        table = pd.read_csv(out)
    table["source"] = table["source"].map(lambda s: Path(str(s)).name)
    if "signal" not in table:
        table["signal"] = 0
    return table[COLUMNS]


def markdown(table: pd.DataFrame) -> str:
    """A Markdown table, numbers to 4 significant digits (no tabulate dependency)."""
    def cell(value) -> str:
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True,
                        help="run or ensemble directory (e.g. exohunt-demo/run, or the bundled "
                             "default: src/exohunt/bundled/default)")
    parser.add_argument("--signals", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--data", default=str(DATA), help="folder of FITS light curves")
    parser.add_argument("--out", default=str(HERE / "results_real.md"),
                        help="Markdown file to write ('' for none)")
    args = parser.parse_args(argv)

    from exohunt.training.ensemble import load_model

    run = load_model(args.run)
    first = getattr(run, "members", [run])[0]  # an ensemble's members share these
    files = sorted(Path(args.data).glob("*.fits"))
    text = ["## Real light curves (`python benchmarks/bench_real.py`)\n",
            f"Run: `{args.run}` ({run.name}, seed {first.config['seed']}, "
            f"features {first.config['preprocessing']['feature_version'][:9]}); threshold "
            f"{run.threshold:.3f}; {len(files)} files from `{args.data}`.\n"]
    points = run.config["threshold"].get("operating_points", [])
    if points:
        text.append("Validation operating points: " + "; ".join(
            f"recall {p['recall']:.2f} at {p['threshold']:.3f} (precision {p['precision']:.2f})"
            for p in points) + ".\n")
    for signals in args.signals:
        table = score(run, files, signals)
        text += [f"### --signals {signals}\n", markdown(table), ""]
    if args.out:
        Path(args.out).write_text("\n".join(text) + "\n")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
