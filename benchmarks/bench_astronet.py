"""Benchmark: ``twoview`` on AstroNet-Triage, triage (PC+EB vs J) and vetting (PC vs rest).

Every training run uses :func:`exohunt.training.train` unchanged: it carves its own stratified
validation split (20 %) from the 8 train shards for early stopping, checkpoint and threshold.
Several candidate configurations are trained with the same seeds; the candidate of each task
is *selected on the mean internal-validation AP over the seeds every candidate ran* (paired;
never on the val shard). The val shard is
our test set: it is only scored, and reported for every candidate (selected one marked) as

- single model: median (min-max) AP over seeds;
- seed average: AP of the mean probability of all seeds of that candidate (an ensemble of
  members each trained on its own 80 % split), with a bootstrap 95 % interval over events.

Runs go to a process pool (one GPU shared by all workers); jobs are queued seed by seed so a
wall-clock ``--budget`` cuts the number of seeds, not whole candidates. Writes
``astronet_results.md``, ``astronet_jobs.jsonl`` and ``astronet_scores.npz`` to ``--out``.

    .venv/bin/python benchmarks/bench_astronet.py --quick                    # CPU smoke test
    PYTHONPATH=src python3 benchmarks/bench_astronet.py --data .astronet --device cuda \
        --workers 12 --seeds 10 --budget 400 --out "$OUT"                     # all candidates
    PYTHONPATH=src python3 benchmarks/bench_astronet.py ... --only triage:astronet,\
        vetting:astronet --first-seed 46 --seeds 4 --out "$OUT"   # more seeds of the chosen
    .venv/bin/python benchmarks/bench_astronet.py --summarise a.jsonl b.jsonl  # merge runs
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score

TASKS = {"triage": (("PC", "EB"), 0.970), "vetting": (("PC",), 0.693)}
# name -> (model, named configuration): the registry's configs, each with the loop settings it
# was tuned with (exohunt.models.MODELS[model].configs).
CANDIDATES = {
    "small": ("twoview", "small"),
    "astronet": ("twoview", "astronet"),
    "astronet-bn": ("twoview", "astronet-bn"),
    # boosted trees on both views, the four scalars and the view statistics (CPU, seconds)
    "gbm": ("gbm", "default"),
    # its "large" configuration (31 leaves, up to 600 trees), preferred by 5-fold
    # cross-validation on the train shards (explore_view_stats.py)
    "gbm-large": ("gbm", "large"),
}
MIN_JOB_SECONDS = 25.0
_STATE: dict = {}


def _init(train_views, val_views, device: str) -> None:
    import torch
    from threadpoolctl import threadpool_limits

    # One thread per worker, for torch and for the trees' OpenMP alike: two workers with
    # OpenMP's default of a thread per core oversubscribe the cores, and gbm runs then took
    # up to 20x longer.
    torch.set_num_threads(1)
    threadpool_limits(1)
    _STATE.update(train=train_views, val=val_views, device=device)


def _job(task: str, candidate: str, seed: int, deadline: float, epochs: int | None) -> dict:
    """Train one (task, candidate, seed) run and score the val shard."""
    from exohunt.training import train

    row = {"task": task, "candidate": candidate, "seed": seed}
    budget = deadline - time.time()
    if budget < MIN_JOB_SECONDS:
        return {**row, "skipped": True}
    model, config = CANDIDATES[candidate]
    started = time.perf_counter()
    run = train(_STATE["train"], model=model, positive=TASKS[task][0], seed=seed,
                device=_STATE["device"], config=config, epochs=epochs,
                time_budget=budget, jobs=1)
    probability = run.score(_STATE["val"])
    return {**row, "skipped": False, "internal_val_ap": run.metrics["average_precision"],
            "epochs": run.metrics.get("epochs_run") if model != "gbm" else None,  # trees
            "best_epoch": run.metrics.get("best_epoch"),
            "stopped": run.metrics.get("stopped"), "n_params": run.metrics.get("n_params"),
            "train_s": run.metrics["training_seconds"], "wall_s": time.perf_counter() - started,
            "probability": probability.tolist()}


def load(directory: str, quick: bool) -> tuple:
    """Train and val-shard ViewBatches (``quick``: a seeded subset of each)."""
    from exohunt.batch import ViewBatch
    from exohunt.io import read

    train_views, val_views = read(str(Path(directory) / "train-*")), \
        read(str(Path(directory) / "val-*"))
    if quick:
        rng = np.random.default_rng(0)

        def subset(views, n):
            rows = np.sort(rng.choice(len(views), n, replace=False))
            return ViewBatch(views.global_view[rows], views.local_view[rows], None,
                             views.table.iloc[rows].reset_index(drop=True), views.source)

        train_views, val_views = subset(train_views, 600), subset(val_views, 300)
    return train_views, val_views


def _finished(future, job: tuple) -> dict:
    try:
        return future.result()
    except Exception as error:  # one failed run must not lose the others
        return dict(zip(("task", "candidate", "seed"), job), skipped=True, error=repr(error))


def run_jobs(train_views, val_views, args, out: Path) -> list[dict]:
    """All jobs, seed-major, ``--workers`` at a time. A job is started only if a run of its
    candidate, as long as the median finished one, would end before the deadline. Each
    finished row (val-shard scores included) is appended to ``astronet_jobs.jsonl``, which
    ``--summarise`` reads back."""
    deadline = time.time() + args.budget
    pairs = [(t, c) for t in TASKS for c in CANDIDATES]
    if args.only:
        pairs = [tuple(pair.split(":")) for pair in args.only.split(",")]
        unknown = [p for p in pairs if len(p) != 2 or p[0] not in TASKS or p[1] not in CANDIDATES]
        if unknown:
            raise SystemExit(f"--only: unknown TASK:CANDIDATE {unknown}; tasks {list(TASKS)}, "
                             f"candidates {list(CANDIDATES)}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    pending = deque((task, candidate, seed) for seed in seeds for task, candidate in pairs)
    durations: dict[str, list[float]] = {c: [] for c in CANDIDATES}
    rows, running = [], {}
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn"), initializer=_init,
                             initargs=(train_views, val_views, args.device)) as pool, \
            open(out / "astronet_jobs.jsonl", "w") as log:
        while pending or running:
            while pending and len(running) < args.workers:
                job = pending.popleft()
                expected = np.median(durations[job[1]]) if durations[job[1]] else 0.0
                if time.time() + expected > deadline:
                    rows.append(dict(zip(("task", "candidate", "seed"), job), skipped=True))
                    continue
                running[pool.submit(_job, *job, deadline, args.epochs)] = job
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                row = _finished(future, running.pop(future))
                rows.append(row)
                if not row.get("skipped"):
                    durations[row["candidate"]].append(row["wall_s"])
                print(json.dumps({k: v for k, v in row.items() if k != "probability"}),
                      file=sys.stderr, flush=True)
                log.write(json.dumps(row) + "\n")  # with the val-shard scores
                log.flush()
    return [r for r in rows if not r.get("skipped")]


def read_rows(paths: list[str]) -> list[dict]:
    """Finished rows of ``astronet_jobs.jsonl`` files; the first of a repeated run is kept."""
    rows: dict[tuple, dict] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            row = json.loads(line)
            if not row.get("skipped"):
                rows.setdefault((row["task"], row["candidate"], row["seed"]), row)
    return list(rows.values())


def bootstrap_ap(labels: np.ndarray, score: np.ndarray, n: int = 1000,
                 seed: int = 0) -> tuple[float, float]:
    """95 % bootstrap interval (resampling events) of the average precision."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        rows = rng.integers(0, len(labels), len(labels))
        if 0 < labels[rows].sum() < len(rows):
            values.append(average_precision_score(labels[rows], score[rows]))
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def select(done: dict[str, list[dict]]) -> str:
    """The candidate with the best mean internal-validation AP over the seeds that every
    candidate has run (paired: same validation split, same initialisation seed)."""
    common = set.intersection(*({r["seed"] for r in rows} for rows in done.values()))
    if not common:
        raise SystemExit("no seed was run with every candidate: cannot select")
    return max(done, key=lambda c: np.mean([r["internal_val_ap"] for r in done[c]
                                            if r["seed"] in common]))


def summarise(rows: list[dict], val_views) -> tuple[str, dict]:
    """Markdown table per task and candidate, and the seed-averaged scores."""
    lines = ["| task | candidate | seeds | internal val AP (mean) | val-shard AP, single "
             "(median, min-max) | val-shard AP, seed average [95 % CI] | train s (median) | "
             "epochs (median) | cut by budget | published |", "|" + " --- |" * 10]
    averaged = {}
    for task, (positive, published) in TASKS.items():
        labels = val_views.with_positive(positive).labels.astype(int)
        done = {c: [r for r in rows if r["task"] == task and r["candidate"] == c]
                for c in CANDIDATES}
        done = {c: sorted(v, key=lambda r: r["seed"]) for c, v in done.items() if v}
        if not done:
            continue
        chosen = select(done)
        for candidate, group in done.items():
            single = [average_precision_score(labels, r["probability"]) for r in group]
            mean = np.mean([r["probability"] for r in group], axis=0)
            averaged[f"{task}/{candidate}"] = mean
            low, high = bootstrap_ap(labels, mean)
            mark = " (selected)" if candidate == chosen else ""
            lines.append(
                f"| {task} | {candidate}{mark} | {len(group)} | "
                f"{np.mean([r['internal_val_ap'] for r in group]):.3f} | "
                f"{np.median(single):.3f} ({min(single):.3f}-{max(single):.3f}) | "
                f"{average_precision_score(labels, mean):.3f} [{low:.3f}-{high:.3f}] | "
                f"{np.median([r['train_s'] for r in group]):.0f} | "
                f"{_median_epochs(group)} | "
                f"{sum(r['stopped'] == 'time_budget' for r in group)} | {published} |")
    return "\n".join(lines), averaged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/astronet_triage")
    parser.add_argument("--device", default="auto", help="torch device of every run")
    parser.add_argument("--workers", type=int, default=2, help="training processes at once")
    parser.add_argument("--seeds", type=int, default=1, help="seeds per task and candidate")
    parser.add_argument("--budget", type=float, default=3600.0,
                        help="wall-clock seconds for all training; later jobs are skipped")
    parser.add_argument("--epochs", type=int, default=None, help="cap every run's epochs")
    parser.add_argument("--quick", action="store_true",
                        help="600 train / 300 val events, 2 epochs: a smoke test")
    parser.add_argument("--out", default="/tmp/exohunt-astronet")
    parser.add_argument("--first-seed", type=int, default=42)
    parser.add_argument("--only", default=None, metavar="TASK:CANDIDATE,...",
                        help="train only these pairs (e.g. more seeds of selected candidates)")
    parser.add_argument("--summarise", nargs="+", default=None, metavar="JSONL",
                        help="no training: summarise the rows of earlier astronet_jobs.jsonl "
                             "files (a seed run twice counts once)")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = args.epochs or 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    train_views, val_views = load(args.data, args.quick)
    if args.summarise:
        rows = read_rows(args.summarise)
    else:
        rows = run_jobs(train_views, val_views, args, out)
    table, averaged = summarise(rows, val_views)
    np.savez(out / "astronet_scores.npz", dispositions=val_views.table["disposition"].to_numpy(
        str), **{k.replace("/", "__"): v for k, v in averaged.items()})
    import torch

    from _machine import machine_description

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    text = "\n".join([
        f"Machine: {machine_description('torch', 'numpy')}; {gpu}.",
        f"Command: `{' '.join(sys.argv)}`; wall {time.perf_counter() - started:.0f} s, "
        f"{len(rows)} runs finished.",
        "Candidates: " + "; ".join(f"{name} = {_describe(model, config)}"
                                   for name, (model, config) in CANDIDATES.items()) + ".", "",
        table])
    (out / "astronet_results.md").write_text(text + "\n")
    print(text)
    return 0


def _median_epochs(group: list[dict]) -> str:
    epochs = [r["epochs"] for r in group if r.get("epochs") is not None]
    return f"{np.median(epochs):.0f}" if epochs else "-"


def _describe(model: str, config_name: str) -> str:
    from exohunt.models import named_config, named_loop

    fields, loop = asdict(named_config(model, config_name)), named_loop(model, config_name)
    if model == "gbm":
        return "gbm " + ", ".join(f"{k} {v}" for k, v in fields.items() if k != "random_state")
    keep = ("global_widths", "local_widths", "global_pool", "local_pool", "hidden",
            "head_layers", "dropout", "batch_norm")
    return ", ".join([f"{k} {fields[k]}" for k in keep] + [f"{k} {v}" for k, v in loop.items()])

if __name__ == "__main__":
    sys.exit(main())
