"""Seeded synthetic light curves with batman transits, for the search tests."""

from __future__ import annotations

import batman
import numpy as np

from exohunt.lightcurve import LightCurve

CADENCE = 0.0204336  # Kepler long cadence, days
N_POINTS = 3197


def transit_model(time: np.ndarray, *, period: float, t0: float, rp: float, a: float,
                  inc: float = 90.0) -> np.ndarray:
    """batman quadratic-limb-darkened transit, relative flux (1 out of transit)."""
    params = batman.TransitParams()
    params.t0, params.per, params.rp, params.a, params.inc = t0, period, rp, a, inc
    params.ecc, params.w, params.u, params.limb_dark = 0.0, 90.0, [0.4, 0.25], "quadratic"
    return batman.TransitModel(params, time, supersample_factor=5,
                               exp_time=CADENCE).light_curve(params)


def a_over_rstar(period: float) -> float:
    """Semi-major axis in stellar radii for a Sun-like star (215 at one year)."""
    return 215.03 * (period / 365.25) ** (2 / 3)


def planet_lightcurve(rng: np.random.Generator, *, period: float, snr: float,
                      noise: float = 1e-3, rp: float | None = None, additive: bool = False,
                      variability: float = 0.0, n_points: int = N_POINTS) -> tuple[
                          LightCurve, dict]:
    """A white-noise light curve with one planet of the given total SNR.

    ``snr`` sets the depth from the number of in-transit points; ``additive`` returns
    Kaggle-style mean-subtracted counts (×1e5, rounded to 0.01).
    """
    time = np.arange(n_points) * CADENCE
    t0 = float(rng.uniform(0.5, min(period, time[-1] / 2)))
    a = a_over_rstar(period)
    duration = period / np.pi / a
    n_in = max(time[-1] / period, 1) * duration / CADENCE
    depth = snr * noise / np.sqrt(n_in) if rp is None else rp**2
    model = transit_model(time, period=period, t0=t0, rp=float(np.sqrt(depth * 1.2)), a=a)
    flux = model + noise * rng.standard_normal(n_points)
    if variability:
        flux *= 1 + variability * np.sin(2 * np.pi * time / rng.uniform(3, 12) + rng.uniform(0, 6))
    if additive:
        flux = np.round((flux - flux.mean()) * 1e5, 2)
    truth = {"period": period, "t0": t0, "duration": duration,
             "depth": float(1 - model.min())}
    return LightCurve(time, flux), truth


def noise_lightcurve(rng: np.random.Generator, *, noise: float = 1e-3,
                     n_points: int = N_POINTS) -> LightCurve:
    """Planet-free white noise around 1."""
    time = np.arange(n_points) * CADENCE
    return LightCurve(time, 1 + noise * rng.standard_normal(n_points))


def dipped_batch(n: int = 90, n_pos: int = 14, length: int = 400, seed: int = 0):
    """A small Kepler-cadence batch (N, ``length``) of white-noise rows, ``n_pos`` of them
    (label 1) with periodic 4-sigma box dips: enough signal for a quick training run."""
    from exohunt.batch import LightCurveBatch

    rng = np.random.default_rng(seed)
    time = np.arange(length) * 0.0204  # Kepler long cadence, days
    flux = rng.normal(0, 1e-3, (n, length))
    labels = np.zeros(n, np.int8)
    labels[rng.choice(n, n_pos, replace=False)] = 1
    for row in np.flatnonzero(labels):
        period, start = rng.integers(60, 120), rng.integers(0, 50)
        for s in range(start, length, period):
            flux[row, s:s + 5] -= 4e-3
    return LightCurveBatch(flux, labels, time, source="dipped")


def labelled_vetting_files(kinds: list[str], prefix: str = "s", n_points: int = 1500,
                           periods: bool = False):
    """Simulated vetting-preset stars of the given ``kinds`` (one each, star i seeded by i) on
    a Kepler long-cadence grid of ``n_points``, as light curves whose source is
    ``/data/{prefix}{i}.fits``, and the labels table naming them (planet = 1): what
    ``train(curves, labels=table)`` reads for single-star files. ``periods``: the table
    also gives each planet's period (``period_days``, NaN for the other stars)."""
    import pandas as pd

    from exohunt.simulate import split_spec, time_grid
    from exohunt.simulate.dataset import make_star
    from exohunt.simulate.lightcurves import star_lightcurve

    grid = time_grid(n_points, 29.4244 / 1440.0)
    spec = split_spec("vetting", "test", 100)
    stars = [make_star(grid, kind, i, np.random.default_rng(i), spec)
             for i, kind in enumerate(kinds)]
    curves = [star_lightcurve(star, grid).replace(meta={"source": f"/data/{prefix}{i}.fits"})
              for i, star in enumerate(stars)]
    table = pd.DataFrame({"file": [f"{prefix}{i}.fits" for i in range(len(kinds))],
                          "label": [int(kind == "planet") for kind in kinds]})
    if periods:
        table["period_days"] = [float(star.truth.get("period_days", np.nan))
                                if kind == "planet" else np.nan
                                for star, kind in zip(stars, kinds)]
    return curves, table
