"""Benchmark: train every exohunt model on simulated data and score held-out test sets.

Trains on the simulated ``kaggle`` training split (5,087 stars, 37 planets; the ``big`` preset
shares it) and scores the ``kaggle`` test split (570 stars, 5 planets) and the ``big`` test split
(5,000 stars, 150 planets over SNR 5-60, ≥ 10 % EBs). Test data are touched only for scoring.
Reports planet-class precision, recall, F1, AP, recall at injected SNR ≥ 10, the false-positive
rate on EBs (eclipsing + background eclipsing binaries), training wall time and model size, as
Markdown. Repeats with different seeds give the median and the min-max spread.

    .venv/bin/python benchmarks/bench_train.py                 # full run
    .venv/bin/python benchmarks/bench_train.py --quick         # small data, few models
    .venv/bin/python benchmarks/bench_train.py --models gbm --repeats 3

Search features are cached under ``--cache`` (keyed by the flux bytes and FEATURE_VERSION), so
that several models share one search of each dataset; ``--timing`` measures the default model
from scratch (search included) in a fresh process with its peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

from bench_models import planet_rates
from exohunt.simulate import simulate
from exohunt.training import DEFAULT_MODEL, train


def load_data(quick: bool, seed: int = 42) -> dict:
    """Train split plus the two test splits with their truth tables."""
    if quick:
        kaggle = simulate(preset="kaggle", seed=seed, n_train=1500, n_test=400)
        big = simulate(preset="big", seed=seed, n_train=10, n_test=800)
    else:
        kaggle = simulate(preset="kaggle", seed=seed)
        big = simulate(preset="big", seed=seed, n_train=10)  # its train split = kaggle's
    return {"train": kaggle.train, "kaggle": (kaggle.test, kaggle.test_truth),
            "big": (big.test, big.test_truth)}


def test_metrics(probability: np.ndarray, threshold: float, truth: pd.DataFrame) -> dict:
    """Planet-class metrics of one scored test set."""
    labels = truth["label"].to_numpy().astype(int)
    flagged = probability >= threshold
    rates = planet_rates(truth, flagged)
    return {"precision": precision_score(labels, flagged, zero_division=0),
            "recall": recall_score(labels, flagged, zero_division=0),
            "f1": f1_score(labels, flagged, zero_division=0),
            "ap": average_precision_score(labels, probability),
            "recall_snr10": rates["recall_snr10"], "eb_fpr": rates["eb_fp_rate"],
            "found": int(flagged[labels == 1].sum()), "n_pos": int(labels.sum()),
            "false_pos": int(flagged[labels == 0].sum())}


def one_run(data: dict, model: str, seed: int, imbalance: str | None, cache: str,
            budget: float | None, epochs: int | None) -> dict:
    run = train(data["train"], model=model, seed=seed, imbalance=imbalance, cache_dir=cache,
                time_budget=budget, epochs=epochs, jobs=0)
    row = {"model": model, "imbalance": run.config["training"]["imbalance"], "seed": seed,
           "val_ap": run.metrics["average_precision"],
           "train_s": run.metrics["training_seconds"],
           "s_per_batch": run.metrics["seconds_per_batch"],
           "batch_size": run.config["training"]["loop"]["batch_size"],
           "epochs": run.metrics["epochs_run"], "n_params": run.metrics["n_params"]}
    for name in ("kaggle", "big"):
        batch, truth = data[name]
        started = time.perf_counter()
        probability = run.score(batch, cache_dir=cache)
        row[f"{name}_score_s"] = time.perf_counter() - started
        row.update({f"{name}_{k}": v for k, v in
                    test_metrics(probability, run.threshold, truth).items()})
    return row


def summarise(rows: list[dict]) -> str:
    """Markdown: median (min-max) over seeds per (model, imbalance)."""
    frame = pd.DataFrame(rows)
    columns = ["val_ap", "big_f1", "big_ap", "big_recall_snr10", "big_eb_fpr", "kaggle_found",
               "kaggle_false_pos", "train_s"]
    lines = ["| model | imbalance | runs | " + " | ".join(columns) + " |",
             "|" + " --- |" * (len(columns) + 3)]
    for (model, imbalance), group in frame.groupby(["model", "imbalance"], sort=False):
        cells = []
        for column in columns:
            values = group[column].to_numpy(float)
            median = np.median(values)
            cells.append(f"{median:.3g}" if len(values) == 1 else
                         f"{median:.3g} ({values.min():.3g}-{values.max():.3g})")
        lines.append(f"| {model} | {imbalance} | {len(group)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def timing(quick: bool, model: str) -> dict:
    """Train ``model`` from scratch (no cache) and report wall time and peak memory."""
    data = load_data(quick)
    started = time.perf_counter()
    run = train(data["train"], model=model, jobs=0)
    wall = time.perf_counter() - started
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return {"model": model, "wall_s": wall, "peak_mb_largest_process": peak_kb / 1024,
            "preprocessing_s": run.metrics["preprocessing_seconds"]}


def astronet(directory: str, model: str, epochs: int | None, repeats: int) -> str:
    """Train on the AstroNet-Triage train shards, score the val shard (triage and vetting)."""
    from exohunt.io import read

    train_views = read(str(Path(directory) / "train-*"))
    val_views = read(str(Path(directory) / "val-*"))
    lines = ["| task | positive | model | runs | val-shard AP | train s | published AP |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for task, positive, published in (("triage", ("PC", "EB"), 0.970),
                                      ("vetting", ("PC",), 0.693)):
        aps, seconds = [], []
        for seed in range(42, 42 + repeats):
            run = train(train_views, model=model, positive=positive, seed=seed, epochs=epochs,
                        jobs=0)
            labels = val_views.with_positive(positive).labels
            aps.append(average_precision_score(labels, run.score(val_views)))
            seconds.append(run.metrics["training_seconds"])
            print(json.dumps({"task": task, "seed": seed, "ap": aps[-1],
                              "val_ap": run.metrics["average_precision"],
                              "train_s": seconds[-1], "epochs": run.metrics["epochs_run"]}),
                  file=sys.stderr, flush=True)
        spread = f" ({min(aps):.3f}-{max(aps):.3f})" if repeats > 1 else ""
        lines.append(f"| {task} | {'+'.join(positive)} | {model} | {repeats} | "
                     f"{np.median(aps):.3f}{spread} | {np.median(seconds):.0f} | {published} |")
    return "\n".join(lines)


def seed_lstm_speed(batches: int = 3, threads: int = 1) -> dict:
    """Seconds per training batch of 32 of ``seed-lstm`` at 3,197 steps (after one warm-up).

    One torch thread by default: on a shared, oversubscribed machine two OpenMP threads
    spin against other jobs and a batch took > 50 s instead of ~4 s.
    """
    import torch

    from exohunt.models import build_model

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_model("seed-lstm")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs = {"flux": torch.randn(32, 3197)}
    target = (torch.arange(32) % 2).float()
    times = []
    for step in range(batches + 1):
        started = time.perf_counter()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(inputs), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step:
            times.append(time.perf_counter() - started)
    per_batch = float(np.median(times))
    # Notebook: SMOTE on all 5,087 stars -> 2 x 5,050 rows = 316 batches of 32 per epoch.
    return {"seconds_per_batch": per_batch, "spread": [min(times), max(times)],
            "seconds_per_epoch_316_batches": per_batch * 316,
            "notebook_seconds_per_batch": 3.4, "notebook_seconds_per_epoch": 1080}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, two models")
    parser.add_argument("--models", default=None, help="comma-separated models")
    parser.add_argument("--imbalance", default=None, help="comma-separated ablation methods")
    parser.add_argument("--repeats", type=int, default=1, help="seeds per configuration")
    parser.add_argument("--budget", type=float, default=None, help="time budget per training")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--cache", default="/tmp/exohunt-bench-cache")
    parser.add_argument("--timing", action="store_true", help="time the default model only")
    parser.add_argument("--json", default=None, help="also write raw rows to this JSON file")
    parser.add_argument("--astronet", default=None, metavar="DIR",
                        help="AstroNet-Triage shards folder: train on train-*, score val-*")
    parser.add_argument("--seed-lstm-speed", action="store_true",
                        help="time seed-lstm training batches only")
    args = parser.parse_args(argv)
    if args.seed_lstm_speed:
        print(json.dumps(seed_lstm_speed(args.repeats + 2)))
        return 0
    if args.astronet:
        print(astronet(args.astronet, args.models or "twoview", args.epochs, args.repeats))
        return 0
    if args.timing:
        print(json.dumps(timing(args.quick, args.models or DEFAULT_MODEL)))
        return 0
    models = (args.models or ("gbm,cnn" if args.quick else "gbm,twoview,cnn,lstm,cnn-lstm"))
    methods = args.imbalance.split(",") if args.imbalance else [None]
    data = load_data(args.quick)
    rows = []
    for model in models.split(","):
        for method in methods:
            for seed in range(42, 42 + args.repeats):
                row = one_run(data, model, seed, method, args.cache, args.budget, args.epochs)
                print(json.dumps(row), file=sys.stderr, flush=True)
                rows.append(row)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    print(summarise(rows))
    return 0


def timing_subprocess(model: str, quick: bool) -> dict:
    """Run :func:`timing` in a fresh interpreter (so peak memory is this model's alone)."""
    command = [sys.executable, __file__, "--timing", "--models", model] + (["--quick"] * quick)
    return json.loads(subprocess.run(command, check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
