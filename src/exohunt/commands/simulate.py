"""``exohunt simulate OUT_DIR``: write a simulated labelled dataset with its truth tables.

Outputs (``--format csv``, the default): ``OUT_DIR/train.csv`` and ``test.csv`` in the Kaggle
layout, ``train_truth.csv`` and ``test_truth.csv`` (one row per star, same order). With
``--format fits``: ``OUT_DIR/train/*.fits`` and ``test/*.fits`` (the layout of Kepler ``*_llc``
files, or TESS ``*_lc`` ones at a 2-minute cadence: PDCSAP and SAP flux in e-/s, background,
flux-weighted centroids ``MOM_CENTR1/2``, the catalogue's stellar parameters, crowding and the
aperture's WCS) and the same truth tables, whose ``file`` column names each star's file. Stars
are generated and written (flux and truth) one chunk of 128 at a time, so memory stays small
whatever the preset.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from exohunt.commands._common import add_quiet, add_seed
from exohunt.errors import InputError

HELP = "write a simulated labelled dataset (Kaggle-layout CSV or FITS) with truth tables"
PRESET_CHOICES = ("kaggle", "big", "vetting")
FORMAT_CHOICES = ("csv", "fits")
CHUNK = 128


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", metavar="OUT_DIR", help="output folder (created if missing)")
    add_seed(parser)
    parser.add_argument("--preset", default="kaggle", choices=PRESET_CHOICES,
                        help="kaggle: 5,087/570 stars with 37/5 planets (default); "
                             "big: same train, test of 5,000 stars with 150 planets; "
                             "vetting: 6,000/3,000 stars with 300/120 planets, 10 %% EBs and "
                             "15 %% background EBs (for --format fits centroid vetting)")
    parser.add_argument("--format", dest="out_format", default="csv", choices=FORMAT_CHOICES,
                        help="csv: Kaggle layout (default); fits: one Kepler-like file per star")
    parser.add_argument("--n-train", type=int, default=None, help="override train size")
    parser.add_argument("--n-test", type=int, default=None, help="override test size")
    parser.add_argument("--n-points", type=int, default=3197,
                        help="cadences per star (default 3197)")
    parser.add_argument("--cadence-minutes", type=float, default=29.4244,
                        help="cadence in minutes (default 29.4244, Kepler long cadence; 2 = TESS)")
    parser.add_argument("--overwrite", action="store_true",
                        help="write into OUT_DIR even if it is not empty")
    add_quiet(parser)


def _prepare(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise InputError(f"{out_dir}: folder is not empty; pass --overwrite to write into it")
    out_dir.mkdir(parents=True, exist_ok=True)


class _TruthWriter:
    """Append truth rows to a CSV in chunks (header once), with :func:`truth_frame`'s dtypes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict] = []
        self.started = False

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) == CHUNK:
            self.flush()

    def flush(self) -> None:
        from exohunt.simulate import truth_frame

        if self.rows:
            truth_frame(self.rows).to_csv(self.path, mode="a" if self.started else "w",
                                          header=not self.started, index=False)
            self.started = True
            self.rows = []


def _write_csv_split(stars, path: Path, truth: _TruthWriter, n_points: int) -> None:
    from exohunt.io.writers import KaggleCsvWriter
    from exohunt.simulate import style_flux

    flux = np.empty((CHUNK, n_points), dtype=np.float32)
    labels = np.empty(CHUNK, dtype=np.int8)
    filled = 0
    with KaggleCsvWriter(path, n_points) as writer:
        for star in stars:
            flux[filled] = style_flux(star, "kaggle")
            labels[filled] = star.truth["label"]
            truth.add(star.truth)
            filled += 1
            if filled == CHUNK:
                writer.write(flux, labels)
                filled = 0
        if filled:
            writer.write(flux[:filled], labels[:filled])


def _write_fits_split(stars, folder: Path, split: str, truth: _TruthWriter,
                      time_days: np.ndarray) -> None:
    from exohunt.io.writers import write_fits
    from exohunt.simulate.lightcurves import star_lightcurve

    folder.mkdir(exist_ok=True)
    for stale in folder.glob(f"sim-{split}-*_llc.fits"):  # from an earlier --overwrite'd run
        stale.unlink()
    for star in stars:
        name = f"sim-{split}-{star.index:05d}_llc.fits"
        lc = star_lightcurve(star, time_days, f"SIM {split} {star.index}")
        write_fits(folder / name, lc, overwrite=True)
        truth.add({**star.truth, "file": f"{split}/{name}"})


def run(args: argparse.Namespace) -> int:
    from exohunt.simulate import split_spec, time_grid
    from exohunt.simulate.dataset import iter_split

    if args.seed < 0:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    grid = time_grid(args.n_points, args.cadence_minutes / 1440.0)
    for split, n_stars in (("train", args.n_train), ("test", args.n_test)):
        split_spec(args.preset, split, n_stars)  # validate before touching OUT_DIR
    out_dir = Path(args.out_dir)
    _prepare(out_dir, args.overwrite)
    started = time.perf_counter()
    for split, n_stars in (("train", args.n_train), ("test", args.n_test)):
        spec = split_spec(args.preset, split, n_stars)
        stars = iter_split(spec, args.seed, split, grid)
        if not args.quiet:
            from tqdm.auto import tqdm

            stars = tqdm(stars, total=spec.n_stars, desc=f"simulate {split}", unit="star",
                         file=sys.stderr)
        truth = _TruthWriter(out_dir / f"{split}_truth.csv")
        if args.out_format == "csv":
            _write_csv_split(stars, out_dir / f"{split}.csv", truth, args.n_points)
        else:
            _write_fits_split(stars, out_dir / split, split, truth, grid)
        truth.flush()
        print(f"{split}: {spec.n_stars} stars, {spec.n_planets} planets -> "
              f"{out_dir / (split + ('.csv' if args.out_format == 'csv' else '/'))}")
    print(f"wrote {out_dir} in {time.perf_counter() - started:.1f} s "
          f"(preset {args.preset}, seed {args.seed})")
    return 0
