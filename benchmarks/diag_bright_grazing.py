"""Round 32: how V-shaped are the bright planets that training injects?

The on-target eclipsing binaries that the development models pass at recall 0.95 are mostly
grazing and V-shaped (``v_shape_sigma`` 6-52 at SNR 90-860, ``diag_target_eb_scores.py``),
while no SNR >= 10 planet of the development split reaches ``v_shape_sigma`` > 5. Training,
however, injects 15 % of its planets bright (``BRIGHT_PLANET_SHARE``, SNR 150-2000, as real hot
Jupiters are). This injects such bright planets, exactly as ``injected_features`` does
(``inject_lightcurve(lc, "planet", snr, rng)``), into the quiet stars of a simulated split,
searches them as training does (``extract(..., variability=False)``), and counts how many
of them are V-shaped, by impact parameter::

    python benchmarks/diag_bright_grazing.py --work /tmp/r24/ctx --split train10000-seed7107 \\
        --stars 120
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _machine import machine_description
from _report import emit
from bench_context_models import read_split, split_diagnostic_args, split_truth

#: The V-shape significance counted (as in ``diag_target_eb_scores.V_SHAPE_CUT``).
V_SHAPE_CUT = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stars", type=int, default=120, help="quiet hosts injected")
    parser.add_argument("--injection-seed", type=int, default=32)
    args = split_diagnostic_args(parser, "train10000-seed7107", argv)
    started = time.time()
    from exohunt.simulate.params import BRIGHT_SNR_RANGE
    from exohunt.training.features import extract
    from exohunt.training.inject_context import inject_lightcurve

    folder = Path(args.work) / args.split
    truth = split_truth(folder)
    quiet = truth[(truth["kind"] == "quiet")].head(args.stars)
    curves = read_split(folder, quiet)
    rng = np.random.default_rng(args.injection_seed)
    injected = [inject_lightcurve(lc, "planet",
                                  float(np.exp(rng.uniform(*np.log(BRIGHT_SNR_RANGE)))), rng)
                for lc in curves]
    raw = extract(injected, "tabular", jobs=args.jobs, variability=False)
    params = [lc.meta["injected"][-1] for lc in injected]
    k = np.array([p["rp_rs"] for p in params], float)
    b = np.array([p["impact"] for p in params], float)
    found = raw.signals["period_days"].to_numpy(float)
    period = np.array([p["period"] for p in params], float)
    at_period = np.abs(found / period - 1) < 0.01
    v_shape = raw.stats["v_shape_sigma"].to_numpy(float)
    radius = raw.stats["planet_radius_earth"].to_numpy(float) if \
        "planet_radius_earth" in raw.stats else np.full(len(k), np.nan)
    snr = raw.signals["snr"].to_numpy(float)
    from exohunt.training.geometry import MAX_RADIUS_RATIO, companion_ratios

    companion = companion_ratios(raw.stats)  # round 32's smallest companion radius ratio
    capped = np.isclose(k, 0.3)  # rp_rs_for_snr's max_rp_rs: the asked SNR needed more
    from exohunt.search.stellar import _a_over_r

    a_rs = np.array([_a_over_r(np.log10(p["stellar_density"]), p["period"]) for p in params])
    geometric = period / np.pi * np.arcsin(np.clip(np.sqrt(np.clip((1 + k) ** 2 - b**2, 0, None))
                                                   / a_rs, 0, 1))
    fitted = (raw.stats["fit_duration_ratio"].to_numpy(float)
              * raw.stats["duration_hours"].to_numpy(float) / 24.0)
    groups = {"grazing (b > 1 - k)": b > 1 - k,
              "b 0.8 to 1 - k": (b > 0.8) & (b <= 1 - k),
              "b <= 0.8, not grazing": (b <= 0.8) & (b <= 1 - k)}
    relative = v_shape / snr  # scale-free: the V's share of the signal, not its significance
    lines = ["# Round 32: V shapes of injected bright planets", "", machine_description(), "",
             f"Command: `python benchmarks/diag_bright_grazing.py --work {args.work} --split "
             f"{args.split} --stars {args.stars} --injection-seed {args.injection_seed}`", "",
             f"{len(injected)} quiet stars of {args.split}, each with one planet at SNR "
             f"log-uniform in {BRIGHT_SNR_RANGE[0]:g}-{BRIGHT_SNR_RANGE[1]:g} (training's bright "
             f"share); found at the injected period: {int(at_period.sum())}.", "",
             f"| impact | planets found | v_shape_sigma > {V_SHAPE_CUT:g} | median v_shape_sigma | "
             "median search SNR | median implied radius (R_earth) | v_shape_sigma / SNR: median "
             "| 90th percentile | max | smallest companion k: median | > 0.25 | = 2 | at the "
             "injection's radius cap (k = 0.3) | fitted T14 / geometric T14 (median) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, mask in groups.items():
        mine = mask & at_period
        lines.append(f"| {name} | {int(mine.sum())} | {int((v_shape[mine] > V_SHAPE_CUT).sum())} | "
                     + " | ".join(f"{np.nanmedian(v[mine]):.3g}" if mine.any() else "—"
                                  for v in (v_shape, snr, radius)) + " | "
                     + " | ".join(f"{np.nanpercentile(relative[mine], q):.3f}" if mine.any()
                                  else "—" for q in (50, 90, 100))
                     + f" | {np.nanmedian(companion[mine]):.3f} | "
                     f"{int((companion[mine] > 0.25).sum())} | "
                     f"{int((companion[mine] >= MAX_RADIUS_RATIO).sum())} | "
                     f"{int(capped[mine].sum())} | "
                     f"{np.nanmedian(fitted[mine] / geometric[mine]):.2f} |")
    lines += ["", f"Wall time {time.time() - started:.0f} s."]
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
