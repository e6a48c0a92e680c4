"""The periodogram step of the search: the frequency grid, the box search's most significant
peak (coarse grid, then a finer one around the peak) and its signal detection efficiency."""

from __future__ import annotations

import numba
import numpy as np

from exohunt.search.binned import median_cadence
from exohunt.search.bls import Periodogram, bls_periodogram
from exohunt.search.detrend import robust_std
from exohunt.search.grid import bin_widths, frequency_grid

__all__ = ["COARSE_PEAKS", "COARSE_STRIDE", "MIN_COARSE_FREQUENCIES", "SHORT_GRID_PEAKS",
           "SHORT_GRID_STRIDE", "best_peak", "coarse_pass", "flatten_spectrum", "near_harmonic",
           "search_grid"]

#: The box search's first pass takes every COARSE_STRIDE-th frequency of the (Ofir, 1.5×
#: oversampled) grid; the skipped frequencies are searched next to the COARSE_PEAKS highest
#: local maxima of that pass only. At the nearest coarse frequency a transit's epochs drift
#: by at most half its duration either side of the best box over the baseline (a third with
#: every second frequency), so its coarse peak keeps most of its power and stays among the
#: highest. Every third frequency (search-18) instead of every second costs 2/3 of the first
#: pass; with 12 maxima refined instead of 8, recovery at a matched false-alarm rate was
#: unchanged within the noise on a development seed (``benchmarks/dev_coarse_pass.py``).
COARSE_STRIDE = 3
COARSE_PEAKS = 12
#: The first pass's spectrum also gives the SDE its running median and spread, whose sampling
#: noise grows as the pass thins out: grids with fewer than COARSE_STRIDE × this many
#: frequencies (baselines under ~55 days: a TESS sector, a month of Kepler short cadence) keep
#: every second frequency. A month of HAT-P-7 (Kepler SC, 6,700 ppm transits that raise the
#: whole spectrum) has an SDE of 8.3 on its full grid, 8.6 from every second frequency and 7.5,
#: under the detection threshold of 8, from every third (``benchmarks/diag_coarse_sde.py``).
MIN_COARSE_FREQUENCIES = 1000
#: The first pass of those shorter grids: search-17's, every second frequency and 8 maxima.
SHORT_GRID_STRIDE = 2
SHORT_GRID_PEAKS = 8


def coarse_pass(frequencies: int) -> tuple[int, int]:
    """``(stride, maxima refined)`` of the first pass over a grid of ``frequencies``:
    ``COARSE_STRIDE`` and ``COARSE_PEAKS`` where the pass keeps at least
    ``MIN_COARSE_FREQUENCIES``, else ``SHORT_GRID_STRIDE`` and ``SHORT_GRID_PEAKS``."""
    if frequencies >= COARSE_STRIDE * MIN_COARSE_FREQUENCIES:
        return COARSE_STRIDE, COARSE_PEAKS
    return min(COARSE_STRIDE, SHORT_GRID_STRIDE), SHORT_GRID_PEAKS
#: Cadences finer than half the narrowest phase bin are averaged in groups (of equal count,
#: at most half a phase bin long) for the first two passes: the box power of equal-count
#: means is that of the points (S² N / n_in (N − n_in) / σ², each term scaled alike). The
#: final, finer pass uses every cadence.
BIN_FRACTION = 0.5
#: Cadences are only averaged when full groups span at least this share of the time the
#: points cover (not, e.g., where 2-min and 30-min sectors are stitched: the 30-min points
#: would fill no group).
MIN_BINNED_SHARE = 0.9


def _binned(time: np.ndarray, flux: np.ndarray, noise: float, width: float
            ) -> tuple[np.ndarray, np.ndarray, float]:
    """Means of consecutive groups of cadences no longer than ``width`` days together (full
    groups only) and their noise, or the inputs where no group would hold two cadences."""
    cadence = median_cadence(time, default=width)
    size = int(width / cadence) if cadence > 0 else 1
    if size < 2 or time.size < 20 * size:
        return time, flux, noise
    # group edges midway between cadences: a timing jitter then moves no point across one
    slot = np.floor((time - time[0] + 0.5 * cadence) / (size * cadence)).astype(np.int64)
    edges = np.r_[0, np.flatnonzero(np.diff(slot)) + 1]
    count = np.diff(np.r_[edges, time.size])
    full = count == size
    # the time the points cover (steps up to ten cadences; longer ones are gaps)
    covered = float(np.minimum(np.diff(time), 10 * cadence).sum())
    if size * cadence * int(full.sum()) < MIN_BINNED_SHARE * covered:  # mixed cadences
        return time, flux, noise
    tsum = np.add.reduceat(time, edges)[full]
    fsum = np.add.reduceat(flux, edges)[full]
    return tsum / size, fsum / size, noise / np.sqrt(size)


def near_harmonic(periods: np.ndarray, avoid, tol: float = 0.01) -> np.ndarray:
    """Periods within ``tol`` of 1/3, 1/2, 1, 2 or 3 times any period in ``avoid``."""
    near = np.zeros(periods.shape, dtype=bool)
    for p in avoid:
        for factor in (1 / 3, 0.5, 1.0, 2.0, 3.0):
            near |= np.abs(periods / (p * factor) - 1) < tol
    return near


def _chunks(frequencies: int) -> int:
    """Chunks of the running median for a grid of ``frequencies``: ≥ 100 per median, ≤ 40."""
    return int(np.clip(frequencies // 100, 1, 40))


def _spectrum_baseline(power: np.ndarray, chunks: int | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Running median of ``power``: chunk medians and the chunks' centres (index units)."""
    chunks = _chunks(power.size) if chunks is None else min(chunks, power.size)
    edges = np.linspace(0, power.size, chunks + 1).astype(int)
    centres = 0.5 * (edges[:-1] + edges[1:]) - 0.5
    return centres, _chunk_medians(np.ascontiguousarray(power, dtype=float), edges)


def flatten_spectrum(power: np.ndarray) -> tuple[np.ndarray, float]:
    """Power minus its running median (chunk medians, interpolated) and the robust spread
    (1.4826 MAD) of that residual: SDE = residual / spread."""
    centres, medians = _spectrum_baseline(power)
    resid = power - np.interp(np.arange(power.size), centres, medians)
    return resid, robust_std(resid)


@numba.njit(cache=True, nogil=True)
def _chunk_medians(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Median of ``values[edges[i]:edges[i + 1]]`` for each i."""
    out = np.empty(edges.size - 1)
    for i in range(edges.size - 1):
        out[i] = np.median(values[edges[i]:edges[i + 1]])
    return out


def _candidates(resid: np.ndarray, excluded: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` highest local maxima of ``resid`` outside ``excluded``,
    highest first (ties: lower index first)."""
    value = np.where(excluded, -np.inf, resid)
    left = np.r_[-np.inf, value[:-1]]
    right = np.r_[value[1:], -np.inf]
    peaks = np.flatnonzero((value >= left) & (value >= right) & np.isfinite(value))
    if peaks.size == 0:
        return np.array([int(np.argmax(value))])
    order = np.argsort(-value[peaks], kind="stable")
    return peaks[order[:count]]


#: Powers within this fraction of the largest count as equal when a peak is chosen: BLS
#: powers of periods that fold the same cadences into transit are equal up to the last bits,
#: which differ between instruction sets and BLAS builds (issue 20: a two-transit Kaggle
#: star's fine grid had five such periods, and argmax took the first on one CPU and the
#: last on another).
PEAK_TIE_RTOL = 1e-9


def plateau_peak(power: np.ndarray, rtol: float = PEAK_TIE_RTOL) -> int:
    """Index of the highest value of ``power``, taking values within ``rtol`` of it as
    equal: the middle of the first contiguous run of such values (lower middle for an even
    run), so that last-bit differences between CPUs cannot move the choice.

    Parameters
    ----------
    power : ndarray, shape (F,)
        Power per trial frequency (``-inf`` where excluded).
    rtol : float
        Relative tolerance of "equal".

    Returns
    -------
    int
    """
    top = float(np.max(power))
    if not np.isfinite(top):
        return int(np.argmax(power))
    tied = power >= top - rtol * max(abs(top), np.finfo(float).tiny)
    first = int(np.argmax(tied))
    run = np.argmin(tied[first:]) if not tied[first:].all() else tied.size - first
    return first + (int(run) - 1) // 2


def best_peak(time, flux, noise, grid, avoid=()) -> tuple[Periodogram, float, float, float,
                                                          float, float]:
    """Most significant box-search peak, found coarse to fine.

    The box search runs over every ``COARSE_STRIDE``-th frequency of the grid (every second
    on grids shorter than ``COARSE_STRIDE × MIN_COARSE_FREQUENCIES``; the spectrum whose running
    median and spread give the SDE), then over the skipped frequencies next to its
    ``COARSE_PEAKS`` (``SHORT_GRID_PEAKS``) highest local maxima (a transit that falls between
    two coarse frequencies is still seen, at a lower power, at both), and finally on a finer
    grid with finer phase bins around the best of those. The first two passes search short cadences
    averaged in groups (``BIN_FRACTION``), the last every cadence. Returns the coarse
    periodogram, then the peak's period, t0, duration (days), box SNR and SDE."""
    freqs, widths, mbins, qmax = grid
    stride, maxima = coarse_pass(freqs.size)
    coarse_time, coarse_flux, coarse_noise = _binned(time, flux, noise,
                                                     BIN_FRACTION * float(widths.min()))
    options = {"duration_bins": mbins, "sigma": coarse_noise, "qmax": qmax}
    pg = bls_periodogram(coarse_time, coarse_flux, frequencies=freqs[::stride],
                         bin_width=widths[::stride], locate=False, **options)
    # chunks as wide in frequency as the full grid's: a running median over twice the range
    # would not follow the broad rise that a lone deep dip gives all long periods
    centres, medians = _spectrum_baseline(pg.power, _chunks(freqs.size))
    resid = pg.power - np.interp(np.arange(pg.power.size), centres, medians)
    spread = robust_std(resid)
    near = near_harmonic(1 / freqs, avoid)
    tops = _candidates(resid, near[::stride], maxima) * stride
    full = np.unique(np.clip(tops[:, None] + np.arange(1 - stride, stride),
                             0, freqs.size - 1))
    skipped = full[full % stride != 0]
    power = np.empty(freqs.size)
    power[::stride] = pg.power
    if skipped.size:
        power[skipped] = bls_periodogram(coarse_time, coarse_flux, frequencies=freqs[skipped],
                                         bin_width=widths[skipped], locate=False,
                                         **options).power
    # the coarse spectrum's running median, at full-grid positions
    level = np.interp(full / stride, centres, medians)
    score = np.where(near[full], -np.inf, power[full] - level)
    best = plateau_peak(score)
    k, resid_k = int(full[best]), float(power[full[best]] - level[best])
    step = np.diff(freqs)[min(k, freqs.size - 2)]
    fine = np.linspace(freqs[k] - 1.5 * step, freqs[k] + 1.5 * step, 31)
    fine = fine[fine > 0]
    pg2 = bls_periodogram(time, flux, frequencies=fine, bin_width=widths[k] / 3,
                          duration_bins=mbins * 3, sigma=noise, qmax=qmax)
    j = plateau_peak(pg2.power)
    peak = max(float(pg2.power[j]), float(power[k]))
    sde = (resid_k + peak - float(power[k])) / spread if spread > 0 else 0.0
    return pg, float(pg2.periods[j]), float(pg2.t0[j]), float(pg2.duration[j]), peak, sde


def search_grid(baseline: float, period_min: float, period_max: float,
                durations, oversample: float) -> tuple:
    """Frequencies (1/day), phase-bin widths (days), duration bins and the longest duration
    as a fraction of the period, for :func:`best_peak`."""
    freqs = frequency_grid(baseline, period_min=period_min, period_max=period_max,
                           oversample=oversample)
    widths, mbins = bin_widths(freqs, durations)
    return freqs, widths, mbins, 0.25
