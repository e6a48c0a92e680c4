"""Benchmark: transit search on simulated TESS full-frame-image light curves with their junk.

Each star is one 27-day TESS sector (two 13.7-day orbits, a 1-day gap between them) at
30-minute or 200-second cadence, white noise of 150-1500 ppm per 30 minutes, and one planet.
The same star (same noise, same planet) is searched three ways, side by side:

- **clean**: no junk, the default search (``junk="auto"``), and beside it **clean, off**
  (``junk="off"``): what the masking costs on clean data;
- **junk, masked**: with FFI junk, the default search (``junk="auto"``);
- **junk, unmasked**: with FFI junk, ``junk="off"`` (the search before the masking existed).

The junk, fixed here before any run (not tuned on the results):

- scattered light at the start of each orbit (decaying over ``START_RAMP_DAYS``, peak flux
  offset ``START_RAMP_PPM``) and at its end (rising over ``END_RAMP_DAYS`` to
  ``END_RAMP_PPM``), both quadratic in time, with extra white noise of
  ``RAMP_NOISE`` × the star's noise × the ramp's shape, and the background column
  ``BACKGROUND`` + ``BACKGROUND_RAMP`` × shape (e-/s);
- momentum dumps every ``DUMP_INTERVAL_DAYS`` exactly, as in a TESS sector, the first at a
  time drawn uniformly in ``DUMP_FIRST_DAYS`` for each star (so that the dumps fall at any
  phase of the 30-minute grid — within a sector it is always the same one): for
  ``DUMP_MINUTES`` the pointing is off and the aperture loses ``DUMP_LOSS`` × U(0.5, 1) of the
  flux (a 3-cadence burst at 200 s, a fraction of one or two 30-minute bins), then the flux
  level steps by ±U(0.5, 1.5) × ``DUMP_STEP_PPM``.

Planets count when, on the cadences the masking keeps, their matched-filter SNR (the
simulator's scale, :func:`exohunt.simulate.signals.expected_snr`) is ≥ 10 and ≥ 3 transits
have data. Recovery: the top signal within 0.5 % of the period or of a ½×/2× alias (and any
of the three signals). The cost: the share of in-transit cadences masked.

    .venv/bin/python benchmarks/bench_ffi_junk.py --quick
    .venv/bin/python benchmarks/bench_ffi_junk.py --n-long 240 --n-short 60 --jobs 2
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

SECTOR_DAYS = 27.0
ORBITS = ((0.0, 13.2), (14.2, 27.0))
START_RAMP_DAYS, START_RAMP_PPM = 0.8, 3000.0
END_RAMP_DAYS, END_RAMP_PPM = 1.5, 5000.0
RAMP_NOISE = 3.0
BACKGROUND, BACKGROUND_RAMP = 200.0, 20000.0
DUMP_FIRST_DAYS, DUMP_INTERVAL_DAYS = (1.0, 2.5), 3.125
DUMP_MINUTES, DUMP_LOSS, DUMP_STEP_PPM = 10.0, 0.015, 100.0
CADENCES = {"30 min": 30.0 / 1440.0, "200 s": 200.0 / 86400.0}
MIN_SNR, MIN_TRANSITS, TOLERANCE = 10.0, 3, 0.005
VARIANTS = ("clean", "cleanoff", "masked", "unmasked")


def _time(cadence: float) -> np.ndarray:
    time_ = np.arange(0.0, SECTOR_DAYS, cadence) + 0.5 * cadence
    return time_[np.any([(time_ >= a) & (time_ < b) for a, b in ORBITS], axis=0)]


def _ramps(time_: np.ndarray) -> np.ndarray:
    """Scattered-light shape 0-1 (quadratic) at the start and end of each orbit."""
    shape = np.zeros(time_.shape)
    for start, stop in ORBITS:
        rise = np.clip((time_ - (stop - END_RAMP_DAYS)) / END_RAMP_DAYS, 0, 1) ** 2
        fall = np.clip(1 - (time_ - start) / START_RAMP_DAYS, 0, 1) ** 2
        inside = (time_ >= start) & (time_ < stop)
        shape[inside] = np.maximum(rise, fall * START_RAMP_PPM / END_RAMP_PPM)[inside]
    return shape  # in units of END_RAMP_PPM


def _dumps(time_: np.ndarray, cadence: float, rng: np.random.Generator) -> np.ndarray:
    """Relative flux change of the momentum dumps (bursts integrated over each exposure,
    then level steps)."""
    change = np.zeros(time_.shape)
    width = DUMP_MINUTES / 1440.0
    first = rng.uniform(*DUMP_FIRST_DAYS)
    for start in np.arange(first, SECTOR_DAYS, DUMP_INTERVAL_DAYS):
        lo, hi = time_ - 0.5 * cadence, time_ + 0.5 * cadence
        overlap = np.clip(np.minimum(hi, start + width) - np.maximum(lo, start), 0, None)
        change -= DUMP_LOSS * rng.uniform(0.5, 1.0) * overlap / cadence
        step = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.5) * DUMP_STEP_PPM * 1e-6
        change[time_ >= start + width] += step
    return change


def simulate_star(seed: int, cadence: float) -> dict:
    """One star: time, clean and junk flux, background, the planet and its noise."""
    from exohunt.simulate.params import PlanetParams
    from exohunt.simulate.signals import rp_rs_for_snr, transit_model

    rng = np.random.default_rng(seed)
    time_ = _time(cadence)
    noise_30 = float(np.exp(rng.uniform(np.log(150), np.log(1500))))
    noise = noise_30 * np.sqrt(30.0 / 1440.0 / cadence)  # ppm per cadence
    period = float(np.exp(rng.uniform(np.log(1.0), np.log(8.0))))
    planet = PlanetParams(period=period, t0=float(rng.uniform(0.3, 0.3 + period)), rp_rs=0.05,
                          impact=float(rng.uniform(0.0, 0.8)))
    clean_cadences = _ramps(time_) == 0  # aim the SNR at the cadences outside the ramps
    planet = rp_rs_for_snr(time_, planet, noise, float(rng.uniform(9.0, 25.0)), clean_cadences)
    white = rng.normal(0.0, noise * 1e-6, time_.size)
    model = transit_model(time_, planet, exposure_days=cadence)
    shape = _ramps(time_)
    junk = (END_RAMP_PPM * 1e-6 * shape + RAMP_NOISE * noise * 1e-6 * shape
            * rng.standard_normal(time_.size) + _dumps(time_, cadence, rng))
    return {"time": time_, "clean": model + white, "junk": model + white + junk,
            "background": BACKGROUND + BACKGROUND_RAMP * shape
            + rng.normal(0, 2.0, time_.size), "planet": planet, "noise": noise,
            "in_transit": model < 1.0 - 1e-9}


def _match(found: float, truth: float) -> bool:
    return any(abs(found / (truth * f) - 1) < TOLERANCE for f in (0.5, 1.0, 2.0))


def run_star(task: tuple[int, float, bool]) -> dict:
    """Search one simulated star three ways; returns recovery, SNR and masking figures."""
    from exohunt.lightcurve import LightCurve
    from exohunt.search import search
    from exohunt.simulate.signals import expected_snr

    seed, cadence, with_background = task
    star = simulate_star(seed, cadence)
    columns = {"background": star["background"]} if with_background else {}
    out: dict = {"seed": seed, "period": star["planet"].period}
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, flux, junk in (("clean", star["clean"], "auto"),
                                 ("cleanoff", star["clean"], "off"),
                                 ("masked", star["junk"], "auto"),
                                 ("unmasked", star["junk"], "off")):
            lc = LightCurve(star["time"], flux,
                            columns={} if name.startswith("clean") else columns)
            result = search(lc, max_signals=3, junk=junk)
            periods = [s.period for s in result.signals]
            out[f"{name}_top"] = bool(periods) and _match(periods[0], out["period"])
            out[f"{name}_any"] = any(_match(p, out["period"]) for p in periods)
            vetted = [s.period for s in result.signals if s.passes_vetting]
            out[f"{name}_vetted"] = bool(vetted) and _match(vetted[0], out["period"])
            kept = ~_masked(star["time"], result)
            if name == "masked":
                out["snr"] = expected_snr(star["time"], star["planet"], star["noise"], kept)
                epochs = np.round((star["time"] - star["planet"].t0) / out["period"])
                out["n_transits"] = len(np.unique(epochs[star["in_transit"] & kept]))
                out["in_transit"] = int(star["in_transit"].sum())
                out["in_transit_masked"] = int((star["in_transit"] & ~kept).sum())
                out["masked"] = int((~kept).sum())
                out["n_cadences"] = star["time"].size
            if name == "clean":
                out["clean_in_transit_masked"] = int((star["in_transit"] & ~kept).sum())
    out["cpu"] = time.process_time() - cpu
    return out


def _masked(time_: np.ndarray, result) -> np.ndarray:
    """Cadences the junk masking removed (its recorded ranges; detrending's own clipping of
    high points is not masking)."""
    masked = np.zeros(time_.shape, dtype=bool)
    for record in result.detrended.meta.get("masking", []):
        for start, stop in record["ranges"]:
            masked |= (time_ >= start) & (time_ <= stop)
    return masked


def summarise(rows: list[dict]) -> dict:
    """Recovery rates over the planets that count, and the masking's cost."""
    counted = [r for r in rows if r["snr"] >= MIN_SNR and r["n_transits"] >= MIN_TRANSITS]
    n = len(counted)

    def rate(key: str) -> float:
        return 100.0 * sum(r[key] for r in counted) / n if n else float("nan")

    in_transit = sum(r["in_transit"] for r in rows)
    return {"stars": len(rows), "counted": n,
            **{f"{v}_{k}": rate(f"{v}_{k}") for v in VARIANTS
               for k in ("top", "any", "vetted")},
            "in_transit_lost": 100.0 * sum(r["in_transit_masked"] for r in rows) / in_transit,
            "clean_in_transit_lost": 100.0 * sum(r["clean_in_transit_masked"] for r in rows)
            / in_transit,
            "masked": 100.0 * sum(r["masked"] for r in rows) / sum(r["n_cadences"] for r in rows),
            "cpu_per_star": float(np.median([r["cpu"] for r in rows])) / len(VARIANTS)}


def _machine() -> str:
    from _machine import machine_description

    flags = ""
    try:
        with open("/proc/cpuinfo") as handle:
            flags = next((line for line in handle if line.startswith("flags")), "")
    except OSError:
        pass
    avx = "AVX-512" if "avx512f" in flags else "no AVX-512"
    return f"{machine_description('numpy', 'scipy')}, {avx}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-long", type=int, default=240, help="stars at 30-minute cadence")
    parser.add_argument("--n-short", type=int, default=60, help="stars at 200-second cadence")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-background", action="store_true",
                        help="give the search no background column (eleanor-like products)")
    parser.add_argument("--quick", action="store_true", help="60 + 16 stars")
    args = parser.parse_args()
    if args.quick:
        args.n_long, args.n_short = 60, 16
    print(f"machine: {_machine()}, Python {platform.python_version()}; "
          f"background column: {'no' if args.no_background else 'yes'}")
    print("| cadence | stars | planets counted | top signal: clean / clean, off / junk, "
          "masked / junk, unmasked | any of 3 signals | first vetted signal | in-transit "
          "cadences masked (clean) | cadences masked | CPU s per search |")
    print("|---|---|---|---|---|---|---|---|---|")
    wall = time.perf_counter()
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
        for offset, (label, cadence) in enumerate(CADENCES.items()):
            count = args.n_long if label == "30 min" else args.n_short
            tasks = [(args.seed + 100000 * offset + i, cadence, not args.no_background)
                     for i in range(count)]
            s = summarise(list(pool.map(run_star, tasks, chunksize=2)))
            cells = [" / ".join(f"{s[f'{v}_{k}']:.1f}" for v in VARIANTS)
                     + " %" for k in ("top", "any", "vetted")]
            print(f"| {label} | {s['stars']} | {s['counted']} | {' | '.join(cells)} | "
                  f"{s['in_transit_lost']:.1f} % ({s['clean_in_transit_lost']:.1f} %) | "
                  f"{s['masked']:.1f} % | {s['cpu_per_star']:.2f} |", flush=True)
    print(f"wall {time.perf_counter() - wall:.0f} s with {args.jobs} worker processes")


if __name__ == "__main__":
    main()
