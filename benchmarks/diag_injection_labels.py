"""Round 22: how often does the search find a training injection's planet, by host kind?

``exohunt train --imbalance inject`` on light-curve files injects planets into the training
split's planet-free stars whose own strongest signal has search SNR < 60
(``training.api.INJECTION_HOST_MAX_SNR``) and labels each row "planet". Where the search's top
signal is the host's own (a background binary's eclipses, a flare's or a spot's residual,
systematics) instead of the planet, that row teaches the model that such a signal is a planet.
Since round 22 such rows are left out (``training.augment.found_at_period``), and so are the
training split's own planets that the search missed where the label table gives their period.

This script injects one planet into each of ``--n`` such hosts of the context benchmark's
training split (``bench_context_models.py``, seed 7107; drawn as training draws them:
``inject_context.inject_lightcurve``, SNR from ``augment._draw_snr`` with the bright share),
searches them (the feature cache of ``--work``), and tabulates by host kind and search SNR
how many the search found at the planet's period (or 1/3, 1/2, 2, 3 times it) and how many it
did not, and the same for the split's own planets (the truth table's periods)::

    nice -n 10 python benchmarks/diag_injection_labels.py --work /tmp/r21/ctx --n 1200 \\
        --out benchmarks/results_injection_labels.md
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
from _report import emit
from bench_context_models import read_split, training_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--n", type=int, default=1200, help="hosts to inject into")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    from exohunt.simulate.params import BRIGHT_PLANET_SHARE
    from exohunt.training.api import INJECTION_HOST_MAX_SNR
    from exohunt.training.augment import _draw_snr, found_at_period
    from exohunt.training.features import extract
    from exohunt.training.inject_context import inject_lightcurve

    started = time.perf_counter()
    work, cache = Path(args.work), Path(args.work) / "cache"
    folder, truth = training_split(work, args.n_train)
    curves = read_split(folder, truth)
    own = extract(curves, "tabular", jobs=args.jobs, cache_dir=cache, variability=False)
    own_snr = own.stats["snr"].to_numpy(float)
    eligible = np.flatnonzero((truth["kind"] != "planet").to_numpy()
                              & ~(own_snr >= INJECTION_HOST_MAX_SNR))
    rng = np.random.default_rng(args.seed)
    hosts = np.sort(rng.choice(eligible, size=min(args.n, len(eligible)), replace=False))
    injected = [inject_lightcurve(curves[i], "planet", _draw_snr(rng, BRIGHT_PLANET_SHARE), rng)
                for i in hosts]
    raw = extract(injected, "tabular", jobs=args.jobs, cache_dir=cache, variability=False)
    found = found_at_period(raw.signals["period_days"].to_numpy(float),
                            [lc.meta["injected"][-1]["period"] for lc in injected])
    snr = raw.stats["snr"].to_numpy(float)
    table = pd.DataFrame({"host": truth["kind"].to_numpy()[hosts], "found": found,
                          "strong": snr >= 10})

    lines = ["# Training injections: planets the search finds, by host kind", "",
             f"Machine: {machine_description('numpy')}", "",
             f"Command: `python benchmarks/diag_injection_labels.py --work {args.work} "
             f"--n {args.n} --seed {args.seed}` ({len(hosts)} of the {len(eligible)} "
             f"planet-free training stars with own search SNR < {INJECTION_HOST_MAX_SNR:g}; "
             f"{time.perf_counter() - started:.0f} s)", "",
             "| host kind | injected | found at the period | not found | not found, found signal "
             "SNR >= 10 (full-weight \"planets\" before round 22) |",
             "|---|---|---|---|---|"]
    for kind, rows in [*table.groupby("host"), ("all", table)]:
        missed = ~rows["found"]
        lines.append(f"| {kind} | {len(rows)} | {int(rows['found'].sum())} | "
                     f"{int(missed.sum())} ({missed.mean():.1%}) | "
                     f"{int((missed & rows['strong']).sum())} |")
    planets = np.flatnonzero((truth["kind"] == "planet").to_numpy())
    own_found = found_at_period(own.signals["period_days"].to_numpy(float)[planets],
                                truth["period_days"].to_numpy(float)[planets])
    own_snr_planets = own_snr[planets]
    lines += ["", "The training split's own planets (the truth table's period, which a "
              "`--labels` table's period column now gives training):", "",
              "| planets | found at the period | not found | not found, found signal SNR >= 10 |",
              "|---|---|---|---|",
              f"| {len(planets)} | {int(own_found.sum())} | {int((~own_found).sum())} | "
              f"{int((~own_found & (own_snr_planets >= 10)).sum())} |"]
    emit(lines, args.out)


if __name__ == "__main__":
    main()
