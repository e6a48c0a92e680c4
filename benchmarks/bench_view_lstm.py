"""Benchmark: the ``lstm-views`` CNN-LSTM against ``twoview`` and ``gbm``, trained the same way.

Every model is trained with ``exohunt.training.train`` on the simulated ``kaggle`` training split
(seed 42: 5,087 stars, 37 planets) with injection augmentation (``imbalance="inject"``), and
scored on a *development* set: the ``big`` preset's test split simulated with seed 1000
(5,000 stars, 150 planets over SNR 5-60, 25 % EBs). The benchmark test sets (big seed 43,
kaggle seed 42) are never touched here, so choices made on this table do not leak into them.

Reported per model and seed: validation AP (the run's own split), and on the dev set
precision / recall / F1 at the run's stored threshold, AP, recall at injected SNR ≥ 10 and the
false-positive rate on (background) eclipsing binaries, plus training time.

    .venv/bin/python benchmarks/bench_view_lstm.py                       # all three, seed 42
    .venv/bin/python benchmarks/bench_view_lstm.py --models lstm-views --seeds 42 43 44
    .venv/bin/python benchmarks/bench_view_lstm.py --config '{"hidden": 48}' --tag h48

Search features are cached under ``--cache`` (train() and Run.score key them by flux bytes and
search code). The injected augmentation rows are the same for every model of one seed, so they
are memoised here, on disk, keyed by the rows, the arguments and the source of the search and
augmentation code: the three models then train on identical data and the search of the
injected stars runs once per seed.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd

import exohunt
import exohunt.training.api as api
import exohunt.training.augment as augment
from bench_train import test_metrics  # benchmarks/ is on the path when run as a script

HERE = Path(__file__).resolve().parent

# The training defaults proposed for MODEL_DEFAULTS["lstm-views"] (used only where
# training/api.py does not define them yet).
LSTM_VIEWS_DEFAULTS = {"imbalance": "inject",
                       "loop": {"epochs": 25, "batch_size": 128, "learning_rate": 2e-3,
                                "weight_decay": 1e-4, "patience": 6, "reverse_augment": True},
                       # injected diluted-EB negatives, as for gbm (ignored by older api.py)
                       "augment": {"binaries_per_planet": 1.0}}
MODELS = ("lstm-views", "twoview", "gbm")


def _code_digest() -> str:
    digest = hashlib.sha256()
    for package in (Path(exohunt.__file__).parent / "search",):
        for source in sorted(package.glob("*.py")):
            digest.update(source.read_bytes())
    digest.update(Path(augment.__file__).read_bytes())
    digest.update(Path(api.__file__).read_bytes())  # how train() picks hosts and options
    return digest.hexdigest()


def memoise_injection(cache: Path) -> None:
    """Wrap ``augment.injected_features`` with an on-disk cache (benchmark-side only).

    Whatever it returns (features, or features and labels) is stored as is."""
    original = augment.injected_features

    @functools.wraps(original)
    def cached(data, rows, labels, kind, **kwargs):
        key = hashlib.sha256()
        key.update(np.ascontiguousarray(data.flux[rows]).tobytes())
        key.update(np.asarray(labels)[rows].tobytes())
        # Views and statistics come from the same search for "views" and "tabular" models.
        key.update(("sequence" if kind == "sequence" else "search").encode())
        for name, value in sorted(kwargs.items()):
            if name in ("jobs", "progress"):
                continue
            # Arrays (e.g. the chosen host rows) by content: their repr elides the middle.
            value = (np.ascontiguousarray(value).tobytes() if isinstance(value, np.ndarray)
                     else repr(value).encode())
            key.update(name.encode() + b"=" + value + b";")
        key.update(_code_digest().encode())
        path = cache / f"injected-{key.hexdigest()[:24]}.pkl"
        if path.exists():
            return pickle.loads(path.read_bytes())
        result = original(data, rows, labels, kind, **kwargs)
        path.write_bytes(pickle.dumps(result))
        return result

    augment.injected_features = cached


def one_run(train_batch, dev, truth, model: str, seed: int, cache: Path, config: dict | None,
            loop: dict | None) -> dict:
    """Train ``model`` with injection, score the dev set; one row of metrics."""
    run = exohunt.train(train_batch, model=model, seed=seed, imbalance="inject",
                        cache_dir=cache, jobs=2, config=config if model == "lstm-views" else None,
                        loop=loop if model == "lstm-views" else None)
    started = time.perf_counter()
    probability = run.score(dev, cache_dir=cache)
    metrics = test_metrics(probability, run.threshold, truth)
    return {"model": model, "seed": seed, "val_ap": run.metrics["average_precision"],
            "threshold": run.threshold, "epochs": run.metrics.get("epochs_run"),
            "train_s": run.metrics["training_seconds"], "score_s": time.perf_counter() - started,
            "n_params": run.metrics.get("n_params"), **metrics}


def table(rows: list[dict]) -> str:
    """Markdown: one line per run, then the median over seeds per model."""
    columns = ["val_ap", "precision", "recall", "f1", "ap", "recall_snr10", "eb_fpr", "found",
               "false_pos", "train_s"]
    lines = ["| model | seed | " + " | ".join(columns) + " |", "|" + " --- |" * (len(columns) + 2)]
    frame = pd.DataFrame(rows)
    for _, row in frame.iterrows():
        lines.append(f"| {row['model']} | {row['seed']} | "
                     + " | ".join(f"{row[c]:.3g}" for c in columns) + " |")
    for model, group in frame.groupby("model", sort=False):
        if len(group) > 1:
            lines.append(f"| **{model}** | median of {len(group)} | " + " | ".join(
                f"{np.median(group[c].to_numpy(float)):.3g}" for c in columns) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[42])
    parser.add_argument("--cache", type=Path, default=HERE / "results" / "cache")
    parser.add_argument("--config", type=json.loads, default=None,
                        help="lstm-views config overrides (JSON)")
    parser.add_argument("--loop", type=json.loads, default=None,
                        help="lstm-views loop overrides (JSON)")
    parser.add_argument("--tag", default="", help="label of this variant in the JSON output")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "view_lstm_runs.jsonl")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    api.MODEL_DEFAULTS.setdefault("lstm-views", LSTM_VIEWS_DEFAULTS)
    memoise_injection(args.cache)
    train_batch = exohunt.simulate(preset="kaggle", seed=42).train
    dev_set = exohunt.simulate(preset="big", seed=1000, n_train=10)  # NOT the benchmark seed
    rows = []
    for seed in args.seeds:
        for model in args.models:
            row = one_run(train_batch, dev_set.test, dev_set.test_truth, model, seed,
                          args.cache, args.config, args.loop)
            row.update(tag=args.tag, config=args.config, loop=args.loop)
            print(json.dumps(row, default=str), flush=True)
            with args.json.open("a") as handle:
                handle.write(json.dumps(row, default=str) + "\n")
            rows.append(row)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
