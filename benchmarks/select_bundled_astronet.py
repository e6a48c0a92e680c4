"""Choose the bundled AstroNet models by cross-validation on the Astronet-Triage *train* shards.

Issue 16: the configuration of ``astronet-triage`` (PC + EB vs junk) and ``astronet-vetting``
(PC vs EB + junk) is chosen here, grouped by star, and never by the val shard (which this script
does not read). Five folds (``exohunt.tuning.folds``' ``StratifiedGroupKFold`` split by TIC id:
the records of one star never sit on both sides). In each fold every candidate is what
``exohunt train --model gbm --config C --members M`` would train on the fold's training part:
member ``m`` draws its own stratified 20 % early-stopping split with seed ``seed + m`` (as
``train``'s validation split does), keeps the number of trees with the best AP there, and the
members' probabilities are averaged on the fold's held-out stars. Members are nested (the
3-member ensemble is the first three of the 5-member one), so a fold fits each configuration
``max(members)`` times.

Only ``gbm`` candidates are compared: a neural member (``twoview``) costs 1.5-4 CPU minutes a
run against ~15 s for the trees (benchmarks/results_train.md, round 6), so a seed-averaged one
does not fit the bundle's build budget (~15 CPU minutes for both models), and the ensemble
format averages members of one model only.

Prints one JSON line per (task, config, members) and, with ``--out``, writes them as JSON lines.

    python benchmarks/select_bundled_astronet.py [--data ../shared/data/astronet_triage]
        [--folds 5] [--members 5] [--configs default,large] [--tasks triage,vetting] [--out F]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

TASKS = {"triage": ("PC", "EB"), "vetting": ("PC",)}


def member_rows(train_rows: np.ndarray, labels: np.ndarray, seed: int):
    """(fit rows, early-stopping rows) of one member: ``train``'s stratified 20 % split."""
    from sklearn.model_selection import train_test_split

    fit, stop = train_test_split(train_rows, test_size=0.2, stratify=labels[train_rows],
                                 random_state=seed)
    return np.sort(fit), np.sort(stop)


def fold_scores(raw, labels, train_rows, test_rows, config, n_members: int, seed: int):
    """Held-out probabilities of members ``0 .. n_members - 1``, shape (n_members, n_test),
    and the CPU seconds each member took."""
    from exohunt.models.gbm import build_gbm
    from exohunt.training.features import fit_preprocessing, to_inputs
    from exohunt.training.loop import fit_gbm, staged_probability

    scores, seconds = [], []
    for m in range(n_members):
        started = time.process_time()
        fit, stop = member_rows(train_rows, labels, seed + m)
        fitted = fit_preprocessing(raw.subset(fit), "tabular")
        fitted["tabular_views"] = ["global", "local"]  # as train() for a ViewBatch
        x_fit = to_inputs(raw.subset(fit), "tabular", fitted)["X"]
        x_stop = to_inputs(raw.subset(stop), "tabular", fitted)["X"]
        x_test = to_inputs(raw.subset(test_rows), "tabular", fitted)["X"]
        model, result = fit_gbm(build_gbm(replace(config, random_state=seed + m)), x_fit,
                                labels[fit], x_stop, labels[stop], refit=False)
        scores.append(staged_probability(model, x_test, result.best_epoch))
        seconds.append(time.process_time() - started)
    return np.stack(scores), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/astronet_triage")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--members", type=int, default=5, help="largest ensemble tried")
    parser.add_argument("--sizes", default="1,3,5", help="ensemble sizes reported")
    parser.add_argument("--configs", default="default,large")
    parser.add_argument("--tasks", default="triage,vetting")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=None, help="feature cache directory")
    parser.add_argument("--out", default=None, help="append the JSON lines to this file")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from exohunt.io import read
    from exohunt.models import resolve_config
    from exohunt.training.features import extract
    from exohunt.training.threshold import safe_average_precision
    from exohunt.tuning.folds import _splits, star_groups

    sys.path.insert(0, str(Path(__file__).parent))
    from _machine import machine_description

    print("# " + machine_description("numpy", "sklearn"), flush=True)
    views = read(str(Path(args.data) / "train-*"))
    groups = star_groups(views)
    raw = extract(views, "tabular", cache_dir=args.cache)
    sizes = [int(s) for s in args.sizes.split(",")]
    for task in args.tasks.split(","):
        labels = views.with_positive(TASKS[task]).labels.astype(np.int8)
        # the tuning's grouped, stratified outer folds (their inner early-stopping fifth is
        # not used: every member draws its own, as exohunt train does)
        splits = _splits(labels, groups, args.folds, args.seed)
        for config_name in args.configs.split(","):
            config = resolve_config("gbm", None if config_name == "default" else config_name)
            per_size = {n: [] for n in sizes}
            cpu = []
            for fit_rows, stop_rows, test_rows in splits:
                train_rows = np.sort(np.concatenate([fit_rows, stop_rows]))
                with threadpool_limits(1):
                    scores, seconds = fold_scores(raw, labels, train_rows, test_rows, config,
                                                  args.members, args.seed)
                cpu.extend(seconds)
                for n in sizes:
                    per_size[n].append(safe_average_precision(labels[test_rows],
                                                              scores[:n].mean(axis=0)))
            for n in sizes:
                line = {"task": task, "config": config_name, "members": n,
                        "cv_ap_mean": round(float(np.mean(per_size[n])), 4),
                        "folds": [round(float(x), 4) for x in per_size[n]],
                        "cpu_s_per_member": round(float(np.median(cpu)), 1),
                        "n_folds": args.folds, "seed": args.seed,
                        "n_stars": int(groups.max()) + 1, "n_records": len(labels),
                        "n_positive": int(labels.sum())}
                print(json.dumps(line), flush=True)
                if args.out:
                    with open(args.out, "a") as handle:
                        handle.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
