"""Iterative multi-signal transit search: detrend, box search, mask, re-detrend, repeat.

With the automatic detrending window, stars whose first biweight residual is red are
pre-whitened first (a K2 roll-sawtooth correction and/or a spot model, see
:mod:`exohunt.search.prewhiten`); ``SearchResult.detrended.meta`` then records
``sawtooth_period`` or ``rotation_period_removed``.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields, replace

import numpy as np

from exohunt.io.lightkurve_compat import as_lightcurve
from exohunt.lightcurve import LightCurve, fold_phase
from exohunt.search.alias import true_period
from exohunt.search.bls import Periodogram
from exohunt.search.context import context_statistics
from exohunt.search.detrend import DETREND_METHODS, TrendCache, detrend
from exohunt.search.flares import find_flares, flare_residual, flare_tails
from exohunt.search.grid import MIN_PERIOD_DAYS
from exohunt.search.junk import check_junk_mode, mask_junk, shortest_duration
from exohunt.search.later import MAX_REJECTED, box_misshaped, keep_spot_model, transit_shaped
from exohunt.search.peaks import best_peak, near_harmonic, search_grid
from exohunt.search.peaks import flatten_spectrum as _flatten_spectrum  # noqa: F401 (old name)
from exohunt.search.prewhiten import Prepared, prewhiten
from exohunt.search.rotation import RED_LIMIT, whiteness
from exohunt.search.shape import deepest_dip
from exohunt.search.variability import variability_statistics
from exohunt.search.vetting import (
    VETTING_THRESHOLDS,
    check_thresholds,
    passes_vetting,
    transit_statistics,
)

__all__ = ["DEFAULT_MIN_SDE", "SearchResult", "Signal", "SingleEvent", "search"]

DEFAULT_MIN_SDE = VETTING_THRESHOLDS["min_sde"]
#: The spot model (with the default biweight window after it) replaces the shortened biweight
#: window when its residual's σ / point-to-point noise is at most this times the other's.
ROTATION_SLACK = 1.1
#: A periodogram peak below ``min_sde`` but with a box SNR of at least RETRY_POWER, most of it
#: (SINGLE_SHARE of the chi-square) from one transit, is a lone dip: it is masked and the
#: search repeated, at most MAX_RETRIES times.
RETRY_POWER = 10.0
SINGLE_SHARE = 0.5
MAX_RETRIES = 2
#: The search stops when the masks of what it found leave fewer cadences than this (as few as
#: :func:`~exohunt.search.detrend.detrend` needs): a signal whose transits, fitted width and
#: secondary eclipse cover the whole orbit (a fast rotator's 2x harmonic) leaves none.
MIN_SEARCH_CADENCES = 10
#: A reported signal's deepest dip elsewhere in its orbit (its secondary eclipse, at phase
#: 0.5 or, eccentric, anywhere; ``secondary_any_sigma``) at least this significant is masked
#: with it before the search goes on: the same system's eclipse, not another signal. Left in,
#: an eclipsing binary's secondaries come back as "signals" at 3/2, 4, … times its period
#: (harmonics of the period itself are avoided), each costing a box search and its vetting.
SECONDARY_MASK_SIGMA = 5.0
#: ... and its transits are masked over the fitted trapezoid's total duration where that is
#: longer than the box (at most MAX_MASK_WIDENING times the box): a binary's V-shaped wings
#: outlast the box and come back as signals too. Both only for signals with a box SNR of at
#: least WIDE_MASK_SNR, whose fit and secondary mean something; a weaker one is masked as
#: its box alone.
MAX_MASK_WIDENING = 2.0
WIDE_MASK_SNR = 10.0


@dataclass(frozen=True)
class Signal:
    """One periodic transit-like signal and its vetting statistics.

    Times and durations are in days; ``depth`` and ``secondary_depth`` are in the unit of the
    detrended flux (relative flux, or the per-point noise σ for additive input — see
    :mod:`exohunt.search.detrend`); ``depth_ppm`` and ``secondary_depth_ppm`` are NaN when
    the flux zero point is unknown. ``snr`` = depth / depth_err; ``sde`` = (peak − local
    median) / (1.4826 MAD) of the periodogram after subtracting its running median;
    ``power`` = box signal-to-noise at the peak. The ``fit_*`` fields come from a trapezoid
    fitted to the folded transit (:mod:`exohunt.search.transit_fit`): mid-transit time and
    total duration (days)
    and its ratio to a central transit of a Sun-like star, ingress fraction T12/T14, depth
    (flux unit) and its SNR. After ``passes_vetting`` come the signal's place in its star's
    variability (:data:`~exohunt.search.variability.VARIABILITY_COLUMNS`: the trend removed
    under its transits in depths, the variability period in days, its amplitude in σ, the
    signal period's log-distance from a harmonic of it and the share of the signal in
    transits at the data's edges; :mod:`exohunt.search.variability`),
    then (:data:`~exohunt.search.context.CONTEXT_COLUMNS`, NaN without centroids or catalogue
    parameters) the centroid statistics of :mod:`exohunt.search.centroid` (σ, pixels,
    arcsec) and the density and radius statistics of :mod:`exohunt.search.stellar` (g cm⁻³,
    dex, σ, R_earth). The variability and context statistics are NaN for a signal seen in
    only one transit. The variability statistics are vetting outputs, not model inputs.
    """

    period: float
    t0: float
    duration: float
    depth: float
    depth_err: float
    depth_ppm: float
    snr: float
    sde: float
    power: float
    n_transits: int
    n_transits_with_data: int
    odd_even_sigma: float
    odd_even_rel: float
    secondary_depth: float
    secondary_depth_ppm: float
    secondary_sigma: float
    ingress_fraction: float
    duration_ratio: float
    single_event_fraction: float
    depth_scatter: float
    oot_variability: float
    red_noise_beta: float
    v_shape_sigma: float
    secondary_any_sigma: float
    secondary_any_rel: float
    fit_t0: float
    fit_duration: float
    fit_duration_ratio: float
    fit_ingress_fraction: float
    fit_depth: float
    fit_snr: float
    passes_vetting: bool
    trend_under_transit: float = float("nan")
    variability_period_days: float = float("nan")
    variability_amplitude_sigma: float = float("nan")
    rotation_harmonic_offset: float = float("nan")
    gap_edge_share: float = float("nan")
    centroid_shift_sigma: float = float("nan")
    centroid_offset_pixels: float = float("nan")
    centroid_offset_sigma: float = float("nan")
    centroid_offset_arcsec: float = float("nan")
    centroid_offset_from_oot: float = float("nan")
    transit_density: float = float("nan")
    density_ratio_log10: float = float("nan")
    density_mismatch_sigma: float = float("nan")
    planet_radius_earth: float = float("nan")
    radius_too_large: float = float("nan")

    @property
    def secondary_flag(self) -> bool:
        """A secondary eclipse at phase 0.5 is detected at ≥ 3σ."""
        return bool(self.secondary_sigma >= 3.0)

    def as_row(self) -> dict[str, float]:
        """The DESIGN.md column names: ``period_days, t0_days, duration_hours, depth_ppm,
        snr, sde`` then the vetting statistics."""
        row = asdict(self)
        out = {"period_days": row.pop("period"), "t0_days": row.pop("t0"),
               "duration_hours": row.pop("duration") * 24.0, "depth_ppm": row.pop("depth_ppm"),
               "snr": row.pop("snr"), "sde": row.pop("sde")}
        row["fit_t0_days"] = row.pop("fit_t0")
        row["fit_duration_hours"] = row.pop("fit_duration") * 24.0
        out.update(row)
        out["secondary_flag"] = self.secondary_flag
        return out

    @staticmethod
    def row_columns() -> tuple[str, ...]:
        """The keys of :meth:`as_row`, in order: what a star without a signal gets as NaN,
        so that a table of such stars alone has every column of any other."""
        return tuple(_ephemeris(float("nan"), float("nan"), float("nan")).as_row())


@dataclass(frozen=True)
class SingleEvent:
    """A transit-like dip seen once (a periodogram peak with data in only one transit):
    mid-time ``t0`` and ``duration`` in days, depth as in :class:`Signal`."""

    t0: float
    duration: float
    depth: float
    depth_ppm: float
    snr: float


@dataclass(frozen=True)
class SearchResult:
    """Signals found (strongest first), the final detrended light curve, the first
    periodogram (``periods`` in days, ``power``) and the single transit-like events that
    were masked along the way (they have no period, so they are not signals)."""

    signals: list[Signal]
    detrended: LightCurve
    periodogram: Periodogram | None = None
    flux_mode: str = "relative"
    single_events: list[SingleEvent] = field(default_factory=list)


def _in_transit(time: np.ndarray, signals: list[Signal], width: float = 1.5) -> np.ndarray:
    """Cadences within ``width``/2 durations of a transit centre of any of ``signals``."""
    mask = np.zeros(time.shape, dtype=bool)
    for s in signals:
        mask |= np.abs(fold_phase(time, s.period, s.t0)) < 0.5 * width * s.duration
    return mask


def _make_signal(det: LightCurve, exclude: np.ndarray, peak: tuple, vetting: dict | None,
                 clean: LightCurve | None, context: bool = True) -> Signal:
    period, t0, duration, power, sde = peak
    keep = ~exclude
    time, flux = det.time[keep], det.flux[keep]
    t0 = float(time.min() + (t0 - time.min()) % period)  # first epoch inside the data
    stats = transit_statistics(time, flux, period=period, t0=t0, duration=duration,
                               noise=float(det.meta["noise"]))
    relative = det.meta["flux_mode"] == "relative"
    ppm = 1e6 if relative else float("nan")
    # centroid detrending is the costly part; a signal seen once becomes a SingleEvent, which
    # carries no context statistics (see _iterate), so it is skipped then, and so is a later
    # signal until it is known to be reported (_with_context)
    context = (_context(det, keep, clean, period=period, t0=t0, duration=duration,
                        depth=stats["depth"], fit=stats)
               if context and stats["n_transits_with_data"] >= 2 else {})
    return Signal(period=period, t0=t0, duration=duration, depth=stats["depth"],
                  depth_err=stats["depth_err"], depth_ppm=stats["depth"] * ppm,
                  snr=stats["snr"], sde=sde, power=power, n_transits=stats["n_transits"],
                  n_transits_with_data=stats["n_transits_with_data"],
                  odd_even_sigma=stats["odd_even_sigma"], odd_even_rel=stats["odd_even_rel"],
                  secondary_depth=stats["secondary_depth"],
                  secondary_depth_ppm=stats["secondary_depth"] * ppm,
                  secondary_sigma=stats["secondary_sigma"],
                  ingress_fraction=stats["ingress_fraction"],
                  duration_ratio=stats["duration_ratio"],
                  single_event_fraction=stats["single_event_fraction"],
                  depth_scatter=stats["depth_scatter"],
                  oot_variability=stats["oot_variability"],
                  red_noise_beta=stats["red_noise_beta"],
                  v_shape_sigma=stats["v_shape_sigma"],
                  secondary_any_sigma=stats["secondary_any_sigma"],
                  secondary_any_rel=stats["secondary_any_rel"],
                  fit_t0=stats["fit_t0"], fit_duration=stats["fit_duration"],
                  fit_duration_ratio=stats["fit_duration_ratio"],
                  fit_ingress_fraction=stats["fit_ingress_fraction"],
                  fit_depth=stats["fit_depth"], fit_snr=stats["fit_snr"],
                  passes_vetting=passes_vetting(stats, sde=sde, thresholds=vetting), **context)


def _context(det: LightCurve, keep: np.ndarray, clean: LightCurve | None, *, period: float,
             t0: float, duration: float, depth: float, fit) -> dict[str, float]:
    """Variability (``clean`` given: the light curve before detrending), centroid and
    catalogue statistics of one signal."""
    out = ({} if clean is None else
           variability_statistics(clean, det, period=period, t0=t0, duration=duration,
                                  depth=depth))
    out.update(context_statistics(det[keep], period=period, t0=t0, duration=duration, fit=fit))
    return out


def _with_context(det: LightCurve, exclude: np.ndarray, clean: LightCurve | None,
                  signal: Signal) -> Signal:
    """``signal`` with its context statistics, as :func:`_make_signal` computes them."""
    fit = {name: getattr(signal, name) for name in
           ("fit_t0", "fit_duration", "fit_ingress_fraction", "fit_depth", "fit_snr")}
    return replace(signal, **_context(det, ~exclude, clean, period=signal.period,
                                      t0=signal.t0, duration=signal.duration,
                                      depth=signal.depth, fit=fit))


def _ephemeris(period: float, t0: float, duration: float) -> Signal:
    """A Signal carrying only an ephemeris (statistics NaN), for masking its transits."""
    # every field without a default but the ephemeris and passes_vetting
    n_stats = sum(f.default is MISSING for f in fields(Signal)) - 4
    return Signal(period, t0, duration, *([np.nan] * n_stats), False)


def _eclipse_masks(det: LightCurve, exclude: np.ndarray, signal: Signal) -> list[Signal]:
    """Ephemerides that mask a reported ``signal`` in the searches after it: its transits, as
    wide as the fitted trapezoid's total duration where that is longer than the box (up to
    ``MAX_MASK_WIDENING`` times it), and its secondary eclipse when its deepest dip outside
    the transit is at least ``SECONDARY_MASK_SIGMA`` (found as
    :func:`~exohunt.search.vetting.transit_statistics` finds ``secondary_any_sigma``); a
    signal with a box SNR under ``WIDE_MASK_SNR``: its box alone."""
    if not signal.snr >= WIDE_MASK_SNR:
        return [signal]
    width = signal.duration
    if np.isfinite(signal.fit_duration):
        width = float(np.clip(signal.fit_duration, width, MAX_MASK_WIDENING * width))
    masks = [_ephemeris(signal.period, signal.t0, width)]
    if not signal.secondary_any_sigma >= SECONDARY_MASK_SIGMA:
        return masks
    time, flux = det.time[~exclude], det.flux[~exclude]
    phase = fold_phase(time, signal.period, signal.t0)
    outside = np.abs(phase) > signal.duration
    baseline = float(np.median(flux[outside])) if outside.any() else 1.0
    sigma, _, centre = deepest_dip(phase, flux - baseline, signal.period, signal.duration,
                                   float(det.meta["noise"]))
    if sigma >= SECONDARY_MASK_SIGMA:
        masks.append(_ephemeris(signal.period, signal.t0 + centre, width))
    return masks


def _single(det: LightCurve, signal: Signal) -> SingleEvent:
    """The one transit of ``signal`` that has data, as a :class:`SingleEvent`."""
    phase = fold_phase(det.time, signal.period, signal.t0)
    inside = np.abs(phase) < 0.5 * signal.duration
    mid = float(np.mean(det.time[inside] - phase[inside])) if inside.any() else signal.t0
    return SingleEvent(t0=mid, duration=signal.duration, depth=signal.depth,
                       depth_ppm=signal.depth_ppm, snr=signal.snr)


def _as_mask(event: SingleEvent) -> Signal:
    return _ephemeris(1e9, event.t0, event.duration)


def _dominant_event(det: LightCurve, exclude: np.ndarray, peak: list) -> Signal | None:
    """The one transit that makes up most (``SINGLE_SHARE``) of a peak's chi-square, as a
    mask, or None: a lone deep dip (an artefact at a gap, a spot residual) whose box power
    at every period sharing it lifts the whole periodogram and hides periodic signals."""
    period, t0, duration = peak[:3]
    time, flux = det.time[~exclude], det.flux[~exclude]
    phase = fold_phase(time, period, t0)
    inside = np.abs(phase) < 0.5 * duration
    if inside.sum() < 2:
        return None
    epoch = np.round((time[inside] - t0) / period).astype(np.int64)
    epochs, index = np.unique(epoch, return_inverse=True)
    sums = np.bincount(index, weights=np.median(flux) - flux[inside])
    chi2 = np.maximum(sums, 0.0) ** 2 / np.bincount(index)
    best = int(np.argmax(chi2))
    if chi2[best] < SINGLE_SHARE * chi2.sum():
        return None
    return _ephemeris(1e9, t0 + float(epochs[best]) * period, duration)


def search(lc: LightCurve, *, period_min: float | None = None, period_max: float | None = None,
           durations: np.ndarray | list[float] | None = None, max_signals: int = 3,
           min_sde: float = DEFAULT_MIN_SDE, detrend_method: str = "biweight",
           window_length: float | None = None, flux_mode: str = "auto",
           oversample: float = 1.5, vetting: dict[str, float] | None = None,
           junk: str = "auto", variability: bool = True, flares: bool = False,
           alias: bool = True) -> SearchResult:
    """Find up to ``max_signals`` periodic transit-like dips in a light curve.

    Parameters
    ----------
    lc : LightCurve
        Raw light curve (any flux unit; see :mod:`exohunt.search.detrend`).
    period_min, period_max : float, optional
        Period range in days; defaults 0.5 d and half the baseline (≥ 2 transits).
    durations : sequence of float, optional
        Trial durations in days; default 1/3 … 2.5 × the duration of a central transit of a
        Sun-like star at each trial period.
    max_signals : int
        Most signals to report; each found signal is masked and the data re-detrended (a
        signal with box SNR ≥ ``WIDE_MASK_SNR`` over its fitted duration where that is longer,
        with its secondary eclipse when that is ≥ ``SECONDARY_MASK_SIGMA``: an eclipsing
        binary's own eclipses are not reported as further signals). A peak
        with data in only one transit becomes a :class:`SingleEvent` (at most
        ``max_signals + 1`` of them) and is masked the same way. A peak after the first signal
        whose box or fitted duration is outside the vetting duration range is masked and not
        reported (:mod:`exohunt.search.later`).
    min_sde : float
        Stop when the periodogram peak's SDE falls below this (0 keeps the best signal).
    detrend_method : {"biweight", "median"}
    window_length : float, optional
        Detrending window in days (default from the baseline, shortened where that removes
        much more variability; only with the default are red light curves pre-whitened,
        :func:`exohunt.search.prewhiten.prewhiten`).
    flux_mode : {"auto", "relative", "additive"}
    oversample : float
        Frequency-grid oversampling (grid points per transit duration of phase drift).
    vetting : dict, optional
        Overrides of :data:`exohunt.search.vetting.VETTING_THRESHOLDS`.
    junk : {"auto", "strict", "off"}
        ``"auto"`` masks strong-background and elevated-scatter segments and clips outliers
        that cannot be transits before detrending (:mod:`exohunt.search.junk`; recorded in
        ``SearchResult.detrended.meta["masking"]``); ``"strict"`` clips no dip that a transit
        of the shortest searched duration could make; ``"off"`` masks no junk (``flares``
        is a separate step).
    variability : bool
        Compute each reported signal's variability statistics
        (:mod:`exohunt.search.variability`; vetting outputs, a few per cent of the search's
        CPU). False leaves them NaN: training, which reads none of them, skips them.
    flares : bool
        Remove flares (:mod:`exohunt.search.flares`: a sharp rise above the first
        detrending's trend and its decaying tail) and detrend again without them: their
        tails pull the trend up and leave dips beside them. Recorded in
        ``SearchResult.detrended.meta["masking"]`` (step ``"flares"``) with junk masking.
        Off by default: the models' features are searched without it (``FEATURE_VERSION``),
        and on the vetting benchmark's development split it raised average precision but
        not precision at recall 0.95 (round 20, ``benchmarks/dev_context_recall.py``
        ``flares:`` recipes).
    alias : bool
        Move a periodogram peak to 2 or 3 times its period where the fold there, at its best
        epoch, has the higher box SNR (:func:`exohunt.search.alias.true_period`): a planet
        found at half or a third of its period, or an eclipsing binary with a faint secondary
        at half of its own. On by default since search-22 (``FEATURE_VERSION``: the models'
        features are searched with it): it passed the vetting benchmark's development
        protocol in round 33 (``benchmarks/dev_context_recall.py`` ``alias:``,
        ``benchmarks/results_alias.md``). False gives the search of search-21.

    Returns
    -------
    SearchResult
    """
    if detrend_method not in DETREND_METHODS:
        raise ValueError(f"detrend_method must be one of {DETREND_METHODS}, "
                         f"got {detrend_method!r}")
    if max_signals < 1:
        raise ValueError(f"max_signals must be at least 1, got {max_signals}")
    check_thresholds(vetting)
    lc = as_lightcurve(lc, "search")  # a lightkurve LightCurve is converted here, once
    check_junk_mode(junk)
    clean = lc.remove_nans()
    if len(clean) and np.any(np.diff(clean.time) < 0):
        clean = clean[np.argsort(clean.time, kind="stable")]
    # with the flare removal on, flares' peaks stay for it to find them by (with their tails)
    clean = mask_junk(clean, mode=junk, min_duration=shortest_duration(
        durations, MIN_PERIOD_DAYS if period_min is None else float(period_min)),
        upward_outliers=not flares)
    # one trend cache for every detrending of this search: re-detrending with transits masked
    # recomputes the biweight only near them (the same bits, detrend.TrendCache)
    options = {"method": detrend_method, "window_length": window_length, "flux_mode": flux_mode,
               "trend_cache": TrendCache()}
    det = detrend(clean, **options)
    # the flux convention is the input's: pre-whitened flux keeps it (a spot model removed
    # from mean-subtracted counts leaves a small positive level that "auto" would call relative)
    options["flux_mode"] = det.meta["flux_mode"]
    prepared, det = _prepare(clean, det, options, window_length)
    if flares:
        clean, prepared, det = _remove_flares(clean, prepared, det, options, window_length)
    baseline = det.time_span
    p_min = MIN_PERIOD_DAYS if period_min is None else float(period_min)
    p_max = baseline / 2 if period_max is None else float(period_max)
    if not (0 < p_min < p_max) or len(det) < 20:
        return SearchResult([], det, None, det.meta["flux_mode"])
    grid = search_grid(baseline, p_min, p_max, durations, oversample)
    return _iterate(prepared, det, grid, options, max_signals=max_signals, min_sde=min_sde,
                    vetting=vetting, variability=variability, alias=alias)


def _prepare(clean: LightCurve, det: LightCurve, options: dict, window_length: float | None
             ) -> tuple[Prepared, LightCurve]:
    """The pre-whitening of ``clean`` (whose plain detrending is ``det``) and its detrending:
    chosen by :func:`~exohunt.search.prewhiten.prewhiten` with the automatic window."""
    if window_length is None:
        return prewhiten(clean, det, options)
    return Prepared(clean, window=det.meta["window_length"]), det


def _remove_flares(clean: LightCurve, prepared: Prepared, det: LightCurve, options: dict,
                   window_length: float | None) -> tuple[LightCurve, Prepared, LightCurve]:
    """``clean``, its pre-whitening and detrending, without flares (:mod:`.flares`) and
    without the upward outliers the junk masking held back for this step
    (``columns[HELD_COLUMN]``): flares found against the first detrending, their tails
    followed against the second, each removal followed by a new detrending; recorded in
    ``meta["masking"]`` as :func:`~exohunt.search.junk.mask_junk` records its steps. Flares
    are not looked for where the first detrending's residual is red
    (:func:`~exohunt.search.rotation.whiteness` above ``RED_LIMIT``): its own wiggles would
    pass for flares there. Without a flare the result is what the junk masking alone gives.
    """
    from exohunt.search.junk import HELD_COLUMN, _runs, drop_steps

    held = clean.columns.get(HELD_COLUMN)
    reference = prepared.clean  # the cadences (and flux) ``det`` was detrended from
    flaring = np.zeros(len(reference), dtype=bool)
    # a flare's peak is more than the clipping's 4 σ above the trend: no clipped cadence, no
    # flare (most light curves stop here); and a residual this red hides flares in its wiggles
    if det.meta.get("n_clipped_high", 0) and whiteness(det.flux) <= RED_LIMIT:
        z = flare_residual(reference, det)
        flaring = find_flares(reference.time, z)
    if not flaring.any() and held is None:
        return clean, prepared, det
    held = np.zeros(len(clean), dtype=bool) if held is None else np.asarray(held, dtype=bool)
    base = clean.replace(columns={k: v for k, v in clean.columns.items() if k != HELD_COLUMN})
    removed = np.isin(clean.time, reference.time[flaring])
    for attempt in range(2):
        out = drop_steps(base, {"outliers_high": held & ~removed, "flares": removed})
        det = detrend(out, **options)
        prepared, det = _prepare(out, det, options, window_length)
        if attempt or not flaring.any():
            break
        # each flare's brightest and last removed cadence, then its tail against the new trend
        segments = [(reference.time[a + int(np.argmax(z[a:b]))], reference.time[b - 1])
                    for a, b in _runs(flaring)]
        tails = flare_tails(prepared.clean.time, flare_residual(prepared.clean, det),
                            np.asarray(segments))
        if not tails.any():
            break
        removed |= np.isin(clean.time, prepared.clean.time[tails])
    return out, prepared, det


def _iterate(prepared: Prepared, det: LightCurve, grid: tuple, options: dict, *,
             max_signals: int, min_sde: float, vetting: dict | None,
             variability: bool = True, alias: bool = False) -> SearchResult:
    """Search, mask the transits found, re-detrend with them masked, search again."""
    signals: list[Signal] = []
    singles: list[SingleEvent] = []
    # once a signal is found, each single event is masked with the ephemeris its re-detrending
    # masked: centred on the mean time of its data, the mask misses the interpolated trend
    # where the transit runs into a gap, which leaves deep spurious dips on spotted stars.
    # Before that the data-centred masks stay, so the first signal (the features the bundled
    # models were trained on) is unchanged.
    single_masks: list[Signal] = []
    lone: list[Signal] = []  # lone dips masked without being reported (see RETRY_POWER)
    rejected: list[Signal] = []  # later peaks not shaped like a transit (later.transit_shaped)
    # what the next searches leave out of each reported signal: its transits over the fitted
    # duration where that is longer than the box, and its secondary eclipse (_eclipse_masks)
    signal_masks: list[Signal] = []
    limits = check_thresholds(vetting)
    first_pg = None
    spotted = None  # the spot model dropped for the last signal, re-judged before searching on
    options = {**options, "window_length": prepared.window}  # keep the first choice
    while len(signals) < max_signals and len(singles) <= max_signals:
        singles_masked = single_masks if signals else map(_as_mask, singles)
        masked = [*signal_masks, *singles_masked, *lone, *rejected]
        if spotted is not None:
            prepared, det, options = keep_spot_model(
                spotted, prepared, det, _in_transit(spotted.clean.time, masked), options)
            spotted = None
        exclude = _in_transit(det.time, masked)
        if np.count_nonzero(~exclude) < MIN_SEARCH_CADENCES:
            break  # the masks cover (nearly) every cadence: nothing left to search
        noise = float(det.meta["noise"]) or 1.0
        pg, *peak = best_peak(det.time[~exclude], det.flux[~exclude], noise, grid,
                               avoid=[s.period for s in signals])
        first_pg = first_pg or pg
        if peak[-1] < min_sde or peak[-2] <= 0:
            event = (_dominant_event(det, exclude, peak)
                     if peak[-2] >= RETRY_POWER and len(lone) < MAX_RETRIES else None)
            if event is None:
                break
            lone.append(event)
            continue
        if alias:  # a planet (or a binary's primary) found at 1/2 or 1/3 of its period
            keep = ~exclude
            period, t0 = true_period(det.time[keep], det.flux[keep], noise, *peak[:3],
                                     period_max=1.0 / float(grid[0].min()) * (1 + 1e-9))
            peak = [period, t0, *peak[2:]]
        found = _ephemeris(*peak[:3])
        if prepared.period and near_harmonic(np.array([found.period]), [prepared.period],
                                              tol=0.02)[0]:
            spotted, prepared = prepared, prepared.without_rotation()
            options["window_length"] = prepared.window
        mask = _in_transit(prepared.clean.time, [*masked, found])
        det = detrend(prepared(mask), mask=mask, **options)
        exclude = _in_transit(det.time, masked)
        signal = (None if signals and box_misshaped(det.time[~exclude], peak, limits)
                  else _make_signal(det, exclude, peak, vetting,
                                    prepared.clean if variability else None,
                                    context=not signals))
        if signal is None or (signals and signal.n_transits_with_data >= 2
                              and not transit_shaped(signal, limits)):
            if len(rejected) == MAX_REJECTED:
                break
            rejected.append(found)
            continue
        if signal.n_transits_with_data >= 2:
            signals.append(_with_context(det, exclude,
                                         prepared.clean if variability else None, signal)
                           if len(signals) else signal)
            if len(signals) < max_signals:  # only a search that goes on needs the masks
                signal_masks += _eclipse_masks(det, exclude, signal)
        else:
            singles.append(_single(det, signal))
            single_masks.append(found)
    return SearchResult(signals, det, first_pg, det.meta["flux_mode"], singles)
