"""Weighted gradient-boosting fits: scikit-learn's feature binning against exohunt's one-pass
weighted quantiles (:mod:`exohunt.training.fast_binning`), side by side in one process.

The training sets of ``exohunt demo`` and of the bundled default are a few thousand stars ×
~90 search and vetting statistics, fitted with sample weights (planets weighted to the true
prevalence). This times ``HistGradientBoostingClassifier(max_iter=50).fit(X, y,
sample_weight=w)`` on seeded problems of that shape (continuous, rounded and few-valued
columns, some missing values; weights 1 for negatives and 0.05-1.2 for positives), with
scikit-learn's binning and inside :func:`exact_weighted_binning`, wall seconds, median of
``--repeats``, and checks that both give the same probabilities.

    python benchmarks/bench_gbm_binning.py [--rows 1400,4800] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

from _machine import machine_description  # noqa: E402


def _problem(rows: int, columns: int = 90, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, columns))
    x[:, 1::3] = np.round(x[:, 1::3], 2)  # ties
    x[:, 2::9] = rng.integers(0, 20, (rows, len(range(2, columns, 9))))  # few values
    x[rng.random((rows, columns)) < 0.02] = np.nan
    y = (x[:, 0] + rng.normal(size=rows) > 1.8).astype(int)
    weight = np.where(y == 1, rng.uniform(0.05, 1.2, rows), 1.0)
    return x, y, weight


def _fit(x, y, weight, fast: bool):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from exohunt.training.fast_binning import exact_weighted_binning

    model = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    started = time.perf_counter()
    if fast:
        with exact_weighted_binning():
            model.fit(x, y, sample_weight=weight)
    else:
        model.fit(x, y, sample_weight=weight)
    return time.perf_counter() - started, model.predict_proba(x)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1400,4800")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{machine_description('numpy', 'sklearn')}\n")
    print("| rows × columns | scikit-learn's binning s | exohunt's s | speed-up | same "
          "probabilities |\n|---|---|---|---|---|")
    for rows in (int(r) for r in args.rows.split(",")):
        x, y, weight = _problem(rows)
        slow, fast = [], []
        for _ in range(args.repeats):
            seconds, p_slow = _fit(x, y, weight, fast=False)
            slow.append(seconds)
            seconds, p_fast = _fit(x, y, weight, fast=True)
            fast.append(seconds)
        same = bool(np.array_equal(p_slow, p_fast))
        slow_s, fast_s = statistics.median(slow), statistics.median(fast)
        print(f"| {rows} × {x.shape[1]} | {slow_s:.2f} | {fast_s:.2f} | {slow_s / fast_s:.1f}x | "
              f"{same} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
