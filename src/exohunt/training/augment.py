"""Injection augmentation: more (and more varied) planets for training, from the training set's
own planet-free stars.

Each chosen negative *training* star gets a physical transit (``exohunt.simulate.inject``,
batman with limb darkening) at a random period, phase and impact parameter, scaled to an SNR
drawn log-uniform in ``snr_range`` against that star's own white noise. Real planet hosts of the
training split are added again time-reversed (a transit is symmetric, the star's variability and
systematics are not). Validation rows are never used.

Kaggle-layout flux is mean-subtracted (median ≈ 0), and a transit is multiplicative, so a level
is added before injecting and removed afterwards: the level is set so that the star's white
noise is 1,000 ppm of it, which makes the injected depth exactly ``SNR σ / √N_in``.
"""

from __future__ import annotations

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve
from exohunt.training.features import RawFeatures, extract
from exohunt.training.preprocess import SequencePrep

__all__ = ["inject_rows", "injected_features", "white_noise"]

_REFERENCE_PPM = 1000.0


def white_noise(flux: np.ndarray) -> float:
    """Robust point-to-point white-noise σ of one row (insensitive to slow trends)."""
    diffs = np.diff(flux[np.isfinite(flux)])
    return float(1.4826 * np.median(np.abs(diffs - np.median(diffs))) / np.sqrt(2)) or 1.0


def inject_rows(flux: np.ndarray, time: np.ndarray, rng: np.random.Generator,
                snr_range: tuple[float, float] = (7.0, 150.0)) -> np.ndarray:
    """Copies of ``flux`` (N, T) with one random planet injected into each row."""
    from exohunt.simulate import PlanetParams, inject, rp_rs_for_snr

    out = np.empty_like(flux)
    baseline = float(np.nanmax(time) - np.nanmin(time))
    for row, values in enumerate(flux):
        level = white_noise(values) / (_REFERENCE_PPM * 1e-6)
        period = float(np.exp(rng.uniform(np.log(0.5), np.log(min(40.0, baseline / 2.2)))))
        planet = PlanetParams(period=period, t0=float(time[0] + rng.uniform(0, period)),
                              rp_rs=0.03, impact=float(rng.uniform(0, 0.9)),
                              stellar_density=float(np.exp(rng.uniform(np.log(0.3), np.log(5)))))
        snr = float(np.exp(rng.uniform(*np.log(snr_range))))
        valid = np.isfinite(values)
        planet = rp_rs_for_snr(time, planet, _REFERENCE_PPM, snr, valid)
        lc = LightCurve(time, np.where(valid, values, 0.0) + level)
        out[row] = np.where(valid, inject(lc, planet).flux - level, np.nan)
    return out


def injected_features(data, train_rows: np.ndarray, labels: np.ndarray, kind: str, *,
                      prep: SequencePrep | None = None, seed: int = 42, jobs: int = 0,
                      progress: bool = False, per_positive: int = 30,
                      max_injected: int = 1200, reverse_positives: bool = True) -> RawFeatures:
    """Features of the augmentation rows (all positives) for the rows ``train_rows`` of a split.

    ``per_positive × n_positive`` negatives (at most ``max_injected``) receive a planet; with
    ``reverse_positives`` the split's positives are added once more, reversed in time.
    """
    if not isinstance(data, LightCurveBatch):
        raise InputError("--imbalance inject needs light curves (a Kaggle-layout CSV or a "
                         "simulated batch), not folded views")
    rng = np.random.default_rng([seed, 7])
    negatives = train_rows[labels[train_rows] == 0]
    positives = train_rows[labels[train_rows] == 1]
    n_inject = min(len(negatives), per_positive * len(positives), max_injected)
    chosen = np.sort(rng.choice(negatives, size=n_inject, replace=False))
    reversed_positives = data.flux[positives][:, ::-1] if reverse_positives else data.flux[:0]
    flux = np.concatenate([inject_rows(data.flux[chosen], data.time, rng), reversed_positives])
    extra = LightCurveBatch(flux, np.ones(len(flux), np.int8), data.time, source="augmented")
    return extract(extra, kind, prep=prep, jobs=jobs, progress=progress)
