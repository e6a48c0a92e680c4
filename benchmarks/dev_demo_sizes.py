"""Choose the demo's search sizes on simulated data of another seed (not the demo's).

The demo (seed 42) must not search more light curves than it needs (issue 20). This script
chooses how many planet-free stars to search (weighted back to the true prevalence) and how
many planets and background binaries to inject, on the ``kaggle`` preset simulated with a
*different* seed (default 43): it searches that seed's whole training split, the full
injection sets of today's default (planets and 3 binaries per planet) and the threshold
stage's injected validation planets once (``--pool``), then emulates smaller configurations by
taking subsets of those searched rows (no further search), fits ``gbm`` with sample weights,
chooses the F1 threshold on (subsampled, weighted) validation as ``exohunt train`` does, and
scores that seed's own test split. Several subsample draws per configuration.

    python benchmarks/dev_demo_sizes.py --pool DIR            # the searches (minutes)
    python benchmarks/dev_demo_sizes.py --sweep DIR [--draws 5]
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np


def make_pool(folder: Path, seed: int, jobs: int) -> None:
    from exohunt.simulate import simulate
    from exohunt.training.api import _quiet_hosts, _split
    from exohunt.training.augment import injected_features
    from exohunt.training.features import extract

    data = simulate("kaggle", seed=seed)
    labels = np.asarray(data.train.labels).astype(np.int8)
    train_rows, val_rows = _split(labels, 0.2, seed)
    raw = extract(data.train, "tabular", jobs=jobs, progress=True)
    hosts = _quiet_hosts(raw)
    extra, extra_labels = injected_features(data.train, train_rows, labels, "tabular", seed=seed,
                                            jobs=jobs, progress=True, hosts=hosts,
                                            binaries_per_planet=3.0)
    thr, _ = injected_features(data.train, val_rows, labels, "tabular", seed=seed + 1,
                               jobs=jobs, progress=True, max_injected=300,
                               reverse_positives=False, hosts=hosts)
    test = extract(data.test, "tabular", jobs=jobs, progress=True)
    with open(folder / f"pool-{seed}.pkl", "wb") as out:
        pickle.dump({"raw": raw, "labels": labels, "train_rows": train_rows,
                     "val_rows": val_rows, "extra": extra, "extra_labels": extra_labels,
                     "threshold_extra": thr, "test": test,
                     "test_labels": np.asarray(data.test.labels).astype(np.int8)}, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=Path)
    parser.add_argument("--sweep", type=Path)
    parser.add_argument("--seed", type=int, default=43)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--skip", type=int, default=0, help="skip the first N configurations")
    args = parser.parse_args(argv)
    if args.pool:
        args.pool.mkdir(parents=True, exist_ok=True)
        make_pool(args.pool, args.seed, args.jobs)
    if args.sweep:
        from dev_demo_sweep import sweep

        print(sweep(args.sweep / f"pool-{args.seed}.pkl", args.draws, args.skip))
    return 0


if __name__ == "__main__":
    sys.exit(main())
