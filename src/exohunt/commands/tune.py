"""``exohunt tune DATA --model NAME --out DIR``: search hyperparameters honestly (Optuna).

Every trial is scored by cross-validation on DATA only (K stratified folds, grouped by star);
the study lives in a storage (default ``DIR/study.db``), so rerunning the same command
continues it, and ``--parallel-trials`` runs several trials at once. Afterwards the best
configuration is written to ``DIR/best_config.json`` and retrained into ``DIR/run`` exactly as
``exohunt train --config DIR/best_config.json`` would.
"""

from __future__ import annotations

import argparse

from exohunt.commands._common import add_device, add_jobs, add_quiet, add_read_options, add_seed
from exohunt.commands.train import _MODEL_NAMES, _NAMED_CONFIGS

HELP = "search a model's hyperparameters by cross-validation (Optuna), then retrain the best"

_STORAGE_HELP = (
    "Optuna storage URL that keeps every trial (default sqlite:///DIR/study.db). Processes on "
    "one machine may share a SQLite file; across machines use an RDB server "
    "(postgresql://user:password@host/db, mysql://…) or journal:PATH, a journal file on a "
    "shared filesystem — never SQLite over NFS, whose file locking is unsafe")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", nargs="?", help="labelled training data (as for exohunt train); "
                                                "the search never sees anything else")
    parser.add_argument("--out", help="output folder: best_config.json, trials.csv, "
                                      "index.html, plots/, run/")
    parser.add_argument("--model", default=None, help=f"one of {', '.join(_MODEL_NAMES)}")
    parser.add_argument("--show-space", metavar="NAME", default=None,
                        help="print model NAME's search space and exit")
    parser.add_argument("--trials", type=int, default=20,
                        help="trials the study should hold, earlier runs' included (default 20)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="start no new trial after this many seconds")
    parser.add_argument("--storage", default=None, help=_STORAGE_HELP)
    parser.add_argument("--study", default=None, help="study name (default: the model's name)")
    parser.add_argument("--parallel-trials", type=int, default=1,
                        help="trials run at once, one process each (default 1)")
    add_jobs(parser)
    parser.add_argument("--folds", type=int, default=3,
                        help="cross-validation folds, stratified and grouped by star (default 3)")
    add_seed(parser)
    parser.add_argument("--config", default=None,
                        help="named configuration to start from ("
                             + "; ".join(f"{m}: {', '.join(c)}" for m, c in _NAMED_CONFIGS.items())
                             + ")")
    parser.add_argument("--space", default=None,
                        help="JSON overrides of the search space, e.g. '{\"learning_rate\": "
                             "[1e-4, 1e-2], \"patience\": 8, \"hidden\": {\"choices\": [64, "
                             "128]}}' (a value fixes the parameter); see --show-space")
    parser.add_argument("--epochs", type=int, default=None,
                        help="cap on each trial's (and the retrained run's) epochs")
    parser.add_argument("--positive", default=None,
                        help="AstroNet views: dispositions counted positive, e.g. PC or PC,EB")
    parser.add_argument("--members", type=int, default=1,
                        help="retrain the best configuration as a seed ensemble of this many "
                             "runs (threshold out of fold), as exohunt train --members")
    parser.add_argument("--objective", default="f1",
                        help="threshold objective of the retrained run: f1 or recall:R")
    add_device(parser)
    add_read_options(parser)
    add_quiet(parser)


def run(args: argparse.Namespace) -> int:
    from exohunt.errors import InputError

    if args.show_space is not None:
        print(_describe(args.show_space))
        return 0
    if args.data is None or args.out is None or args.model is None:
        raise InputError("exohunt tune needs DATA, --model NAME and --out DIR "
                         "(or --show-space NAME)")
    if args.model not in _MODEL_NAMES:
        raise InputError(f"unknown model {args.model!r}; expected one of: "
                         f"{', '.join(_MODEL_NAMES)}")
    from exohunt.tuning import require_optuna

    require_optuna()
    from exohunt.tuning.api import tune

    options = {"format": args.input_format} if args.input_format else {}
    if args.flux_column:
        options["flux_column"] = args.flux_column
    positive = tuple(p.strip() for p in args.positive.split(",")) if args.positive else None
    result = tune(args.data, args.model, args.out, trials=args.trials,
                  timeout=args.timeout, storage=args.storage, study=args.study,
                  parallel_trials=args.parallel_trials, jobs=args.jobs, folds=args.folds,
                  seed=args.seed, positive=positive, config=args.config, space=args.space,
                  epochs=args.epochs, device=args.device, members=args.members,
                  objective=args.objective, progress=not args.quiet,
                  read_options=options)
    counts = ", ".join(f"{n} {state}" for state, n in _counts(result.study).items())
    print(f"best mean held-out AP {result.best_value:.4f} (trial "
          f"{result.study.best_trial.number}; {counts}): {result.best_config}")
    if result.run is not None:
        print(f"retrained run: {result.out / 'run'}")
    print(f"report: {result.out / 'index.html'}")
    return 0


def _counts(study) -> dict[str, int]:
    from exohunt.tuning.report import trial_counts

    return trial_counts(study)


def _describe(model: str) -> str:
    from exohunt.models import get_spec
    from exohunt.models.space import allowed_names, describe_space

    spec = get_spec(model)
    return describe_space(model, spec.space, allowed_names(spec.config_class,
                                                           spec.inputs == "tabular"),
                          spec.config_class)
