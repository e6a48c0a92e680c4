"""``exohunt train DATA --out RUN_DIR``: train a classifier honestly and save the run."""

from __future__ import annotations

import argparse
import json

from exohunt.commands._common import (
    add_device,
    add_jobs,
    add_quiet,
    add_read_options,
    add_seed,
)

HELP = "train a model (validation split, early stopping, threshold on validation)"

# The registry's names, listed here so that --help needs no torch import (a test keeps them equal).
_MODEL_NAMES = ("seed-lstm", "lstm", "cnn", "cnn-lstm", "twoview", "lstm-views", "gbm")
_IMBALANCE = ("weights", "smote", "inject", "none")
# training.api.UNFOUND_PLANETS (the same test keeps them equal)
_UNFOUND_PLANETS = ("keep", "leave-out")
# training.api.OBJECTIVE_SNR (the same test keeps them equal)
_OBJECTIVE_SNR = ("labels", "search")
# Models with named configurations besides "default" (the same test keeps them equal).
_NAMED_CONFIGS = {"twoview": ("small", "astronet", "astronet-bn"), "gbm": ("default", "large")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", nargs="+", metavar="DATA",
                        help="labelled data: Kaggle-layout CSV, simulated CSV, AstroNet "
                             "TFRecord shard(s) folder, or single-star FITS / time-flux files "
                             "(folder, glob or several paths) with --labels")
    parser.add_argument("--labels", default=None, metavar="TABLE",
                        help="CSV mapping each file of DATA to a label (column 'label', 1/0) or "
                             "a disposition (with --positive), e.g. the truth table of "
                             "'exohunt simulate --format fits'; an optional period column "
                             "(days: period_days, period, koi_period, pl_orbper) serves "
                             "--unfound-planets leave-out")
    parser.add_argument("--out", required=True, help="run directory to write")
    parser.add_argument("--model", default=None,
                        help=f"one of {', '.join(_MODEL_NAMES)} (default: the best model)")
    add_seed(parser)
    add_device(parser)
    parser.add_argument("--config", default=None,
                        help="a named configuration of the model ("
                             + "; ".join(f"{m}: {', '.join(c)}" for m, c in _NAMED_CONFIGS.items())
                             + "; others: default), a JSON object of config fields, e.g. "
                             "'{\"max_leaf_nodes\": 31}', or a JSON file such as exohunt "
                             "tune's best_config.json (its model and loop settings come along)")
    parser.add_argument("--imbalance", default=None, choices=_IMBALANCE,
                        help="class-imbalance handling (default depends on the model)")
    parser.add_argument("--positive", default=None,
                        help="dispositions counted positive: AstroNet views (e.g. PC or PC,EB) "
                             "or a --labels table's disposition column (e.g. CONFIRMED,CANDIDATE"
                             "; planet for a simulator truth table)")
    parser.add_argument("--epochs", type=int, default=None, help="maximum epochs")
    parser.add_argument("--time-budget", type=float, default=None,
                        help="stop training after this many seconds (checked every batch)")
    parser.add_argument("--objective", default="f1",
                        help="threshold objective on validation: f1, recall:R (e.g. "
                             "recall:0.95) or recall:R@snrS (recall R of the validation "
                             "planets whose search SNR is >= S, e.g. recall:0.95@snr10; "
                             "search-based models), or expected-recall:R[@snrS] (recall R on "
                             "new planets: ~(n+1)/n of it asked of the n validation planets)")
    parser.add_argument("--prevalence", default="auto", choices=("auto", "none", "weight"),
                        help="gbm with injection: 'weight' weights the planets so the fitted "
                             "planet share is the data's own (probabilities at the true "
                             "prevalence, not the ~12%% of the injected set); 'none' does not; "
                             "auto (default): weight for a Kaggle-layout or simulated set, "
                             "none for single-star files")
    parser.add_argument("--weak-positive-weight", type=float, default=1.0,
                        help="gbm with a recall:R@snrS (or expected-recall:R@snrS) objective: "
                             "the training weight (0-1) of "
                             "planets whose search SNR is below S (default 1: every planet "
                             "alike; 0.3 raised precision at recall 0.95 on the vetting "
                             "development set, benchmarks/dev_context_recall.py)")
    parser.add_argument("--unfound-planets", choices=_UNFOUND_PLANETS, default="keep",
                        help="single-star files: a training planet the search did not find at "
                             "its known period (injected, or from the --labels table's period "
                             "column) is taught as a planet (keep, default) or left out "
                             "(leave-out); see BENCHMARKS.md rounds 22-23")
    parser.add_argument("--signals", type=int, default=1, metavar="K",
                        help="gbm on light curves: learn from each star's strongest K signals "
                             "(1-5; a later one is a planet where its period is the label "
                             "table's) and score a star by its best; the run's predictions "
                             "then show K signals per star (default 1: the strongest only)")
    parser.add_argument("--objective-snr", choices=_OBJECTIVE_SNR, default="labels",
                        help="which SNR a recall:R@snrS objective counts the validation planets "
                             "by: labels (default: the --labels table's SNR column where it "
                             "gives one: snr, koi_model_snr, tce_model_snr, planet snr; the "
                             "search's measurement elsewhere) or search (the search's "
                             "throughout)")
    parser.add_argument("--members", type=int, default=1,
                        help="train this many runs (seeds SEED, SEED+1, …, each with its own "
                             "validation split) and average their probabilities: a seed "
                             "ensemble, as Astronet does; threshold chosen out of fold")
    parser.add_argument("--folds", action="store_true",
                        help="with --members K: the members' validation splits are K disjoint "
                             "folds (each 1/K of the stars), so the ensemble's threshold is "
                             "chosen on every training star out of fold, not ~2/3 of them")
    parser.add_argument("--cache-dir", default=None,
                        help="cache search features here, to reuse them across runs")
    parser.add_argument("--context", default="auto", choices=("auto", "none", "centroid",
                                                               "stellar"),
                        help="search-based models: which centroid and host-star inputs to read "
                             "(auto: whatever the data carries; none: flux only)")
    add_jobs(parser)
    add_read_options(parser)
    add_quiet(parser)


def run(args: argparse.Namespace) -> int:
    from exohunt.errors import InputError
    from exohunt.io import read
    from exohunt.training import DEFAULT_MODEL, train

    model = args.model or _file_model(args.config) or DEFAULT_MODEL
    if model not in _MODEL_NAMES:
        raise InputError(f"unknown model {model!r}; expected one of: {', '.join(_MODEL_NAMES)}")
    config = _model_config(model, args.config)  # checked before the data is read
    from exohunt.predict import MAX_SIGNALS_PER_STAR

    if not 1 <= args.signals <= MAX_SIGNALS_PER_STAR:
        raise InputError(f"--signals must be from 1 to {MAX_SIGNALS_PER_STAR}, "
                         f"got {args.signals}")
    if args.signals > 1 and model != "gbm":
        raise InputError(f"--signals applies to gbm (the boosted trees), not to {model}")
    options = {"format": args.input_format} if args.input_format else {}
    if args.flux_column:
        options["flux_column"] = args.flux_column
    data = read(args.data[0] if len(args.data) == 1 else args.data, **options)
    positive = tuple(p.strip() for p in args.positive.split(",")) if args.positive else None
    if args.labels is not None:
        from exohunt.io.labels import apply_labels

        data, _ = apply_labels(data, args.labels, positive=positive)
        positive = None
    if not 1 <= args.members <= 100:
        raise InputError(f"--members must be from 1 to 100, got {args.members}")
    if args.folds and args.members == 1:
        raise InputError("--folds needs --members K (K >= 2): the members' validation folds")
    if args.members != 1:
        return _run_ensemble(args, data, model, positive, config)
    result = train(data, model=model, out=args.out, seed=args.seed, device=args.device,
                   imbalance=args.imbalance, positive=positive, epochs=args.epochs,
                   time_budget=args.time_budget, jobs=args.jobs,
                   progress=not args.quiet, objective=args.objective,
                   cache_dir=args.cache_dir, config=config, context=args.context,
                   prevalence=args.prevalence,
                   weak_positive_weight=args.weak_positive_weight,
                   unfound_planets=args.unfound_planets, signals_per_star=args.signals,
                   objective_snr=args.objective_snr)
    m = result.metrics
    print(f"trained {model} in {m['training_seconds']:.1f} s "
          + (f"(kept {m['best_epoch']} trees, chosen on validation AP)"
             if m["stopped"] == "best_n_trees"
             else f"(best epoch {m['best_epoch']} of {m['epochs_run']}, {m['stopped']})"))
    print(f"validation: AP {m['average_precision']:.3f}  precision {m['precision']:.3f}  "
          f"recall {m['recall']:.3f}  F1 {m['f1']:.3f}  at threshold {m['threshold']:.4f} "
          f"({m['objective']})")
    points = result.config["threshold"].get("operating_points", [])
    if points:  # other operating points, for 'exohunt predict --threshold'
        print("validation operating points: " + "; ".join(
            f"recall {p['recall']:.2f} at {p['threshold']:.4f} (precision {p['precision']:.2f})"
            for p in points))
    print(f"run directory: {args.out}")
    print(json.dumps({"confusion_matrix": m["confusion_matrix"]}))
    return 0


def _file_model(text: str | None) -> str | None:
    """The model a ``--config`` file was written for (None for anything else)."""
    from exohunt.errors import InputError
    from exohunt.models.config_file import is_config_path, read_config_file

    if text is None or text in {c for names in _NAMED_CONFIGS.values() for c in names} \
            or not is_config_path(text):
        return None
    try:
        return read_config_file(text).model
    except InputError:
        return None  # _model_config reports what is wrong, with the model in hand


def _model_config(model: str, text: str | None):
    """``--config``, checked: a configuration name or a configuration file (passed on as
    the name or path, which brings its loop settings), the config dataclass from a JSON object
    of config fields, or None."""
    from exohunt.models import get_spec, resolve_config
    from exohunt.models.config_file import is_config_path, read_config_file
    from exohunt.models.space import json_object

    if text is not None and text not in get_spec(model).configs and is_config_path(text):
        read_config_file(text, model)  # a missing or bad file fails here, before the data
        return text
    if text is None or not text.lstrip().startswith(("{", "[")):
        resolve_config(model, text)  # an unknown name fails here, before the data is read
        return text
    return resolve_config(model, json_object(text, "--config", "config fields"))


def _run_ensemble(args: argparse.Namespace, data, model: str, positive, config) -> int:
    from exohunt.training import train_ensemble

    ensemble = train_ensemble(data, model=model, n_members=args.members, out=args.out,
                              seed=args.seed, positive=positive, objective=args.objective,
                              folds=args.folds,
                              device=args.device, imbalance=args.imbalance, epochs=args.epochs,
                              time_budget=args.time_budget, jobs=args.jobs,
                              progress=not args.quiet, cache_dir=args.cache_dir, config=config,
                              context=args.context, prevalence=args.prevalence,
                              weak_positive_weight=args.weak_positive_weight,
                              unfound_planets=args.unfound_planets,
                              signals_per_star=args.signals,
                              objective_snr=args.objective_snr)
    m = ensemble.config["metrics"]
    choice = ensemble.config["threshold"]
    members = ", ".join(f"{ap:.3f}" for ap in m["member_validation_average_precision"])
    print(f"trained {args.members} {model} runs (seeds {args.seed}-{args.seed + args.members - 1})"
          f"; validation AP of each: {members}")
    print(f"out of fold ({choice['out_of_fold_rows']} rows): AP "
          f"{m['out_of_fold_average_precision']:.3f}, threshold {choice['threshold']:.4f} "
          f"({choice.get('objective', args.objective)})")
    print(f"ensemble directory: {args.out}")
    return 0
