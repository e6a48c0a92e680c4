"""Injection augmentation: more (and more varied) planets for training, from the training set's
own planet-free stars.

Each chosen negative *training* star gets a physical transit (``exohunt.simulate.inject``,
batman with limb darkening) at a random period, phase and impact parameter, scaled to an SNR
drawn log-uniform in ``snr_range`` against that star's own white noise, and the planet's
occultation half an orbit later (its day side disappearing behind the star: the simulator's
``PlanetParams.albedo``, batman's secondary eclipse) — real hot Jupiters show one (HAT-P-7 b:
1 % of the transit depth), and a model trained without it takes any secondary eclipse for an
eclipsing binary.
Real planet hosts of the training split are added again time-reversed (a transit is
symmetric, the star's variability and systematics are not). Validation rows are never used.

Kaggle-layout flux is mean-subtracted (median ≈ 0), and a transit is multiplicative, so a level
is added before injecting and removed afterwards: the level is set so that the star's white
noise is 1,000 ppm of it, which makes the injected signal's matched-filter SNR (the simulator's
convention, :mod:`exohunt.simulate.signals`) against that noise exactly the drawn SNR.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve
from exohunt.simulate.params import BRIGHT_PLANET_SHARE, BRIGHT_SNR_RANGE, DAY_SIDE_ALBEDO
from exohunt.training.features import RawFeatures, extract, signal_rows, split_later_signals
from exohunt.training.preprocess import SequencePrep

__all__ = ["BRIGHT_PLANET_SHARE", "BRIGHT_SNR_RANGE", "DAY_SIDE_ALBEDO", "found_at_period",
           "inject_rows", "injected_features", "later_signal_labels", "mirror_symmetric",
           "white_noise"]

_REFERENCE_PPM = 1000.0
#: Where an injected planet's drawn orbit lies inside its host it is moved out to this a/R*
#: (the closest-in known planets sit near 2).
MIN_PLANET_A_RS = 2.0


def white_noise(flux: np.ndarray) -> float:
    """Robust point-to-point white-noise σ of one row (insensitive to slow trends)."""
    diffs = np.diff(flux[np.isfinite(flux)])
    return float(1.4826 * np.median(np.abs(diffs - np.median(diffs))) / np.sqrt(2)) or 1.0


def _random_period(time: np.ndarray, rng: np.random.Generator) -> float:
    """Log-uniform from 0.5 d to 40 d, or to the baseline / 2.2 (≥ 2 transits) if shorter."""
    baseline = float(np.nanmax(time) - np.nanmin(time))
    return float(np.exp(rng.uniform(np.log(0.5), np.log(min(40.0, baseline / 2.2)))))


def _given_or(value: float | None, drawn: float) -> float:
    return drawn if value is None else value


def _random_planet(time: np.ndarray, rng: np.random.Generator, valid: np.ndarray,
                   snr: float, *, noise_ppm: float = _REFERENCE_PPM,
                   density: float | None = None):
    """A planet at ``snr`` against white noise ``noise_ppm``; its host's density (g cm⁻³)
    log-uniform 0.3-5 unless given (a host with catalogue parameters: its own)."""
    from exohunt.simulate import PlanetParams, rp_rs_for_snr

    period = _random_period(time, rng)
    # Limb darkening over the FGK range of the Kepler band (Claret 2011): a shape test with
    # one fixed law must not become a test of whether the star has that law.
    planet = PlanetParams(period=period, t0=float(time[0] + rng.uniform(0, period)),
                          rp_rs=0.03, impact=float(rng.uniform(0, 0.9)),
                          # drawn either way (the same random stream after it)
                          stellar_density=_given_or(density, float(np.exp(
                              rng.uniform(np.log(0.3), np.log(5))))),
                          u1=float(rng.uniform(0.2, 0.6)), u2=float(rng.uniform(0.05, 0.35)))
    if planet.a_rs <= planet.impact:
        # A host of low catalogue density (a giant) and a short drawn period put the orbit
        # inside the star (no inclination gives the impact: the injection crashed); the
        # period whose orbit lies at MIN_PLANET_A_RS instead. Every orbit that was possible
        # is left as drawn (the same injections, features and bundled models as before).
        planet = replace(planet, period=planet.period
                         * (MIN_PLANET_A_RS / planet.a_rs) ** 1.5)
    return rp_rs_for_snr(time, planet, noise_ppm, snr, valid)


def _random_binary(time: np.ndarray, rng: np.random.Generator, valid: np.ndarray,
                   snr: float, *, noise_ppm: float = _REFERENCE_PPM):
    """A background eclipsing binary diluted to ``snr``: a stellar companion (R2/R1 0.2-1),
    30 % grazing, a secondary eclipse from the surface-brightness ratio, eccentric orbits for
    half of those longer than 3 days."""
    from exohunt.simulate.params import EclipsingBinaryParams
    from exohunt.simulate.signals import dilution_for_snr

    period = _random_period(time, rng)
    k = float(rng.uniform(0.2, 1.0))
    grazing = rng.random() < 0.3
    ecc, omega = 0.0, 90.0
    if period > 3 and rng.random() < 0.5:
        ecc, omega = float(rng.uniform(0.02, 0.5)), float(rng.uniform(0, 360))
    binary = EclipsingBinaryParams(
        period=period, t0=float(time[0] + rng.uniform(0, period)), radius_ratio=k,
        impact=float(rng.uniform(1 - k, 1 + 0.6 * k) if grazing else rng.uniform(0, 1 - k)),
        surface_brightness_ratio=float(np.exp(rng.uniform(np.log(0.02), 0.0))),
        mass_ratio=min(1.0, k**1.2), stellar_density=float(np.exp(rng.uniform(np.log(0.3),
                                                                              np.log(4)))),
        ecc=ecc, omega_deg=omega)
    if binary.a_rs * (1 - ecc) < 1.5 * (1 + k):  # keep the stars detached
        binary = replace(binary, stellar_density=binary.stellar_density * 4)
    return dilution_for_snr(time, binary, noise_ppm, snr, valid)


def _draw_snr(rng: np.random.Generator, bright_share: float,
              snr_range: tuple[float, float] = (7.0, 150.0)) -> float:
    """An SNR log-uniform in ``snr_range``, or with probability ``bright_share`` in
    :data:`BRIGHT_SNR_RANGE`."""
    bright = rng.random() < bright_share
    return float(np.exp(rng.uniform(*np.log(BRIGHT_SNR_RANGE if bright else snr_range))))


def inject_rows(flux: np.ndarray, time: np.ndarray, rng: np.random.Generator,
                snr_range: tuple[float, float] = (7.0, 150.0), *,
                kind: str = "planet", day_side: bool = True,
                bright_share: float = 0.0) -> np.ndarray:
    """Copies of ``flux`` (N, T) with one random planet (or diluted eclipsing binary, with
    ``kind="binary"``; an undiluted one on the star itself, ``kind="eb"``) injected into each
    row at an SNR log-uniform in ``snr_range`` (not for ``"eb"``: its depth is its own); with
    ``day_side`` a planet also gets its occultation (albedo log-uniform in
    :data:`DAY_SIDE_ALBEDO`); a share ``bright_share`` of the rows instead takes an SNR
    log-uniform in :data:`BRIGHT_SNR_RANGE`."""
    from exohunt.simulate import inject

    if kind not in _SIGNAL_MAKERS:
        raise ValueError(f"kind must be one of {sorted(_SIGNAL_MAKERS)}, got {kind!r}")
    out = np.empty_like(flux)
    for row, values in enumerate(flux):
        level = white_noise(values) / (_REFERENCE_PPM * 1e-6)
        snr = _draw_snr(rng, bright_share, snr_range)
        valid = np.isfinite(values)
        signal = _SIGNAL_MAKERS[kind](time, rng, valid, snr)
        if kind == "planet":  # drawn either way: the same planets with and without day side
            albedo = float(np.exp(rng.uniform(*np.log(DAY_SIDE_ALBEDO))))
            if day_side:  # the simulator's own day side (batman's secondary eclipse)
                signal = replace(signal, albedo=albedo)
        lc = inject(LightCurve(time, np.where(valid, values, 0.0) + level), signal)
        out[row] = np.where(valid, lc.flux - level, np.nan)
    return out


def _random_target_binary(*args, **kwargs):
    from exohunt.training.inject_context import random_target_binary

    return random_target_binary(*args, **kwargs)


_SIGNAL_MAKERS = {"planet": _random_planet, "binary": _random_binary,
                  "eb": _random_target_binary}


def injected_features(data, train_rows: np.ndarray, labels: np.ndarray, kind: str, *,
                      prep: SequencePrep | None = None, seed: int = 42, jobs: int = 0,
                      progress: bool = False, per_positive: int = 30,
                      max_injected: int = 1200, reverse_positives: bool = True,
                      binaries_per_planet: float = 0.0, target_binaries_per_planet: float = 0.0,
                      hosts: np.ndarray | None = None,
                      cache_dir: str | Path | None = None,
                      report: dict | None = None,
                      leave_out_unfound: bool = False, signals_per_star: int = 1,
                      later_signals: bool = False,
                      target_radius_ratio: tuple[float, float] = (0.1, 1.0),
                      target_grazing_share: float = 0.3
                      ) -> tuple[RawFeatures, np.ndarray]:
    """Features and labels of the augmentation rows for the rows ``train_rows`` of a split.

    ``per_positive × n_positive`` negatives (at most ``max_injected``) receive a planet
    (label 1); with ``binaries_per_planet`` > 0 as many times that number of further negatives
    receive a diluted background eclipsing binary (label 0: the look-alikes the classifier
    must learn to reject); with ``target_binaries_per_planet`` > 0 that many times the number of
    planets further negatives become undiluted eclipsing binaries on the star itself (label 0;
    their centroid stays on the target, so the classifier cannot take "centroid on target" for
    "planet"; drawn from their own random stream, so that the other injections do not change
    with it); with ``reverse_positives`` the split's positives are added once
    more, mirrored in time (label 1; single-star files with their time stamps mirrored,
    :func:`~exohunt.training.inject_context.time_reversed`; a batch's rows only where its
    shared time grid is :func:`mirror_symmetric`, else not at all). ``hosts`` (bool, one
    per row of ``data``) restricts the stars that may receive a signal — e.g. to those
    without a strong signal of their own.

    With ``leave_out_unfound``, on light-curve files an injected planet that the search did
    not find at its period is left out (:func:`found_at_period`): its row describes its
    host's own signal under the label "planet". ``report`` (a dict, optional) receives
    ``planets_injected`` and ``planets_not_found`` (those left out).

    ``target_radius_ratio``: the range of the on-target binaries' companion radius ratios
    (:func:`~exohunt.training.inject_context.random_target_binary`; light-curve files only).
    The default reaches down to 0.1 (low-mass companions: 1-6 % eclipses, the on-target
    binaries that pass the models), where the simulator draws from 0.25: on three training
    seeds × three development splits this lowered the on-target binaries passing at recall
    0.95 (0.69 % → 0.53 %) at the same precision, and the record improved (round 31,
    ``BENCHMARKS.md``); ``(0.25, 1.0)`` gives the injections of rounds 7-30.
    ``target_grazing_share`` the share of them that are grazing (V-shaped, partial eclipses;
    the simulator's 0.3 by default).

    With ``signals_per_star`` K > 1 (``train(..., signals_per_star=K)``) and ``later_signals``
    (off by default: round 30 measured it, ``BENCHMARKS.md``), light-curve files' injected
    stars are searched for K signals, and their later signals are rows too, after all the
    top signals: on an injected planet's star a later signal is a
    planet where its period is the injected one (1/3-3 times it included,
    :func:`found_at_period`) and not a planet elsewhere; on a reversed positive the same with
    its ``--labels`` period (left out where none is known); on a background or on-target
    binary's star never a planet. A model scores a star by its best signal, so a binary's
    second signal (its secondary eclipse, its period's alias, its host's noise) must be
    taught as a negative too, and the split's own stars teach that only for the split's own
    few binaries. On the development splits this did not lower the on-target binaries that
    pass (they pass on their eclipses, the top signal:
    ``benchmarks/diag_target_eb_scores.py``) and cost precision at recall 0.95, so injected
    stars keep to their top signal unless asked. ``report`` then receives
    ``later_signals_injected`` and
    ``later_signals_injected_planets``. A batch's injections (no injected period is kept
    there) contribute their top signals only.

    ``data`` is a :class:`LightCurveBatch` or a list of single-star light curves; into the
    latter the signals go with their centroids, SAP flux and catalogue consistent
    (:func:`exohunt.training.inject_context.inject_lightcurve`).

    ``cache_dir``: the feature cache of :func:`exohunt.training.features.extract`. Its key is
    the injected light curves' bytes, which the seed fixes, so runs with the same data, rows
    and seed (a tuned and a default configuration retrained alike; a search's folds prepared
    again) search the injected curves once.
    """
    files = isinstance(data, list) and all(isinstance(lc, LightCurve) for lc in data)
    if not (isinstance(data, LightCurveBatch) or files):
        raise InputError("--imbalance inject needs light curves (a Kaggle-layout CSV, a "
                         "simulated batch or light-curve files), not folded views")
    if reverse_positives and not files and not mirror_symmetric(data.time):
        # a batch's rows share one time grid: reversed flux on it is the mirrored light curve
        # only where the grid's spacings read the same backwards (uniform cadences, gaps as NaN)
        reverse_positives = False
    rng = np.random.default_rng([seed, 7])
    negatives = train_rows[labels[train_rows] == 0]
    if hosts is not None:
        negatives = negatives[np.asarray(hosts, bool)[negatives]]
    positives = train_rows[labels[train_rows] == 1]
    n_planets = min(len(negatives), per_positive * len(positives), max_injected)
    n_binaries = min(len(negatives), round(binaries_per_planet * n_planets))
    planet_hosts = np.sort(rng.choice(negatives, size=n_planets, replace=False))
    binary_hosts = np.sort(rng.choice(negatives, size=n_binaries, replace=False))
    eb_rng = np.random.default_rng([seed, 8])
    n_target = min(len(negatives), round(target_binaries_per_planet * n_planets))
    target_hosts = np.sort(eb_rng.choice(negatives, size=n_target, replace=False))
    extra_labels = np.concatenate([np.ones(n_planets + len(positives) * reverse_positives,
                                           np.int8), np.zeros(n_binaries + n_target, np.int8)])
    if files:  # single-star files: centroids and catalogue follow (training.inject_context)
        from exohunt.training.inject_context import inject_lightcurve

        curves = _injected_curves(data, planet_hosts, positives if reverse_positives else [],
                                  binary_hosts, rng)
        k = signals_per_star if later_signals and kind == "tabular" else 1
        raw, later = split_later_signals(extract(
            curves, kind, prep=prep, jobs=jobs, progress=progress, cache_dir=cache_dir,
            variability=False, signals_per_star=k))
        # (rows, labels) of the injected stars' later signals, appended after every top one
        later_parts = [_injected_later_labels(later, curves, n_planets,
                                              len(positives) * reverse_positives)]
        if leave_out_unfound and "period_days" in raw.signals:  # (no search: no check)
            kept = np.ones(len(curves), bool)
            kept[:n_planets] = found_at_period(
                raw.signals["period_days"].to_numpy(float)[:n_planets],
                [lc.meta["injected"][-1]["period"] for lc in curves[:n_planets]])
            if report is not None:
                report.update(planets_injected=n_planets,
                              planets_not_found=int(n_planets - kept[:n_planets].sum()))
            raw, extra_labels = raw.subset(np.flatnonzero(kept)), extra_labels[
                np.concatenate([kept, np.ones(n_target, bool)])]
        if n_target:  # searched (and cached) apart: the other injections' cache still hits
            targets = [inject_lightcurve(data[i], "eb", 0.0, eb_rng,
                                         radius_ratio=tuple(target_radius_ratio),
                                         grazing_share=float(target_grazing_share))
                       for i in target_hosts]
            top, target_later = split_later_signals(extract(
                targets, kind, prep=prep, jobs=jobs, progress=progress, cache_dir=cache_dir,
                variability=False, signals_per_star=k))
            raw = raw.concat(top)
            # an on-target binary's every signal is not a planet (no reversed copies here)
            later_parts.append(_injected_later_labels(target_later, targets, 0, 0))
        later_y = np.concatenate([y for _, y in later_parts])
        for rows, _ in later_parts:
            if rows is not None:
                raw = raw.concat(rows)
        if later_y.size:
            extra_labels = np.concatenate([extra_labels, later_y])
            if report is not None:
                report.update(later_signals_injected=len(later_y),
                              later_signals_injected_planets=int(later_y.sum()))
        return raw, extra_labels
    reversed_positives = data.flux[positives][:, ::-1] if reverse_positives else data.flux[:0]
    flux = np.concatenate([inject_rows(data.flux[planet_hosts], data.time, rng,
                                       bright_share=BRIGHT_PLANET_SHARE),
                           reversed_positives,
                           inject_rows(data.flux[binary_hosts], data.time, rng,
                                       kind="binary"),
                           inject_rows(data.flux[target_hosts], data.time, eb_rng, kind="eb")])
    extra = LightCurveBatch(flux, extra_labels, data.time, source="augmented")
    return extract(extra, kind, prep=prep, jobs=jobs, progress=progress,
                   cache_dir=cache_dir, variability=False), extra_labels


def mirror_symmetric(time: np.ndarray) -> bool:
    """Whether a time grid's spacings read the same backwards (``t_first + t_last - t`` is the
    grid itself), so that reversing flux on it mirrors the light curve in time.

    Parameters
    ----------
    time : numpy.ndarray, shape (T,)
        Cadence times, days, increasing.
    """
    steps = np.diff(np.asarray(time, float))
    return bool(np.allclose(steps, steps[::-1], rtol=1e-6, atol=1e-9))


def found_at_period(found_days: np.ndarray, true_days: np.ndarray) -> np.ndarray:
    """Whether the search found each planet: its top signal's period is the planet's, or 1/3,
    1/2, 2 or 3 times it (within 1 %, :func:`exohunt.search.peaks.near_harmonic`; folded
    there the signal is still the planet's).

    With ``train(..., unfound_planets="leave-out")`` training teaches a planet only where the
    search found it. Where the host's own signal won instead (a background binary's eclipses,
    a flare's or a spot's residual, systematics) the row's features describe that signal, and
    the label "planet" would teach the model that such signals are planets
    (``benchmarks/diag_injection_labels.py``).

    Parameters
    ----------
    found_days : numpy.ndarray, shape (N,)
        The search's top-signal period of each star, days (NaN: no signal).
    true_days : numpy.ndarray, shape (N,)
        The planet's period, days; NaN where it is not known (counted as found).

    Returns
    -------
    numpy.ndarray of bool, shape (N,)
    """
    from exohunt.search.peaks import near_harmonic

    found_days = np.asarray(found_days, float)
    true_days = np.asarray(true_days, float)
    out = ~np.isfinite(true_days)
    for row in np.flatnonzero(np.isfinite(true_days) & np.isfinite(found_days)):
        out[row] = bool(near_harmonic(found_days[row:row + 1], [true_days[row]])[0])
    return out


def later_signal_labels(found_days: np.ndarray, true_days: np.ndarray,
                        planet: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels of a star's later signals (``train(..., signals_per_star=K)``): a planet where
    its star is a planet's and its period is the planet's (1/3-3 times it included,
    :func:`found_at_period`), else not; known except on a planet's star whose period is not.

    Parameters
    ----------
    found_days : numpy.ndarray, shape (N,)
        Each later signal's period, days.
    true_days : numpy.ndarray, shape (N,)
        Its star's planet period, days (NaN: none known, or not a planet's star).
    planet : numpy.ndarray of bool, shape (N,)
        Whether its star is a planet's.

    Returns
    -------
    (labels, known) : numpy.ndarray of int8 and of bool, shape (N,)
    """
    planet = np.asarray(planet, bool)
    known = ~planet | np.isfinite(np.asarray(true_days, float))
    labels = planet & known & found_at_period(found_days, true_days)
    return labels.astype(np.int8), known


def _injected_later_labels(later: RawFeatures | None, curves: list, n_planets: int,
                           n_reversed: int) -> tuple[RawFeatures | None, np.ndarray]:
    """The later signals of injected single-star curves (planets, then ``n_reversed``
    reversed positives, then binaries, as :func:`_injected_curves` orders them) as training
    rows and their labels (:func:`later_signal_labels`; a reversed positive's period is its
    ``--labels`` one): ``(rows, labels)``, or ``(None, empty)`` without later signals."""
    if later is None or not len(later):
        return None, np.zeros(0, np.int8)
    star = later.signals["star"].to_numpy(int)
    true = np.full(len(curves), np.nan)
    for s in range(n_planets):
        true[s] = curves[s].meta["injected"][-1]["period"]
    for s in range(n_planets, n_planets + n_reversed):
        true[s] = float(curves[s].meta.get("label_period_days", np.nan))
    labels, known = later_signal_labels(later.signals["period_days"].to_numpy(float),
                                        true[star], star < n_planets + n_reversed)
    keep = np.flatnonzero(known)
    return signal_rows(later, keep), labels[keep]


def _injected_curves(curves: list, planet_hosts: np.ndarray, positives, binary_hosts: np.ndarray,
                     rng: np.random.Generator) -> list:
    """Injected copies of single-star light curves (planets, reversed positives, binaries),
    SNRs drawn as :func:`inject_rows` draws them."""
    from exohunt.training.inject_context import inject_lightcurve, time_reversed

    out = [inject_lightcurve(curves[i], "planet", _draw_snr(rng, BRIGHT_PLANET_SHARE), rng)
           for i in planet_hosts]
    out += [time_reversed(curves[i]) for i in positives]
    out += [inject_lightcurve(curves[i], "binary", _draw_snr(rng, 0.0), rng)
            for i in binary_hosts]
    return out
