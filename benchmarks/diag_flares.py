"""Round 20: what the search's flare removal (exohunt.search.flares, opt-in) changes, star by star.

On the development split of ``bench_context_models.py`` (vetting preset, Kepler-like FITS,
test split of seed 5151; searched and cached there first, see ``dev_context_recall.py``) the
highest-scoring planet-free stars were flaring stars whose flare tails dragged the trend up
and left dips beside the flares. This searches every star of the split with flares (truth
``n_flares`` > 0) and a seeded sample of the others twice, as the models' features search
(``max_signals=1, min_sde=0, junk="off"``), with ``flares=True`` and without (the default,
what the models read), and reports:

- planet-free flaring stars (no planet, no eclipsing binary of its own): how many have a
  top signal of box SNR >= 10 (a detection a model must reject), and their median SNR;
- SNR >= 10 planets on flaring hosts: the top signal at the planet's period (within 1 %),
  and the SNR with / without;
- background and on-target EBs on flaring hosts: the top signal at the binary's period (or
  half / twice it);
- stars without flares: the share whose top signal is identical both ways (the step found no
  flare there) and the cadences removed where it did;
- CPU seconds per search both ways (interleaved, one process, the order alternating from
  star to star), and their ratio;
- the real light curves in ``--real`` (``../shared/data/lightcurves``): cadences removed as
  flares and the top three signals both ways (``exohunt search``'s defaults otherwise: junk
  masking on, which leaves upward outliers to the flare step when that is on).

    nice -n 10 python benchmarks/diag_flares.py --work /tmp/r18/ctx [--others 300] \
        [--real ../shared/data/lightcurves] [--out benchmarks/results_flares.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import at_period, emit, read_quietly
from bench_context_models import DEV_SEED

FEATURE_OPTIONS = {"max_signals": 1, "min_sde": 0.0, "junk": "off"}


def _flare_cadences(result) -> int:
    return sum(m["n_cadences"] for m in result.detrended.meta.get("masking", [])
               if m["step"] == "flares")


def search_both(path: Path, on_first: bool = True) -> dict:
    """The top signal of one file searched with and without flare removal, and the CPU
    (``on_first``: which runs first; the caller alternates, since the first search of a
    freshly read file costs a little more)."""
    from exohunt.search import search

    lc = read_quietly(path)
    row = {}
    order = (("on", True), ("off", False))
    for name, flares in (order if on_first else order[::-1]):
        start = time.process_time()
        result = search(lc, flares=flares, **FEATURE_OPTIONS)
        row[f"cpu_{name}"] = time.process_time() - start
        top = result.signals[0] if result.signals else None
        row[f"period_{name}"] = top.period if top else np.nan
        row[f"snr_{name}"] = top.snr if top else np.nan
        if flares:
            row["flare_cadences"] = _flare_cadences(result)
    return row


def summary(table: pd.DataFrame) -> list[str]:
    flaring = table["n_flares"] > 0
    kind = table["kind"]
    lines = ["| stars | n | top SNR >= 10 (flares removed / kept) | median top SNR (removed / "
             "kept) | at the true period (removed / kept) |", "|---|---|---|---|---|"]

    def row(label, mask, period_factors=None):
        sub = table[mask]
        if not len(sub):
            return
        strong = [int((sub[f"snr_{w}"] >= 10).sum()) for w in ("on", "off")]
        median = [float(np.nanmedian(sub[f"snr_{w}"])) for w in ("on", "off")]
        matched = ("—" if period_factors is None else " / ".join(
            str(int(at_period(sub[f"period_{w}"].to_numpy(float),
                              sub["true_period"].to_numpy(float), period_factors).sum()))
            for w in ("on", "off")))
        lines.append(f"| {label} | {len(sub)} | {strong[0]} / {strong[1]} | "
                     f"{median[0]:.1f} / {median[1]:.1f} | {matched} |")

    row("planet-free flaring stars (flare, rotator, quiet, systematics)",
        flaring & ~kind.isin(["planet", "eb", "background-eb"]))
    row("planets at SNR >= 10 on flaring hosts", flaring & (kind == "planet")
        & (table["true_snr"] >= 10), (1.0,))
    row("planets at SNR < 10 on flaring hosts", flaring & (kind == "planet")
        & (table["true_snr"] < 10), (1.0,))
    row("background EBs on flaring hosts", flaring & (kind == "background-eb"),
        (0.5, 1.0, 2.0))
    row("on-target EBs on flaring hosts", flaring & (kind == "eb"), (0.5, 1.0, 2.0))
    others = table[~flaring]
    same = (others["period_on"].eq(others["period_off"]) & others["snr_on"].eq(others["snr_off"]))
    touched = others["flare_cadences"] > 0
    strong = table[(kind == "planet") & (table["true_snr"] >= 10) & flaring]
    ratio = (strong["snr_on"] / strong["snr_off"]).to_numpy(float)
    removed = float(np.median(others["flare_cadences"][touched])) if touched.any() else 0.0
    lines += ["", f"- stars without flares (a seeded sample of {len(others)}): top signal "
              f"identical both ways for {int(same.sum())}; the step removed cadences from "
              f"{int(touched.sum())} of them (median {removed:.0f} cadences)",
              f"- flaring stars: median {np.median(table['flare_cadences'][flaring]):.0f} "
              f"cadences removed as flares (of ~3,100)",
              (f"- SNR >= 10 planets on flaring hosts: SNR removed / kept, median "
               f"{np.nanmedian(ratio):.3f} (range {np.nanmin(ratio):.3f}-"
               f"{np.nanmax(ratio):.3f})" if np.isfinite(ratio).any() else
               "- no SNR >= 10 planet on a flaring host"),
              f"- CPU per search, flares removed / kept: flaring stars "
              f"{table['cpu_on'][flaring].sum() / table['cpu_off'][flaring].sum():.3f}, "
              f"others {others['cpu_on'].sum() / others['cpu_off'].sum():.3f} "
              f"({table['cpu_on'][flaring].mean():.3f} / {table['cpu_off'][flaring].mean():.3f} s "
              f"and {others['cpu_on'].mean():.3f} / {others['cpu_off'].mean():.3f} s a search)"]
    return lines


def real_files(folder: Path) -> list[str]:
    from exohunt.search import search

    lines = ["| file | cadences | removed as flares | top signals, flares removed (P d, SNR) | "
             "kept |", "|---|---|---|---|---|"]
    for path in sorted(folder.glob("*.fits")):
        lc = read_quietly(path)
        on, off = search(lc, max_signals=3, flares=True), search(lc, max_signals=3)

        def signals(result):
            return ", ".join(f"{s.period:.4f} ({s.snr:.0f})" for s in result.signals) or "none"

        lines.append(f"| {path.name} | {len(lc)} | {_flare_cadences(on)} | {signals(on)} | "
                     f"{signals(off)} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-dev", type=int, default=3000)
    parser.add_argument("--others", type=int, default=300,
                        help="stars without flares searched too (a seeded sample)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-flaring", type=int, default=None,
                        help="search only this many of the flaring stars (a quick check)")
    parser.add_argument("--real", default=str(Path(__file__).resolve().parents[2] / "shared"
                                              / "data" / "lightcurves"))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    folder = Path(args.work) / f"test{args.n_dev}-seed{DEV_SEED}"
    truth = pd.read_csv(folder / "test_truth.csv")
    flaring = np.flatnonzero(truth["n_flares"].to_numpy() > 0)[:args.max_flaring]
    rest = np.flatnonzero(truth["n_flares"].to_numpy() == 0)
    rng = np.random.default_rng(args.seed)
    chosen = np.sort(np.r_[flaring, rng.choice(rest, min(args.others, rest.size),
                                               replace=False)])
    started = time.time()
    rows = []
    for k, i in enumerate(chosen):
        rows.append({"index": int(i), "kind": truth["kind"].iat[i],
                     "n_flares": int(truth["n_flares"].iat[i]),
                     "true_period": float(truth["period_days"].iat[i]),
                     "true_snr": float(truth["snr"].iat[i]),
                     **search_both(folder / truth["file"].iat[i], on_first=k % 2 == 0)})
    table = pd.DataFrame(rows)
    lines = ["# Flare removal before the search (round 20, `benchmarks/diag_flares.py`)", "",
             f"Machine: {machine_description()}.",
             f"Command: `python benchmarks/diag_flares.py --work {args.work} --others "
             f"{args.others} --seed {args.seed}`; {len(flaring)} flaring stars and "
             f"{len(chosen) - len(flaring)} others of the development split (test split of "
             f"seed {DEV_SEED}), each searched as the models' features are "
             f"(`max_signals=1, min_sde=0, junk=\"off\"`) with "
             f"flares removed (`flares=True`) and kept (the default, what the models read); "
             f"{time.time() - started:.0f} s.", "", *summary(table), ""]
    real = Path(args.real)
    if real.is_dir():
        lines += ["Real light curves (`search(lc, max_signals=3[, flares=True])`, junk masking "
                  "on):", "",
                  *real_files(real), ""]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
