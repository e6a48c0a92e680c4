"""``exohunt demo [--out DIR]``: simulate the default data, train the default model, evaluate it
on the held-out test split, and print the headline and where the report is."""

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


def run(args: argparse.Namespace) -> int:
    from exohunt.commands.evaluate import print_summary
    from exohunt.evaluation import evaluate
    from exohunt.io import read
    from exohunt.io.writers import write_kaggle_csv
    from exohunt.training import DEFAULT_MODEL, train

    out: Path = args.out
    prepare_out(out)
    step = _Steps(4)
    step("Simulating the 'kaggle' preset" + (" (quick)" if args.quick else ""))
    data = _simulate(args)
    print(f"    train: {len(data.train)} stars, {int(data.train.labels.sum())} planets; "
          f"test: {len(data.test)} stars, {int(data.test.labels.sum())} planets",
          file=sys.stderr)
    (out / "data").mkdir(exist_ok=True)
    test_csv = write_kaggle_csv(out / "data" / "test.csv", data.test)
    data.test_truth.to_csv(out / "data" / "test_truth.csv", index=False)
    step(f"Training the default model '{DEFAULT_MODEL}' on the training split "
         "(validation carved out of it)")
    run_ = train(data.train, model=DEFAULT_MODEL, out=out / "run", seed=args.seed,
                 jobs=args.jobs, progress=True)
    step("Evaluating once on the held-out test split")
    # Score the CSV as written, so that 'exohunt evaluate' on it reproduces these numbers.
    test = read(test_csv)
    result = evaluate(run_, test, truth=data.test_truth, out=out / "report",
                      seed=args.seed, jobs=args.jobs, progress=True,
                      data_name=str(test_csv))
    step("Done")
    print()
    print_summary(result)
    print(f"\nDemo finished in {step.elapsed()}.")
    print(f"Report: {result['report']}")
    print("Next: exohunt predict", out / "run", test_csv, "--out predictions.csv")
    return 0
