"""Benchmark: ``exohunt tune`` — a tuned configuration against the default, both retrained
the same way, on AstroNet-Triage.

1. ``tune`` searches the model's space on the 8 train shards only (K folds grouped by TIC);
2. the default configuration and the tuned one (``best_config.json``) are each retrained by
   :func:`exohunt.training.train` — the code of ``exohunt train`` — with the same seeds;
3. the val shard, our test set, is scored once at the end: AP per run, averaged over the
   seeds, and a paired bootstrap 95 % interval (resampling TIC ids) of the gain.

Also counts the val-shard stars (TIC ids) that appear in the train shards too.

    PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/bench_tune.py --model gbm \
        --task vetting --trials 20 --folds 3 --seeds 3 --out /tmp/bench_tune
    PYTHONPATH=src .venv/bin/python benchmarks/bench_tune.py --quick   # smoke test
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, f1_score

TASKS = {"triage": ("PC", "EB"), "vetting": ("PC",)}
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "astronet_triage"


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def avx512() -> bool:
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def shared_stars(train, val) -> tuple[int, int, int, int]:
    """(val events whose TIC is in the train shards, val events, such TICs, val TICs)."""
    train_ids = set(train.table["tic_id"].astype(str))
    val_ids = val.table["tic_id"].astype(str)
    inside = val_ids.isin(train_ids)
    return int(inside.sum()), len(val_ids), int(val_ids[inside].nunique()), int(val_ids.nunique())


def paired_bootstrap(labels, groups, tuned: np.ndarray, default: np.ndarray, n: int,
                     seed: int = 0) -> tuple[float, float, float, float]:
    """95 % intervals of the seed-mean AP gain (tuned − default) and of each side, resampling
    stars (``groups``) with replacement. ``tuned``/``default``: (seeds, N) probabilities."""
    rng = np.random.default_rng(seed)
    unique, members = np.unique(groups, return_inverse=True)
    rows_of = [np.flatnonzero(members == g) for g in range(len(unique))]
    gains = []
    for _ in range(n):
        rows = np.concatenate([rows_of[g] for g in rng.integers(0, len(unique), len(unique))])
        if not 0 < labels[rows].sum() < len(rows):
            continue
        ap = [np.mean([average_precision_score(labels[rows], p[rows]) for p in side])
              for side in (tuned, default)]
        gains.append(ap[0] - ap[1])
    low, high = np.percentile(gains, [2.5, 97.5])
    return float(low), float(high), float(np.mean(np.array(gains) > 0)), len(gains)


def runner_up_config(args, positive, tune_dir: Path, trial) -> Path:
    """A ``best_config.json``-style file (what ``exohunt train --config`` reads) for ``trial``
    of the study in ``tune_dir``, written beside it as ``trial<N>_config.json``."""
    from exohunt.tuning.api import plan_search
    from exohunt.tuning.objective import best_settings
    from exohunt.tuning.report import write_best_config

    plan = plan_search(args.model, tune_dir, trials=args.trials, folds=args.folds,
                       positive=positive, epochs=args.epochs)
    return write_best_config(tune_dir / f"trial{trial.number}_config.json", args.model,
                             best_settings(plan.setup, trial.params), trial,
                             {"note": "runner-up of the study, for the noise comparison"})


def trial_spread(trials) -> str:
    """Min, median and max CV AP of the complete trials, and the per-fold APs of the best."""
    values = sorted(t.value for t in trials if t.state.name == "COMPLETE")
    if not values:
        return "none complete"
    return (f"{len(values)} complete, min {values[0]:.4f}, median {np.median(values):.4f}, "
            f"max {values[-1]:.4f}")


def write_results(out: Path, report: str, rows: list[dict]) -> int:
    """``results.md`` (the printed report) and ``runs.jsonl`` (one line per retrained run)
    into ``out``; returns the exit status 0."""
    (out / "results.md").write_text(report + "\n")
    (out / "runs.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    print(report)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--model", default="gbm")
    parser.add_argument("--task", default="vetting", choices=sorted(TASKS))
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=None,
                        help="wall seconds after which the search starts no new trial")
    parser.add_argument("--out", default="/tmp/bench_tune")
    parser.add_argument("--quiet", action="store_true", help="no line per finished trial")
    parser.add_argument("--runner-up", action="store_true",
                        help="when the search keeps the default (trial 0), retrain the best "
                             "other complete trial against it instead: the val-shard noise "
                             "between two configurations the search could not tell apart")
    parser.add_argument("--quick", action="store_true",
                        help="a 1,500-event subset, 3 trials, 1 seed: a smoke test")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).parent))
    from _machine import machine_description
    from exohunt.batch import ViewBatch
    from exohunt.io import read
    from exohunt.training import train
    from exohunt.tuning import tune

    positive = TASKS[args.task]
    train_views = read(str(Path(args.data) / "train-*"))
    val_views = read(str(Path(args.data) / "val-*")).with_positive(positive)
    if args.quick:
        rows = np.random.default_rng(0).choice(len(train_views), 1500, replace=False)
        train_views = ViewBatch(train_views.global_view[rows], train_views.local_view[rows],
                                None, train_views.table.iloc[rows].reset_index(drop=True),
                                train_views.source)
        args.trials, args.seeds, args.bootstrap = 3, 1, 100
    out = Path(args.out)
    shared = shared_stars(train_views, val_views)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    result = tune(train_views, args.model, out / "tune", trials=args.trials, folds=args.folds,
                  positive=positive, epochs=args.epochs, jobs=1, retrain=False,
                  timeout=args.timeout, progress=not args.quiet, device="cpu")
    tune_wall, tune_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    trials = result.study.get_trials(deepcopy=False)
    baseline_cv = trials[0].value  # trial 0 is the base configuration
    chosen, chosen_value, chosen_config = (result.study.best_trial, result.best_value,
                                           str(result.best_config))
    if chosen.number == 0:
        print(f"the search ({len(trials)} trials, {tune_wall:.0f} s wall, {tune_cpu:.0f} CPU s) "
              f"kept the default configuration (CV AP {baseline_cv:.4f}): the gain is 0 by "
              "construction" + ("; retraining the runner-up against it" if args.runner_up
                                else ", nothing to retrain"), flush=True)
        others = [t for t in trials if t.state.name == "COMPLETE" and t.number != 0]
        if not (args.runner_up and others):
            return 0
        chosen = max(others, key=lambda t: t.value)
        chosen_value = chosen.value
        chosen_config = str(runner_up_config(args, positive, out / "tune", chosen))
    scores: dict[str, list] = {"default": [], "tuned": []}
    rows_out = []
    retrain_started, retrain_cpu_started = time.perf_counter(), cpu_seconds()
    labels = val_views.labels.astype(int)
    for seed in range(42, 42 + args.seeds):
        for name, config in (("default", None), ("tuned", chosen_config)):
            tick = time.perf_counter()
            run = train(train_views, args.model, seed=seed, positive=positive, config=config,
                        jobs=1, device="cpu", epochs=args.epochs)
            probability = run.score(val_views)
            scores[name].append(probability)
            rows_out.append({"seed": seed, "config": name, "internal_val_ap":
                             run.metrics["average_precision"],
                             "val_shard_ap": average_precision_score(labels, probability),
                             "val_shard_f1": f1_score(labels, probability >= run.threshold),
                             "train_s": time.perf_counter() - tick})
            print(json.dumps(rows_out[-1]), flush=True)
    retrain_wall = time.perf_counter() - retrain_started
    retrain_cpu = cpu_seconds() - retrain_cpu_started
    tuned, default = np.array(scores["tuned"]), np.array(scores["default"])
    low, high, share, n_boot = paired_bootstrap(labels, val_views.table["tic_id"].astype(str)
                                                .to_numpy(), tuned, default, args.bootstrap)
    mean = {k: float(np.mean([r["val_shard_ap"] for r in rows_out if r["config"] == k]))
            for k in scores}
    f1 = {k: float(np.mean([r["val_shard_f1"] for r in rows_out if r["config"] == k]))
          for k in scores}
    counts = {s: sum(t.state.name == s for t in trials) for s in ("COMPLETE", "PRUNED", "FAIL")}
    verdict = ("inside the noise" if low <= 0 <= high else
               ("a gain" if low > 0 else "a loss") + " beyond the bootstrap noise")
    label = "runner-up" if chosen.number != result.study.best_trial.number else "tuned"
    report = "\n".join([
        f"machine: {machine_description('numpy', 'sklearn', 'torch', 'optuna')}; "
        f"AVX-512: {'yes' if avx512() else 'no'}; shared with other jobs at the time",
        f"command: {' '.join(sys.argv)}",
        f"val-shard events whose TIC id is also in the train shards: {shared[0]} of "
        f"{shared[1]} ({shared[2]} of {shared[3]} TIC ids)",
        "",
        f"| {args.task} {args.model} | CV mean AP ({args.folds} folds, train shards) | "
        f"val-shard AP, mean of {args.seeds} seeds | val-shard F1, mean |",
        "| --- | --- | --- | --- |",
        f"| default | {baseline_cv:.4f} (trial 0) | {mean['default']:.4f} | {f1['default']:.3f} |",
        f"| {label} | "
        f"{chosen_value:.4f} (trial {chosen.number}) | "
        f"{mean['tuned']:.4f} | {f1['tuned']:.3f} |",
        "",
        f"{label} − default, val-shard AP: {mean['tuned'] - mean['default']:+.4f}, paired "
        "bootstrap 95 % "
        f"interval [{low:+.4f}, {high:+.4f}] over TIC ids ({n_boot} resamples; gain > 0 in "
        f"{share:.0%}): {verdict}.",
        f"search: {len(trials)} trials ({counts['COMPLETE']} complete, {counts['PRUNED']} "
        f"pruned, {counts['FAIL']} failed), {tune_wall:.0f} s wall, {tune_cpu:.0f} CPU s in this "
        "invocation (a resumed study's earlier trials are not timed again); "
        f"best parameters {json.dumps(result.best_params)}",
        f"complete trials' CV AP: {trial_spread(trials)}",
        f"retraining ({2 * args.seeds} runs on all train shards): {retrain_wall:.0f} s wall, "
        f"{retrain_cpu:.0f} CPU s",
    ])
    return write_results(out, report, rows_out)


if __name__ == "__main__":
    sys.exit(main())
