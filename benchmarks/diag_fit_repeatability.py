"""Is the trapezoid fit bit-repeatable on identical inputs in one process? (issue 20)

Round 11 found ``fit_*`` features that differ between two searches of the same star (jobs=1
against jobs=2, and between processes). This refits the same inputs ``--repeats`` times each,
keeping arrays of random sizes alive between repeats so that the numpy arrays the solver
allocates land elsewhere in memory, and counts the fits whose parameters or residuals are not
the same bits every time — once through ``scipy.optimize.least_squares(method="lm")``
(MINPACK's lmder, which the fit used up to round 12) and once through exohunt's own
Levenberg-Marquardt kernel. The inputs are ``--fits`` random seeded folded transits, and with
``--flavour`` also the folded transits that the search hands the fit for the first
``--stars`` test stars of that mission flavour (seed 11, as ``compare_features.py``)::

    python benchmarks/diag_fit_repeatability.py [--fits 400] [--repeats 4]
    python benchmarks/diag_fit_repeatability.py --fits 0 --flavour kepler-sc --stars 60 --repeats 40

Round 13: the Kepler SC stars' fits are where MINPACK's answer changes with memory alignment
(its result is a function of the work arrays' addresses, with or without BLAS threads).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from scipy.optimize import least_squares

from exohunt.search import transit_fit


def fit_inputs(seed: int) -> tuple[np.ndarray, tuple]:
    """A folded box-ish transit with noise and the fit's data tuple (as ``fit_trapezoid``)."""
    rng = np.random.default_rng(seed)
    duration = rng.uniform(0.05, 0.3)
    noise = 10 ** rng.uniform(-4, -2.5)
    phase = np.sort(rng.uniform(-2.5 * duration, 2.5 * duration, rng.integers(80, 600)))
    shape = transit_fit.trapezoid(phase, duration, rng.uniform(0.05, 0.4), exposure=0.0204)
    resid = rng.normal(0.0, noise, phase.size) - rng.uniform(1, 20) * noise * shape
    weights = np.ones(phase.size)
    offsets = ((np.arange(4) + 0.5) / 4 - 0.5) * 0.0204
    lo, hi = 0.25 * duration, 3.0 * duration
    data = (phase, resid, weights, np.sqrt(weights), offsets, noise, duration, lo, hi)
    start = np.array([0.0, rng.uniform(0.7, 1.8) * duration, rng.uniform(0.1, 0.35)])
    return transit_fit._unbounded(start, duration, lo, hi), data


def pipeline_inputs(flavour: str, stars: int) -> list[tuple[np.ndarray, tuple]]:
    """(start, data) of every trapezoid fit the search makes on the first ``stars`` test stars
    of ``flavour`` (seed 11), taken where ``fit_trapezoid`` calls its solver."""
    from exohunt.search import extract_features
    from exohunt.simulate.flavour_sets import iter_flavour

    captured: list[tuple[np.ndarray, tuple]] = []
    solver = transit_fit._levenberg_marquardt

    def capture(u0, data):
        captured.append((np.array(u0, copy=True), tuple(
            np.array(v, copy=True) if isinstance(v, np.ndarray) else v for v in data)))
        return solver(u0, data)

    transit_fit._levenberg_marquardt = capture
    try:
        extract_features([lc for lc, _ in iter_flavour(flavour, "test", 11, stars)], jobs=1)
    finally:
        transit_fit._levenberg_marquardt = solver
    return captured


def least_squares_fit(u0, data):
    """MINPACK's lmder through ``least_squares(method="lm", max_nfev=50)``, the fit's solver up
    to round 12 and its kernel's test oracle: (parameters, residuals)."""
    fit = least_squares(transit_fit._residuals_unbounded, u0, args=data, method="lm",
                        max_nfev=50)
    return fit.x, fit.fun


def count_unrepeatable(solver, inputs: list, repeats: int, seed: int) -> int:
    """Fits (of ``inputs``) whose result is not the same bits in all ``repeats`` runs."""
    rng = np.random.default_rng(seed)
    differing = 0
    for u0, data in inputs:
        results, ballast = [], []
        for _ in range(repeats):
            ballast.append(np.empty(int(rng.integers(1, 4096))))  # move the next allocations
            data = tuple(np.array(v, copy=True) if isinstance(v, np.ndarray) else v
                         for v in data)
            u, residuals = solver(u0.copy(), data)
            results.append(np.concatenate([u, residuals]).tobytes())
        differing += len(set(results)) > 1
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flavour", default=None,
                        help="also refit the search's own fits of this flavour's test stars")
    parser.add_argument("--stars", type=int, default=60)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scipy

    from _machine import machine_description

    print(f"{machine_description('numpy', 'scipy')}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; scipy {scipy.__version__}")
    sets = [("random", [fit_inputs(k) for k in range(args.fits)])]
    if args.flavour:
        sets.append((f"{args.flavour} search", pipeline_inputs(args.flavour, args.stars)))
    for label, inputs in sets:
        if not inputs:
            continue
        for name, solver in (("least_squares(method='lm')", least_squares_fit),
                             ("exohunt kernel", transit_fit._levenberg_marquardt)):
            n = count_unrepeatable(solver, inputs, args.repeats, args.seed)
            print(f"{label} fits, {name}: {n} of {len(inputs)} not bit-repeatable over "
                  f"{args.repeats} repeats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
