"""Are the search's features bit-identical between two source trees?

Searches the same simulated ``kaggle`` rows (default 300 of seed 11's test mix), or with
``--flavour`` the first ``--rows`` test stars of a mission flavour
(:mod:`exohunt.simulate.flavour_sets`: light curves in e-/s with centroids and catalogue
parameters), with ``exohunt.search.extract_features`` under each tree (a fresh interpreter per
tree, one worker) and compares every statistic, signal column and view bit for bit (NaN = NaN).

    python benchmarks/compare_features.py --ref-src /work/main/src [--rows 300]
    python benchmarks/compare_features.py --ref-src /work/main/src --flavour kepler-lc --rows 40
    python benchmarks/compare_features.py --ref-src src --restricted-ref --jobs 2 --flavour k2

``--restricted-ref`` runs the reference side on an emulated CPU without AVX-512 at every
layer (``profile_search.RESTRICTED`` and numpy's AVX-512 targets off, one BLAS thread) and
the other side on the host; ``--jobs`` sets the other side's worker processes. With
``--ref-src`` the same tree, that measures issue 20's "the same features on any CPU, thread
count and worker layout".
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parent.parent / "src"
CHILD = """
import pickle, sys
from exohunt.search import FEATURE_VERSION, extract_features
from exohunt.simulate import simulate
from exohunt.simulate.flavour_sets import iter_flavour
seed, rows, flavour = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
data = (simulate("kaggle", seed=seed, n_train=1, n_test=rows).test if flavour == "kaggle"
        else [lc for lc, _ in iter_flavour(flavour, "test", seed, rows)])
f = extract_features(data, jobs=int(sys.argv[5]))
with open(sys.argv[1], "wb") as out:
    pickle.dump({"version": FEATURE_VERSION, "stats": f.stats, "signals": f.signals,
                 "views": f.views}, out)
"""


def features(src: Path, rows: int, seed: int, folder: Path, flavour: str = "kaggle", *,
             env: dict | None = None, jobs: int = 1, name: str = "side") -> dict:
    path = folder / f"{name}.pkl"
    env = {**os.environ, **(env or {}), "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", CHILD, str(path), str(seed), str(rows), flavour,
                    str(jobs)], env=env, check=True)
    with open(path, "rb") as source:
        return pickle.load(source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref-src", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--flavour", default="kaggle",
                        help="kaggle (rows of the kaggle preset) or a mission flavour of "
                             "exohunt.simulate.flavours (e.g. kepler-lc, tess-ffi)")
    parser.add_argument("--restricted-ref", action="store_true",
                        help="reference side on an emulated CPU without AVX-512, 1 BLAS thread")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes of this side")
    parser.add_argument("--rtol", type=float, default=0.0,
                        help="pass (exit 0) when no value differs by more than this "
                             "relative amount (default 0: bit-identical)")
    args = parser.parse_args(argv)
    ref_env: dict = {}
    if args.restricted_ref:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from profile_search import RESTRICTED, _avx512_numpy_targets

        ref_env = {**RESTRICTED, "NPY_DISABLE_CPU_FEATURES": _avx512_numpy_targets(),
                   "OPENBLAS_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as name:
        ref = features(args.ref_src, args.rows, args.seed, Path(name), args.flavour,
                       env=ref_env, name="ref")
        new = features(SRC, args.rows, args.seed, Path(name), args.flavour, jobs=args.jobs,
                       name="new")
    differing = []
    worst = 0.0
    for part in ("stats", "signals"):
        a, b = ref[part], new[part]
        if list(a.columns) != list(b.columns):
            # a tree that only adds columns (round 19's variability statistics) is compared on
            # the shared ones
            added = [c for c in b.columns if c not in a.columns]
            dropped = [c for c in a.columns if c not in b.columns]
            differing.append(f"{part}: columns added {added}, dropped {dropped} (the shared "
                             "ones compared)")
        shared = [c for c in a.columns if c in b.columns]
        for column in shared:
            x, y = a[column].to_numpy(float), b[column].to_numpy(float)
            if not np.array_equal(x, y, equal_nan=True):
                differ = ~((x == y) | (np.isnan(x) & np.isnan(y)))
                scale = np.maximum(np.abs(x[differ]), np.abs(y[differ]))
                rel = np.abs(x[differ] - y[differ]) / np.where(scale > 0, scale, 1.0)
                worst = max(worst, float(np.nanmax(rel)) if np.isfinite(rel).any() else np.inf)
                differing.append(f"{part}.{column} ({int(differ.sum())} rows, max rel. "
                                 f"difference {np.nanmax(rel):.1e})")
    for view in ref["views"]:
        a, b = ref["views"][view], new["views"][view]
        if not np.array_equal(a, b, equal_nan=True):
            scale = np.maximum(np.nanmax(np.abs(a)), 1e-30)
            worst_view = float(np.nanmax(np.abs(a - b))) / scale
            worst = max(worst, worst_view)
            differing.append(f"views.{view} (max difference {worst_view:.1e} of the view's range)")
    n_values = sum(len(ref[p]) * len([c for c in ref[p].columns if c in new[p].columns])
                   for p in ("stats", "signals")) + sum(
        v.size for v in ref["views"].values())
    where = ("kaggle preset" if args.flavour == "kaggle"
             else f"flavour {args.flavour}, test split")
    if args.restricted_ref:
        where += f"; reference restricted (no AVX-512, 1 BLAS thread), other host, jobs {args.jobs}"
    print(f"{args.rows} rows ({where}, seed {args.seed}); feature version "
          f"{'equal' if ref['version'] == new['version'] else 'DIFFERENT'}; "
          f"{n_values} values compared; largest relative difference {worst:.1e}; "
          f"differing: {differing or 'none (bit-identical)'}")
    return 1 if worst > args.rtol or ref["version"] != new["version"] else 0


if __name__ == "__main__":
    sys.exit(main())
