"""Benchmark: ``exohunt tune`` on the simulated development data — a tuned configuration
against the default, both retrained the same way, scored on a held-out split the study never
sees.

1. ``tune`` searches the model's space on the kaggle preset's training split (seed 42, as
   ``bench_models.py`` and ``dev_gbm.py`` train) only: K folds, injections inside each fold;
2. the default configuration and the tuned one (``best_config.json``) are each retrained by
   :func:`exohunt.training.train` — the code of ``exohunt train`` — with the same seeds;
3. the development split (the big preset's seed-1000 test split, ``dev_gbm.py``; never a
   benchmark test split, never seen by the study) is scored once per run: AP, F1 at the stored
   threshold, recall at injected SNR >= 10 and the EB false-positive rate, averaged over the
   seeds, and a paired bootstrap 95 % interval of the AP gain (resampling stars).

``--n-train``/``--n-dev`` shrink both sets for a machine without CPU to spare (the planet
count scales with the preset's planet fraction); the figures say which sizes were used.

    PYTHONPATH=src nice -n 10 .venv/bin/python benchmarks/bench_tune_sim.py --trials 10 \
        --folds 3 --seeds 2 --out /tmp/bench_tune_sim
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, f1_score

DEV_SEED = 1000  # as dev_gbm.py: the development split, never a benchmark's test split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gbm")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=None,
                        help="stars of the training split (default: the preset's 5,087)")
    parser.add_argument("--n-dev", type=int, default=None,
                        help="stars of the development split (default: the preset's 5,000)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=None,
                        help="wall seconds after which the search starts no new trial")
    parser.add_argument("--out", default="/tmp/bench_tune_sim")
    parser.add_argument("--quiet", action="store_true", help="no line per finished trial")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).parent))
    from _machine import machine_description
    from bench_models import planet_rates
    from bench_tune import avx512, cpu_seconds, paired_bootstrap, trial_spread, write_results
    from exohunt.search.features import FEATURE_VERSION
    from exohunt.simulate import simulate
    from exohunt.training import train
    from exohunt.tuning import tune

    out = Path(args.out)
    cache = out / "tune" / "cache" / "features"  # the study's feature cache, shared by runs
    started, cpu_started = time.perf_counter(), cpu_seconds()
    training = simulate(preset="kaggle", seed=42, n_train=args.n_train, n_test=10).train
    development = simulate(preset="big", seed=DEV_SEED, n_train=10, n_test=args.n_dev)
    simulate_wall = time.perf_counter() - started
    labels, truth = development.test_truth["label"].to_numpy(int), development.test_truth
    print(f"training {len(training)} stars ({int(training.labels.sum())} planets), "
          f"development {len(labels)} stars ({labels.sum()} planets), simulated in "
          f"{simulate_wall:.0f} s", flush=True)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    result = tune(training, args.model, out / "tune", trials=args.trials, folds=args.folds,
                  jobs=args.jobs, retrain=False, timeout=args.timeout,
                  progress=not args.quiet, device="cpu")
    tune_wall, tune_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    trials = result.study.get_trials(deepcopy=False)
    baseline_cv = trials[0].value  # trial 0 is the base configuration
    counts = {s: sum(t.state.name == s for t in trials) for s in ("COMPLETE", "PRUNED", "FAIL")}
    search_line = (f"search: {len(trials)} trials ({counts['COMPLETE']} complete, "
                   f"{counts['PRUNED']} pruned, {counts['FAIL']} failed), {tune_wall:.0f} s "
                   f"wall, {tune_cpu:.0f} CPU s (features, fold injections and trials); best "
                   f"trial {result.study.best_trial.number}, parameters "
                   f"{json.dumps(result.best_params)}; complete trials' CV AP: "
                   f"{trial_spread(trials)}")
    print(search_line, flush=True)
    configs = [("default", None)]
    if result.study.best_trial.number != 0:
        configs.append(("tuned", str(result.best_config)))
    rows_out, scores = [], {name: [] for name, _ in configs}
    started, cpu_started = time.perf_counter(), cpu_seconds()
    for seed in range(42, 42 + args.seeds):
        for name, config in configs:
            tick = time.perf_counter()
            run = train(training, args.model, seed=seed, config=config, jobs=args.jobs,
                        device="cpu", cache_dir=cache)
            table = run.predict(development.test, jobs=args.jobs, cache_dir=cache)
            probability = table["probability"].to_numpy(float)
            scores[name].append(probability)
            flagged = probability >= run.threshold
            rows_out.append({"seed": seed, "config": name, "threshold": run.threshold,
                             "dev_ap": average_precision_score(labels, probability),
                             "dev_f1": f1_score(labels, flagged),
                             **planet_rates(truth, flagged),
                             "seconds": time.perf_counter() - tick})
            print(json.dumps(rows_out[-1]), flush=True)
    retrain_wall, retrain_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started

    def mean(name: str, key: str) -> float:
        return float(np.mean([r[key] for r in rows_out if r["config"] == name]))

    header = (f"| {args.model} | CV mean AP ({args.folds} folds, training split) | "
              f"dev AP, mean of {args.seeds} seeds | dev F1 | recall SNR >= 10 | EB FP |")
    table_lines = [header, "| --- | --- | --- | --- | --- | --- |"]
    for name, _ in configs:
        cv = baseline_cv if name == "default" else result.best_value
        trial = 0 if name == "default" else result.study.best_trial.number
        table_lines.append(f"| {name} | {cv:.4f} (trial {trial}) | {mean(name, 'dev_ap'):.4f} | "
                           f"{mean(name, 'dev_f1'):.3f} | {mean(name, 'recall_snr10'):.3f} | "
                           f"{mean(name, 'eb_fp_rate'):.4f} |")
    if len(configs) == 2:
        low, high, share, n_boot = paired_bootstrap(
            labels, np.arange(len(labels)), np.array(scores["tuned"]),
            np.array(scores["default"]), args.bootstrap)
        verdict = ("inside the noise" if low <= 0 <= high else
                   ("a gain" if low > 0 else "a loss") + " beyond the bootstrap noise")
        difference = mean("tuned", "dev_ap") - mean("default", "dev_ap")
        gain = (f"gain in development AP: {difference:+.4f}, paired bootstrap 95 % interval "
                f"[{low:+.4f}, {high:+.4f}] over stars "
                f"({n_boot} resamples; gain > 0 in {share:.0%}): {verdict}.")
    else:
        gain = ("the search kept the default configuration (trial 0 best): the gain is 0 by "
                "construction; the default was retrained and scored for the record only.")
    report = "\n".join([
        f"machine: {machine_description('numpy', 'sklearn', 'torch', 'optuna')}; "
        f"AVX-512: {'yes' if avx512() else 'no'}; shared with other jobs at the time",
        f"command: {' '.join(sys.argv)}",
        f"FEATURE_VERSION: {FEATURE_VERSION}",
        f"training: kaggle preset seed 42, {len(training)} stars "
        f"({int(training.labels.sum())} planets); development (held out, never in the study): "
        f"big preset seed {DEV_SEED} test split, {len(labels)} stars ({labels.sum()} planets)",
        "", *table_lines, "", gain, search_line,
        f"retraining and scoring ({len(rows_out)} runs): {retrain_wall:.0f} s wall, "
        f"{retrain_cpu:.0f} CPU s",
    ])
    return write_results(out, report, rows_out)


if __name__ == "__main__":
    sys.exit(main())
