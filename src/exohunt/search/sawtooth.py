"""Removal of a K2-like roll sawtooth: thruster firings every ~6 h reset a linear drift.

Between two firings at ``f_i`` and ``f_{i+1}`` the flux follows ``a (-1 + 2 (t - f_i) /
(f_{i+1} - f_i))``; the intervals jitter, so the pattern is not strictly periodic and a
phase-folded template smears. Instead:

1. the sawtooth period is the highest peak of the residual's power spectrum between
   ``PERIOD_RANGE`` (it must stand ``MIN_PEAK`` times above the median power);
2. the firings are the jumps down of the biweight residual, chosen jointly by dynamic
   programming (successive firings ``JITTER`` × the period apart at most) to maximise the sum
   of the jumps;
3. the firing times are refined within their cadence gaps by least squares (Gauss-Newton;
   each firing moves the template over the two segments it bounds);
4. the amplitude ``a(t)`` (a slowly varying cubic spline, knots every ``SPACING`` days, next to
   a slowly varying level) is fitted robustly with :func:`exohunt.search.pspline.fit_modulated`
   and ``a(t) × template`` subtracted. Steps 3-4 alternate twice with re-estimating the
   smooth trend (a biweight of the flux without the sawtooth: the first trend, taken with the
   sawtooth in, wobbles by a good fraction of its amplitude). The cadence right after each
   firing (where K2 firings leave one-cadence dips), cadences before the first and after the
   last firing or between two firings too far apart (a firing was missed in a gap), and gaps
   filled by linear interpolation (:func:`interpolated`; the template would not fit them)
   are dropped;
5. exponential settling ramps at the start and after gaps (which come with such pointing
   systematics) are fitted and removed (:func:`ramp_model`).

A transit is short against the amplitude spline's spacing and is not fitted by the template,
so it survives. The correction is kept only where it makes the biweight residual markedly
whiter (:func:`exohunt.search.rotation.whiteness`).
"""

from __future__ import annotations

import numba
import numpy as np
from scipy.fft import next_fast_len

from exohunt.lightcurve import LightCurve
from exohunt.search.binned import median_cadence
from exohunt.search.detrend import _trend, point_to_point_noise, robust_std
from exohunt.search.pspline import _solve_banded, bspline_rows, fit_modulated

__all__ = ["PERIOD_RANGE", "described", "find_firings", "interpolated", "jump_amplitude",
           "ramp_model", "refine_firings", "remove_sawtooth", "sawtooth_period",
           "sawtooth_template", "sawtooth_terms"]

#: Periods (days) searched for a sawtooth (the K2 roll: thruster firings every ~0.245 d).
PERIOD_RANGE = (0.18, 0.32)
#: The spectral peak must exceed this many times the median power between 2 and 12 c/d.
MIN_PEAK = 30.0
#: Successive firings are (1 ± JITTER) × the period apart.
JITTER = 0.25
#: A firing's jump must be at least this fraction of the median jump.
MIN_JUMP = 0.3
#: No correction when it would keep less than this fraction of the cadences.
MIN_KEPT = 0.5
SPACING = 1.0
#: Biweight window (days) of the smooth trend re-estimated with the sawtooth removed.
TREND_WINDOW = 0.5
#: Time constants (days) tried for the settling ramps after gaps (:func:`ramp_model`).
RAMP_TAUS = (0.05, 0.1, 0.2, 0.4)


def sawtooth_period(time: np.ndarray, resid: np.ndarray, *, oversample: int = 4
                    ) -> tuple[float, float]:
    """Period (days) of the strongest peak within ``PERIOD_RANGE`` and its height over the
    median power (the flux is interpolated to a uniform grid and Fourier transformed,
    zero-padded to ``oversample`` times its length); the height is 0 when the maximum lies on
    the edge of the range (no peak inside it)."""
    cadence = median_cadence(time)
    grid = np.arange(time[0], time[-1], cadence)
    values = np.interp(grid, time, resid)
    # small prime factors: a fast transform
    size = next_fast_len(oversample * grid.size, real=True)
    power = np.abs(np.fft.rfft(values - values.mean(), n=size)) ** 2
    freqs = np.fft.rfftfreq(size, d=cadence)
    band = (freqs >= 1 / PERIOD_RANGE[1]) & (freqs <= 1 / PERIOD_RANGE[0])
    reference = (freqs >= 2.0) & (freqs <= min(12.0, freqs[-1]))
    if not band.any() or not reference.any():
        return float("nan"), 0.0
    k = int(np.argmax(power[band]))
    if k in (0, int(band.sum()) - 1):  # the spectrum rises out of the band: no peak in it
        return float(1 / freqs[band][k]), 0.0
    floor = float(np.median(power[reference])) or 1e-300
    return float(1 / freqs[band][k]), float(power[band][k] / floor)


@numba.njit(cache=True)
def _chain(score, lo, hi):  # pragma: no cover - numba
    """Indices maximising the summed score with successive gaps in [lo, hi]."""
    n = score.size
    best = np.empty(n)
    back = np.full(n, -1, dtype=np.int64)
    for k in range(n):
        prev, arg = 0.0, -1
        for g in range(lo, hi + 1):
            if k - g >= 0 and best[k - g] > prev:
                prev, arg = best[k - g], k - g
        best[k] = score[k] + prev
        back[k] = arg
    k = n - 1 - np.argmax(best[::-1][:hi])
    out = []
    while k >= 0:
        out.append(k)
        k = back[k]
    return np.array(out[::-1], dtype=np.int64)


def find_firings(time: np.ndarray, resid: np.ndarray, period: float, *,
                 bridge: int = 0) -> np.ndarray:
    """Indices into ``time`` of the first cadence after each firing.

    ``resid`` is the flux minus a smooth trend (the sawtooth remains); a firing is a jump
    down between consecutive cadences of a regular cadence grid, at least ``MIN_JUMP`` times
    the median jump of the chain (links placed in gaps or flat stretches are dropped). With
    ``bridge`` > 0 a jump may also span up to that many missing cadences (a series from which
    the cadences at each firing were already dropped, as the flux's correction and its
    outlier clipping drop them).
    """
    cadence = median_cadence(time)
    slot = np.round((time - time[0]) / cadence).astype(np.int64)
    full = np.full(slot[-1] + 1, np.nan)
    full[slot] = resid
    score = np.zeros(full.size)
    score[1:] = full[:-1] - full[1:]
    if bridge > 0:  # the jump from the last cadence before the missing ones to the next
        step = np.diff(slot)
        across = (step > 1) & (step <= bridge + 1)
        score[slot[1:][across]] = (resid[:-1] - resid[1:])[across]
    score[~np.isfinite(score)] = 0.0
    n = period / cadence
    lo, hi = max(int(np.floor((1 - JITTER) * n)), 1), int(np.ceil((1 + JITTER) * n))
    chosen = _chain(score, lo, hi)
    where = np.full(full.size, -1, dtype=np.int64)
    where[slot] = np.arange(time.size)
    index = where[chosen]
    jump = score[chosen]
    strong = jump > MIN_JUMP * np.median(jump[jump > 0]) if (jump > 0).any() else jump > 0
    return index[(index > 0) & strong]  # chain links through gaps are not firings seen


def sawtooth_template(time: np.ndarray, firings: np.ndarray) -> np.ndarray:
    """The unit sawtooth (−1 right after a firing, +1 just before the next) at ``time``,
    for firing times ``firings`` (days, ascending, at least two)."""
    i = np.clip(np.searchsorted(firings, time, side="right") - 1, 0, firings.size - 2)
    return -1 + 2 * (time - firings[i]) / (firings[i + 1] - firings[i])


def sawtooth_terms(time: np.ndarray, firings: np.ndarray, resid: np.ndarray, keep: np.ndarray,
                   rows: tuple | None = None) -> np.ndarray:
    """Level and sawtooth terms fitted to ``resid``, shape (T, 2).

    Each term is a slowly varying spline (knots every ``SPACING`` days) times a function: 1
    and :func:`sawtooth_template` of ``firings``. Fitted by weighted least squares on the
    cadences in ``keep``, twice more with those beyond 4 σ of the model left out (fewer when
    the clipping stops changing); ``rows`` are :func:`bspline_rows` of ``time`` if already made.
    """
    rows = bspline_rows(time, SPACING) if rows is None else rows
    template = sawtooth_template(time, firings)
    funcs = np.column_stack([np.ones_like(template), template])
    weight = keep.astype(float)
    for step in range(3):
        terms = fit_modulated(rows, funcs, resid, weight, parts=True)
        if step == 2:
            break
        model = terms.sum(axis=1)
        sigma = robust_std((resid - model)[keep])
        clipped = (keep & (np.abs(resid - model) < 4 * sigma)).astype(float)
        if np.array_equal(clipped, weight):  # converged: a refit would repeat this one
            break
        weight = clipped
    return terms


def described(time: np.ndarray, firings: np.ndarray, index: np.ndarray, period: float
              ) -> np.ndarray:
    """The cadences a sawtooth on ``firings`` (days; ``index`` the first cadence after each)
    describes: between the first and the last firing, not the cadence right after a firing
    (K2's firings leave one-cadence dips there), and not between two firings more than
    (1 + ``JITTER``) periods apart (a firing missed in a gap)."""
    segment = np.clip(np.searchsorted(firings, time, side="right") - 1, 0, firings.size - 2)
    out = ((time > firings[0]) & (time < firings[-1])
           & (np.diff(firings)[segment] < (1 + JITTER) * period))
    out[index] = False
    return out


def jump_amplitude(terms: np.ndarray, index: np.ndarray) -> float:
    """The sawtooth's semi-amplitude: half the median jump of its fitted term (``terms[:, 1]``
    of :func:`sawtooth_terms`) at the firings (``index``), 1 where that is 0."""
    return float(np.median(np.abs(np.diff(terms[:, 1])[index - 1]))) / 2 or 1.0


def refine_firings(time: np.ndarray, resid_fn, firings: np.ndarray, index: np.ndarray,
                   amplitude: float, keep: np.ndarray) -> np.ndarray:
    """Move the firing times (days) within their cadences by Gauss-Newton least squares.

    ``resid_fn(firings)`` is the data minus the fitted sawtooth for those firings; ``index``
    the first cadence after each firing (:func:`find_firings`); ``amplitude`` the sawtooth's
    semi-amplitude; ``keep`` the cadences the fit may use.

    A firing ``f_i`` sets the end of segment ``i - 1`` and the start of segment ``i``; the
    template's derivative with respect to it is a tent over those two segments, so the normal
    matrix is tridiagonal. Two passes, points beyond 4 σ left out, shifts clipped to the
    cadence gap that holds the firing.
    """
    for _ in range(2):
        resid = resid_fn(firings)
        sigma = robust_std(resid[keep]) or 1.0
        use = keep & (np.abs(resid) < 4 * sigma) & (time > firings[0]) & (time < firings[-1])
        t, r = time[use], resid[use]
        i = np.clip(np.searchsorted(firings, t, side="right") - 1, 0, firings.size - 2)
        width = firings[i + 1] - firings[i]
        left = -2 * amplitude * (firings[i + 1] - t) / width**2
        right = -2 * amplitude * (t - firings[i]) / width**2
        n = firings.size
        band = np.zeros((2, n))
        band[1] = np.bincount(i, left**2, n) + np.bincount(i + 1, right**2, n)
        band[1] += 1e-6 * (band[1].max() or 1.0)
        band[0, 1:] = np.bincount(i, left * right, n)[:-1]
        rhs = np.bincount(i, left * r, n) + np.bincount(i + 1, right * r, n)
        shift = _solve_banded(band, rhs)
        firings = np.clip(firings + shift, time[index - 1], time[index])
    return firings


def interpolated(flux: np.ndarray, run: int = 3) -> np.ndarray:
    """True inside stretches of at least ``run`` exactly collinear cadences: gaps filled by
    linear interpolation (the Kaggle layout), which carry no data."""
    flux = np.asarray(flux, dtype=float)
    out = np.zeros(flux.size, dtype=bool)
    if flux.size < run + 2:
        return out
    second = np.abs(np.diff(flux, 2))
    flat = second <= 0.05 * (point_to_point_noise(flux) or 1.0)
    counts = np.convolve(flat, np.ones(run, dtype=int), mode="valid")
    for shift in range(run):
        out[1 + shift:1 + shift + counts.size] |= counts == run
    return out


def _ramp_fits(x: np.ndarray, y: np.ndarray, taus: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Least squares of ``c0 + c1 x + a exp(-x / τ)`` to ``y`` for every τ of ``taus`` at once.

    The three-parameter normal equations are summed directly (four dot products per τ)
    and solved together: a stretch with four taus costs one batched 3 x 3 solve instead of
    four SVD least squares and four pseudo-inverses. The design is well conditioned (x at
    most a few days, the ramp between 0 and 1), so the normal equations lose nothing that
    matters here (``tests/test_search_sawtooth.py`` compares with ``numpy.linalg.lstsq``).

    Returns ``(amplitude, inverse, resid, chi2)``: ``a`` per τ, the ``[2, 2]`` element of
    the inverse normal matrix per τ (NaN where singular), the residuals (shape (K, N)) and
    their sums of squares.
    """
    ramps = np.exp(-x[None, :] / taus[:, None])
    k = taus.size
    normal = np.empty((k, 3, 3))
    normal[:, 0, 0], normal[:, 0, 1], normal[:, 1, 1] = x.size, x.sum(), x @ x
    normal[:, 0, 2] = ramps.sum(axis=1)
    normal[:, 1, 2] = ramps @ x
    normal[:, 2, 2] = np.einsum("kn,kn->k", ramps, ramps)
    normal[:, 1, 0], normal[:, 2, 0], normal[:, 2, 1] = (normal[:, 0, 1], normal[:, 0, 2],
                                                         normal[:, 1, 2])
    rhs = np.empty((k, 3, 1))
    rhs[:, 0, 0], rhs[:, 1, 0], rhs[:, 2, 0] = y.sum(), x @ y, ramps @ y
    try:
        inverse = np.linalg.inv(normal)
    except np.linalg.LinAlgError:  # a degenerate stretch: no ramp is fitted there
        nan = np.full(k, np.nan)
        return nan, nan, np.zeros((k, x.size)), np.full(k, np.inf)
    coef = (inverse @ rhs)[:, :, 0]
    resid = y[None, :] - coef[:, :1] - coef[:, 1:2] * x[None, :] - coef[:, 2:] * ramps
    return coef[:, 2], inverse[:, 2, 2], resid, np.einsum("kn,kn->k", resid, resid)


def ramp_model(time: np.ndarray, flux: np.ndarray, *, min_gap: float = 0.1,
               length: float = 2.0) -> np.ndarray:
    """Exponential settling ramps at the start and after each gap, zero elsewhere.

    In the first ``length`` days of each stretch (after a gap longer than ``min_gap`` days),
    ``c0 + c1 x + a exp(-x / τ)`` (x = time since the stretch began) is fitted by least
    squares for τ in ``RAMP_TAUS`` (no clipping: the ramp's first points are its largest
    residuals); the best ``a exp(-x/τ)`` is returned where ``a`` exceeds 5 times its standard
    error. Stretches too short to fit (under 20 cadences before the next gap) are NaN.
    """
    out = np.zeros_like(flux)
    if time.size == 0:
        return out
    starts = np.r_[0, np.flatnonzero(np.diff(time) > min_gap) + 1]
    all_taus = np.asarray(RAMP_TAUS, dtype=float)
    for start, stop in zip(starts, np.r_[starts[1:], time.size]):
        x = time[start:stop] - time[start]
        near = np.flatnonzero(x < length)
        if near.size < 20:  # too short a stretch to tell a ramp: not used
            out[start + near] = np.nan
            continue
        x, y = x[near], flux[start + near]
        # a slower ramp is a straight line here: left to the biweight
        taus = all_taus[all_taus <= x[-1] / 4]
        if taus.size == 0:
            continue
        amplitude, inverse, resid, chi2 = _ramp_fits(x, y, taus)
        best_chi2, best = np.inf, None
        for j in range(taus.size):
            if not chi2[j] < best_chi2:  # the amplitude's error only matters for a better fit
                continue
            error = np.sqrt(inverse[j]) * robust_std(resid[j])
            if abs(amplitude[j]) > 5 * error:
                best_chi2, best = chi2[j], j
        if best is not None:
            out[start + near] = amplitude[best] * np.exp(-x / taus[best])
    return out


def remove_sawtooth(lc: LightCurve, trend: np.ndarray) -> LightCurve | None:
    """``lc`` with a roll sawtooth subtracted and post-firing cadences dropped, or None.

    Parameters
    ----------
    lc : LightCurve
        Finite, time-sorted light curve (any flux unit).
    trend : ndarray, shape (T,)
        A smooth trend of ``lc.flux`` (e.g. the biweight's) in the same unit.

    Returns
    -------
    LightCurve or None
        None when no sawtooth period stands out or the firings found describe less than
        ``MIN_KEPT`` of the cadences. ``meta``: ``sawtooth_period`` (days),
        ``n_firings``, ``sawtooth_amplitude`` (median ``a``, flux unit).
    """
    resid = lc.flux - trend
    period, peak = sawtooth_period(lc.time, resid)
    if not peak >= MIN_PEAK:
        return None
    keep = ~interpolated(lc.flux)
    index = find_firings(lc.time[keep], resid[keep], period)
    index = np.flatnonzero(keep)[index]
    if index.size < 4:
        return None
    firings = 0.5 * (lc.time[index - 1] + lc.time[index])
    rows = bspline_rows(lc.time, SPACING)
    keep &= described(lc.time, firings, index, period)
    if keep.sum() < MIN_KEPT * lc.time.size:  # not a sawtooth that this model describes
        return None

    def fit(times: np.ndarray, resid: np.ndarray) -> np.ndarray:
        return sawtooth_terms(lc.time, times, resid, keep, rows)

    terms = fit(firings, resid)
    amplitude = jump_amplitude(terms, index)
    first = (firings, resid, terms)  # refine_firings's first model is this one: not fitted twice

    def residual(times: np.ndarray, resid: np.ndarray) -> np.ndarray:
        known = first[2] if times is first[0] and resid is first[1] else fit(times, resid)
        return resid - known.sum(axis=1)

    for _ in range(2):  # the first trend is biased by the sawtooth itself: alternate
        firings = refine_firings(lc.time, lambda f, r=resid: residual(f, r), firings, index,
                          amplitude, keep)
        sawtooth = fit(firings, resid)[:, 1]
        resid = lc.flux - _trend(lc.time, lc.flux - sawtooth, method="biweight",
                                 window_length=TREND_WINDOW, break_tolerance=0.5, mask=~keep)
    flux = lc.flux - fit(firings, resid)[:, 1]
    flux[keep] -= ramp_model(lc.time[keep], flux[keep])
    keep &= np.isfinite(flux)
    out = lc.replace(flux=flux,
                     meta={"sawtooth_period": period, "n_firings": int(index.size),
                           "sawtooth_amplitude": amplitude})
    return out[keep]
