"""In-transit centroid motion: its significance and the position of the dimming source.

The flux-weighted centroid of an aperture is ``c = Σ f_i x_i / Σ f_i``. When a source at
pixel position ``x_src`` loses a fraction ``δ`` of the *aperture's* flux, the centroid moves
by ``Δc = −δ (x_src − c_oot) / (1 − δ)``, so the source lies at
``x_src = c_oot − Δc (1 − δ) / δ``. Its offset from the target (``meta["target_pixel"]``) is
near 0 for a planet on the target and near the neighbour's distance for a background
eclipsing binary on a neighbour. Without the target's pixel position the offset is measured
from the out-of-transit centroid (``centroid_offset_from_oot`` = 1): a planet on a target
with a bright neighbour then looks offset too, so the statistic is weaker.

``δ`` is the depth in the aperture's flux: PDCSAP flux has the crowding removed, so its depth
is multiplied by ``meta["crowdsap"]`` (share of the aperture's flux from the target) unless
the flux column is SAP flux. ``δ`` and ``Δc`` are measured on the same in-transit cadences
(the box's |phase| < duration / 2), each against the out-of-transit level.

Pointing drifts move the centroid far more than a transit does, so each centroid series is
detrended like the flux (wotan's biweight with the flux's window, transits masked).
In-transit cadences whose centroid lies far from the straight line in the flux that the
other in-transit cadences follow (more than ``SPIKE_SIGMA`` robust σ in either axis,
:func:`centroid_spikes`) are left out of both the shift and the depth: one pointing spike (a
roll's thruster firing moves the centroid by tens to thousands of σ for one cadence) in a
transit otherwise makes a planet on an isolated star look like a 5-100 σ shift from a source
pixels away. The error of the in-transit mean is the larger of the white-noise error
(robust σ / √N_in) and the scatter of duration-long out-of-transit bin means /
√(transits), which covers red noise.

Kepler rotates by 90° every quarter: with a per-cadence ``segment`` (or ``quarter``,
``sector``, ``campaign``) column each segment is measured in its own pixels, converted to
the sky with that segment's ``pixel_to_sky`` (``meta["pixel_to_sky"]``: one 2×2 arcsec/pixel
matrix, or a mapping from segment value to one; ``meta["target_pixel"]`` likewise) and the
offsets combined on the sky by inverse covariance. Without per-segment matrices the segments
are combined in pixels, which is right only when they share an orientation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import chi2

from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.detrend import _trend, default_window_length, robust_std
from exohunt.search.pspline import bspline_rows
from exohunt.search.sawtooth import (
    SPACING,
    described,
    find_firings,
    jump_amplitude,
    refine_firings,
    sawtooth_period,
    sawtooth_terms,
)

__all__ = ["CENTROID_COLUMNS", "POSITION_FLOOR_PIXELS", "ROLL_GAIN", "ROLL_MIN_KEPT",
           "SEGMENT_COLUMNS", "SPIKE_SIGMA", "aperture_depth_factor", "centroid_residuals",
           "centroid_spikes", "centroid_statistics", "jump_ratio", "remove_roll"]

#: Statistics of :func:`centroid_statistics` (all float, NaN when not measurable).
CENTROID_COLUMNS = ("centroid_shift_sigma", "centroid_offset_pixels", "centroid_offset_sigma",
                    "centroid_offset_arcsec", "centroid_offset_from_oot")
#: Per-cadence columns naming the segment (quarter, sector, campaign) of each cadence.
SEGMENT_COLUMNS = ("segment", "quarter", "sector", "campaign")
_MASK_WIDTH = 1.5      # transit durations left out of the centroid trend (ingress margin)
_MIN_IN, _MIN_OUT = 3, 20
_MIN_DEPTH_SNR = 2.0   # below this the source position is meaningless (offset NaN)
#: An in-transit cadence whose centroid residual lies more than this many robust σ from the
#: straight line in the flux that the in-transit centroids follow (either axis) is a spike,
#: not the transit's shift (:func:`centroid_spikes`).
#: White noise passes 5 σ with probability 6e-7 per cadence and axis. ``inf``: no clipping.
SPIKE_SIGMA = 5.0
#: Systematic 1σ (pixels, per axis) added to every source position: a flux-weighted centroid
#: places a star's light only this well (aperture truncation of the PSF, the target's WCS
#: position). On the real files in ../shared/data the out-of-transit centroids of isolated
#: targets (CROWDSAP > 0.99) lie 0.02-0.14 px from the WCS target pixel (Kepler, TESS).
POSITION_FLOOR_PIXELS = 0.2
#: A roll sawtooth is removed from the centroids (:func:`remove_roll`) only where that cuts
#: their scatter along the roll to at most this share (simulated K2-like rolls: far lower)
ROLL_GAIN = 0.5
#: ... and where the firings found describe at least this share of the cadences (a faint roll
#: whose firings are lost in the noise, as a few simulated Kepler-like stars show, describes
#: about half: not worth losing the rest; every simulated K2-like roll of the development
#: split but two passes both tests, ``benchmarks/results_centroid_roll.md``)
ROLL_MIN_KEPT = 0.75
#: A roll's peak in the power spectrum of the centroids along it, over the median power
#: (:func:`~exohunt.search.sawtooth.sawtooth_period`): K2-like rolls reach ~10^3 and more,
#: white noise ~10-15 (the flux's correction asks for ``MIN_PEAK`` = 30).
ROLL_MIN_PEAK = 100.0
#: A roll's cadence-to-cadence jumps against its steady changes (:func:`jump_ratio`), the
#: first and cheapest test (white noise: 3.05; simulated K2-like rolls above 5,
#: ``benchmarks/results_centroid_roll.md``)
ROLL_JUMP_RATIO = 4.0
#: Cadences a roll's jump may span: by the time the centroids are read, the flux's sawtooth
#: correction and outlier clipping have dropped one to three cadences at many firings.
ROLL_BRIDGE = 3


def aperture_depth_factor(meta: Mapping) -> float:
    """Factor turning a depth in the light curve's flux into one in the aperture's flux.

    ``meta["crowdsap"]`` when the flux had the crowding removed (PDCSAP, anything but a
    ``SAP*`` column) and the value is a share in (0, 1]; else 1.
    """
    crowding = _float(meta.get("crowdsap"))
    column = str(meta.get("flux_column") or "").upper()
    if column.startswith("SAP") or not 0 < crowding <= 1:
        return 1.0
    return crowding


def centroid_residuals(lc: LightCurve, period: float, t0: float, duration: float, *,
                       window_length: float | None = None) -> np.ndarray | None:
    """Detrended centroid (column, row) in pixels, transits masked from the trend.

    Parameters
    ----------
    lc : LightCurve
        Light curve carrying ``centroid_col`` and ``centroid_row`` columns (pixels).
    period, t0, duration : float
        Ephemeris, days.
    window_length : float, optional
        Biweight window, days (default ``lc.meta["window_length"]``, else from the baseline).

    Returns
    -------
    ndarray, shape (T, 2), or None
        Centroid minus its trend (NaN where the centroid is not finite); None when the
        columns are absent or have fewer than 20 finite cadences or no scatter.
    """
    if "centroid_col" not in lc.columns or "centroid_row" not in lc.columns:
        return None
    xy = np.column_stack([lc.columns["centroid_col"], lc.columns["centroid_row"]])
    finite = np.isfinite(xy).all(axis=1) & np.isfinite(lc.time)
    if finite.sum() < _MIN_OUT or not all(np.ptp(xy[finite, a]) > 0 for a in (0, 1)):
        return None
    window = window_length or _float(lc.meta.get("window_length"))
    if not window > 0:
        window = default_window_length(float(np.ptp(lc.time[finite])))
    # the statistics and the views of one signal detrend the same centroids alike: the second
    # call gets the first's result (a full-cadence biweight of a TESS sector costs ~25 ms)
    key = (float(period), float(t0), float(duration), float(window))
    last = _LAST.entry  # one read: a thread that replaces it meanwhile cannot tear it
    if last and last[0] == key and _same(last[1], lc.time) and _same(last[2], xy):
        return last[3].copy()
    time = lc.time[finite]
    masked = np.abs(fold_phase(time, period, t0)) < 0.5 * _MASK_WIDTH * duration
    out = np.full(xy.shape, np.nan)
    resid = _detrended(time, xy[finite], masked, float(window))
    rolled = remove_roll(time, xy[finite], resid, masked, float(window))
    out[finite] = resid if rolled is None else rolled
    _LAST.entry = (key, lc.time.copy(), xy.copy(), out.copy())
    return out


def _detrended(time: np.ndarray, xy: np.ndarray, masked: np.ndarray, window: float
               ) -> np.ndarray:
    """Each centroid axis minus its biweight trend (cadences in ``masked`` left out of it)."""
    mask = masked if (~masked).sum() >= _MIN_OUT else None
    # at every cadence, also short ones: on binned centroids the in-transit shift of a TESS
    # 2-min star (pi Men c) came out ~1.6x more significant (4.5 against 2.8 σ)
    return np.column_stack([
        xy[:, axis] - _trend(time, xy[:, axis], method="biweight", window_length=window,
                             break_tolerance=0.5, mask=mask, binned=False)
        for axis in (0, 1)])


def jump_ratio(resid: np.ndarray) -> float:
    """How much a centroid series jumps like a roll: over both axes of ``resid`` (T, 2), the
    largest ratio of the 96th percentile of the cadence-to-cadence changes to their median
    (inf where the median is 0 and the percentile not, 0 where both are).

    A roll's firings are ~1 in 12 cadences and its jumps many times its steady drift per
    cadence (simulated K2-like stars: ``benchmarks/diag_centroid_roll.py``); white noise gives
    3.05 (the ratio of those percentiles of a normal's absolute value), a smooth variation
    less. Stars with sharp features (eclipses, flares) in more than 4 % of their cadences
    score higher and go on to the spectral test of :func:`remove_roll`.
    """
    best = 0.0
    for axis in (0, 1):
        median, high = np.percentile(np.abs(np.diff(resid[:, axis])), [50, 96])
        if high > 0:
            best = max(best, high / median if median > 0 else np.inf)
    return float(best)


def remove_roll(time: np.ndarray, xy: np.ndarray, resid: np.ndarray, masked: np.ndarray,
                window: float) -> np.ndarray | None:
    """Centroid residuals with a K2-like roll sawtooth removed, or None where there is none.

    K2's thruster firings reset the spacecraft's roll every ~6 h; between them the pointing
    drifts linearly, so the centroids trace a sawtooth of up to a pixel, hundreds of times a
    background binary's in-transit shift, that a biweight of a day's window cannot follow.
    The roll is looked for (after a cheap test of jumps, :func:`jump_ratio`) along the
    residuals' direction of largest scatter (the pointing moves along one direction): a
    peak of its power spectrum within :data:`~exohunt.search.sawtooth.PERIOD_RANGE`
    (``ROLL_MIN_PEAK`` over the median, transit cadences set to the median), firings as
    the jumps of that series (either sign), refined within their cadence gaps; then on each
    axis a slowly modulated sawtooth on those firings
    (:func:`~exohunt.search.sawtooth.sawtooth_terms`, beside a slowly varying level, transit
    cadences left out) is fitted to the raw centroids and subtracted before the biweight.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Times, days (finite, ascending).
    xy : ndarray, shape (T, 2)
        Raw centroid column and row, pixels (finite).
    resid : ndarray, shape (T, 2)
        ``xy`` minus its biweight trends.
    masked : ndarray of bool, shape (T,)
        Transit cadences, left out of every fit.
    window : float
        Biweight window, days.

    Returns
    -------
    ndarray, shape (T, 2), or None
        The residuals without the roll, NaN where its model does not reach (before the
        first and after the last firing, the cadence after each firing, between firings too
        far apart); None when no roll stands out, its firings describe less than
        ``ROLL_MIN_KEPT`` of the cadences, or removing it does not cut the scatter along the
        roll to ``ROLL_GAIN`` of what it was.
    """
    use = ~masked
    if use.sum() < 100 or not jump_ratio(resid) >= ROLL_JUMP_RATIO:
        return None
    centred = resid[use] - np.median(resid[use], axis=0)
    along_axis = np.linalg.eigh(centred.T @ centred)[1][:, -1]
    along = resid @ along_axis
    # the transit's own harmonics (a background binary's shift) must not pass for a roll
    quiet = np.where(masked, np.median(along[use]), along)
    # screened on the unpadded spectrum first (a fifth of the cost; a peak between its bins
    # loses at most 4/π² of its power there, so a quarter of the threshold lets every roll
    # through): most light curves with centroids have no roll, and this is all they pay for
    if not sawtooth_period(time, quiet, oversample=1)[1] >= ROLL_MIN_PEAK / 4:
        return None
    period, peak = sawtooth_period(time, quiet)
    if not peak >= ROLL_MIN_PEAK:
        return None
    best = None
    for sign in (1.0, -1.0):  # the pointing's direction is arbitrary: drops may be rises
        index = find_firings(time, sign * along, period, bridge=ROLL_BRIDGE)
        if index.size >= 4:
            jump = float(np.median(sign * (along[index - 1] - along[index])))
            if best is None or jump > best[0]:
                best = (jump, sign, index)
    if best is None:
        return None
    _, sign, index = best
    firings = 0.5 * (time[index - 1] + time[index])
    valid = described(time, firings, index, period)
    if valid.sum() < ROLL_MIN_KEPT * time.size:
        return None
    keep = valid & use
    if keep.sum() < _MIN_OUT:
        return None
    # fitted to the raw centroids beside a slowly varying level, not to the biweight
    # residuals: a biweight over the roll is biased next to the masked transit (it averages
    # an incomplete cycle there), and a roll fitted to that bias puts a bump under the transit
    rows = bspline_rows(time, SPACING)
    raw = (xy - np.median(xy[keep], axis=0)) * sign
    signed = raw @ along_axis
    terms = sawtooth_terms(time, firings, signed, keep, rows)
    firings = refine_firings(
        time, lambda f: signed - sawtooth_terms(time, f, signed, keep, rows).sum(axis=1),
        firings, index, jump_amplitude(terms, index), keep)
    roll = sign * np.column_stack([sawtooth_terms(time, firings, raw[:, axis], keep, rows)[:, 1]
                                   for axis in (0, 1)])
    current = _detrended(time, xy - roll, masked, window)
    if not robust_std(current[keep] @ along_axis) <= ROLL_GAIN * robust_std(along[keep]):
        return None
    current[~valid] = np.nan
    return current


class _LastCall:
    """The last :func:`centroid_residuals` call, ``(key, time, centroids, result)``, kept as
    one tuple that is replaced whole."""

    entry: tuple = ()


_LAST = _LastCall()


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def centroid_statistics(lc: LightCurve, period: float, t0: float, duration: float, *,
                        window_length: float | None = None) -> dict[str, float]:
    """Centroid-shift significance and the offset of the transit's source from the target.

    Parameters
    ----------
    lc : LightCurve
        *Detrended* light curve (relative flux around 1) still carrying the raw centroid
        columns ``centroid_col``/``centroid_row`` (pixels) and the file's metadata.
    period, t0, duration : float
        Ephemeris and box duration, days.
    window_length : float, optional
        Centroid detrending window, days (default: the flux's, ``meta["window_length"]``).

    Returns
    -------
    dict
        ``centroid_shift_sigma`` — significance (σ) of the in-transit centroid shift, both
        axes and all segments (the 2-degree-of-freedom χ² of equal tail probability, so for
        one segment it is the two axes' significances added in quadrature);
        ``centroid_offset_pixels`` — distance of the implied source from the target, pixels;
        ``centroid_offset_sigma`` — that offset over its error (Mahalanobis distance with the
        shift and depth errors propagated and a systematic :data:`POSITION_FLOOR_PIXELS`);
        ``centroid_offset_arcsec`` — the offset in arcsec (NaN without ``pixel_to_sky``);
        ``centroid_offset_from_oot`` — 1 when the target's pixel was unknown and the offset is
        measured from the out-of-transit centroid, else 0. NaN when not measurable.
    """
    out = dict.fromkeys(CENTROID_COLUMNS, float("nan"))
    resid = centroid_residuals(lc, period, t0, duration, window_length=window_length)
    if resid is None or not duration > 0 or not period > 0:
        return out
    phase = fold_phase(lc.time, period, t0)
    inside = np.abs(phase) < 0.5 * duration
    outside = np.abs(phase) >= 0.5 * _MASK_WIDTH * duration
    relative = lc.meta.get("flux_mode", "relative") == "relative"
    factor = aperture_depth_factor(lc.meta)
    raw = np.column_stack([lc.columns["centroid_col"], lc.columns["centroid_row"]])
    q, dof, parts = 0.0, 0, []
    for value, seg in _segments(lc):
        ok = seg & np.isfinite(resid).all(axis=1)
        within = ok & inside
        within &= ~centroid_spikes(resid, lc.flux, within, ok & outside)
        shift, shift_err = _shift(lc.time, resid, within, ok & outside, period, duration)
        if shift is None:
            continue
        q += float(np.sum((shift / shift_err) ** 2))
        dof += 2
        depth, depth_err = (_shift(lc.time, lc.flux[:, None], within, ok & outside,
                                   period, duration) if relative else (None, None))
        if depth is None or not -depth[0] / depth_err[0] >= _MIN_DEPTH_SNR:
            continue
        c_oot = np.median(raw[ok & outside], axis=0)
        target = _per_segment(lc.meta.get("target_pixel"), value)
        from_oot = target is None or not np.isfinite(target).all()
        offset, cov = _source_offset(shift, shift_err, -depth[0] * factor,
                                     depth_err[0] * factor, c_oot,
                                     c_oot if from_oot else np.asarray(target, float))
        parts.append((offset, cov, _per_segment(lc.meta.get("pixel_to_sky"), value, (2, 2)),
                      from_oot))
    if dof:  # -2 ln p is the 2-dof χ² of tail probability p (q itself when dof = 2)
        equivalent = q if dof == 2 else -2.0 * float(chi2.logsf(q, dof))
        out["centroid_shift_sigma"] = float(np.sqrt(max(equivalent if np.isfinite(equivalent)
                                                        else q, 0.0)))
    if parts:
        out.update(_combine(parts))
    return out


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _segments(lc: LightCurve) -> list[tuple[object, np.ndarray]]:
    """``(segment value, cadence mask)`` per segment; one segment without a segment column."""
    for name in SEGMENT_COLUMNS:
        if name in lc.columns:
            labels = np.asarray(lc.columns[name])
            values = np.unique(labels[np.isfinite(labels)])
            return [(v.item(), labels == v) for v in values]
    return [(None, np.ones(len(lc), dtype=bool))]


def _per_segment(value, segment, shape: tuple = (2,)) -> np.ndarray | None:
    """The entry of a per-segment mapping (or the one value), as a float array, or None."""
    if isinstance(value, Mapping):
        value = value.get(segment, value.get(str(segment)))
    if value is None:
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.shape == shape and np.isfinite(array).all() else None


def centroid_spikes(resid: np.ndarray, flux: np.ndarray, inside: np.ndarray,
                    outside: np.ndarray) -> np.ndarray:
    """In-transit cadences whose centroid residual is a spike (:data:`SPIKE_SIGMA`).

    A source's eclipse moves the centroid in proportion to the flux it takes away, so each
    in-transit centroid axis is fitted by a straight line in the flux (least squares, refitted
    once without the spikes found); a spike is a cadence that line misses by more than
    ``SPIKE_SIGMA`` σ in either axis, σ being the larger of the out-of-transit robust σ and
    the robust σ about the line. A deep eclipse's ingress-to-centre range of shifts lies on
    the line and is kept.

    Parameters
    ----------
    resid : ndarray, shape (T, 2)
        Detrended centroid (column, row), pixels.
    flux : ndarray, shape (T,)
        Detrended relative flux at the same cadences.
    inside, outside : ndarray of bool, shape (T,)
        In-transit and out-of-transit cadences (finite ``resid``).

    Returns
    -------
    ndarray of bool, shape (T,)
        True for the in-transit spikes; all False with fewer than ``_MIN_IN`` in-transit or
        ``_MIN_OUT`` out-of-transit cadences, or with ``SPIKE_SIGMA`` infinite.
    """
    spikes = np.zeros(inside.shape, dtype=bool)
    if not np.isfinite(SPIKE_SIGMA) or inside.sum() < _MIN_IN or outside.sum() < _MIN_OUT:
        return spikes
    values, level = resid[inside], flux[inside]
    design = np.column_stack([np.ones_like(level), level - np.median(level)])
    if not np.isfinite(design).all():
        return spikes
    floor = np.array([robust_std(resid[outside, k]) for k in range(resid.shape[1])])
    far = np.zeros(values.shape[0], dtype=bool)
    for _ in range(2):  # fit, then refit without the spikes the first fit found
        keep = ~far
        if keep.sum() < _MIN_IN:
            break
        coef = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
        misfit = values - design @ coef
        sigma = np.maximum(floor, [robust_std(misfit[keep, k]) for k in range(values.shape[1])])
        far = (np.abs(misfit) > SPIKE_SIGMA * sigma).any(axis=1)
    spikes[np.flatnonzero(inside)[far]] = True
    return spikes


def _shift(time: np.ndarray, values: np.ndarray, inside: np.ndarray, outside: np.ndarray,
           period: float, duration: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """In-transit mean minus out-of-transit median of each column of ``values`` (T, K) and
    its error: max(robust σ / √N_in, σ of duration-long out-of-transit bin means /
    √transits). ``(None, None)`` with too few cadences or no scatter."""
    n_in, n_out = int(inside.sum()), int(outside.sum())
    if n_in < _MIN_IN or n_out < _MIN_OUT:
        return None, None
    level = np.median(values[outside], axis=0)
    shift = values[inside].mean(axis=0) - level
    white = np.array([robust_std(values[outside, k]) for k in range(values.shape[1])])
    if not (white > 0).all():
        return None, None
    n_transits = np.unique(np.round((time[inside] - time[inside][0]) / period)).size
    bins = np.floor(time[outside] / duration).astype(np.int64)
    _, index, counts = np.unique(bins, return_inverse=True, return_counts=True)
    full = counts >= max(2, int(0.5 * np.median(counts)))
    red = np.zeros_like(white)
    if full.sum() >= 10:
        for k in range(values.shape[1]):
            means = np.bincount(index, weights=values[outside, k] - level[k]) / counts
            red[k] = robust_std(means[full]) / np.sqrt(n_transits)
    return shift, np.maximum(white / np.sqrt(n_in), red)


def _source_offset(shift: np.ndarray, shift_err: np.ndarray, depth: float, depth_err: float,
                   c_oot: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offset of the source from ``target`` (pixels, (2,)) and its covariance (2, 2).

    ``x_src = c_oot − Δc (1 − δ)/δ``; the covariance propagates the shift errors and the
    depth error through the Jacobian with respect to ``(Δc_col, Δc_row, δ)`` and adds
    :data:`POSITION_FLOOR_PIXELS` in quadrature.
    """
    gain = (1.0 - depth) / depth
    offset = c_oot - shift * gain - target
    jacobian = np.array([[-gain, 0.0, shift[0] / depth**2],
                         [0.0, -gain, shift[1] / depth**2]])
    sigma = np.diag([shift_err[0] ** 2, shift_err[1] ** 2, depth_err**2])
    floor = POSITION_FLOOR_PIXELS**2 * np.eye(2)
    return offset, jacobian @ sigma @ jacobian.T + floor


def _combine(parts: list[tuple]) -> dict[str, float]:
    """Inverse-covariance mean of the segments' offsets, on the sky when every segment has
    a ``pixel_to_sky`` matrix, else in pixels."""
    on_sky = all(p[2] is not None for p in parts)
    precision, weighted = np.zeros((2, 2)), np.zeros(2)
    scales = []
    for offset, cov, matrix, _ in parts:
        if on_sky:
            offset, cov = matrix @ offset, matrix @ cov @ matrix.T
            scales.append(np.sqrt(abs(np.linalg.det(matrix))))
        inverse = np.linalg.pinv(cov)
        precision += inverse
        weighted += inverse @ offset
    cov = np.linalg.pinv(precision)
    mean = cov @ weighted
    distance = float(np.hypot(*mean))
    significance = float(np.sqrt(max(mean @ precision @ mean, 0.0)))
    return {"centroid_offset_pixels": distance / float(np.mean(scales)) if on_sky else distance,
            "centroid_offset_sigma": significance,
            "centroid_offset_arcsec": distance if on_sky else float("nan"),
            "centroid_offset_from_oot": float(any(p[3] for p in parts))}
