"""Period and duration grids for the box search, scaled to the baseline and a Sun-like star.

The frequency spacing follows Ofir (2014, A&A 561, A138): a transit of duration ``d`` at
frequency ``f`` covers a phase fraction ``q = d f``; a frequency error ``df`` shifts the last
transit of a baseline ``T`` by ``T df`` cycles, so ``df = q / (oversample T)``. With the
duration of a central transit across a Sun-like star, ``d ∝ P^(1/3)``, the grid is uniform in
``f^(1/3)``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "DURATION_BINS",
    "MIN_PERIOD_DAYS",
    "bin_widths",
    "expected_duration",
    "frequency_grid",
]

#: Full duration (days) of a central transit of a Sun-like star for a 1-year orbit.
SUN_DURATION_ONE_YEAR_DAYS = 365.25 / (np.pi * 215.03)
#: Shortest period searched by default, in days.
MIN_PERIOD_DAYS = 0.5
#: Searched durations in phase bins, with ``BINS_PER_EXPECTED`` bins per expected duration:
#: fractions 1/3 … 2.5 of the main-sequence duration.
DURATION_BINS = np.array([2, 3, 4, 6, 8, 11, 15], dtype=np.int64)
BINS_PER_EXPECTED = 6.0


@numba.njit(cache=True, nogil=True)
def _cbrt(values: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    """Cube roots by the C library, one value at a time: numpy's vectorised power and cbrt
    differ in the last bit between CPUs with and without AVX-512, and a grid that moves
    by one bit can move a phase-bin edge."""
    out = np.empty(values.size)
    for i in range(values.size):
        out[i] = np.cbrt(values[i])
    return out


def expected_duration(period: float | np.ndarray) -> float | np.ndarray:
    """Full duration (days) of a central transit across a Sun-like star.

    Parameters
    ----------
    period : float or ndarray
        Orbital period in days.

    Returns
    -------
    float or ndarray
        ``P / pi * R_sun / a`` with Kepler's third law for one solar mass, in days
        (13.0 h at one year, 2.4 h at 2.2 days).
    """
    ratio = np.asarray(period, dtype=float) / 365.25
    root = _cbrt(np.ascontiguousarray(ratio).ravel()).reshape(ratio.shape)
    out = SUN_DURATION_ONE_YEAR_DAYS * root
    return float(out) if out.ndim == 0 else out


def frequency_grid(baseline: float, *, period_min: float, period_max: float,
                   oversample: float = 2.0) -> np.ndarray:
    """Trial frequencies (1/day), ascending, Ofir-spaced for a baseline of ``baseline`` days.

    Parameters
    ----------
    baseline : float
        Time span of the data in days.
    period_min, period_max : float
        Period range in days (``0 < period_min < period_max``).
    oversample : float
        Grid points per expected transit duration of phase drift over the baseline.

    Returns
    -------
    ndarray, shape (F,)
        Frequencies in 1/day, uniform in ``f^(1/3)``.
    """
    if not 0 < period_min < period_max:
        raise ValueError(f"need 0 < period_min < period_max, got {period_min}, {period_max}")
    # df = A f^(2/3) with A = d_ms(1 day) / (oversample T); uniform step A/3 in f^(1/3)
    a = float(expected_duration(1.0)) / (oversample * baseline)
    lo, hi = _cbrt(np.array([1 / period_max, 1 / period_min]))
    n = max(int(np.ceil(3 * (hi - lo) / a)), 2)
    roots = np.linspace(lo, hi, n)
    return roots * roots * roots  # not ** 3: see _cbrt


def bin_widths(frequencies: np.ndarray, durations: np.ndarray | None) -> tuple[
        np.ndarray, np.ndarray]:
    """Phase-bin width per frequency (days) and the searched durations in bins.

    With ``durations=None`` the durations scale with the expected duration at each period
    (``DURATION_BINS / BINS_PER_EXPECTED`` times it); otherwise the given durations (days)
    are used at every period, with two bins across the shortest.
    """
    periods = 1 / np.asarray(frequencies, dtype=float)
    if durations is None:
        return expected_duration(periods) / BINS_PER_EXPECTED, DURATION_BINS.copy()
    durations = np.sort(np.asarray(durations, dtype=float))
    if durations.size == 0 or durations[0] <= 0:
        raise ValueError("durations must be positive numbers of days")
    width = durations[0] / 2
    counts = np.unique(np.maximum(np.round(durations / width), 1).astype(np.int64))
    return np.full(periods.shape, width), counts
