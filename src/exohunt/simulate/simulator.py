"""The public :func:`simulate` and the flux styles shared with the writers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from exohunt.batch import KEPLER_LONG_CADENCE_DAYS, LightCurveBatch
from exohunt.errors import InputError
from exohunt.simulate.dataset import (
    PRESETS,
    TRUTH_COLUMNS,
    SimulatedStar,
    SplitSpec,
    iter_split,
)

__all__ = [
    "FLUX_STYLES",
    "SimulatedDataset",
    "simulate",
    "split_spec",
    "style_flux",
    "time_grid",
    "truth_frame",
]

FLUX_STYLES = ("kaggle", "normalized", "counts")
TESS_CADENCE_DAYS = 2.0 / 1440.0


@dataclass(frozen=True, eq=False)
class SimulatedDataset:
    """Train and test batches with their truth tables (one row per star, row order)."""

    train: LightCurveBatch
    test: LightCurveBatch
    train_truth: pd.DataFrame
    test_truth: pd.DataFrame
    preset: str
    seed: int


def _check_choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def time_grid(n_points: int = 3197, cadence_days: float = KEPLER_LONG_CADENCE_DAYS) -> np.ndarray:
    """Cadence mid-times in days from 0: ``arange(n_points) * cadence_days``.

    The baseline must reach 2 days, so that every kind of signal can show two transits.
    """
    if not cadence_days > 0:
        raise InputError(f"cadence_days must be positive, got {cadence_days}")
    if n_points < 50 or (n_points - 1) * cadence_days < 2.0:
        raise InputError(f"n_points × cadence must cover at least 2 days with at least 50 "
                         f"cadences; got {n_points} × {cadence_days * 1440:.4g} min")
    return np.arange(n_points, dtype=float) * cadence_days


def split_spec(preset: str, split: str, n_stars: int | None = None) -> SplitSpec:
    """The :class:`SplitSpec` of ``preset``'s ``split``, optionally resized to ``n_stars``."""
    _check_choice("preset", preset, tuple(PRESETS))
    _check_choice("split", split, ("train", "test"))
    if n_stars is not None and n_stars < 1:
        raise InputError(f"the number of {split} stars must be at least 1, got {n_stars}")
    return PRESETS[preset][split].resized(n_stars)


def style_flux(star: SimulatedStar, flux_style: str) -> np.ndarray:
    """One star's flux in ``flux_style``, float64, shape (T,).

    ``normalized``: relative flux around 1, NaN in gaps. ``counts``: relative flux × the star's
    flux level, NaN in gaps (what the FITS files hold). ``kaggle``: counts with gaps filled by
    linear interpolation, minus their mean, rounded to 0.01 like the Kaggle Kepler CSVs.
    """
    _check_choice("flux_style", flux_style, FLUX_STYLES)
    if flux_style == "normalized":
        return star.flux.copy()
    counts = star.flux * star.flux_level
    if flux_style == "counts":
        return counts
    if not star.valid.all():
        index = np.arange(len(counts))
        counts[~star.valid] = np.interp(index[~star.valid], index[star.valid],
                                        counts[star.valid])
    return np.round(counts - counts.mean(), 2) + 0.0


_TEXT_COLUMNS = ("kind", "host_kind", "file", "mission", "flavour")
_INT_COLUMNS = ("index", "label", "n_flares", "n_gaps", "n_valid", "n_cosmic_rays",
                "n_low_outliers")


def truth_frame(rows: list[dict]) -> pd.DataFrame:
    """Truth rows as a DataFrame: documented column order, fixed dtypes, NaN where not applicable.

    The dtypes do not depend on which kinds the rows hold (text, int64, float64, and ``grazing``
    True/False/NaN), so that truth tables written in chunks are byte-identical to one written at
    once.
    """
    frame = pd.DataFrame.from_records(rows)
    extra = [c for c in frame.columns if c not in TRUTH_COLUMNS]
    frame = frame.reindex(columns=[*TRUTH_COLUMNS, *extra])
    for column in frame.columns:
        if column in _TEXT_COLUMNS:
            frame[column] = frame[column].fillna("").astype(str)
        elif column in _INT_COLUMNS:
            frame[column] = frame[column].astype(np.int64)
        elif column == "grazing":
            frame[column] = frame[column].astype(object)
        else:
            frame[column] = frame[column].astype(np.float64)
    return frame


def _progress(iterable, total: int, desc: str, enabled: bool):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="star")


def _make_split(preset: str, split: str, seed: int, n_stars: int | None, n_points: int,
                cadence_days: float, flux_style: str,
                progress: bool) -> tuple[LightCurveBatch, pd.DataFrame]:
    spec = split_spec(preset, split, n_stars)
    time = time_grid(n_points, cadence_days)
    flux = np.empty((spec.n_stars, n_points), dtype=np.float32)
    rows = []
    stars = iter_split(spec, seed, split, time)
    for star in _progress(stars, spec.n_stars, f"simulate {split}", progress):
        flux[star.index] = style_flux(star, flux_style)
        rows.append(star.truth)
    truth = truth_frame(rows)
    meta = {"format": "simulated", "preset": preset, "seed": seed, "split": split,
            "flux_style": flux_style, "cadence_days": cadence_days}
    batch = LightCurveBatch(flux, truth["label"].to_numpy(np.int8), time,
                            f"simulated:{preset}/{split}", meta)
    return batch, truth


def simulate(preset: str = "kaggle", seed: int = 42, *, n_train: int | None = None,
             n_test: int | None = None, n_points: int = 3197,
             cadence_days: float = KEPLER_LONG_CADENCE_DAYS, flux_style: str = "kaggle",
             progress: bool = False) -> SimulatedDataset:
    """Simulate a labelled train/test dataset with exact ground truth.

    Parameters
    ----------
    preset : {"kaggle", "big", "vetting"}
        Split sizes and the mix of kinds (see :mod:`exohunt.simulate.dataset`).
    seed : int
        Everything is a deterministic function of the seed (and the other arguments).
    n_train, n_test : int, optional
        Override the number of stars per split (planets scale proportionally).
    n_points : int
        Cadences per star (3,197 ≈ 65 d of Kepler long cadence by default).
    cadence_days : float
        Cadence in days (``exohunt.simulate.TESS_CADENCE_DAYS`` for TESS 2-minute data).
    flux_style : {"kaggle", "normalized", "counts"}
        See :func:`style_flux`.
    progress : bool
        Show a progress bar.

    Returns
    -------
    SimulatedDataset
        ``train``/``test`` :class:`~exohunt.batch.LightCurveBatch` (flux (N, n_points) float32,
        labels 1 = planet) and ``train_truth``/``test_truth`` DataFrames, one row per star.
    """
    _check_choice("flux_style", flux_style, FLUX_STYLES)
    if int(seed) < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed}")
    seed = int(seed)
    common = dict(n_points=n_points, cadence_days=cadence_days, flux_style=flux_style,
                  progress=progress)
    train, train_truth = _make_split(preset, "train", seed, n_train, **common)
    test, test_truth = _make_split(preset, "test", seed, n_test, **common)
    return SimulatedDataset(train, test, train_truth, test_truth, preset, seed)
