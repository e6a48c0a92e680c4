"""Round 29: one centroid spike in a transit, and the in-transit spike clipping (search-21).

On the 10,000-star training split of the vetting preset, 7 of the 426 planets whose top
signal is the planet showed a source > 1 px from the target at > 5 σ (6 on "systematics"
hosts, some with no neighbour at all: shifts of 5-98 σ). The cause, for 6 of them: the
simulated roll's thruster firings move the centroid by up to thousands of σ for one cadence,
and such cadences inside a transit dragged the in-transit *mean*, while the error came from
the robust σ. A model that learns from such planets cannot trust a large offset: far
background EBs reading a source > 1 px away at > 5 σ passed the development models' stored
threshold (``diag_far_beb_scores.py``). This script lists each such planet, its largest
in-transit excursion and how many cadences the clipping leaves out.

For the planets (true SNR >= 5) and the far background EBs (source >= 1 px) of a development
or training split (never a record split) whose search's top signal is at the true period,
this searches each star once and measures the centroid statistics on the same detrended
light curve and ephemeris without the clipping (``SPIKE_SIGMA = inf``, the old statistic) and
with it, side by side::

    python benchmarks/diag_centroid_spikes.py --work /tmp/r24/ctx --split train10000-seed7107
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import at_true_period, read_split, split_diagnostic_args, split_truth

STATS = ("centroid_shift_sigma", "centroid_offset_pixels", "centroid_offset_sigma")


def _measure(path: str) -> dict:
    """One star: the top signal's period, its centroid statistics with and without the spike
    clipping (keys ``old_*``, ``new_*``), how many in-transit cadences the clipping leaves
    out and the largest in-transit excursion from the in-transit median, in out-of-transit
    robust σ (``spike_sigma``, the larger axis)."""
    import exohunt
    from exohunt.lightcurve import fold_phase
    from exohunt.search import centroid, search
    from exohunt.search.detrend import robust_std

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = exohunt.read(path)
        try:
            result = search(lc, max_signals=1, min_sde=0.0, junk="off")
        except ValueError:
            return {"period": float("nan")}
    if not result.signals:
        return {"period": float("nan")}
    top, det = result.signals[0], result.detrended
    row = {"period": top.period}
    clip = centroid.SPIKE_SIGMA
    for name, sigma in (("old", np.inf), ("new", clip)):
        centroid.SPIKE_SIGMA = sigma
        stats = centroid.centroid_statistics(det, top.period, top.t0, top.duration)
        row.update({f"{name}_{k}": stats[k] for k in STATS})
    centroid.SPIKE_SIGMA = clip
    resid = centroid.centroid_residuals(det, top.period, top.t0, top.duration)
    if resid is not None:
        phase = np.abs(fold_phase(det.time, top.period, top.t0))
        finite = np.isfinite(resid).all(axis=1)
        inside = finite & (phase < 0.5 * top.duration)
        outside = finite & (phase >= 0.75 * top.duration)  # as centroid_statistics
        if inside.sum() >= 3 and outside.sum() >= 20:
            floor = np.array([robust_std(resid[outside, k]) for k in (0, 1)])
            excursion = np.abs(resid[inside] - np.median(resid[inside], axis=0)) / floor
            row["spike_sigma"] = float(excursion.max())
            row["n_spikes"] = int(centroid.centroid_spikes(resid, det.flux, inside, outside).sum())
    return row


def offset_table(frame: pd.DataFrame, groups: dict[str, np.ndarray]) -> list[str]:
    lines = ["| stars (top signal at the true period) | n | rule | source > 1 px at > 5 σ | "
             "> 3 σ | shift > 5 σ | median shift σ | median offset (px) |",
             "|---|---|---|---|---|---|---|---|"]
    for label, rows in groups.items():
        part = frame[rows]
        for rule in ("old", "new"):
            offset = part[f"{rule}_centroid_offset_pixels"]
            sigma = part[f"{rule}_centroid_offset_sigma"]
            shift = part[f"{rule}_centroid_shift_sigma"]
            strong, weak = (offset > 1) & (sigma > 5), (offset > 1) & (sigma > 3)
            lines.append(f"| {label} | {len(part)} | {rule} | {int(strong.sum())} | "
                         f"{int(weak.sum())} | {int((shift > 5).sum())} | "
                         f"{shift.median():.2f} | {offset.median():.2f} |")
    return lines


def flagged_planets(frame: pd.DataFrame, rows: np.ndarray) -> list[str]:
    """Every found planet that either statistic places > 1 px from the target at > 5 σ."""
    flagged = np.zeros(len(frame), dtype=bool)
    for rule in ("old", "new"):
        flagged |= ((frame[f"{rule}_centroid_offset_pixels"] > 1)
                    & (frame[f"{rule}_centroid_offset_sigma"] > 5)).to_numpy()
    part = frame[rows & flagged]
    lines = ["Found planets placed > 1 px away at > 5 σ by either statistic (largest in-transit "
             "excursion from the in-transit median, in out-of-transit robust σ; cadences the "
             "clipping leaves out):", "",
             "| star | host | neighbour share | SNR | shift σ old → new | offset px (σ) old → new "
             "| largest excursion (σ) | left out |", "|---|---|---|---|---|---|---|---|"]
    for _, row in part.iterrows():
        lines.append(
            f"| {row['index']} | {row['host_kind']} | {row['neighbour_flux_share']:.3f} | "
            f"{row['snr']:.1f} | {row['old_centroid_shift_sigma']:.1f} → "
            f"{row['new_centroid_shift_sigma']:.1f} | {row['old_centroid_offset_pixels']:.2f} "
            f"({row['old_centroid_offset_sigma']:.1f}) → {row['new_centroid_offset_pixels']:.2f} "
            f"({row['new_centroid_offset_sigma']:.1f}) | {row.get('spike_sigma', np.nan):.0f} | "
            f"{row.get('n_spikes', np.nan):.0f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = split_diagnostic_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]),
                                 "train10000-seed7107", argv)
    started = time.time()
    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    planets = truth["kind"].eq("planet") & (truth["snr"] >= 5)
    far = truth["kind"].eq("background-eb") & (truth["source_offset_pixels"] >= 1)
    chosen = truth[planets | far].reset_index(drop=True)
    read_split(folder, chosen.iloc[:1])  # fail early on an unreadable split
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("fork")) as pool:
        rows = list(pool.map(_measure, [str(folder / f) for f in chosen["file"]], chunksize=8))
    frame = pd.concat([chosen, pd.DataFrame(rows)], axis=1)
    found = at_true_period(frame["period"].to_numpy(), frame["period_days"].to_numpy())
    is_planet = frame["kind"].eq("planet").to_numpy()
    systematics = frame["host_kind"].eq("systematics").to_numpy()
    groups = {"planets, SNR >= 5": found & is_planet,
              "planets on systematics hosts": found & is_planet & systematics,
              "planets, no neighbour": found & is_planet
              & ~(frame["neighbour_flux_share"] > 0).to_numpy(),
              "far background EBs (source >= 1 px)": found & ~is_planet,
              "far BEBs on systematics hosts": found & ~is_planet & systematics}
    lines = ["# Round 29: centroid spikes in transits (development/training split)", "",
             machine_description(), "",
             f"Command: `python benchmarks/diag_centroid_spikes.py --work {args.work} "
             f"--split {args.split}`", "",
             f"{int(planets.sum())} planets with true SNR >= 5 and {int(far.sum())} far "
             f"background EBs of {len(truth)} stars; the rows count those whose top signal is "
             "at the true period (or its half or double). 'old': the in-transit mean of every "
             "cadence (search-20); 'new': in-transit spikes beyond "
             "`SPIKE_SIGMA` = 5 robust σ left out (search-21).", "",
             *offset_table(frame, groups), "", *flagged_planets(frame, found & is_planet), "",
             f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
