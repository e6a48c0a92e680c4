"""The first box-search pass's stride against the SDE of real light curves (issue 20).

The SDE's running median and spread come from the first pass's spectrum
(``exohunt.search.peaks``), so thinning that pass moves the SDE, most where the grid is short.
For every FITS file in ``../shared/data/lightcurves`` (or ``--dir``) this searches the top
signal (``max_signals=1, min_sde=0``) with the first pass forced to every frequency, every
second (search-17) and every third, and with search-18's default (every third only on grids of
``COARSE_STRIDE × MIN_COARSE_FREQUENCIES`` frequencies or more), and prints the grid size,
the top period and its SDE in each case::

    python benchmarks/diag_coarse_sde.py
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "lightcurves"


def _top(lc, stride: int | None, maxima: int | None):
    from exohunt.search import peaks, search

    saved = peaks.COARSE_STRIDE, peaks.COARSE_PEAKS, peaks.MIN_COARSE_FREQUENCIES
    try:
        if stride is not None:  # this pass on every grid, short or long
            peaks.COARSE_STRIDE, peaks.COARSE_PEAKS, peaks.MIN_COARSE_FREQUENCIES = (
                stride, maxima, 0)
        result = search(lc, max_signals=1, min_sde=0.0)
    finally:
        peaks.COARSE_STRIDE, peaks.COARSE_PEAKS, peaks.MIN_COARSE_FREQUENCIES = saved
    signal = result.signals[0] if result.signals else None
    # the first pass's spectrum: every frequency of the grid when the stride is 1
    grid = result.periodogram.power.size if stride == 1 else None
    return signal, grid


def main() -> None:
    from exohunt.io import read
    from exohunt.search.peaks import coarse_pass

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    variants = {"every frequency": (1, 8), "every 2nd, 8 maxima": (2, 8),
                "every 3rd, 12 maxima": (3, 12), "search-18 default": (None, None)}
    print("| file | grid frequencies | default pass (stride, maxima) | "
          + " | ".join(f"{name}: period d / SDE" for name in variants) + " |")
    print("|---|---|---|" + "---|" * len(variants))
    for path in sorted(args.dir.glob("*.fits")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lc = read(path)
            cells, size = [], None
            for stride, maxima in variants.values():
                signal, grid = _top(lc, stride, maxima)
                size = grid if stride == 1 else size
                cells.append(f"{signal.period:.4f} / {signal.sde:.2f}" if signal else "none")
        print(f"| {path.name} | {size} | {coarse_pass(size)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
