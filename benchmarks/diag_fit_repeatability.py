"""Is the trapezoid fit bit-repeatable on identical inputs in one process? (issue 20)

Round 11 found ``fit_*`` features that differ between two searches of the same star (jobs=1
against jobs=2, and within one process). This fits ``--fits`` random, seeded folded transits
(noise, depth, duration and start drawn per fit) ``--repeats`` times each, allocating arrays
of random sizes between repeats so that the fit's own arrays land elsewhere in memory, and
counts the fits whose parameters or residuals are not the same bits every time — once through
``scipy.optimize.least_squares(method="lm")`` and once through the direct MINPACK call that
``exohunt.search.transit_fit`` uses::

    python benchmarks/diag_fit_repeatability.py [--fits 400] [--repeats 4]

Run it with ``OPENBLAS_NUM_THREADS=1`` as well: a count that drops to zero there points at a
BLAS kernel inside MINPACK (thread split or alignment peeling), not at exohunt's own kernels.
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


def _least_squares(u0, data):
    fit = least_squares(transit_fit._residuals_unbounded, u0, args=data, method="lm",
                        max_nfev=50)
    return fit.x, fit.fun


def count_unrepeatable(solver, n_fits: int, repeats: int, seed: int) -> int:
    """Fits (of ``n_fits``) whose result is not the same bits in all ``repeats`` runs."""
    rng = np.random.default_rng(seed)
    differing = 0
    for k in range(n_fits):
        u0, data = fit_inputs(k)
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
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scipy

    from _machine import machine_description

    print(f"{machine_description('numpy', 'scipy')}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; scipy {scipy.__version__}")
    for name, solver in (("least_squares(method='lm')", _least_squares),
                         ("direct lmder (exohunt)", transit_fit._levenberg_marquardt)):
        n = count_unrepeatable(solver, args.fits, args.repeats, args.seed)
        print(f"{name}: {n} of {args.fits} fits not bit-repeatable over {args.repeats} repeats")
    return 0


if __name__ == "__main__":
    sys.exit(main())
