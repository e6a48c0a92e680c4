"""How well a light curve shows a planet whose period is known: transits with data and SNR.

Used to decide, from a file's own data, which known planets it should let a finder detect
(e.g. "≥ 3 transits and SNR ≥ 10 in that file"). The light curve is detrended with the
search's own detrender, with a mask over every known planet's transits where their epochs are
known (a first, unmasked pass finds them), so that a biweight window does not eat long
transits; the transit is then located by a box fit at the known period (astropy's
``BoxLeastSquares`` over phases and durations of 1-16 h), and

    snr = depth / σ × √n_in

with σ the point-to-point white noise of the detrended flux and n_in the in-transit cadences:
the box search's SNR on this light curve (comparable to the simulator's matched-filter SNR,
slightly below it for limb-darkened transits). A transit *has data* when at least half of its
expected in-transit cadences are present.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from exohunt.lightcurve import LightCurve

__all__ = ["KnownPlanetSignal", "measure_known_planets"]

_DURATIONS_HOURS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 13.0, 16.0)


@dataclass(frozen=True)
class KnownPlanetSignal:
    """One known planet as a light curve shows it.

    ``period`` and ``t0`` (days, the light curve's clock), ``duration`` (days) and ``depth``
    (relative flux) of the best box; ``snr`` (see the module docstring); ``n_transits``
    (transits with at least half their cadences present).
    """

    period: float
    t0: float
    duration: float
    depth: float
    snr: float
    n_transits: int


def _box_fit(time: np.ndarray, flux: np.ndarray, period: float) -> tuple[float, float, float]:
    from astropy.timeseries import BoxLeastSquares

    durations = np.array([d for d in _DURATIONS_HOURS if d / 24 < 0.25 * period]) / 24
    if not len(durations):
        durations = np.array([0.2 * period])
    result = BoxLeastSquares(time, flux).power(np.array([period]), durations,
                                               objective="snr", oversample=20)
    return float(result.transit_time[0]), float(result.duration[0]), float(result.depth[0])


def _in_transit(time: np.ndarray, period: float, t0: float, duration: float) -> np.ndarray:
    phase = (time - t0 + 0.5 * period) % period - 0.5 * period
    return np.abs(phase) < 0.5 * duration


def _epoch_depths(time, flux, period, t0, duration) -> tuple[np.ndarray, np.ndarray]:
    inside = _in_transit(time, period, t0, duration)
    epochs = np.round((time - t0) / period).astype(int)
    numbers = np.unique(epochs[inside])
    return numbers, np.array([-np.mean(flux[inside & (epochs == e)]) for e in numbers])


def _measure(time, flux, period, cadence) -> KnownPlanetSignal:
    """Box fit at ``period``; an epoch whose depth dwarfs the others' (another planet's single
    transit, an artefact) is masked and the fit repeated (up to 4 times)."""
    from exohunt.search.detrend import point_to_point_noise

    keep = np.ones(len(time), bool)
    for _ in range(5):
        t0, duration, depth = _box_fit(time[keep], flux[keep], period)
        numbers, depths = _epoch_depths(time[keep], flux[keep], period, t0, duration)
        if len(depths) < 3:
            break
        worst = int(np.argmax(depths))
        others = np.delete(depths, worst)
        if depths[worst] <= 3.0 * max(float(np.median(others)), 0.0) + 1e-12 \
                and np.median(others) > 0:
            break
        epochs = np.round((time - t0) / period).astype(int)
        keep &= ~((epochs == numbers[worst]) & _in_transit(time, period, t0, 2 * duration))
    time, flux = time[keep], flux[keep]
    inside = _in_transit(time, period, t0, duration)
    sigma = point_to_point_noise(flux[~inside]) if (~inside).sum() > 10 else np.nan
    snr = depth / sigma * np.sqrt(inside.sum()) if sigma > 0 else 0.0
    epochs = np.round((time[inside] - t0) / period).astype(int)
    expected = max(1.0, duration / cadence)
    counts = np.bincount(epochs - epochs.min()) if len(epochs) else np.array([])
    return KnownPlanetSignal(period, t0, duration, depth, float(snr),
                             int(np.sum(counts >= 0.5 * expected)))


def measure_known_planets(lc: LightCurve, periods: list[float]) -> list[KnownPlanetSignal]:
    """Measure each known period in ``lc`` (one :class:`KnownPlanetSignal` per period).

    Parameters
    ----------
    lc : LightCurve
        Any flux the search accepts (counts or relative; NaN cadences dropped).
    periods : list of float
        Known orbital periods, days.
    """
    from exohunt.search.detrend import detrend

    lc = lc.remove_nans()
    time = np.asarray(lc.time, float)
    cadence = float(np.median(np.diff(time)))
    first = detrend(lc)
    firsts = [_measure(np.asarray(first.time), np.asarray(first.flux) - 1.0, p, cadence)
              for p in periods]
    mask = np.zeros(len(time), bool)
    for found in firsts:
        mask |= _in_transit(time, found.period, found.t0, 1.5 * found.duration)
    second = detrend(lc, mask=mask)
    flux = np.asarray(second.flux) - 1.0
    return [_measure(np.asarray(second.time), flux, p, cadence) for p in periods]
