"""Mission flavours: simulated stars that look like the light-curve products users bring.

A :class:`Flavour` turns the simulator's generic star into one mission product: its cadence and
span (per star, drawn in the flavour's range), the product's data gaps, the white noise per
cadence (the simulator draws it per 29.4-minute cadence; finer cadences are noisier by
``sqrt(29.4 min / cadence)``), the spacecraft's systematics and what its header carries.

==================  ========  ==========  ===================================================
flavour             cadence   span        what is particular
==================  ========  ==========  ===================================================
kepler-lc           29.4 min  85-93 d     one quarter; monthly downlink gaps (0.5-1 d)
kepler-lc-stitched  29.4 min  2-3 qtrs    quarters joined with 1-4 d gaps between them
kepler-sc           58.8 s    8-12 d      a short-cadence stretch (kept short: affordable)
k2                  29.4 min  75-82 d     every star rolls: 6-h sawtooth 0.03-0.5 %, a one-
                                          cadence dip at half the thruster firings, centroids
                                          follow the roll; no stellar parameters in the header
tess-2min           2 min     26-28 d     two orbits, 0.7-1.3 d mid-sector gap
tess-200s           200 s     26-28 d     as tess-2min
tess-10min          10 min    26-28 d     as tess-2min
tess-ffi            30 min    26-28 d     as tess-2min plus scattered-light ramps at each
                                          orbit's start/end and momentum dumps every 3.125 d
==================  ========  ==========  ===================================================

Kepler and TESS flavours have no 6-hour roll sawtooth (that is K2's); drift, thermal ramps after
gaps, flares, spots and outliers are the simulator's. Everything a flavour draws comes from the
star's own flavour stream, ``spawn_key=(s, 2, i, 3)`` of its auxiliary seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from exohunt.batch import KEPLER_LONG_CADENCE_DAYS
from exohunt.simulate.kinds import log_uniform
from exohunt.simulate.scene import SceneParams
from exohunt.simulate.stars import StarParams

__all__ = ["FLAVOURS", "Flavour", "ffi_junk", "flavour_time", "product_gaps"]

_MINUTE = 1.0 / 1440.0
_STELLAR_KEYS = ("teff", "logg", "radius", "feh")
#: TESS full-frame-image junk (as benchmarks/bench_ffi_junk.py makes it, per star scaled by a
#: factor log-U 0.3-1.5): ramp lengths (days) and peak offsets (relative flux).
FFI_START_RAMP, FFI_END_RAMP = (0.8, 3000e-6), (1.5, 5000e-6)
FFI_DUMP_INTERVAL_DAYS, FFI_DUMP_MINUTES, FFI_DUMP_LOSS, FFI_DUMP_STEP = 3.125, 10.0, 0.015, 1e-4


@dataclass(frozen=True)
class Flavour:
    """One mission product (see the module docstring).

    Parameters
    ----------
    name : str
    mission : {"Kepler", "TESS"}
        The pixel scene and catalogue (K2 uses Kepler's pixels).
    cadence_days : float
    span_days : tuple of float
        Range of one segment's length (uniform), days.
    segments : tuple of int
        Range of the number of segments (quarters, orbits) joined, inclusive.
    segment_gap_days : tuple of float
        Range of the gap between segments, days.
    downlinks : bool
        Kepler's monthly downlink gaps.
    roll : bool
        K2's 6-hour roll sawtooth on every star.
    ffi : bool
        TESS FFI scattered light and momentum dumps (:func:`ffi_junk`).
    catalogue : bool
        Whether the header carries the host's stellar parameters.
    layout : tuple of (start, stop)
        One star's segments, days (:func:`flavour_time`); empty for the flavour itself.
    """

    name: str
    mission: str
    cadence_days: float
    span_days: tuple[float, float]
    segments: tuple[int, int] = (1, 1)
    segment_gap_days: tuple[float, float] = (0.0, 0.0)
    downlinks: bool = False
    roll: bool = False
    ffi: bool = False
    catalogue: bool = True
    layout: tuple = ()  # one star's segments ((start, stop) days), set by iter_flavour

    def adjust_star(self, star: StarParams, time: np.ndarray,
                    rng: np.random.Generator) -> StarParams:
        """The star with this product's gaps, noise per cadence and roll."""
        gaps = list(star.gaps) + product_gaps(self, rng)
        noise = star.noise_ppm * math.sqrt(KEPLER_LONG_CADENCE_DAYS / self.cadence_days)
        changes = dict(gaps=tuple(sorted(gaps)), noise_ppm=noise)
        if self.roll:
            amplitude = max(star.sawtooth_amplitude, float(log_uniform(rng, 3e-4, 5e-3)))
            changes.update(sawtooth_amplitude=amplitude,
                           sawtooth_period=float(rng.uniform(0.23, 0.26)),
                           firing_dip=2.0 * amplitude)
        else:
            changes.update(sawtooth_amplitude=0.0, firing_dip=0.0)
        return replace(star, **changes)

    def adjust_scene(self, scene: SceneParams) -> SceneParams:
        """K2's centroids follow the roll (sub-day pointing excursions)."""
        return replace(scene, fast_pointing=True) if self.roll else scene

    def adjust_catalogue(self, catalogue: dict) -> dict:
        """The header's catalogue: NaN stellar parameters where the product has none."""
        if self.catalogue:
            return catalogue
        return {**catalogue, **{key: math.nan for key in _STELLAR_KEYS}, "catalog": "EPIC"}


KEPLER_SHORT_CADENCE_DAYS = 58.85 / 86400.0
_TESS = dict(mission="TESS", span_days=(12.5, 13.5), segments=(2, 2),
             segment_gap_days=(0.7, 1.3))
FLAVOURS: dict[str, Flavour] = {f.name: f for f in (
    Flavour("kepler-lc", "Kepler", KEPLER_LONG_CADENCE_DAYS, (85.0, 93.0), downlinks=True),
    Flavour("kepler-lc-stitched", "Kepler", KEPLER_LONG_CADENCE_DAYS, (85.0, 93.0), (2, 3),
            (1.0, 4.0), downlinks=True),
    Flavour("kepler-sc", "Kepler", KEPLER_SHORT_CADENCE_DAYS, (8.0, 12.0)),
    Flavour("k2", "Kepler", KEPLER_LONG_CADENCE_DAYS, (75.0, 82.0), roll=True, catalogue=False),
    Flavour("tess-2min", cadence_days=2 * _MINUTE, **_TESS),
    Flavour("tess-200s", cadence_days=200.0 / 86400.0, **_TESS),
    Flavour("tess-10min", cadence_days=10 * _MINUTE, **_TESS),
    Flavour("tess-ffi", cadence_days=30 * _MINUTE, ffi=True, **_TESS),
)}


def flavour_time(flavour: Flavour, rng: np.random.Generator) -> tuple[np.ndarray, list]:
    """A star's cadence grid (days from 0, uniform; gaps are NaN later) and its segments.

    Returns
    -------
    time : ndarray, shape (T,)
    segments : list of (start, stop)
        The segments (quarters, orbits), days; the gaps between them are product gaps.
    """
    n_segments = int(rng.integers(flavour.segments[0], flavour.segments[1] + 1))
    segments, start = [], 0.0
    for k in range(n_segments):
        if k:
            start += float(rng.uniform(*flavour.segment_gap_days))
        stop = start + float(rng.uniform(*flavour.span_days))
        segments.append((start, stop))
        start = stop
    time = np.arange(0.0, start, flavour.cadence_days)
    return time, segments


def product_gaps(flavour: Flavour, rng: np.random.Generator) -> list:
    """The product's own gaps: between the segments of ``flavour.layout`` and, for Kepler,
    two downlinks (0.5-1 d) per quarter near its thirds. List of ``(start, stop)``, days."""
    gaps = [(stop, start) for (_, stop), (start, _) in zip(flavour.layout, flavour.layout[1:])]
    if flavour.downlinks:
        for start, stop in flavour.layout:
            for third in (1, 2):
                begin = start + third * (stop - start) / 3 + float(rng.uniform(-1.0, 1.0))
                gaps.append((begin, begin + float(rng.uniform(0.5, 1.0))))
    return gaps


def ffi_junk(time: np.ndarray, segments: list, noise_ppm: float, rng: np.random.Generator
             ) -> tuple[np.ndarray, np.ndarray]:
    """TESS FFI junk: scattered-light ramps at each orbit's start and end and momentum dumps.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Days.
    segments : list of (start, stop)
        The orbits, days.
    noise_ppm : float
        The star's white noise per cadence (the ramps bring 3× that, scaled by their shape).
    rng : numpy.random.Generator

    Returns
    -------
    flux_change : ndarray, shape (T,)
        Additive relative flux (ramps up, dump losses down, level steps after each dump).
    ramp_shape : ndarray, shape (T,)
        0-1 shape of the scattered light (for the background column).
    """
    cadence = float(np.median(np.diff(time)))
    scale = float(log_uniform(rng, 0.3, 1.5))
    shape = np.zeros(time.shape)
    for start, stop in segments:
        inside = (time >= start) & (time < stop)
        rise = np.clip((time - (stop - FFI_END_RAMP[0])) / FFI_END_RAMP[0], 0, 1) ** 2
        fall = np.clip(1 - (time - start) / FFI_START_RAMP[0], 0, 1) ** 2
        both = np.maximum(rise, fall * FFI_START_RAMP[1] / FFI_END_RAMP[1])
        shape[inside] = both[inside]
    change = scale * (FFI_END_RAMP[1] * shape
                      + 3.0 * noise_ppm * 1e-6 * shape * rng.standard_normal(time.size))
    width = FFI_DUMP_MINUTES * _MINUTE
    lo, hi = time - 0.5 * cadence, time + 0.5 * cadence
    for dump in np.arange(float(rng.uniform(1.0, 2.5)), float(time[-1]), FFI_DUMP_INTERVAL_DAYS):
        overlap = np.clip(np.minimum(hi, dump + width) - np.maximum(lo, dump), 0, None)
        change -= FFI_DUMP_LOSS * float(rng.uniform(0.5, 1.0)) * overlap / cadence
        step = float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.5, 1.5)) * FFI_DUMP_STEP
        change[time >= dump + width] += step
    return change, shape
