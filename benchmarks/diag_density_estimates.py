"""Rounds 25-26: how far from the truth is the transit-implied stellar density, and from what?

``exohunt.search.stellar`` reports a signal's transit-implied host density
(``transit_density``, and ``density_ratio_log10`` against the catalogue). To round 25 it was
the Seager & Mallén-Ornelas (2003) inversion of the trapezoid fit (period, total duration
``T14``, ingress fraction ``f = T12/T14``, depth ``k²``) at the fitted ingress; since round 26
(search-20) it is the posterior median of a limb-darkened transit fit profiled over the
impact parameter (``limb_darkened_density``). The robust test (``density_mismatch_sigma``)
allows every impact parameter from ``b = 0`` (the largest density ``T14`` allows) down. This
script compares the reported estimate with the trapezoid's two (at its fitted ingress, and at
``b = 0``), for the simulated development splits given (the truth tables hold each host's true
density, ``star_density``, and its catalogue ``logg`` and radius):

- planets whose top signal is at their period, by true SNR: each estimate against the *true*
  density (what the physics gets right) and against the catalogue's (what the models read);
- background and on-target binaries and the rest (flares, rotators, quiet stars, systematics):
  the same ratio against the catalogue, and how well ``|log10 ratio|`` alone tells the SNR ≥ 10
  planets from each (ROC AUC; 0.5 is no information).

The trapezoid's fits and the true density do not depend on which estimate the search reports,
so one run compares all three side by side::

    nice -n 10 python benchmarks/diag_density_estimates.py --work /tmp/r24/ctx \\
        --split test3000-seed5151,test3000-seed5252,test10000-seed6262 \\
        --real ../shared/data/lightcurves --out benchmarks/results_density_estimates.md

(the splits of ``bench_context_models.py --stage features --split test --test-seed S``; searched
here if their features are not cached under ``WORK/cache``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import read_split, top_signal_is_planet

SNR_BINS = (5.0, 10.0, 15.0, 20.0, 30.0, 60.0, np.inf)
ESTIMATES = {"limb-darkened fit (reported)": "reported",
             "trapezoid at its fitted ingress (to round 25)": "at_ingress", "b = 0": "at_b0"}


def estimates(signals: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Per star: log10 of each transit-density estimate over the true and the catalogue
    density (NaN without a fitted signal): the search's reported ``transit_density`` (the
    limb-darkened fit since round 26) and, from the trapezoid fit's numbers, the estimate at
    its fitted ingress and at ``b = 0``."""
    from exohunt.search.stellar import catalogue_density, transit_density

    out = pd.DataFrame(index=truth.index)
    period = signals["period_days"].to_numpy(float)
    duration = signals["fit_duration_hours"].to_numpy(float) / 24.0
    ingress = signals["fit_ingress_fraction"].to_numpy(float)
    depth = signals["fit_depth"].to_numpy(float)  # PDCSAP: already undiluted
    at_ingress = np.array([transit_density(p, d, f, x) if np.isfinite([p, d, f, x]).all()
                           else np.nan for p, d, f, x in zip(period, duration, ingress, depth)])
    at_b0 = np.array([transit_density(p, d, 0.0, x) if np.isfinite([p, d, x]).all()
                      else np.nan for p, d, x in zip(period, duration, depth)])
    catalogue = np.array([catalogue_density({"logg": g, "radius": r})[0] for g, r in
                          zip(truth["catalog_logg"], truth["catalog_radius"])])
    true = truth["star_density"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, values in (("reported", signals["transit_density"].to_numpy(float)),
                             ("at_ingress", at_ingress), ("at_b0", at_b0)):
            out[f"{name}_true"] = np.log10(values / true)
            out[f"{name}_cat"] = np.log10(values / catalogue)
    out["fit_ingress_fraction"] = ingress
    out["fit_duration_ratio"] = duration * 24.0 / truth["duration_hours"].to_numpy(float)
    return out


def quantiles(values: pd.Series) -> str:
    """``median [10 %, 90 %]`` of ``values`` (dex)."""
    q = values.dropna().quantile([0.5, 0.1, 0.9]).to_numpy()
    return f"{q[0]:+.2f} [{q[1]:+.2f}, {q[2]:+.2f}]" if len(values.dropna()) else "-"


def auc(planet: np.ndarray, other: np.ndarray) -> float:
    """ROC AUC of ``-|x|`` for planets (positives) against ``other``."""
    from sklearn.metrics import roc_auc_score

    planet, other = planet[np.isfinite(planet)], other[np.isfinite(other)]
    y = np.r_[np.ones(planet.size), np.zeros(other.size)]
    return float(roc_auc_score(y, -np.abs(np.r_[planet, other])))


def split_report(folder: Path, cache: Path, jobs: int) -> list[str]:
    from exohunt.training.features import extract

    truth = pd.read_csv(folder / "test_truth.csv")
    curves = read_split(folder, truth)
    signals = extract(curves, "tabular", jobs=jobs, cache_dir=cache).signals
    est = estimates(signals, truth)
    has = signals["has_signal"].to_numpy(float) > 0
    kind = truth["kind"].to_numpy()
    found = (kind == "planet") & top_signal_is_planet(truth, signals["period_days"].to_numpy())
    snr = truth["snr"].to_numpy(float)
    lines = [f"### {folder.name} ({len(truth)} stars; planets found at their period: "
             f"{int(found.sum())} of {int((kind == 'planet').sum())})", "",
             "Planets found at their period, by true SNR: log10(estimate / density), median "
             "[10 %, 90 %], dex.", "",
             "| true SNR | planets | median fitted T12/T14 | median fitted / true T14 | "
             + " | ".join(f"{e} vs true | {e} vs catalogue" for e in ESTIMATES) + " |",
             "|---" * (4 + 2 * len(ESTIMATES)) + "|"]
    for lo, hi in itertools.pairwise(SNR_BINS):
        rows = found & (snr >= lo) & (snr < hi)
        if not rows.any():
            continue
        sub = est[rows]
        cells = [f"{quantiles(sub[f'{key}_true'])} | {quantiles(sub[f'{key}_cat'])}"
                 for key in ESTIMATES.values()]
        label = f"{lo:g}-{hi:g}" if np.isfinite(hi) else f"≥ {lo:g}"
        lines.append(f"| {label} | {int(rows.sum())} | {sub['fit_ingress_fraction'].median():.2f} "
                     f"| {sub['fit_duration_ratio'].median():.2f} | " + " | ".join(cells) + " |")
    strong = found & (snr >= 10)
    lines += ["", "Against the catalogue: log10(estimate / catalogue density) of every star with "
              "a signal, and the ROC AUC of |that| alone, SNR ≥ 10 planets found at their "
              "period against each kind.", "",
              "| kind | stars | " + " | ".join(f"{e} | AUC" for e in ESTIMATES) + " |",
              "|---" * (2 + 2 * len(ESTIMATES)) + "|"]
    groups = {"SNR ≥ 10 planets (at their period)": strong,
              "background-eb": has & (kind == "background-eb"), "eb": has & (kind == "eb"),
              "flares, rotators, quiet, systematics": has & ~np.isin(
                  kind, ["planet", "background-eb", "eb"])}
    for name, rows in groups.items():
        cells = []
        for key in ESTIMATES.values():
            ratio = est[f"{key}_cat"].to_numpy()
            score = "-" if rows is strong else f"{auc(ratio[strong], ratio[rows]):.3f}"
            cells.append(f"{quantiles(est[f'{key}_cat'][rows])} | {score}")
        lines.append(f"| {name} | {int(rows.sum())} | " + " | ".join(cells) + " |")
    return [*lines, ""]


#: Known planets in ../shared/data/lightcurves whose headers carry the host's logg and radius:
#: (name, file, period in days, signals searched).
REAL_PLANETS = (
    ("HAT-P-7 b", "kplr010666592-2009131110544_slc.fits", 2.204737, 1),
    ("pi Men c", "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits", 6.2679, 1),
    ("Kepler-90 c", "kplr011442793-2009350155506_llc.fits", 8.719375, 2),
)


def real_report(folder: Path) -> list[str]:
    """Both estimates against the header's catalogue density for the known planets."""
    import warnings

    import exohunt
    from exohunt.search import search
    from exohunt.search.stellar import catalogue_density, transit_density

    lines = [f"### Known planets in real files ({folder})", "",
             "| planet | catalogue density (g/cm³) | fitted T12/T14 | limb-darkened fit "
             "(reported), log10 ratio | trapezoid at its fitted ingress, log10 ratio | b = 0, "
             "log10 ratio | density_mismatch_sigma |",
             "|---|---|---|---|---|---|---|"]
    for name, file, period, signals in REAL_PLANETS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lc = exohunt.read(folder / file)
            found = [s for s in search(lc, max_signals=signals).signals
                     if abs(s.period / period - 1) < 0.005]
        if not found:
            lines.append(f"| {name} | not found at {period} d | | | | | |")
            continue
        sig = found[0]
        rho_cat = catalogue_density(lc.meta["star"])[0]
        # PDCSAP (these files' flux): the fitted depth is already undiluted, as the search uses
        at_b0 = transit_density(sig.period, sig.fit_duration, 0.0, sig.fit_depth)
        at_ingress = transit_density(sig.period, sig.fit_duration, sig.fit_ingress_fraction,
                                     sig.fit_depth)
        lines.append(f"| {name} | {rho_cat:.3f} | {sig.fit_ingress_fraction:.3f} | "
                     f"{np.log10(sig.transit_density / rho_cat):+.2f} | "
                     f"{np.log10(at_ingress / rho_cat):+.2f} | "
                     f"{np.log10(at_b0 / rho_cat):+.2f} | {sig.density_mismatch_sigma:.2f} |")
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models",
                        help="bench_context_models.py's --work (splits and cache)")
    parser.add_argument("--split", default="test3000-seed5151,test3000-seed5252",
                        help="comma-separated test splits under WORK (development splits only)")
    parser.add_argument("--real", default=None,
                        help="folder of the real light curves (../shared/data/lightcurves): "
                             "the known planets there too")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="unused: nothing here is random")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    work = Path(args.work)
    start = time.time()
    lines = ["# Rounds 25-26: the transit-implied stellar density: the limb-darkened fit "
             "(reported), the trapezoid at its fitted ingress and at b = 0",
             "", f"Machine: {machine_description()}.", "",
             "Command: `python benchmarks/diag_density_estimates.py --work "
             f"{args.work} --split {args.split}"
             + (f" --real {args.real}`" if args.real else "`"), ""]
    for name in args.split.split(","):
        lines += split_report(work / name, work / "cache", args.jobs)
    if args.real:
        lines += real_report(Path(args.real))
    lines.append(f"Wall time {time.time() - start:.0f} s.")
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
