"""Flares found in a detrended light curve, to be left out before the search detrends again.

A flare rises within a cadence or two and decays over tens of minutes to hours (Davenport
2014). The detrending clips its brightest cadences (more than ``clip_sigma`` above the trend),
but its decaying tail, a few σ high over many cadences, stays in and pulls both the spot model
and the biweight up around it; the residual then dips below 1 for hours next to the flare. On
an active star with a few dozen flares such dips line up in the box search as three or four
"transits" hundreds of ppm deep (round 20: the highest-scoring planet-free stars of the
vetting benchmark's development split were flaring stars of this kind).

:func:`find_flares` marks each flare's cadences from its rise to where its tail has decayed
into the noise; the search removes them and detrends again, so no trend sees them. What
counts as a flare (constants below):

- a *peak*: a cadence at least ``PEAK_SIGMA`` above the trend (the detrending's clipped
  cadences are such peaks) that rises sharply, at least ``RISE_SIGMA`` above the median of
  the ``RISE_CADENCES`` cadences before it — a smooth residual bump (a spot model's misfit)
  rises over many cadences, so its cadences stand out from their predecessors by noise only;
- a *decay*: the cadence after the peak is at least ``DECAY_SIGMA`` high or a peak too: a
  single high cadence with normal neighbours (a cosmic ray) is left to the clipping;
- a *fall*: the peak stands at least ``RISE_SIGMA`` above the median of the
  ``RISE_CADENCES`` cadences that begin ``FALL_CADENCES`` after it — a flare decays, while a
  deep transit's egress, which rises as sharply, stays up (the first trend, dragged down by
  the transit, puts the cadences after an egress several σ "above" it too);
- from quiet data: the ``BASELINE_CADENCES`` cadences before the rise scatter from cadence
  to cadence by at most ``BASELINE_SCATTER`` σ (robust point-to-point scatter): inside a
  stretch of pointing jitter or other elevated scatter, high cadences come with low ones
  and are not flares (the search's junk masking deals with such stretches), while the dip
  that a flare's dragged trend leaves before it is smooth;
- the flare runs from the cadence before the peak (its rise) for as long as the running
  mean of the residual over ``TAIL_CADENCES`` cadences stays above ``TAIL_SIGMA`` /
  √``TAIL_CADENCES`` (its tail, at most ``MAX_FLARE_DAYS``);
- it is large enough to drag a trend: its residual, each cadence counted up to
  ``EXCESS_CAP`` σ, sums to at least ``MIN_EXCESS`` σ (a trend's robust estimators give the
  brightest cadences no weight; the many moderately high ones of a long tail pull it). A
  smaller one is left to the detrending's clipping, as are cosmic rays.

The first trend is itself dragged up by the flare, so a large flare's tail looks shorter
against it than it is. After the flares are removed and the light curve detrended again,
:func:`flare_tails` follows each one's tail further against the new trend (the same running
mean, up to ``MAX_FLARE_DAYS`` after the peak), and what it adds is removed too.

Transits are dips: no cadence of a transit is ever marked unless a flare happens to sit on
it (its cadences are then lost, as they would be to any data gap).

The step is opt-in (``search(flares=True)``, ``exohunt search --flares``): the models' features
are searched without it (as gbm's features on the vetting benchmark's development split it
raised average precision but lowered precision at recall 0.95; BENCHMARKS.md, round 20).
"""

from __future__ import annotations

import numpy as np

from exohunt.lightcurve import LightCurve

__all__ = ["BASELINE_CADENCES", "BASELINE_SCATTER", "DECAY_SIGMA", "EXCESS_CAP",
           "FALL_CADENCES", "MAX_FLARE_DAYS", "MIN_EXCESS", "PEAK_SIGMA", "RISE_CADENCES",
           "RISE_SIGMA", "TAIL_CADENCES", "TAIL_SIGMA", "find_flares", "flare_residual",
           "flare_tails"]

PEAK_SIGMA = 4.0
RISE_SIGMA = 4.0
RISE_CADENCES = 3
DECAY_SIGMA = 2.0
TAIL_CADENCES = 3
BASELINE_CADENCES = 12
BASELINE_SCATTER = 2.0
FALL_CADENCES = 3
EXCESS_CAP = 10.0
MIN_EXCESS = 25.0
TAIL_SIGMA = 1.0
MAX_FLARE_DAYS = 0.5


def flare_residual(clean: LightCurve, det: LightCurve) -> np.ndarray:
    """Residual of every cadence of ``clean`` in units of the detrended noise, shape (T,).

    ``det`` is ``clean`` detrended (:func:`~exohunt.search.detrend.detrend`, possibly after a
    spot model): the same cadences in the same order except those it clipped high. Those read
    their flux against the trend interpolated from their neighbours (the trend read back as
    :mod:`exohunt.search.variability` reads it), so a flare's clipped cadences keep their
    height. All zeros when ``det``'s noise or cadences do not allow it.
    """
    from exohunt.search.variability import _trend, _unit

    noise = float(det.meta.get("noise", np.nan))
    unit = _unit(clean, det)
    trend = _trend(clean, det, unit) if len(det) >= 2 else None
    if not (noise > 0 and np.isfinite(unit) and unit != 0) or trend is None:
        return np.zeros(len(clean))
    level = np.median(det.flux)
    z = np.empty(len(clean))
    where = np.searchsorted(clean.time, det.time)
    z[where] = (det.flux - level) / noise
    clipped = np.ones(len(clean), dtype=bool)
    clipped[where] = False
    if clipped.any():
        good = np.isfinite(trend) & (trend != 0)
        between = np.interp(clean.time[clipped], det.time[good], trend[good])
        raw = clean.flux[clipped] / unit  # the detrended value there, in det's convention
        value = (1.0 + raw - between if det.meta.get("flux_mode") == "additive"
                 else raw / between)
        z[clipped] = (value - level) / noise
    return z


def find_flares(time: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Cadences of flares (see the module docstring) in a residual ``z`` (σ units).

    Parameters
    ----------
    time : ndarray, shape (T,)
        Sorted times, days.
    z : ndarray, shape (T,)
        Residual over the trend in units of the per-cadence noise (:func:`flare_residual`;
        +inf stands for a cadence known only to be far above it).

    Returns
    -------
    ndarray of bool, shape (T,)
        True for the cadences of every flare, from its rise to the end of its tail.
    """
    n = z.size
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    finite_z = np.where(np.isfinite(z), z, 1e6)  # clipped cadences: far above any threshold
    high = np.flatnonzero(finite_z >= PEAK_SIGMA)  # few: only these can be peaks
    if high.size == 0:
        return out
    # the median of the RISE_CADENCES cadences before each (0 before the first), and of the
    # RISE_CADENCES from FALL_CADENCES after each (0 past the last)
    padded = np.r_[np.zeros(RISE_CADENCES), finite_z, np.zeros(FALL_CADENCES + RISE_CADENCES)]
    offsets = np.arange(RISE_CADENCES)
    before = np.median(padded[high[:, None] + offsets], axis=1)
    later = np.median(padded[high[:, None] + RISE_CADENCES + FALL_CADENCES + offsets],
                      axis=1)
    after = finite_z[np.minimum(high + 1, n - 1)] * (high + 1 < n)
    peak_z = finite_z[high]
    peaks = high[(peak_z - before >= RISE_SIGMA) & (peak_z - later >= RISE_SIGMA)
                 & (after >= DECAY_SIGMA)]
    if peaks.size == 0:
        return out
    ahead = _ahead(finite_z)
    for peak in peaks:
        if out[peak]:  # inside the tail of an earlier flare
            continue
        if _scattered(z[max(peak - 1 - BASELINE_CADENCES, 0):max(peak - 1, 0)]):
            continue
        stop = _tail_end(time, ahead, peak + 1, time[peak])
        if np.clip(finite_z[peak:stop], 0.0, EXCESS_CAP).sum() < MIN_EXCESS:
            continue  # too small to drag a trend: left to the clipping
        out[max(peak - 1, 0):stop] = True
    return out


def flare_tails(time: np.ndarray, z: np.ndarray, flares: np.ndarray) -> np.ndarray:
    """The continuation of known flares' tails in a residual detrended without them.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Sorted times (days) of the cadences left after the flares were removed.
    z : ndarray, shape (T,)
        Their residual over the new trend, σ units (+inf where clipped high).
    flares : ndarray, shape (F, 2)
        ``[peak, end]`` times (days) of each removed flare: its brightest removed cadence
        and its last removed cadence.

    Returns
    -------
    ndarray of bool, shape (T,)
        True for the cadences right after a flare whose running mean (``TAIL_CADENCES``)
        is still above the tail level, up to ``MAX_FLARE_DAYS`` after its peak.
    """
    out = np.zeros(time.size, dtype=bool)
    if time.size == 0 or len(flares) == 0:
        return out
    ahead = _ahead(np.where(np.isfinite(z), z, 1e6))
    for peak, end in flares:
        start = int(np.searchsorted(time, end, side="right"))
        out[start:_tail_end(time, ahead, start, peak)] = True
    return out


def _scattered(z: np.ndarray) -> bool:
    """Whether the finite values of ``z`` scatter from one to the next by more than
    ``BASELINE_SCATTER`` (1.4826 MAD of the first differences / √2; False for fewer than
    four values): white noise reads 1, a smooth dip about 0."""
    step = np.diff(z[np.isfinite(z)])
    return step.size >= 3 and 1.4826 * float(np.median(np.abs(step - np.median(step)))) > (
        BASELINE_SCATTER * np.sqrt(2))


def _ahead(z: np.ndarray) -> np.ndarray:
    """Running mean of each cadence's residual and the next ``TAIL_CADENCES`` - 1."""
    kernel = np.ones(TAIL_CADENCES) / TAIL_CADENCES
    return np.convolve(np.r_[z, np.zeros(TAIL_CADENCES)], kernel, mode="valid")[:z.size]


def _tail_end(time: np.ndarray, ahead: np.ndarray, start: int, peak_time: float) -> int:
    """First cadence from ``start`` on where the tail has decayed (or is too long)."""
    level = TAIL_SIGMA / np.sqrt(TAIL_CADENCES)
    stop = start
    while (stop < time.size and time[stop] - peak_time <= MAX_FLARE_DAYS
           and ahead[stop] > level):
        stop += 1
    return stop
