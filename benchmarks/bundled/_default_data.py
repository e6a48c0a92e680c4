"""Data of the bundled ``default`` model: simulated mission-flavour FITS files and Kaggle-layout
rows, written once under a work folder and read back as users' files are, and their search
features cached per flavour (so that a model trained on one flavour alone hits the cache).

Shared by ``benchmarks/bundled/default.py`` (the build) and
``benchmarks/bench_bundled_default.py`` (bundled vs per-flavour specialists).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

#: Every flavour of exohunt.simulate.flavours plus the Kaggle layout (no context).
FLAVOUR_NAMES = ("kepler-lc", "kepler-lc-stitched", "kepler-sc", "k2", "tess-2min",
                 "tess-200s", "tess-10min", "tess-ffi", "kaggle")
#: Training stars per flavour (full build). Costs differ by length: a TESS 2-min star
#: (~19,000 cadences) takes ~0.3 s to search, an FFI one (~1,300) 0.02 s.
TRAIN_SIZES = {"kepler-lc": 500, "kepler-lc-stitched": 200, "kepler-sc": 200, "k2": 450,
               "tess-2min": 250, "tess-200s": 200, "tess-10min": 400, "tess-ffi": 500,
               "kaggle": 700}
#: Held-out stars per flavour (full build), seed never used for training.
TEST_SIZES = {name: 160 for name in FLAVOUR_NAMES} | {"kaggle": 250}
QUICK_TRAIN, QUICK_TEST = 16, 8
PLANET_FRACTION = 0.25
#: The held-out set's seed is the build's seed plus this (never a training seed).
TEST_SEED_OFFSET = 100003
KAGGLE_POINTS = 3197


def sizes(split: str, quick: bool) -> dict[str, int]:
    """Stars per flavour of ``split`` ("train" or "test")."""
    if quick:
        return {name: QUICK_TRAIN if split == "train" else QUICK_TEST for name in FLAVOUR_NAMES}
    return dict(TRAIN_SIZES if split == "train" else TEST_SIZES)


def _kaggle_seed(seed: int) -> int:
    """The simulator seed of the Kaggle-layout rows (its own, like each flavour's)."""
    return int(np.random.SeedSequence([int(seed), 7919, 0]).generate_state(1)[0])


def _kaggle_rows(split: str, seed: int, n_stars: int) -> tuple[list, pd.DataFrame]:
    """Kaggle-layout rows (mean-subtracted counts, no context) as light curves with labels."""
    from exohunt.batch import KEPLER_LONG_CADENCE_DAYS
    from exohunt.lightcurve import LightCurve
    from exohunt.simulate.dataset import KAGGLE_MIX, SplitSpec, iter_split
    from exohunt.simulate.flavour_sets import DEFAULT_PLANET_SNR
    from exohunt.simulate.params import BRIGHT_PLANET_SHARE
    from exohunt.simulate.simulator import style_flux, time_grid, truth_frame

    time = time_grid(KAGGLE_POINTS, KEPLER_LONG_CADENCE_DAYS)
    n_planets = max(1, round(PLANET_FRACTION * n_stars))
    spec = SplitSpec(n_stars, n_planets, dict(KAGGLE_MIX), DEFAULT_PLANET_SNR,
                     bright_share=BRIGHT_PLANET_SHARE)
    curves, rows = [], []
    for star in iter_split(spec, _kaggle_seed(seed), split, time):
        flux = style_flux(star, "kaggle")
        meta = {"target_id": f"SIM kaggle {split} {star.index}", "flavour": "kaggle",
                "label": int(star.truth["label"])}
        curves.append(LightCurve(time, flux, None, meta))
        rows.append({**star.truth, "flavour": "kaggle", "cadence_minutes": 29.4244,
                     "span_days": float(time[-1])})
    return curves, truth_frame(rows)


def flavour_folder(work: Path, name: str, split: str, seed: int, n_stars: int) -> Path:
    """Where one flavour's split is written: ``work/data/<split>-<seed>/<name>-<n_stars>/``
    (FITS files and ``truth.csv``), simulated and written there the first time."""
    from exohunt.io.writers import write_fits
    from exohunt.simulate.flavour_sets import iter_flavour
    from exohunt.simulate.params import BRIGHT_PLANET_SHARE  # 15 %: hot Jupiters (HAT-P-7 b)
    from exohunt.simulate.simulator import truth_frame

    folder = Path(work) / "data" / f"{split}-{seed}" / f"{name}-{n_stars}"
    table = folder / "truth.csv"
    if not table.exists():
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for lc, truth in iter_flavour(name, split, seed, n_stars,
                                      planet_fraction=PLANET_FRACTION,
                                      bright_share=BRIGHT_PLANET_SHARE):
            file = f"sim-{truth['index']:05d}.fits"
            write_fits(folder / file, lc, overwrite=True)
            rows.append({**truth, "file": file})
        truth_frame(rows).to_csv(table, index=False)
    return folder


def flavour_files(work: Path, name: str, split: str, seed: int, n_stars: int) -> list[str]:
    """The FITS paths of one flavour's split in truth-table order (written once, not read:
    for benchmarks that hand the files to ``exohunt predict``)."""
    folder = flavour_folder(work, name, split, seed, n_stars)
    return [str(folder / file) for file in pd.read_csv(folder / "truth.csv")["file"]]


def flavour_set(work: Path, name: str, split: str, seed: int, n_stars: int
                ) -> tuple[list, pd.DataFrame]:
    """The light curves (label in ``meta["label"]``) and truth table of one flavour's split.

    Flavours other than ``kaggle`` are written as FITS files by :func:`flavour_folder` once
    and read back with :func:`exohunt.read`.
    """
    import exohunt
    from exohunt.errors import DataQualityWarning

    if name == "kaggle":
        return _kaggle_rows(split, seed, n_stars)
    folder = flavour_folder(work, name, split, seed, n_stars)
    truth = pd.read_csv(folder / "truth.csv")
    curves = []
    with warnings.catch_warnings():  # catalogue [Fe/H] beyond the readers' range: set aside
        warnings.simplefilter("ignore", DataQualityWarning)
        for file, label in zip(truth["file"], truth["label"]):
            lc = exohunt.read(folder / file)
            curves.append(lc.replace(meta={"label": int(label), "flavour": name}))
    return curves, truth


def cache_features(curves: list, cache: Path, jobs: int, variability: bool = True) -> None:
    """Search ``curves`` into ``cache`` as :func:`exohunt.training.train` (``variability``
    False: training skips the search's variability statistics) or ``Run.score`` (True) will
    look them up (skipped when cached already)."""
    from exohunt.training.features import extract

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extract(curves, "tabular", jobs=jobs, cache_dir=cache, variability=variability)


def cache_whole(parts: list[list], cache: Path, variability: bool = False) -> None:
    """Save the concatenation of already cached ``parts`` under the joined list's key (by
    default as training looks it up)."""
    from exohunt.training.features import cache_joined

    cache_joined(parts, cache, variability=variability)


def load_sets(work: Path, split: str, seed: int, quick: bool, jobs: int,
              names: tuple[str, ...] = FLAVOUR_NAMES) -> dict[str, tuple[list, pd.DataFrame]]:
    """``name -> (curves, truth)`` for every flavour of ``split``, searched into the cache."""
    cache = Path(work) / "cache"
    out = {}
    for name, n_stars in sizes(split, quick).items():
        if name not in names:
            continue
        curves, truth = flavour_set(work, name, split, seed, n_stars)
        cache_features(curves, cache, jobs, variability=split != "train")
        out[name] = (curves, truth)
    return out
