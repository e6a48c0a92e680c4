"""Reading FITS light curves: exohunt's numpy reader of plain files against astropy.io.fits.

Side by side in one process (issue 16: reading is part of ``exohunt predict``'s cost per
star): ``exohunt.read(file)`` with the fast path of :mod:`exohunt.io.fits_fast`, and with it
switched off (astropy.io.fits only), on the throughput benchmark's simulated TESS 2-min files
and on the real files in ``../shared/data/lightcurves``. CPU ms per file, median of
``--repeats`` passes over the files (each pass after one untimed warm-up read); the light
curves are checked equal as well (``tests/test_io_fits_fast.py`` checks every field).

    python benchmarks/bench_fits_read.py [--files 200] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "bundled")]

from _machine import machine_description  # noqa: E402


def _cpu_ms(paths: list[Path], repeats: int, fast: bool) -> tuple[float, list]:
    import exohunt
    from exohunt.io import fits as fits_reader

    original = fits_reader.read_plain_fits
    if not fast:
        fits_reader.read_plain_fits = lambda source: None
    try:
        exohunt.read(str(paths[0]))
        passes = []
        for _ in range(repeats):
            started = time.process_time()
            curves = [exohunt.read(str(p)) for p in paths]
            passes.append(1000 * (time.process_time() - started) / len(paths))
    finally:
        fits_reader.read_plain_fits = original
    return statistics.median(passes), curves


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", default="/tmp/bench_bundled_throughput")
    args = parser.parse_args(argv)
    from _default_data import TEST_SEED_OFFSET, flavour_files

    sets = {"TESS 2-min (simulated)": sorted(Path(p) for p in flavour_files(
        Path(args.work), "tess-2min", "test", TEST_SEED_OFFSET, 1000))[:args.files]}
    real = HERE.parents[1] / "shared" / "data" / "lightcurves"
    if real.is_dir():
        sets["real Kepler/K2/TESS files"] = sorted(real.glob("*.fits"))
    print(f"{machine_description('numpy', 'astropy')}\n")
    print("| files | n | astropy.io.fits ms | exohunt fast path ms | speed-up |\n"
          "|---|---|---|---|---|")
    warnings.simplefilter("ignore")
    for label, paths in sets.items():
        slow, slow_curves = _cpu_ms(paths, args.repeats, fast=False)
        fast, fast_curves = _cpu_ms(paths, args.repeats, fast=True)
        for a, b in zip(fast_curves, slow_curves):
            assert np.array_equal(a.flux, b.flux, equal_nan=True) and \
                np.array_equal(a.time, b.time), a.meta.get("source")
        print(f"| {label} | {len(paths)} | {slow:.2f} | {fast:.2f} | {slow / fast:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
