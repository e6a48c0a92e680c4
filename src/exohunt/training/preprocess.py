"""Preprocessing for raw-sequence models: small pure functions on (N, T) flux arrays.

Run once per dataset before training (never per epoch) and again, with the parameters stored in
the run's ``config.json``, when a run scores new data. Every step is per star, so nothing is
fitted on the data and nothing can leak from validation or test rows.

Kaggle-layout flux is mean-subtracted raw counts (median ≈ 0, can be negative), so trends are
*subtracted*, never divided out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.ndimage import median_filter

from exohunt.errors import InputError

__all__ = [
    "SEQUENCE_PREP_VERSION", "SequencePrep", "bin_series", "clip_and_compress", "fill_gaps",
    "median_detrend", "prepare_sequences", "robust_scale",
]

SEQUENCE_PREP_VERSION = "seq-1"
_SCALES = ("robust", "zscore")


@dataclass(frozen=True)
class SequencePrep:
    """Parameters of :func:`prepare_sequences` (stored in every sequence model's run).

    Attributes
    ----------
    detrend_window : int
        Width of the running median, in cadences (0 = no detrending). 97 cadences ≈ 2 days of
        Kepler long cadence: three times a long (16 h) transit, so dips survive detrending.
    scale : {"robust", "zscore"}
        Per-star scaling: median/MAD (robust to the dips themselves) or mean/std.
    clip_upper : float or None
        Upward outliers (flares, cosmic rays) are clipped at this many σ; transits are dips.
    compress : bool
        ``asinh`` after clipping: linear for shallow transits, logarithmic for deep eclipses,
        so that an EB at -300 σ does not swamp the network's inputs.
    n_bins : int
        Output length; series are mean-binned (or interpolated, if shorter) to it.
    """

    detrend_window: int = 97
    scale: str = "robust"
    clip_upper: float | None = 3.0
    compress: bool = True
    n_bins: int = 640

    def to_dict(self) -> dict:
        return {**asdict(self), "version": SEQUENCE_PREP_VERSION}


def fill_gaps(flux: np.ndarray) -> np.ndarray:
    """Replace non-finite values by linear interpolation along each row (row median if all)."""
    flux = np.array(flux, dtype=np.float64)
    bad = ~np.isfinite(flux)
    for row in np.flatnonzero(bad.any(axis=1)):
        good = ~bad[row]
        if good.sum() < 2:
            flux[row] = 0.0
            continue
        index = np.arange(flux.shape[1])
        flux[row, bad[row]] = np.interp(index[bad[row]], index[good], flux[row, good])
    return flux


def median_detrend(flux: np.ndarray, window: int, block: int = 8) -> np.ndarray:
    """Subtract a running median of ``window`` cadences from each row of ``flux`` (N, T).

    The median is taken on block medians of ``block`` cadences and linearly interpolated back,
    which is ~20× faster than a full-resolution median filter and indistinguishable for trends
    that vary over days.
    """
    n_stars, n_time = flux.shape
    if window <= 0:
        return flux.copy()
    block = max(1, min(block, window // 3, n_time))
    n_blocks = n_time // block
    blocks = np.median(flux[:, : n_blocks * block].reshape(n_stars, n_blocks, block), axis=2)
    size = max(1, round(window / block) | 1)
    smooth = median_filter(blocks, size=(1, size), mode="nearest")
    centres = (np.arange(n_blocks) + 0.5) * block - 0.5
    position = np.clip(np.interp(np.arange(n_time), centres, np.arange(n_blocks)), 0, n_blocks - 1)
    left = np.floor(position).astype(int)
    right = np.minimum(left + 1, n_blocks - 1)
    weight = position - left
    trend = smooth[:, left] * (1 - weight) + smooth[:, right] * weight
    return flux - trend


def robust_scale(flux: np.ndarray, method: str = "robust") -> np.ndarray:
    """Per-row centring and scaling: (x - median) / (1.4826 MAD), or (x - mean) / std."""
    if method not in _SCALES:
        raise InputError(f"unknown scale {method!r}; expected one of: {', '.join(_SCALES)}")
    if method == "robust":
        centre = np.median(flux, axis=1, keepdims=True)
        spread = 1.4826 * np.median(np.abs(flux - centre), axis=1, keepdims=True)
    else:
        centre = flux.mean(axis=1, keepdims=True)
        spread = flux.std(axis=1, keepdims=True)
    return (flux - centre) / np.maximum(spread, 1e-12)


def clip_and_compress(x: np.ndarray, clip_upper: float | None, compress: bool) -> np.ndarray:
    """Clip upward outliers at ``clip_upper`` σ, then optionally ``asinh``-compress."""
    if clip_upper is not None:
        x = np.minimum(x, clip_upper)
    return np.arcsinh(x) if compress else x


def bin_series(x: np.ndarray, n_bins: int) -> np.ndarray:
    """Mean-bin each row of ``x`` (N, T) to ``n_bins`` (N, n_bins); interpolate if T < n_bins."""
    n_time = x.shape[1]
    if n_time == n_bins:
        return x
    if n_time < n_bins:
        grid = np.linspace(0, n_time - 1, n_bins)
        return np.stack([np.interp(grid, np.arange(n_time), row) for row in x])
    edges = np.linspace(0, n_time, n_bins + 1).astype(int)
    sums = np.add.reduceat(x, edges[:-1], axis=1)
    return sums / np.diff(edges)


def prepare_sequences(flux: np.ndarray, prep: SequencePrep) -> np.ndarray:
    """The whole chain: fill gaps → detrend → scale → clip/compress → bin.

    Parameters
    ----------
    flux : ndarray, shape (N, T)
        Raw flux, any offset/unit (NaN allowed).
    prep : SequencePrep

    Returns
    -------
    ndarray, shape (N, prep.n_bins), float32
    """
    x = fill_gaps(flux)
    x = median_detrend(x, prep.detrend_window)
    x = robust_scale(x, prep.scale)
    x = clip_and_compress(x, prep.clip_upper, prep.compress)
    return bin_series(x, prep.n_bins).astype(np.float32)
