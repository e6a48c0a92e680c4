"""Round 24: how far above the simulator's own centroid noise do the detrended centroids lie?

The simulator writes flux-weighted centroids whose white noise per cadence and axis is
``centroid_noise_px`` in the truth table (photon noise plus jitter, calibrated on the real files
by ``calibrate_centroid_noise.py``), plus a pointing series that the search's centroid
detrending (a biweight with the flux's window, ``search.centroid.centroid_residuals``) is meant
to remove: for Kepler/TESS-like stars only the day-scale part of the star's pointing-driven
instrumental series moves the centroids (``simulate.scene``), since the real files' centroids
show no sub-day wander above their noise.

This script reads the simulated files of each split given, detrends each star's centroids as the
search does (no transit masked: the in-transit shift of a planet or background binary is far
below the scatter measured here), and compares the scatter of what is left with the truth's
``centroid_noise_px``, by host kind and by whether the star's instrumental series has a roll
sawtooth (``sawtooth_ppm`` > 0). A ratio near 1 means the detrended centroids carry only the
noise the simulator meant them to; a ratio far above 1 means the statistics of those stars
(centroid shift and source offset significance) lose that factor in sensitivity.

A second table isolates the mechanism: the pointing series of a Kepler-like star (30-minute
cadence, 65 days) whose instrumental series holds a roll sawtooth (``stars.systematics_model``,
period 0.245 d) with or without a slow drift, passed through the simulator's day-scale step
(before round 24 a one-day boxcar, ``scene._day_scale``, then normalised by
``scene._unit_series`` and scaled by ``drift_px`` in ``scene.render_scene``) and detrended
like the search's centroids (biweight, one-day window). Its residual is given per unit of
``drift_px`` (0.01-0.1 px for these stars) beside the same series normalised first, then
low-passed by a Gaussian (σ = 0.5, 1 or 2 d; round 24's simulator uses 1 d)::

    nice -n 10 python benchmarks/diag_centroid_excess.py --work /tmp/r21/ctx \\
        --split test3000-seed5151,train3000-seed7107,/tmp/r24/ctx/test3000-seed90417,\\
    /tmp/r24/ctx/train3000-seed7107 --out benchmarks/results_centroid_excess.md

(``/tmp/r21/ctx``: round 23's simulator; ``/tmp/r24/ctx``: the same seeds regenerated with
round 24's; a ``--split`` entry that is an absolute path is read from there.)
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit


def residual_scatter(path: str) -> tuple[float, float]:
    """Robust scatter (pixels, mean of the two axes) of one file's detrended centroids, and
    of their cadence-to-cadence differences / √2 (the white part)."""
    import warnings

    import exohunt
    from exohunt.errors import DataQualityWarning
    from exohunt.search.centroid import centroid_residuals
    from exohunt.search.detrend import robust_std

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        lc = exohunt.read(path)
    # an ephemeris whose one "transit" lies outside the data: nothing is masked
    resid = centroid_residuals(lc, period=1e4, t0=-5e3, duration=0.01)
    if resid is None:
        return float("nan"), float("nan")
    ok = np.isfinite(resid).all(axis=1)
    scatter = np.mean([robust_std(resid[ok, a]) for a in (0, 1)])
    white = np.mean([robust_std(np.diff(resid[ok, a])) / np.sqrt(2) for a in (0, 1)])
    return float(scatter), float(white)


def markdown(rows: list[dict]) -> list[str]:
    """A markdown table of ``rows`` (dicts with the same keys), one line per row."""
    keys = list(rows[0])
    return ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys),
            *("| " + " | ".join(str(row[k]) for k in keys) + " |" for row in rows)]


def split_report(folder: Path, jobs: int) -> list[str]:
    """The table and summary lines of one split's folder (files and ``*_truth.csv``)."""
    started = time.perf_counter()
    truth = pd.read_csv(next(folder.glob("*_truth.csv")))
    paths = [str(folder / name) for name in truth["file"]]
    with ProcessPoolExecutor(jobs) as pool:
        measured = list(pool.map(residual_scatter, paths, chunksize=50))
    truth["scatter_px"] = [m[0] for m in measured]
    truth["white_px"] = [m[1] for m in measured]
    truth["ratio"] = truth["scatter_px"] / truth["centroid_noise_px"]
    truth["white_ratio"] = truth["white_px"] / truth["centroid_noise_px"]
    truth["host"] = truth["host_kind"].fillna(truth["kind"])
    truth["sawtooth"] = np.where(truth["sawtooth_ppm"].fillna(0) > 0, "yes", "no")
    rows = []
    for (host, saw), group in truth.groupby(["host", "sawtooth"]):
        ratio = group["ratio"].dropna()
        rows.append({"host": host, "sawtooth": saw, "stars": len(group),
                     "median ratio": f"{ratio.median():.2f}",
                     "90th pct": f"{ratio.quantile(0.9):.2f}",
                     "white part (median)": f"{group['white_ratio'].median():.2f}",
                     "ratio > 3": f"{int((ratio > 3).sum())} ({(ratio > 3).mean():.1%})"})
    signal = truth[truth["kind"].isin(["planet", "background-eb"])]
    high = signal["ratio"] > 3
    sawtooth = int((high & (signal["sawtooth"] == "yes")).sum())
    return [f"## {folder}: {len(truth)} stars, {time.perf_counter() - started:.0f} s wall",
            "", *markdown(rows), "",
            f"- Planets and background binaries (the stars whose centroid statistics decide): "
            f"{int(high.sum())} of {len(signal)} above 3x, {sawtooth} of them with a "
            f"sawtooth, {int((high & (signal['host'] != 'systematics')).sum())} without a "
            f"systematics host."]


def mechanism_report(seed: int = 1) -> list[str]:
    """Residual (per unit of ``drift_px``) of simulated day-scale pointing after the search's
    centroid detrending: the simulator's step before round 24 (a one-day boxcar, then
    normalised) against the normalised series low-passed by a Gaussian (round 24: σ = 1 d)."""
    from scipy.ndimage import gaussian_filter1d, uniform_filter1d

    from exohunt.lightcurve import LightCurve
    from exohunt.search.centroid import centroid_residuals
    from exohunt.simulate.scene import _unit_series
    from exohunt.simulate.stars import StarParams, systematics_model

    cadence = 0.0204
    time_days = np.arange(3197) * cadence
    valid = np.ones(time_days.size, bool)
    rows = []
    for drift in (0.0, 1e-4, 5e-4):
        star = StarParams(noise_ppm=100.0, sawtooth_amplitude=2e-4, drift_amplitude=drift)
        pointing = np.zeros_like(time_days)
        systematics_model(time_days, star, np.random.default_rng(seed), pointing=pointing)
        boxcar = uniform_filter1d(pointing, size=round(1.0 / cadence), mode="nearest")
        steps = {"boxcar 1 d, then unit (before round 24)": _unit_series(boxcar, valid)}
        for sigma_days in (0.5, 1.0, 2.0):
            steps[f"unit, then Gaussian σ {sigma_days:g} d"] = gaussian_filter1d(
                _unit_series(pointing, valid), sigma_days / cadence, mode="nearest")
        for name, series in steps.items():
            # the search's own centroid detrending, the series on both axes
            lc = LightCurve(time_days, np.ones_like(time_days),
                            columns={"centroid_col": series, "centroid_row": series})
            resid = centroid_residuals(lc, period=1e4, t0=-5e3, duration=0.01,
                                       window_length=1.0)[:, 0]
            rows.append({"sawtooth 200 ppm, drift (ppm)": f"{drift * 1e6:.0f}",
                         "day-scale step": name,
                         "series std / drift_px": f"{series.std():.3f}",
                         "residual std / drift_px": f"{resid.std():.4f}"})
    return ["## Mechanism: a roll sawtooth through the day-scale step", "", *markdown(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--split", default="test3000-seed5151",
                        help="comma-separated folders under --work, each holding a split's "
                        "files and truth table")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    lines = ["# Centroid scatter after the search's detrending, against the simulator's own "
             "noise", "",
             f"Machine: {machine_description()}. Command: `python benchmarks/"
             f"diag_centroid_excess.py --work {args.work} --split {args.split}`.", "",
             "ratio = robust scatter of the detrended centroids (both axes) / the truth's "
             "`centroid_noise_px`; white part = the same for cadence-to-cadence differences "
             "/ √2. Host = the star's own variability (`host_kind`, else its kind); the "
             "systematics hosts are K2-like (their 6-hour roll reaches the centroids on "
             "purpose)."]
    for split in args.split.split(","):
        lines += ["", *split_report(Path(args.work) / split, args.jobs)]
    emit([*lines, "", *mechanism_report()], args.out)


if __name__ == "__main__":
    main()
