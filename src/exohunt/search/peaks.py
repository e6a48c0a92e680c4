"""The periodogram step of the search: the frequency grid, the box search's most significant
peak (coarse grid, then a finer one around the peak) and its signal detection efficiency."""

from __future__ import annotations

import numba
import numpy as np

from exohunt.search.bls import Periodogram, bls_periodogram
from exohunt.search.detrend import robust_std
from exohunt.search.grid import bin_widths, frequency_grid

__all__ = ["best_peak", "flatten_spectrum", "near_harmonic", "search_grid"]


def near_harmonic(periods: np.ndarray, avoid, tol: float = 0.01) -> np.ndarray:
    """Periods within ``tol`` of 1/3, 1/2, 1, 2 or 3 times any period in ``avoid``."""
    near = np.zeros(periods.shape, dtype=bool)
    for p in avoid:
        for factor in (1 / 3, 0.5, 1.0, 2.0, 3.0):
            near |= np.abs(periods / (p * factor) - 1) < tol
    return near


def flatten_spectrum(power: np.ndarray) -> tuple[np.ndarray, float]:
    """Power minus its running median (chunk medians, interpolated) and the robust spread
    (1.4826 MAD) of that residual: SDE = residual / spread."""
    chunks = int(np.clip(power.size // 100, 1, 40))  # ≥ 100 frequencies per median
    edges = np.linspace(0, power.size, chunks + 1).astype(int)
    centres = 0.5 * (edges[:-1] + edges[1:]) - 0.5
    medians = _chunk_medians(np.ascontiguousarray(power, dtype=float), edges)
    resid = power - np.interp(np.arange(power.size), centres, medians)
    return resid, robust_std(resid)


@numba.njit(cache=True, nogil=True)
def _chunk_medians(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Median of ``values[edges[i]:edges[i + 1]]`` for each i."""
    out = np.empty(edges.size - 1)
    for i in range(edges.size - 1):
        out[i] = np.median(values[edges[i]:edges[i + 1]])
    return out


def best_peak(time, flux, noise, grid, avoid=()) -> tuple[Periodogram, float, float, float,
                                                          float, float]:
    """Coarse periodogram, then a finer search around its most significant peak."""
    freqs, widths, mbins, qmax = grid
    pg = bls_periodogram(time, flux, frequencies=freqs, bin_width=widths, duration_bins=mbins,
                         sigma=noise, qmax=qmax, locate=False)
    resid, spread = flatten_spectrum(pg.power)
    k = int(np.argmax(np.where(near_harmonic(pg.periods, avoid), -np.inf, resid)))
    step = np.diff(freqs)[min(k, freqs.size - 2)]
    fine = np.linspace(freqs[k] - 1.5 * step, freqs[k] + 1.5 * step, 31)
    fine = fine[fine > 0]
    pg2 = bls_periodogram(time, flux, frequencies=fine, bin_width=widths[k] / 3,
                          duration_bins=mbins * 3, sigma=noise, qmax=qmax)
    j = int(np.argmax(pg2.power))
    power = max(float(pg2.power[j]), float(pg.power[k]))
    sde = (resid[k] + power - float(pg.power[k])) / spread if spread > 0 else 0.0
    return pg, float(pg2.periods[j]), float(pg2.t0[j]), float(pg2.duration[j]), power, sde


def search_grid(baseline: float, period_min: float, period_max: float,
                durations, oversample: float) -> tuple:
    """Frequencies (1/day), phase-bin widths (days), duration bins and the longest duration
    as a fraction of the period, for :func:`best_peak`."""
    freqs = frequency_grid(baseline, period_min=period_min, period_max=period_max,
                           oversample=oversample)
    widths, mbins = bin_widths(freqs, durations)
    return freqs, widths, mbins, 0.25
