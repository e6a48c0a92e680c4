"""Masking the junk of full-frame-image light curves before the search.

Community FFI pipelines (TASOC, eleanor, QLP, TGLC) leave cadences in that their quality flags
do not mark: scattered-light segments at the ends of TESS orbits (strong background, elevated
scatter), pointing jitter, and the few-cadence outlier bursts of momentum dumps. Three steps,
each a pure function of the arrays, find them; :func:`mask_junk` applies them to a
:class:`~exohunt.lightcurve.LightCurve` and records each in ``meta["masking"]``.

1. **background** (only when ``lc.columns["background"]`` exists): cadences whose background
   is far above its robust level (``BACKGROUND_SIGMA`` robust σ and ``BACKGROUND_RELATIVE``
   of the level), grown to where it is half as far above (hysteresis).
2. **scatter**: a running median of the absolute first differences over
   ``SCATTER_WINDOW_DAYS`` compared with its own running level over
   ``SCATTER_REFERENCE_DAYS`` (at least the light curve's median); contiguous segments
   above ``SCATTER_FACTOR`` × (grown down to ``SCATTER_GROW`` ×) are masked. First differences
   and a median keep transits out: a transit shifts the flux but only its ingress and egress
   raise the point-to-point differences, a small share of any window.
3. **outliers**, against the median level of a few cadences on either side (the nearer of
   the two for each direction, so that a transit's edges are never outliers): upward ones
   beyond ``HIGH_SIGMA`` σ are clipped freely; downward runs (cadences beyond ``RUN_SIGMA``
   σ, one of them beyond ``LOW_SIGMA`` σ) only when short and isolated. A run of ``n``
   cadences is clipped when both cadences beside it dip by less than ``NEIGHBOUR_SHARE`` of
   its deepest one and ``n + 2 × NEIGHBOUR_SHARE`` cadences last no longer than the
   shortest transit duration searched (and ``n ≤ MAX_LOW_BURST``). Why that is safe: a
   transit that long covers more than ``n + 2 × NEIGHBOUR_SHARE`` cadences' worth of time,
   so beside any ``n`` of its cadences one is covered at least ``NEIGHBOUR_SHARE`` and dips
   by at least that share of the deepest — the run is never isolated.
   At a cadence about as long as that duration (TESS 30-min FFIs, Kepler long cadence, with
   the default 0.5-day minimum period: 29 minutes) no dip can be told from a transit that
   short. ``mode="auto"`` then still clips isolated single cadences and isolated pairs —
   the momentum-dump outliers that otherwise dominate such a search: a 10-minute dump falls
   in one bin, or straddles two in any ratio, and its copies at every dump (every 2.5-6
   days in TESS) then look like a 1-hour transit that outranks a planet — at the risk of a
   transit shorter than 1.5 (single) or 2.5 (pair) cadences, 45 or 75 minutes at 30-minute
   cadence, whose cadences dip ``RUN_SIGMA`` σ and one of them ``LOW_SIGMA`` σ (such a
   transit is a pair with quiet neighbours at some phases of the cadence grid only, so a
   planet keeps the transits that fall otherwise); ``mode="strict"`` never does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from exohunt.lightcurve import LightCurve
from exohunt.search.binned import median_cadence
from exohunt.search.detrend import robust_std
from exohunt.search.grid import (
    BINS_PER_EXPECTED,
    DURATION_BINS,
    MIN_PERIOD_DAYS,
    expected_duration,
)

__all__ = ["HELD_COLUMN", "JUNK_MODES", "JunkMask", "check_junk_mode", "drop_steps", "find_junk",
           "mask_junk", "masking_notes", "shortest_duration"]

JUNK_MODES = ("auto", "strict", "off")
#: Per-cadence column marking the upward outliers ``mask_junk(upward_outliers=False)`` kept.
HELD_COLUMN = "junk_upward_outlier"
BACKGROUND_SIGMA = 5.0
BACKGROUND_RELATIVE = 0.5
SCATTER_WINDOW_DAYS = 0.5
#: ... and at least this many differences, so that the median's own noise stays ~16 %.
SCATTER_MIN_POINTS = 49
#: Span (days) of the running level each window's scatter is compared with.
SCATTER_REFERENCE_DAYS = 10.0
SCATTER_FACTOR = 2.0
SCATTER_GROW = 1.5
#: Differences in the short median that trims a segment's ends.
EDGE_POINTS = 9
HIGH_SIGMA = 4.0
LOW_SIGMA = 4.0
#: A downward run extends over the neighbouring cadences below this (σ).
RUN_SIGMA = 2.5
MAX_LOW_BURST = 8
NEIGHBOUR_SHARE = 0.25
#: More downward bursts than this per day are a pattern, not momentum dumps (every 2.5-6
#: days): K2's thruster firings every 6 hours leave one-cadence dips by which the sawtooth
#: pre-whitening (:mod:`exohunt.search.sawtooth`) finds them; none is clipped then.
MAX_BURSTS_PER_DAY = 1.0
#: Differences across gaps longer than this many cadences are not point-to-point scatter.
GAP_CADENCES = 3.0
STEP_LABELS = {"background": "strong background", "scatter": "elevated scatter",
               "outliers_high": "upward outliers", "outliers_low": "downward outlier bursts",
               "flares": "flares"}  # the search's own step (exohunt.search.flares)


@dataclass(frozen=True)
class JunkMask:
    """Which cadences each step masked: ``steps`` maps a step name to a bool array (T,)."""

    n_cadences: int
    steps: dict[str, np.ndarray]

    @property
    def masked(self) -> np.ndarray:
        """True for cadences masked by any step, shape (T,)."""
        out = np.zeros(self.n_cadences, dtype=bool)
        for flags in self.steps.values():
            out |= flags
        return out


def check_junk_mode(mode: str) -> str:
    """Return ``mode`` if it is one of :data:`JUNK_MODES`, else raise ValueError naming them."""
    if mode not in JUNK_MODES:
        raise ValueError(f"junk must be one of {', '.join(map(repr, JUNK_MODES))}, got {mode!r}")
    return mode


def shortest_duration(durations: np.ndarray | list[float] | None, period_min: float) -> float:
    """The shortest transit duration (days) the search tries: the smallest of ``durations``,
    or by default the shortest of the durations scaled to a Sun-like star at ``period_min``
    (one third of a central transit's duration, :mod:`exohunt.search.grid`)."""
    if durations is not None and len(durations):
        return float(np.min(durations))
    period_min = period_min if period_min > 0 else MIN_PERIOD_DAYS  # refused later
    return float(expected_duration(period_min) * DURATION_BINS.min() / BINS_PER_EXPECTED)


def _hysteresis(value: np.ndarray, high: float, low: float) -> np.ndarray:
    """Connected runs of ``value > low`` that reach ``value > high`` somewhere."""
    labels, _ = ndimage.label(value > low)
    hit = np.unique(labels[(value > high) & (labels > 0)])
    return np.isin(labels, hit) & (labels > 0)


def background_junk(background: np.ndarray) -> np.ndarray:
    """Cadences whose ``background`` (any unit, shape (T,)) is far above its robust level."""
    finite = np.isfinite(background)
    if finite.sum() < 10:
        return np.zeros(background.shape, dtype=bool)
    level = float(np.median(background[finite]))
    excess = max(BACKGROUND_SIGMA * robust_std(background[finite]),
                 BACKGROUND_RELATIVE * abs(level))
    value = np.where(finite, background - level, 0.0)
    return _hysteresis(value, excess, 0.5 * excess)


def _reference(local: np.ndarray, size: int, cadence: float, typical: float) -> np.ndarray:
    """The scatter level each window is compared with: the running median of the windows'
    own levels over ``SCATTER_REFERENCE_DAYS`` (so that stitched quarters or sectors of
    different noise are each judged by their own), never below the global ``typical``."""
    every = max(1, size // 4)  # the window medians change slowly: a coarse grid suffices
    coarse = local[::every]
    span = max(3, round(SCATTER_REFERENCE_DAYS / (every * cadence)) | 1)
    level = ndimage.median_filter(coarse, size=span, mode="mirror")
    level = np.interp(np.arange(local.size), np.arange(0, local.size, every), level)
    return np.maximum(level, typical)


def _per_cadence(ratio: np.ndarray) -> np.ndarray:
    """A value per cadence from one per difference: the larger of the two it is part of."""
    return np.concatenate([ratio[:1], np.maximum(ratio[:-1], ratio[1:]), ratio[-1:]])


def scatter_junk(time: np.ndarray, flux: np.ndarray, cadence: float) -> np.ndarray:
    """Segments whose running point-to-point scatter is ``SCATTER_FACTOR`` × its level around
    (:func:`_reference`).

    ``time`` (days, sorted) and ``flux`` have shape (T,); ``cadence`` is in days.
    """
    if time.size < 20:
        return np.zeros(time.shape, dtype=bool)
    step = np.abs(np.diff(flux))
    typical = float(np.median(step))
    if not typical > 0:
        return np.zeros(time.shape, dtype=bool)
    step[np.diff(time) > GAP_CADENCES * cadence] = typical  # not a point-to-point difference
    size = max(round(SCATTER_WINDOW_DAYS / cadence) | 1, SCATTER_MIN_POINTS)
    local = ndimage.median_filter(step, size=size, mode="mirror")
    reference = _reference(local, size, cadence, typical)
    segments = _hysteresis(_per_cadence(local / reference), SCATTER_FACTOR, SCATTER_GROW)
    # the window spreads a segment by up to half its length: trim each end back to where
    # the scatter over a few cadences is itself elevated (a transit's ingress is one step)
    short = _per_cadence(ndimage.median_filter(step, size=EDGE_POINTS, mode="mirror")
                         / reference)
    for start, stop in _runs(segments):
        inside = np.flatnonzero(short[start:stop] >= SCATTER_GROW)
        segments[start:stop] = False
        if inside.size:
            segments[start + inside[0]:start + inside[-1] + 1] = True
    return segments


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs, stop exclusive, of the runs of True in ``flags``."""
    edges = np.diff(np.concatenate([[0], flags.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _side_medians(values: np.ndarray, half: int) -> tuple[np.ndarray, np.ndarray]:
    """Medians of the ``half`` cadences just before and just after each cadence (itself left
    out); at either end the other side's stands in."""
    centred = ndimage.median_filter(values, size=half, mode="mirror")
    shift = half // 2 + 1
    left = np.full(values.shape, np.nan)
    right = np.full(values.shape, np.nan)
    if values.size > shift:
        left[shift:] = centred[:-shift]
        right[:-shift] = centred[shift:]
    left = np.where(np.isnan(left), right, left)
    right = np.where(np.isnan(right), left, right)
    return left, right


def outlier_junk(flux: np.ndarray, cadence: float, min_duration: float, *,
                 strict: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Upward outliers and isolated short downward bursts, as two bool arrays (T,).

    ``cadence`` and ``min_duration`` (the shortest transit duration searched) are in days;
    ``strict`` clips no downward cadence a transit of ``min_duration`` could explain.
    """
    high = np.zeros(flux.shape, dtype=bool)
    low = np.zeros(flux.shape, dtype=bool)
    if flux.size < 10:
        return high, low
    # a transit lasting min_duration spreads over n + 2 * NEIGHBOUR_SHARE cadences at least
    longest = min(MAX_LOW_BURST,
                  int(np.floor(min_duration / cadence - 2 * NEIGHBOUR_SHARE + 1e-9)))
    # at long cadence ("auto" only): a single cadence, or a pair (a dump straddling two
    # bins, in any ratio): with quiet neighbours they fit no transit longer than 2.5 cadences
    pairs = not strict and longest <= 1
    longest = longest if strict else max(longest, 1)
    # one-sided references: next to a transit's ingress one side is out of transit, so a
    # cadence there is compared with the level it shares with that side, never called an
    # outlier for differing from the dip (upward) or from the far side (downward)
    left, right = _side_medians(flux, half=max(5, 2 * longest + 1))
    sigma = robust_std(flux - 0.5 * (left + right))
    if not sigma > 0:
        return high, low
    high = (flux - np.maximum(left, right)) / sigma > HIGH_SIGMA
    if longest < 1:
        return high, low
    reference = np.minimum(left, right)
    below = (flux - reference) / sigma
    for start, stop in _runs(below < -RUN_SIGMA):
        if below[start:stop].min() >= -LOW_SIGMA:
            continue
        # depths of the run and of the cadence either side below one level, so that a
        # cadence inside a transit is never "isolated" from its in-transit neighbours
        level = float(reference[start:stop].max())
        run = (level - flux[start:stop]) / sigma
        side = max(((level - flux[i]) / sigma for i in (start - 1, stop) if 0 <= i < flux.size),
                   default=0.0)
        # see the module docstring for why run.max() is safe (and what pairs risk)
        short = stop - start <= longest or (pairs and stop - start == 2)
        low[start:stop] = short and side < NEIGHBOUR_SHARE * run.max()
    return high, low


def find_junk(time: np.ndarray, flux: np.ndarray, *, background: np.ndarray | None = None,
              min_duration: float, strict: bool = False) -> JunkMask:
    """Run the three steps on sorted, finite arrays of shape (T,).

    Parameters
    ----------
    time : ndarray, shape (T,)
        Days, increasing.
    flux : ndarray, shape (T,)
        Any unit (relative, ppm around 0, counts): every test is scale- and shift-free.
    background : ndarray, shape (T,), optional
        Background flux; NaN where unknown.
    min_duration : float
        Shortest transit duration searched, in days (:func:`shortest_duration`).
    strict : bool
        Clip no downward cadence that a transit of ``min_duration`` could explain (see the
        module docstring).

    Returns
    -------
    JunkMask
        One bool array per step; the outlier steps look only at cadences the segment steps
        kept, so a cadence is flagged by one step at most.
    """
    time = np.asarray(time, dtype=float)
    flux = np.asarray(flux, dtype=float)
    none = np.zeros(time.shape, dtype=bool)
    cadence = median_cadence(time, default=0.0)
    if time.size < 20 or not cadence > 0:
        return JunkMask(time.size, {})
    steps = {"background": none if background is None else background_junk(
        np.asarray(background, dtype=float))}
    steps["scatter"] = scatter_junk(time, flux, cadence) & ~steps["background"]
    kept = np.flatnonzero(~(steps["background"] | steps["scatter"]))
    high, low = outlier_junk(flux[kept], cadence, min_duration, strict=strict)
    if len(_runs(low)) > MAX_BURSTS_PER_DAY * (time[-1] - time[0]):
        low[:] = False  # a pattern, not junk: K2's thruster-firing dips (see the constant)
    for name, flags in (("outliers_high", high), ("outliers_low", low)):
        steps[name] = none.copy()
        steps[name][kept[flags]] = True
    return JunkMask(time.size, steps)


def _record(time: np.ndarray, name: str, flags: np.ndarray) -> dict:
    runs = _runs(flags)
    return {"step": name, "reason": STEP_LABELS[name], "n_cadences": int(flags.sum()),
            "n_segments": len(runs),
            "ranges": [[float(time[a]), float(time[b - 1])] for a, b in runs]}


def mask_junk(lc: LightCurve, *, mode: str = "auto", min_duration: float | None = None,
              upward_outliers: bool = True) -> LightCurve:
    """``lc`` without its junk cadences, each step recorded in ``meta["masking"]``.

    Parameters
    ----------
    lc : LightCurve
        Finite, time-sorted light curve (as after ``remove_nans``).
    mode : {"auto", "strict", "off"}
        ``"strict"`` clips no dip that a transit of ``min_duration`` could make (at long
        cadence: no downward outlier at all); ``"off"`` returns ``lc`` unchanged
        (``meta["masking"]`` an empty list).
    min_duration : float, optional
        Shortest transit duration searched, days (default: the search's default grid,
        :func:`shortest_duration` at a 0.5-day period).
    upward_outliers : bool
        Clip upward outliers (step ``"outliers_high"``). False keeps them and, where there
        are any, marks them in ``columns[HELD_COLUMN]`` (bool): the search's flare removal
        (``search(flares=True)``, :mod:`exohunt.search.flares`) finds a flare by its peak,
        then removes the flares and these cadences together (recording this step then).

    Returns
    -------
    LightCurve
        ``meta["masking"]``: one dict per step that masked something (``step``, ``reason``,
        ``n_cadences``, ``n_segments``, ``ranges`` — ``[start, stop]`` days of each run of
        masked cadences, inclusive); ``meta["n_masked"]`` and ``meta["n_before_masking"]``.
    """
    check_junk_mode(mode)
    if mode == "off":
        return lc.replace(meta={"masking": [], "n_masked": 0, "n_before_masking": len(lc)})
    if min_duration is None:
        min_duration = shortest_duration(None, MIN_PERIOD_DAYS)
    junk = find_junk(lc.time, lc.flux, background=lc.columns.get("background"),
                     min_duration=min_duration, strict=mode == "strict")
    if not upward_outliers and junk.steps["outliers_high"].any():
        lc = lc.replace(columns={**lc.columns, HELD_COLUMN: junk.steps["outliers_high"].copy()})
        junk.steps["outliers_high"][:] = False
    return drop_steps(lc.replace(meta={"masking": [], "n_masked": 0,
                                       "n_before_masking": len(lc)}), junk.steps)


def drop_steps(lc: LightCurve, steps: dict[str, np.ndarray]) -> LightCurve:
    """``lc`` without the cadences any of ``steps`` (name → bool, shape (T,)) flags, each
    step that flags some appended to ``meta["masking"]`` as :func:`mask_junk` records them
    (``n_masked`` grows by their count; ``n_before_masking`` keeps the count before the
    first masking). The search's flare removal records its step this way too."""
    records = [_record(lc.time, name, flags) for name, flags in steps.items() if flags.any()]
    flagged = np.zeros(len(lc), dtype=bool)
    for flags in steps.values():
        flagged |= flags
    meta = {"masking": [*lc.meta.get("masking", []), *records],
            "n_masked": int(lc.meta.get("n_masked", 0)) + int(flagged.sum()),
            "n_before_masking": int(lc.meta.get("n_before_masking", len(lc)))}
    out = lc[~flagged] if flagged.any() else lc
    return out.replace(meta=meta)


def masking_notes(meta: dict) -> str:
    """One line on what :func:`mask_junk` masked, e.g. ``masked 312 cadences (4.1 %):
    elevated scatter 2 segments (298); upward outliers 14`` ('' when nothing was)."""
    records = meta.get("masking") or []
    if not records:
        return ""
    total = int(meta.get("n_before_masking") or 0)
    masked = sum(r["n_cadences"] for r in records)
    share = f" ({100.0 * masked / total:.1f} %)" if total else ""
    parts = []
    for r in records:
        if r["step"].startswith("outliers"):
            parts.append(f"{r['reason']} {r['n_cadences']}")
        else:
            plural = "s" if r["n_segments"] != 1 else ""
            parts.append(f"{r['reason']} {r['n_segments']} segment{plural} "
                         f"({r['n_cadences']})")
    return f"masked {masked} cadences{share}: " + "; ".join(parts)
