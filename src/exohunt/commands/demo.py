"""``exohunt demo [--out DIR]``: simulate the default data, train the default model, evaluate it
on the held-out test split, print the headline and where the report is, and end by scoring a
TESS-like FITS file with the bundled model — what a user's own file gets with no training."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from exohunt.commands._common import add_jobs, add_seed
from exohunt.errors import InputError

HELP = "simulate data, train the default model, evaluate it: the whole tool in one command"

MARKER = ".exohunt-demo"
QUICK = {"n_train": 1200, "n_test": 300}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="exohunt-demo", type=Path,
                        help="output directory (default exohunt-demo/); an existing non-empty "
                             "directory is only reused if an earlier demo made it")
    parser.add_argument("--quick", action="store_true",
                        help=f"smaller data ({QUICK['n_train']} training, {QUICK['n_test']} test "
                             "stars) for a fast look")
    parser.add_argument("--search-budget", action="store_true",
                        help="search only a fifth of the planet-free training stars "
                             "(weighted back to the true prevalence): less CPU, but a weaker "
                             "model (exohunt.training.budget.DEMO_BUDGET; default: "
                             "DEMO_SIZES, every star searched)")
    add_seed(parser)
    add_jobs(parser)
    # Hidden knobs for the end-to-end test: tiny splits and short light curves.
    for name in ("--n-train", "--n-test", "--n-points"):
        parser.add_argument(name, type=int, default=None, help=argparse.SUPPRESS)


def prepare_out(out: Path) -> None:
    """Create ``out``; refuse a non-empty directory that an earlier demo did not make."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InputError(f"{out}: is not empty and was not made by 'exohunt demo'; choose "
                         "another --out (nothing was changed)")
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by 'exohunt demo'; safe to delete\n")


class _Steps:
    def __init__(self, total: int) -> None:
        self.total, self.number, self.start = total, 0, time.perf_counter()

    def __call__(self, text: str) -> None:
        self.number += 1
        print(f"[{self.number}/{self.total}] {text} (at {self.elapsed()})", file=sys.stderr,
              flush=True)

    def elapsed(self) -> str:
        seconds = time.perf_counter() - self.start
        return f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


def _simulate(args: argparse.Namespace):
    from exohunt.simulate import simulate

    sizes = dict(QUICK) if args.quick else {}
    sizes.update({k: v for k, v in (("n_train", args.n_train), ("n_test", args.n_test))
                  if v is not None})
    extra = {} if args.n_points is None else {"n_points": args.n_points}
    return simulate(preset="kaggle", seed=args.seed, progress=True, **sizes, **extra)


#: The example file's planet: period (days), radius ratio, mid-transit time (BTJD days).
EXAMPLE_PLANET = {"period": 3.3, "rp_rs": 0.05, "t0": 1326.4}


def write_example_fits(path: Path, seed: int, days: float = 27.4) -> Path:
    """One simulated TESS 2-min sector of a quiet star with a transiting planet, as a SPOC
    ``*_lc.fits`` file (flux in e-/s, 1,000 ppm white noise per cadence; the planet of
    :data:`EXAMPLE_PLANET`, depth ≈ 2,500 ppm)."""
    import numpy as np

    from exohunt.io.writers import write_fits
    from exohunt.lightcurve import LightCurve
    from exohunt.simulate import TESS_CADENCE_DAYS, PlanetParams, inject

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    time = 1325.3 + np.arange(int(days / TESS_CADENCE_DAYS)) * TESS_CADENCE_DAYS
    flux = 1.0 + 1e-3 * rng.standard_normal(time.size)
    star = LightCurve(time, flux, np.full(time.size, 1e-3))
    star = inject(star, PlanetParams(**EXAMPLE_PLANET))
    level = 2.0e4  # e-/s, a T ≈ 10 star
    return write_fits(path, LightCurve(time, star.flux * level, star.flux_err * level,
                                       {"mission": "TESS", "target_id": "exohunt-demo-star"}),
                      overwrite=True)


def score_example(out: Path, seed: int, jobs: int, days: float = 27.4) -> None:
    """Score :func:`write_example_fits` with the bundled default model and print the row;
    print one line instead when no bundled model is installed (the demo never fails here)."""
    from exohunt.bundled import DEFAULT_BUNDLED, bundled_run_dir
    from exohunt.errors import ExohuntError
    from exohunt.predict import predict

    try:
        bundled_run_dir(DEFAULT_BUNDLED)
    except ExohuntError:
        print("\nNo bundled model is installed, so scoring a file without training is skipped "
              "('exohunt models' lists bundled models).")
        return
    path = write_example_fits(out / "data" / "tess-example_lc.fits", seed, days)
    try:
        summary = predict(path, out=out / "example_predictions.csv", jobs=jobs, progress=False)
    except ExohuntError as error:
        print(f"\nScoring {path} with the bundled model was skipped: {error}")
        return
    import pandas as pd

    row = pd.read_csv(summary.out).iloc[0]
    verdict = "a candidate" if bool(row["is_candidate"]) else "not a candidate"
    print(f"\nWith no training, the bundled model {DEFAULT_BUNDLED!r} scored {path} (a "
          f"TESS-like sector with a {EXAMPLE_PLANET['period']} d planet): probability "
          f"{row['probability']:.3f}, {verdict}, period found {row['period_days']:.3f} d.")
    print("Your own file: exohunt predict your_file.fits   (writes predictions.csv; "
          "'exohunt models' lists the bundled models)")


def run(args: argparse.Namespace) -> int:
    from exohunt.commands.evaluate import print_summary
    from exohunt.evaluation import evaluate
    from exohunt.io import read
    from exohunt.io.writers import write_kaggle_csv
    from exohunt.search.features import resolve_jobs
    from exohunt.search.pool import shared_search_pool
    from exohunt.training import DEFAULT_MODEL, train
    from exohunt.training.budget import DEMO_BUDGET, DEMO_SIZES

    out: Path = args.out
    prepare_out(out)
    step = _Steps(5)
    step("Simulating the 'kaggle' preset" + (" (quick)" if args.quick else ""))
    data = _simulate(args)
    print(f"    train: {len(data.train)} stars, {int(data.train.labels.sum())} planets; "
          f"test: {len(data.test)} stars, {int(data.test.labels.sum())} planets",
          file=sys.stderr)
    (out / "data").mkdir(exist_ok=True)
    test_csv = write_kaggle_csv(out / "data" / "test.csv", data.test)
    data.test_truth.to_csv(out / "data" / "test_truth.csv", index=False)
    budget = DEMO_BUDGET if args.search_budget else DEMO_SIZES
    step(f"Training the default model '{DEFAULT_MODEL}' on the training split "
         "(validation carved out of it)")
    share = ("every star" if budget.negative_fraction >= 1 else
             f"{budget.negative_fraction:.0%} of the planet-free stars (each weighted "
             f"{1 / budget.negative_fraction:g}x, --search-budget)")
    binaries = "binary" if budget.binaries_per_planet == 1 else "binaries"
    print(f"    searching {share}; {budget.max_injected} injected planets with "
          f"{budget.binaries_per_planet:g} background {binaries} each and "
          f"{budget.threshold_injected} for the threshold; planets weighted to the true "
          "prevalence", file=sys.stderr)
    # One search pool for all four searches (training stars, injected curves, threshold
    # planets, test split): its workers start once (same results).
    with shared_search_pool(resolve_jobs(args.jobs)):
        run_ = train(data.train, model=DEFAULT_MODEL, out=out / "run", seed=args.seed,
                     jobs=args.jobs, progress=True, search_budget=budget)
        step("Evaluating once on the held-out test split")
        # Score the CSV as written, so that 'exohunt evaluate' on it reproduces these numbers.
        test = read(test_csv)
        result = evaluate(run_, test, truth=data.test_truth, out=out / "report",
                          seed=args.seed, jobs=args.jobs, progress=True,
                          data_name=str(test_csv))
    print()
    print_summary(result)
    print(f"Report: {result['report']}")
    print("Next: exohunt predict", out / "run", test_csv, "--out predictions.csv")
    step("Scoring a TESS-like FITS file with the bundled model (no training)")
    score_example(out, args.seed, args.jobs)
    step("Done")
    print(f"\nDemo finished in {step.elapsed()}.")
    return 0
