"""Round 21: what removing a K2-like roll from the centroids (search-19) changes, star by star.

``exohunt.search.centroid.remove_roll`` fits and subtracts the pointing sawtooth that K2-like
thruster firings leave in the centroids before the in-transit shift is measured. The
``systematics`` stars of the vetting preset (and planets, binaries and background EBs on
such hosts) carry that roll, 0.1-1 px against a background binary's shift of ~10^-3 px. This
searches every such star of the development split of ``bench_context_models.py`` (test split
of seed 5151; simulated there first, see ``dev_context_recall.py``) and a seeded sample of the
others once, as the models' features search (``max_signals=1, min_sde=0, junk="off"``), and
computes the top signal's centroid statistics twice on the same detrended light curve: with
the roll removal (search-19) and without it (search-18's centroids, ``remove_roll`` replaced
by a no-op). It reports, for stars with and without such a host:

- the share of stars whose roll was removed;
- background EBs whose true source lies >= 1 px away and whose top signal is at the binary's
  period (or half / twice it): the share with a source offset of >= 3 σ, and the median
  distance between the measured and the true offset;
- SNR >= 10 planets found at their period: the share with a source offset of >= 3 σ (false
  alarms of the centroid test) and the median measured offset;
- stars whose statistics are bit-identical both ways;
- CPU seconds of ``star_features`` (the whole search, statistics and views) both ways,
  interleaved, the order alternating from star to star, and their ratio;
- the real light curves in ``--real``: whether a roll was removed, and the top signals'
  statistics both ways.

    nice -n 10 python benchmarks/diag_centroid_roll.py --work /tmp/r21/ctx [--others 300] \\
        [--real ../shared/data/lightcurves] [--out benchmarks/results_centroid_roll.md]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import at_period, emit, read_quietly
from bench_context_models import DEV_SEED
from exohunt.search.centroid import ROLL_JUMP_RATIO

FEATURE_OPTIONS = {"max_signals": 1, "min_sde": 0.0, "junk": "off"}
STATS = ("centroid_shift_sigma", "centroid_offset_pixels", "centroid_offset_sigma")


@contextlib.contextmanager
def roll_removal(on: bool, removed: list, ratios: list | None = None):
    """Under this, ``remove_roll`` runs (``on``; whether it removed a roll is appended to
    ``removed``, and the residuals' :func:`~exohunt.search.centroid.jump_ratio` to ``ratios``)
    or is a no-op (search-18's centroids). The last-call cache of
    ``centroid_residuals`` is cleared on entry and exit, so neither way reuses the other's."""
    from exohunt.search import centroid

    original = centroid.remove_roll

    def recorded(*args, **kwargs):
        out = original(*args, **kwargs)
        removed.append(out is not None)
        if ratios is not None:
            ratios.append(centroid.jump_ratio(args[2]))
        return out

    centroid.remove_roll = recorded if on else (lambda *args, **kwargs: None)
    centroid._LAST.entry = ()
    try:
        yield
    finally:
        centroid.remove_roll = original
        centroid._LAST.entry = ()


def features_both(path: Path, on_first: bool) -> dict:
    """The top signal's statistics of one file with and without the roll removal, whether a
    roll was removed, and the CPU of each ``star_features`` call."""
    from exohunt.search.features import star_features

    lc = read_quietly(path)
    row: dict = {}
    for name, on in ((("new", True), ("old", False)) if on_first
                     else (("old", False), ("new", True))):
        removed: list = []
        ratios: list = []
        with roll_removal(on, removed, ratios):
            start = time.process_time()
            _, stats, signal = star_features(lc, **FEATURE_OPTIONS)
            row[f"cpu_{name}"] = time.process_time() - start
        row.update({f"{k}_{name}": float(stats[k]) for k in STATS})
        row["period"] = float(signal["period_days"])
        if on:
            row["roll"] = any(removed)
            row["jump_ratio"] = max(ratios, default=np.nan)
    row["identical"] = all(np.array_equal(row[f"{k}_new"], row[f"{k}_old"], equal_nan=True)
                           for k in STATS)
    return row


def summary(rows: pd.DataFrame, label: str) -> list[str]:
    """Markdown table rows of one group of stars (both ways)."""
    beb = ((rows["kind"] == "background-eb") & (rows["source_offset_pixels"] >= 1)
           & at_period(rows["period"], rows["period_days"], (0.5, 1.0, 2.0)))
    planet = ((rows["kind"] == "planet") & (rows["snr"] >= 10)
              & at_period(rows["period"], rows["period_days"]))
    out = []
    for name, way in (("new", "roll removed (search-19)"), ("old", "as before (search-18)")):
        sig = rows[f"centroid_offset_sigma_{name}"]
        error = (rows[f"centroid_offset_pixels_{name}"] - rows["source_offset_pixels"]).abs()
        removed = f"{rows['roll'].mean():.1%}" if name == "new" else "(off)"
        out.append(
            f"| {label} | {way} | {len(rows)} | {removed} | "
            f"{int(beb.sum())} | {(sig[beb] >= 3).mean():.1%} | {error[beb].median():.2f} | "
            f"{int(planet.sum())} | {(sig[planet] >= 3).mean():.1%} | "
            f"{rows[f'centroid_offset_pixels_{name}'][planet].median():.2f} | "
            f"{rows['identical'].mean():.1%} | {rows[f'cpu_{name}'].median() * 1e3:.1f} |")
    return out


def real_files(folder: Path) -> list[str]:
    """Markdown rows: each real file's top three signals' statistics both ways."""
    from exohunt.search import centroid, search

    lines = ["| file | period (d) | SNR | roll removed | shift σ, offset px, offset σ "
             "(search-19) | the same (search-18) |", "|---|---|---|---|---|---|"]
    for path in sorted(folder.glob("*.fits")):
        lc = read_quietly(path)
        if "centroid_col" not in lc.columns:
            continue
        with warnings.catch_warnings():  # the real files' catalogue warnings, read above
            warnings.simplefilter("ignore")
            result = search(lc, max_signals=3)
        for signal in result.signals:
            both, removed = {}, []
            for on in (True, False):
                with roll_removal(on, removed):
                    stats = centroid.centroid_statistics(result.detrended, signal.period,
                                                         signal.t0, signal.duration)
                both[on] = ", ".join(f"{stats[k]:.2f}" for k in STATS)
            lines.append(f"| {path.name[:34]} | {signal.period:.4f} | {signal.snr:.1f} | "
                         f"{'yes' if any(removed) else 'no'} | {both[True]} | {both[False]} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--n-dev", type=int, default=3000)
    parser.add_argument("--others", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real", default=str(Path(__file__).resolve().parents[2]
                                              / "shared" / "data" / "lightcurves"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    folder = Path(args.work) / f"test{args.n_dev}-seed{DEV_SEED}"
    truth = pd.read_csv(folder / "test_truth.csv")
    host = (truth["kind"] == "systematics") | (truth["host_kind"] == "systematics")
    rng = np.random.default_rng(args.seed)
    others = rng.choice(np.flatnonzero(~host), size=min(args.others, int((~host).sum())),
                        replace=False)
    chosen = np.r_[np.flatnonzero(host), np.sort(others)]
    wall = time.time()
    rows = pd.DataFrame([features_both(folder / truth["file"].iat[i], on_first=k % 2 == 0)
                         for k, i in enumerate(chosen)], index=chosen)
    rows = truth.loc[chosen].join(rows)
    rows["pointing"] = host[chosen].to_numpy()
    def ratio(group: pd.Series) -> float:
        return rows["cpu_new"][group].sum() / rows["cpu_old"][group].sum()

    everyone = pd.Series(True, index=rows.index)

    def jumps(group: pd.Series) -> str:
        values = rows["jump_ratio"][group].dropna()
        if values.empty:
            return "(none)"
        low, median, high = np.percentile(values, [0, 50, 95])
        passing = (values >= ROLL_JUMP_RATIO).mean()
        return (f"min {low:.2f}, median {median:.2f}, 95th percentile {high:.2f}, max "
                f"{values.max():.2f} ({len(values)} stars, {passing:.0%} pass)")
    lines = [
        "# Round 21: a K2-like roll removed from the centroids (search-19), star by star", "",
        f"Machine: {machine_description()}",
        f"Command: `python benchmarks/diag_centroid_roll.py --work {args.work} --others "
        f"{args.others}` ({time.time() - wall:.0f} s wall)",
        f"Stars: development split (test split of seed {DEV_SEED}, {len(truth)} stars): every "
        f"star of kind or host `systematics` ({int(host.sum())}, K2-like roll in the "
        f"centroids) and {len(others)} others (seed {args.seed}); each searched once as the "
        "models' features search, the top signal's centroid statistics computed with and "
        "without the roll removal on the same detrended light curve.", "",
        "| stars | centroids | n | roll removed | far BEBs at their period | offset >= 3 σ | "
        "median offset error (px) | SNR >= 10 planets at their period | offset >= 3 σ | "
        "median offset (px) | statistics identical both ways | median CPU per star (ms) |",
        "|---" * 12 + "|",
        *summary(rows[rows["pointing"]], "systematics hosts"),
        *summary(rows[~rows["pointing"]], "others"), "",
        f"CPU of `star_features` (search, statistics, views), all {len(rows)} stars: with the "
        f"roll removal / without = **{ratio(everyone):.3f}** (systematics hosts "
        f"{ratio(rows['pointing']):.3f}, others {ratio(~rows['pointing']):.3f}).",
        "", "Jump ratio of the centroid residuals (`centroid.jump_ratio`, the first test; a roll "
        f"needs >= {ROLL_JUMP_RATIO:g}): stars whose roll was removed "
        f"{jumps(rows['roll'])}; the other systematics hosts "
        f"{jumps(rows['pointing'] & ~rows['roll'])}; "
        f"the other stars {jumps(~rows['pointing'])}.",
        "", "## Real light curves (`exohunt search` defaults, three signals)", "",
        *real_files(Path(args.real))]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
