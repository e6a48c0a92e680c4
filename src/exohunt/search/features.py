"""The search-then-vet front end: views and statistics of the top signal of many stars."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from exohunt.batch import LightCurveBatch
from exohunt.lightcurve import LightCurve
from exohunt.search.context import CONTEXT_COLUMNS
from exohunt.search.core import DEFAULT_MIN_SDE, Signal, search
from exohunt.search.pool import search_executor
from exohunt.search.views import CENTROID_VIEW_NAMES, VIEW_NAMES, make_views

__all__ = ["COMPATIBLE_FEATURE_VERSIONS", "FEATURE_VERSION", "SIGNAL_COLUMNS", "STAT_COLUMNS",
           "FeatureSet", "extract_features", "star_features", "star_signal_features"]

#: Names the preprocessing (detrending, grid, views, statistics) of what models read; runs
#: record it. The signals table's vetting columns that no model reads (round 19's
#: variability statistics, :mod:`exohunt.search.variability`) are not part of it: adding
#: them changed no statistic or view (``benchmarks/compare_features.py``: bit-identical).
FEATURE_VERSION = ("search-22:period-test+centroid-spikes+limb-darkened-density+centroid-roll"
                   "+coarse-stride3-long-grids"
                   "+batched-ramps"
                   "+own-lm-fit+plateau-peaks+red-noise-beta+binned-short-cadence-trends"
                   "+coarse-fine-bls+binned-coarse+white-window+fast-fft"
                   "+cpu-independent+thinned-trend+centroid-density"
                   "+trapezoid-fit+input-flux-mode+lone-dip-retry+packed-bls+shape-tests"
                   "+sawtooth-lsq+ramps+pspline-spots+biweight-adaptive+bls-ofir1.5+robust-sde"
                   "+views201/61")

#: Older versions whose statistics and views this code computes alike; runs of these versions
#: score unchanged, without a warning. None since search-15: its box search takes its SDE
#: from every second frequency (the spectrum's median and spread move by a few per cent), no
#: longer tries a shorter detrending window on white residuals and finds rotation periods on
#: another frequency grid, so a search-12/13/14 run (whose models learnt the old values) is
#: refused and must be retrained. search-16 fits the trends of cadences of 5 min and shorter
#: on 10-min bin medians (exohunt.search.binned) and scales the errors of the odd/even,
#: secondary and single-transit depth tests by the red-noise factor β (a new column,
#: ``red_noise_beta``; exohunt.search.vetting): a search-15 model learnt the white-noise
#: values, so it is not listed either. search-17 fits the trapezoid with its own
#: Levenberg-Marquardt kernel (MINPACK's answer depended on memory alignment) and takes the
#: middle of a run of equal BLS powers as the peak (argmax took either end, by CPU): the
#: fit_* statistics of flat-χ² stars and the periods of some two-transit stars move, so a
#: search-16 run is refused too. search-18 takes the first pass and the SDE's spectrum from
#: every third frequency on grids of 3,000 frequencies and more (baselines over ~55 days:
#: Kaggle rows, Kepler quarters, K2 campaigns; issue 20: a cheaper first pass; the real
#: files' SDEs move by −0.8 to +1.2, ``benchmarks/diag_coarse_sde.py``) and fits the
#: settling ramps of the sawtooth correction by normal equations (last bits), so a search-17
#: run is refused as well. search-19 removes a K2-like roll from the centroids before their
#: statistics and views (exohunt.search.centroid.remove_roll): the centroid columns of
#: K2-like light curves change (those of Kaggle rows, Kepler- and TESS-like ones do not,
#: ``benchmarks/compare_features.py``), and a search-18 model learnt roll-swamped values there,
#: so it is refused too. search-20 measures ``transit_density`` (and ``density_ratio_log10``)
#: with a limb-darkened transit fit (exohunt.search.stellar.limb_darkened_density) instead
#: of the trapezoid's ingress, which read 0.5-1 dex low: a search-19 model learnt the old
#: values, so it is refused. search-21 leaves in-transit centroid spikes out of the centroid
#: shift and the depth it is divided by (exohunt.search.centroid.centroid_spikes): one
#: thruster firing's spike inside a transit made planets on simulated "systematics" hosts
#: look like 5-100 σ shifts from sources pixels away (``benchmarks/diag_centroid_spikes.py``);
#: a search-20 model learnt that a large offset can be a planet's, so it is refused. search-22
#: searches with the period test (``search(alias=True)``, exohunt.search.alias): a peak found
#: at 1/2 or 1/3 of a planet's period (or of an eclipsing binary's with a faint secondary)
#: moves to its true period, so such signals' periods, depths, odd/even and secondary
#: statistics and views change; a search-21 model learnt the aliases' values, so it is refused.
COMPATIBLE_FEATURE_VERSIONS: frozenset[str] = frozenset()

STAT_COLUMNS = (
    "has_signal", "log10_period", "duration_hours", "duration_ratio", "depth_sigma",
    "depth_ppm", "depth_ppm_known", "snr", "sde", "power", "n_transits",
    "n_transits_with_data", "odd_even_sigma", "odd_even_rel", "secondary_sigma",
    "secondary_rel", "ingress_fraction", "single_event_fraction", "depth_scatter",
    "oot_variability", "red_noise_beta", "v_shape_sigma", "secondary_any_sigma",
    "secondary_any_rel",
    "fit_duration_ratio", "fit_ingress_fraction", "fit_snr", "fit_depth_rel", "passes_vetting",
    *CONTEXT_COLUMNS,
)
SIGNAL_COLUMNS = ("period_days", "t0_days", "duration_hours", "depth_ppm", "snr", "sde")
#: ``junk="off"``: the models were trained on features of unmasked light curves; masking
#: FFI junk (exohunt.search.junk) here would change FEATURE_VERSION's preprocessing. The same
#: holds for the flare removal (``search(flares=True)``, exohunt.search.flares), left off.
#: The period test (``alias``) is on, as in ``search``'s own default (search-22).
_DEFAULTS = {"max_signals": 1, "min_sde": 0.0, "junk": "off", "alias": True}
_CHUNK = 16


@dataclass(frozen=True)
class FeatureSet:
    """Per-star inputs of the search-then-vet models.

    Attributes
    ----------
    views : dict of str to ndarray, each (N, bins) float32
        ``global``, ``local``, ``secondary``, ``odd``, ``even`` (NaN-free; zeros, no signal).
    stats : DataFrame, (N, len(STAT_COLUMNS))
        Numeric statistics of each star's top signal (``has_signal`` = 0 and zeros when none
        was found), NaN-free except the centroid and stellar-catalogue columns
        (:data:`exohunt.search.context.CONTEXT_COLUMNS`), which are NaN where the input
        carries no centroids or catalogue parameters (Kaggle layout, plain tables) or no
        signal was found: models drop columns that are NaN throughout their training set.
    signals : DataFrame, N rows
        ``period_days, t0_days, duration_hours, depth_ppm, snr, sde`` and the vetting columns
        (NaN where no signal).
    version : str
        :data:`FEATURE_VERSION`.
    centroid_views : dict of str to ndarray, each (N, bins) float32
        ``centroid_global``, ``centroid_local`` (:mod:`exohunt.search.views`; zeros without
        centroids). Kept apart from ``views``, which the flux models read.
    """

    views: dict[str, np.ndarray]
    stats: pd.DataFrame
    signals: pd.DataFrame
    version: str = FEATURE_VERSION
    centroid_views: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.stats)


def _stats(signal: Signal | None, noise: float) -> dict[str, float]:
    if signal is None:
        return {**dict.fromkeys(STAT_COLUMNS, 0.0), **dict.fromkeys(CONTEXT_COLUMNS, np.nan)}
    s = signal
    depth_known = np.isfinite(s.depth_ppm)
    values = {
        "has_signal": 1.0, "log10_period": math.log10(s.period),  # libm: see grid._cbrt
        "duration_hours": s.duration * 24, "duration_ratio": s.duration_ratio,
        "depth_sigma": s.depth / noise if noise > 0 else 0.0,
        "depth_ppm": s.depth_ppm if depth_known else 0.0,
        "depth_ppm_known": float(depth_known), "snr": s.snr, "sde": s.sde, "power": s.power,
        "n_transits": s.n_transits, "n_transits_with_data": s.n_transits_with_data,
        "odd_even_sigma": s.odd_even_sigma, "odd_even_rel": s.odd_even_rel,
        "secondary_sigma": s.secondary_sigma,
        "secondary_rel": s.secondary_depth / s.depth if s.depth > 0 else 0.0,
        "ingress_fraction": s.ingress_fraction,
        "single_event_fraction": s.single_event_fraction,
        "depth_scatter": s.depth_scatter,
        "oot_variability": s.oot_variability,
        # NaN (too little out-of-transit data) is read as white, the errors' own fallback
        "red_noise_beta": s.red_noise_beta if np.isfinite(s.red_noise_beta) else 1.0,
        "v_shape_sigma": s.v_shape_sigma,
        "secondary_any_sigma": s.secondary_any_sigma,
        "secondary_any_rel": s.secondary_any_rel,
        "fit_duration_ratio": s.fit_duration_ratio,
        "fit_ingress_fraction": s.fit_ingress_fraction,
        "fit_snr": s.fit_snr,
        "fit_depth_rel": s.fit_depth / s.depth if s.depth > 0 else 0.0,
        "passes_vetting": float(s.passes_vetting),
    }
    out = {k: _bounded(v, nan=0.0) for k, v in values.items()}
    # NaN stays NaN here: "not measured" (no centroids, no catalogue) is not "zero"
    out.update({k: _bounded(getattr(s, k)) for k in CONTEXT_COLUMNS})
    return out


def _bounded(value: float, nan: float = float("nan")) -> float:
    """``value`` clipped to ±1e6, NaN replaced by ``nan``: ``np.clip(np.nan_to_num(value))``
    for one scalar, without numpy's per-call cost (about 40 of these per star)."""
    value = float(value)
    if value != value:
        return nan
    return min(max(value, -1e6), 1e6)


def star_features(lc: LightCurve, *, global_bins: int = 201, local_bins: int = 61,
                  **search_options: Any) -> tuple[dict[str, np.ndarray], dict, dict]:
    """Views, statistics and the signal row of one star's top signal.

    Returns ``(views, stats, row)``: views keyed by :data:`VIEW_NAMES` and
    :data:`~exohunt.search.views.CENTROID_VIEW_NAMES`; ``stats`` keyed by
    :data:`STAT_COLUMNS`; ``row`` with :data:`SIGNAL_COLUMNS` and the vetting columns.
    """
    return star_signal_features(lc, global_bins=global_bins, local_bins=local_bins,
                                **search_options)[0]


def star_signal_features(lc: LightCurve, *, signals_per_star: int = 1, global_bins: int = 201,
                         local_bins: int = 61, **search_options: Any) -> list[tuple]:
    """``(views, stats, row)`` of each of a star's strongest signals, strongest first.

    The top signal is described exactly as a one-signal search describes it (all zeros when
    the search finds none), so its row never depends on ``signals_per_star``. With
    ``signals_per_star`` > 1 a second search goes on for more signals (each found after
    masking the earlier ones; their views come from that search's final detrended light
    curve) and keeps those with SDE at least the vetting default: a second planet, or a planet
    under a stronger systematic, is described too, and noise peaks are not.
    """
    options = {**_DEFAULTS, **search_options}
    sizes = {"global": global_bins, "local": local_bins}
    rows = [_describe(_searched(lc, options), 0, sizes)]
    if signals_per_star > 1 and np.isfinite(rows[0][2]["period_days"]):
        more = {**options, "max_signals": max(int(options["max_signals"]), signals_per_star)}
        result = _searched(lc, more)
        for rank in range(1, min(signals_per_star, len(result.signals) if result else 0)):
            if result.signals[rank].sde >= DEFAULT_MIN_SDE:
                rows.append(_describe(result, rank, sizes))
    return rows


def _searched(lc: LightCurve, options: dict):
    try:
        return search(lc, **options)
    except ValueError:  # too few usable cadences: no signal
        return None


@functools.cache
def _signal_row_columns() -> tuple[str, ...]:
    """:meth:`Signal.row_columns`, once (``predict`` keeps the columns of its first chunk of
    stars, which may have no signal at all)."""
    from exohunt.search.core import Signal

    return Signal.row_columns()


def _describe(result, rank: int, sizes: dict) -> tuple:
    """``(views, stats, row)`` of signal ``rank`` of a search result (zeros when absent)."""
    global_bins, local_bins = sizes["global"], sizes["local"]
    if result is None or len(result.signals) <= rank:
        views = {name: np.zeros(global_bins if name.endswith("global") else local_bins,
                                np.float32) for name in VIEW_NAMES + CENTROID_VIEW_NAMES}
        return views, _stats(None, 0.0), dict.fromkeys(_signal_row_columns(), np.nan)
    signal = result.signals[rank]
    noise = float(result.detrended.meta["noise"])
    made = make_views(result.detrended, signal, global_bins=global_bins, local_bins=local_bins)
    views = {**made.as_dict(), **made.centroid_dict()}
    return views, _stats(signal, noise), signal.as_row()


def _work(task: tuple) -> list[tuple]:
    kind, payload, options = task
    if kind == "batch":
        time, rows, source, first = payload
        curves = [LightCurve(time, row, None, {"source": source, "index": first + i})
                  .remove_nans() for i, row in enumerate(rows)]
    else:  # LightCurve's read-only meta does not pickle: ship plain fields
        curves = [LightCurve.from_payload(fields) for fields in payload]
    return [star_signal_features(lc, **options) for lc in curves]


def _tasks(data: LightCurveBatch | Sequence[LightCurve], options: dict) -> list[tuple]:
    if isinstance(data, LightCurveBatch):
        return [("batch", (data.time, data.flux[i:i + _CHUNK], data.source, i), options)
                for i in range(0, len(data), _CHUNK)]
    curves = list(data)
    bad = [i for i, lc in enumerate(curves) if not isinstance(lc, LightCurve)]
    if bad:
        raise TypeError(f"extract_features needs a LightCurveBatch or LightCurves; "
                        f"item {bad[0]} is {type(curves[bad[0]]).__name__}")
    fields = [lc.to_payload() for lc in curves]
    return [("list", fields[i:i + _CHUNK], options) for i in range(0, len(fields), _CHUNK)]


def resolve_jobs(jobs: int) -> int:
    """Worker count: ``jobs`` if positive, else the cores this process may use."""
    if jobs < 0:
        raise ValueError(f"jobs must be >= 0 (0 = all cores), got {jobs}")
    return jobs or len(os.sched_getaffinity(0))


def _run(tasks: list[tuple], jobs: int, progress: bool) -> list[tuple]:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc="search", unit="chunk", disable=not progress)
    out: list[tuple] = []
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            out.extend(_work(task))
            bar.update()
    else:
        with search_executor(jobs) as pool:  # a shared pool (search.pool) if one is open
            for part in pool.map(_work, tasks):
                out.extend(part)
                bar.update()
    bar.close()
    return out


def extract_features(data: LightCurveBatch | Sequence[LightCurve], *, jobs: int = 0,
                     progress: bool = False, global_bins: int = 201, local_bins: int = 61,
                     signals_per_star: int = 1, **search_options: Any) -> FeatureSet:
    """Search every star and collect its top signal's views and statistics.

    Parameters
    ----------
    data : LightCurveBatch or sequence of LightCurve
        Stars to search (raw flux; detrended here).
    jobs : int
        Worker processes (0 = all cores, 1 = in this process). Results do not depend on it.
    progress : bool
        Show a progress bar.
    global_bins, local_bins : int
        View lengths.
    signals_per_star : int
        1 (default): one row per star, its top signal. More: one row per signal, up to this
        many per star (see :func:`star_signal_features`), and ``signals`` gains the columns
        ``star`` (0-based position of the star in ``data``) and ``signal`` (0 = strongest).
    **search_options
        Passed to :func:`exohunt.search.search` (default ``max_signals=1, min_sde=0``).

    Returns
    -------
    FeatureSet
    """
    if int(signals_per_star) < 1:
        raise ValueError(f"signals_per_star must be >= 1, got {signals_per_star}")
    options = {"global_bins": global_bins, "local_bins": local_bins,
               "signals_per_star": int(signals_per_star), **search_options}
    from exohunt.io.lightkurve_compat import as_exohunt

    data = as_exohunt(data)  # lightkurve light curves or a collection: converted once
    if isinstance(data, LightCurve):
        data = [data]
    per_star = _run(_tasks(data, options), resolve_jobs(jobs), progress)
    results = [row for rows in per_star for row in rows]
    views = {name: np.stack([r[0][name] for r in results]).astype(np.float32)
             if results else np.zeros((0, global_bins if name.endswith("global") else local_bins),
                                      np.float32) for name in VIEW_NAMES + CENTROID_VIEW_NAMES}
    centroid_views = {name: views.pop(name) for name in CENTROID_VIEW_NAMES}
    stats = pd.DataFrame([r[1] for r in results], columns=list(STAT_COLUMNS)).astype(float)
    signals = pd.DataFrame([r[2] for r in results])
    for column in SIGNAL_COLUMNS:
        if column not in signals:
            signals[column] = np.nan
    if signals_per_star > 1:
        signals["star"] = np.repeat(np.arange(len(per_star)), [len(r) for r in per_star])
        signals["signal"] = np.concatenate([np.arange(len(r)) for r in per_star]
                                           ) if per_star else np.zeros(0, int)
    return FeatureSet(views=views, stats=stats, signals=signals, centroid_views=centroid_views)
