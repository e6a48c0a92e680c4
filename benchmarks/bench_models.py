"""The main side-by-side table: every model trained and scored on the same simulated data.

Usage::

    python benchmarks/bench_models.py            # full: kaggle train, kaggle + big tests
    python benchmarks/bench_models.py --quick    # smaller sets, fewer models, for a smoke run

All rows are measured in one run, on one machine, on the same data: the ``kaggle`` preset's
training split (5,087 stars / 37 planets) for training, and the ``kaggle`` (570 / 5) and
``big`` (≥ 5,000 stars, ≥ 100 planets) test splits for scoring. Each model is trained in a
fresh subprocess through the ``exohunt train`` command, so that its wall time and peak memory
(resident memory of the whole process tree, sampled every 0.1 s) are what a user would see.
Scoring throughput is the median of three passes over the kaggle test split. The classical row
is BLS alone: the search's SDE as the score, its threshold chosen on the training split.

Writes ``benchmarks/results_models.md`` (``results_models_quick.md`` with ``--quick``, so a
smoke run never overwrites the full table) and ``benchmarks/results/recall_vs_snr.png``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "results"
MAIN_MODELS = ("seed-lstm", "lstm", "cnn", "cnn-lstm", "twoview", "lstm-views", "gbm")
ABLATION = ("none", "weights", "smote", "inject")
SNR_BINS = (5, 7, 10, 15, 20, 30, 60)
EB_KINDS = ("eb", "background-eb")


def run_measured(command: list[str], *, stdout=None, stderr=None) -> tuple[float, float, int]:
    """Run ``command``; return (wall seconds, peak RSS of the process tree in MiB, exit code).
    ``stdout``/``stderr``: open files to capture the output in (default: inherited)."""
    import psutil

    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = process.wait()
    done.set()
    sampler.join()
    return time.perf_counter() - start, peak / 2**20, status


def planet_rates(truth: pd.DataFrame, flagged: np.ndarray) -> dict[str, float]:
    """Recall at injected SNR ≥ 10 and the false-positive rate on (background) EBs."""
    snr = truth["snr"].to_numpy(dtype=float)
    strong = (truth["label"].to_numpy() == 1) & (snr >= 10)
    ebs = truth["kind"].isin(EB_KINDS).to_numpy()
    return {
        "recall_snr10": float(flagged[strong].mean()) if strong.any() else float("nan"),
        "eb_fp_rate": float(flagged[ebs].mean()) if ebs.any() else float("nan"),
    }


def recall_by_snr(truth: pd.DataFrame, flagged: np.ndarray) -> list[float]:
    """Recall of planets in each SNR bin of :data:`SNR_BINS`."""
    planets = truth["label"].to_numpy() == 1
    snr = truth["snr"].to_numpy(dtype=float)
    out = []
    for low, high in itertools.pairwise(SNR_BINS):
        in_bin = planets & (snr >= low) & (snr < high)
        out.append(float(flagged[in_bin].mean()) if in_bin.any() else float("nan"))
    return out


def planets_by_snr(truth: pd.DataFrame) -> list[int]:
    """Number of planets in each SNR bin of :data:`SNR_BINS`."""
    planets = truth["label"].to_numpy() == 1
    snr = truth["snr"].to_numpy(dtype=float)
    return [int((planets & (snr >= low) & (snr < high)).sum())
            for low, high in itertools.pairwise(SNR_BINS)]


def offered_periods(top_period: np.ndarray, truth: pd.DataFrame) -> np.ndarray:
    """Per star: is the search's top period at the injected one or a ½×/2× alias (0.5 %,
    ``bench_search``'s rule)? NaN periods (no signal) are never offered."""
    from bench_search import _match  # the search benchmark's own period-match rule

    return np.array([bool(np.isfinite(p)) and _match(p, t, 5e-3, aliases=True)
                     for p, t in zip(top_period, truth["period_days"].to_numpy(float))])


def score_row(name: str, probability: np.ndarray, threshold: float, labels: np.ndarray,
              truth: pd.DataFrame, seed: int) -> dict:
    """Planet-class metrics with bootstrap intervals plus the truth-based rates."""
    from exohunt.evaluation import classification_metrics

    metrics = classification_metrics(labels, probability, threshold, n_bootstrap=1000, seed=seed)
    flagged = probability >= threshold
    return {"model": name, **metrics, **planet_rates(truth, flagged),
            "recall_by_snr": recall_by_snr(truth, flagged)}


def train_models(models: list[str], train_csv: Path, args: argparse.Namespace,
                 imbalance: str | None = None, tag: str = "") -> dict[str, dict]:
    """Train each model in its own subprocess; return timing and memory per model."""
    out = {}
    for model in models:
        run_dir = WORK / f"run-{model}{tag}"
        command = [sys.executable, "-m", "exohunt.cli", "train", str(train_csv), "--model", model,
                   "--out", str(run_dir), "--seed", str(args.seed), "--no-progress",
                   # search-based models share one search of the training set
                   "--cache-dir", str(WORK / "cache")]
        if model == "seed-lstm":
            command += ["--time-budget", str(args.seed_lstm_budget)]
        if imbalance:
            command += ["--imbalance", imbalance]
        print(f"[bench_models] {' '.join(command)}", flush=True)
        seconds, peak_mib, status = run_measured(command)
        out[model] = {"run_dir": run_dir, "train_seconds": seconds, "peak_mib": peak_mib,
                      "status": status}
    return out


def bls_alone_scores(train, test_sets, jobs: int) -> tuple[float, dict[str, np.ndarray]]:
    """SDE as the score; the threshold maximising F1 on the training split."""
    from sklearn.metrics import precision_recall_curve

    from exohunt.search import extract_features

    train_sde = extract_features(train, jobs=jobs).stats["sde"].to_numpy()
    precision, recall, thresholds = precision_recall_curve(train.labels, train_sde)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    threshold = float(thresholds[int(np.argmax(f1[:-1]))])
    scores = {name: extract_features(batch, jobs=jobs).stats["sde"].to_numpy()
              for name, (batch, _) in test_sets.items()}
    return threshold, scores


def search_ceiling(test_sets: dict) -> str:
    """What the search hands the search-then-vet models: the share of test planets whose top
    signal is at the injected period or its ½× / 2× alias (0.5 %), by injected SNR, and the
    F1 a perfect classifier of those signals would reach (precision 1, recall = that share).

    Reported for the record of what the targets ask, never used to choose anything."""
    from exohunt.training.features import extract

    lines = ["| test | planets | " + " | ".join(f"SNR {a}-{b}" for a, b in
                                                 itertools.pairwise(SNR_BINS))
             + " | all | F1 ceiling |", "|" + "---|" * (len(SNR_BINS) + 3)]
    for name, (batch, truth) in test_sets.items():
        found = extract(batch, "tabular", cache_dir=WORK / "cache").signals["period_days"]
        offered = offered_periods(found.to_numpy(float), truth)
        planet = truth["label"].to_numpy() == 1
        cells = [f"{share:.2f} ({n})" if n else "–"
                 for share, n in zip(recall_by_snr(truth, offered), planets_by_snr(truth))]
        share = float(offered[planet].mean())
        lines.append(f"| {name} | {planet.sum()} | " + " | ".join(cells)
                     + f" | {share:.2f} | {2 * share / (1 + share):.2f} |")
    return "\n".join(lines)


def format_interval(row: dict, key: str) -> str:
    low, high = row.get(f"{key}_ci", (float("nan"), float("nan")))
    return f"{row[key]:.2f} [{low:.2f}, {high:.2f}]"


def markdown_table(rows: list[dict]) -> str:
    head = ("| model | test | precision | recall | F1 | AP | recall SNR≥10 | EB FP rate | "
            "train s | peak MiB | stars/s |\n|" + "---|" * 11)
    lines = [head]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['test']} | {format_interval(row, 'precision')} | "
            f"{format_interval(row, 'recall')} | {format_interval(row, 'f1')} | "
            f"{format_interval(row, 'average_precision')} | {row['recall_snr10']:.2f} | "
            f"{row['eb_fp_rate']:.3f} | {row.get('train_seconds', float('nan')):.0f} | "
            f"{row.get('peak_mib', float('nan')):.0f} | "
            f"{row.get('stars_per_s', float('nan')):.0f} |")
    return "\n".join(lines)


def plot_recall_vs_snr(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    centres = [np.sqrt(a * b) for a, b in itertools.pairwise(SNR_BINS)]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for row in rows:
        if row["test"] == "big":
            axis.plot(centres, row["recall_by_snr"], marker="o", label=row["model"])
    axis.set(xscale="log", xlabel="injected SNR", ylabel="recall at stored threshold",
             ylim=(-0.02, 1.02), title="Planet recall vs SNR (big test set)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def evaluate_runs(trained: dict[str, dict], test_sets: dict, seed: int) -> list[dict]:
    """Score every trained run on every test set; time the kaggle scoring three times."""
    from exohunt.training import load_run

    rows = []
    cache = WORK / "cache"  # the big test is searched once for all models; kaggle is timed
    for model, info in trained.items():
        if info["status"] != 0:
            print(f"[bench_models] {model}: training failed (exit {info['status']})", flush=True)
            continue
        run = load_run(info["run_dir"])
        for test_name, (batch, truth) in test_sets.items():
            timings = []
            for _ in range(3 if test_name == "kaggle" else 1):
                start = time.perf_counter()
                probability = run.score(batch, cache_dir=cache if test_name == "big" else None)
                timings.append(time.perf_counter() - start)
            row = score_row(model, probability, run.threshold, batch.labels, truth, seed)
            row.update(test=test_name, train_seconds=info["train_seconds"],
                       peak_mib=info["peak_mib"],
                       stars_per_s=(len(batch) / np.median(timings) if test_name == "kaggle"
                                    else float("nan")),
                       score_seconds_spread=(min(timings), max(timings)))
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--seed-lstm-budget", type=float, default=600.0,
                        help="wall-clock cap for seed-lstm training, seconds")
    parser.add_argument("--ablation-model", default="gbm")
    parser.add_argument("--no-ablation", action="store_true")
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args(argv)

    from exohunt.io.writers import write_kaggle_csv
    from exohunt.simulate import simulate

    WORK.mkdir(parents=True, exist_ok=True)
    sizes = {"n_train": 1500, "n_test": 300} if args.quick else {}
    kaggle = simulate(preset="kaggle", seed=args.seed, **sizes)
    big = simulate(preset="big", seed=args.seed + 1, **({"n_train": 10, "n_test": 1000}
                                                           if args.quick else {}))
    train_csv = WORK / "train.csv"
    write_kaggle_csv(train_csv, kaggle.train)
    test_sets = {"kaggle": (kaggle.test, kaggle.test_truth), "big": (big.test, big.test_truth)}
    if args.quick:
        args.seed_lstm_budget = min(args.seed_lstm_budget, 60.0)
    models = args.models or (["seed-lstm", "cnn", "gbm", "twoview"] if args.quick
                             else list(MAIN_MODELS))

    rows = evaluate_runs(train_models(models, train_csv, args), test_sets, args.seed)

    threshold, bls_scores = bls_alone_scores(kaggle.train, test_sets, args.jobs)
    for test_name, (batch, truth) in test_sets.items():
        rows.append({**score_row("BLS alone (SDE)", bls_scores[test_name], threshold,
                                 batch.labels, truth, args.seed), "test": test_name})

    ablation_rows = []
    if not args.no_ablation:
        for method in ABLATION:
            trained = train_models([args.ablation_model], train_csv, args, method, f"-{method}")
            for row in evaluate_runs(trained, test_sets, args.seed):
                row["model"] = f"{args.ablation_model} + {method}"
                ablation_rows.append(row)

    plot_recall_vs_snr(rows, WORK / "recall_vs_snr.png")
    text = ["## Models side by side (`python benchmarks/bench_models.py"
            f"{' --quick' if args.quick else ''}`)\n",
            f"Training: kaggle preset train split ({len(kaggle.train)} stars, "
            f"{int(kaggle.train.labels.sum())} planets), seed {args.seed}. Intervals: 95% "
            "bootstrap. Train s and peak MiB: one training run each (process tree RSS). "
            "stars/s: median of 3 scoring passes over the kaggle test split (search included "
            "for search-based models).\n", markdown_table(rows)]
    if ablation_rows:
        text += ["\n### Imbalance ablation\n", markdown_table(ablation_rows)]
    text += ["\n### What the search offers the classifier\n",
             "Share of test planets whose top search signal is at the injected period or a "
             "½×/2× alias (within 0.5 %), by injected SNR (planets in brackets); the F1 "
             "ceiling is that of a perfect vetting of those signals (precision 1, recall = "
             "the share). Measured on the test sets for the record only.\n",
             search_ceiling(test_sets)]
    name = "results_models_quick.md" if args.quick else "results_models.md"
    (HERE / name).write_text("\n".join(text) + "\n")
    (WORK / "models.json").write_text(json.dumps(rows + ablation_rows, indent=1, default=str))
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
