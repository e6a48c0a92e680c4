"""Benchmark: the trapezoid fit's own Levenberg-Marquardt kernel against MINPACK (issue 20).

``exohunt.search.transit_fit`` fits with a numba port of MINPACK's lmder (round 13); up to
round 12 it called MINPACK itself, whose answer changed with the memory alignment of its work
arrays. This runs ``fit_trapezoid`` on the same seeded folded transits (1-20 σ deep, random
duration, ingress and noise; ``--points`` cadences over ±3 days, so the fit bins them as it
does a real star's) twice, side by side in one process:

- ``kernel``: as shipped;
- ``minpack``: the same function with its solver replaced by
  ``scipy.optimize.least_squares(method="lm", max_nfev=50)`` (MINPACK's lmder, what the
  kernel ports and is tested against),

and prints the CPU time per fit (median of ``--repeats`` passes) and how often the two reach
the same χ² (within 1e-6 relative), a lower one, or a higher one::

    python benchmarks/bench_transit_fit.py [--fits 400] [--points 3000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from exohunt.search import transit_fit


def cases(n_fits: int, n_points: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_fits):
        duration = rng.uniform(0.05, 0.3)
        noise = 10 ** rng.uniform(-4, -2.5)
        phase = rng.uniform(-3.0, 3.0, n_points)
        shape = transit_fit.trapezoid(phase, duration, rng.uniform(0.05, 0.4), exposure=0.0204)
        resid = rng.normal(0.0, noise, n_points) - rng.uniform(1, 20) * noise * shape
        out.append((phase, resid, duration, noise))
    return out


def run(fits: list[tuple], solver) -> tuple[float, list]:
    """CPU seconds per fit and the fits, with ``solver`` as the fit's optimiser."""
    shipped = transit_fit._levenberg_marquardt
    transit_fit._levenberg_marquardt = solver
    try:
        start = time.process_time()
        results = [transit_fit.fit_trapezoid(p, r, d, n, exposure=0.0204) for p, r, d, n in fits]
        return (time.process_time() - start) / len(fits), results
    finally:
        transit_fit._levenberg_marquardt = shipped


def chi2(fit: transit_fit.TrapezoidFit, case: tuple) -> float:
    phase, resid, duration, noise = case
    model = -fit.depth * transit_fit.trapezoid(phase - fit.t0_offset, fit.duration,
                                               fit.ingress_fraction, exposure=0.0204)
    near = np.abs(phase) < 2.5 * duration
    return float(np.sum(((resid - model)[near] / noise) ** 2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=400)
    parser.add_argument("--points", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _machine import machine_description
    from diag_fit_repeatability import least_squares_fit

    fits = cases(args.fits, args.points, args.seed)
    shipped = transit_fit._levenberg_marquardt
    run(fits[:3], shipped)  # compile / load the numba cache outside the timing
    times = {"kernel": [], "minpack": []}
    results = {}
    for _ in range(args.repeats):
        for name, solver in (("kernel", shipped), ("minpack", least_squares_fit)):
            seconds, results[name] = run(fits, solver)
            times[name].append(seconds)
    ours = np.array([chi2(f, c) for f, c in zip(results["kernel"], fits)])
    ref = np.array([chi2(f, c) for f, c in zip(results["minpack"], fits)])
    relative = (ours - ref) / ref
    print(machine_description("numpy", "scipy", "numba"))
    print(f"{args.fits} fits of {args.points} cadences, median of {args.repeats} passes")
    for name, values in times.items():
        print(f"  {name:8s} {1e3 * np.median(values):.3f} ms CPU per fit_trapezoid")
    ratio = np.median(times["kernel"]) / np.median(times["minpack"])
    print(f"  kernel / minpack time: {ratio:.2f}")
    same = int((abs(relative) <= 1e-6).sum())
    print(f"  χ² of the fitted trapezoid: same within 1e-6 in {same}, "
          f"kernel lower in {int((relative < -1e-6).sum())} (largest {-relative.min():.2g}), "
          f"kernel higher in {int((relative > 1e-6).sum())} (largest {relative.max():.2g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
