"""Round 9 (issue 16): can a view network, alone or mixed with the trees, beat the bundled
``astronet-triage`` (``gbm`` default ×2) by cross-validation on the Astronet-Triage *train*
shards?

Folds: ``exohunt.tuning.folds``' outer ``StratifiedGroupKFold`` split by TIC id (seed 0; the
records of one star never sit on both sides); the val shard is never read. In each fold every
*member* is exactly what the bundle's build trains: :func:`exohunt.training.train` on the
fold's training part (its own stratified 20 % validation split, seed = the member's seed, for
early stopping), then scored on the fold's held-out stars. Members are saved per fold
(``fold-K.npz``: held-out labels and one probability row per member), so any ensemble of
them — seed ensembles, a mix of trees and networks averaged on probabilities or on ranks — is
scored afterwards without training again (``--summarise``).

    # one process per fold (2 cores): train and save the members
    python benchmarks/select_triage_mixed.py --fold 0 \
        --members gbm:default:0,gbm:default:1,twoview:small:0 --out D
    # every candidate ensemble's per-fold AP, mean and CPU
    python benchmarks/select_triage_mixed.py --summarise --out D
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

POSITIVE = ("PC", "EB")


def _subset(views, rows: np.ndarray):
    from exohunt.batch import ViewBatch

    return ViewBatch(views.global_view[rows], views.local_view[rows],
                     None if views.labels is None else views.labels[rows],
                     views.table.iloc[rows].reset_index(drop=True), views.source)


def train_fold(data: str, fold: int, n_folds: int, members: list[str], seed: int,
               out: Path) -> None:
    """Train every member ``model:config:seed`` on fold ``fold``'s training part and append
    its held-out probabilities to ``out/fold-<fold>.npz`` (members already there are kept)."""
    import torch

    from exohunt.io import read
    from exohunt.training import train
    from exohunt.tuning.folds import _splits, star_groups

    torch.set_num_threads(1)
    views = read(str(Path(data) / "train-*")).with_positive(POSITIVE)
    labels = views.labels.astype(np.int8)
    fit, stop, test = _splits(labels, star_groups(views), n_folds, seed)[fold]
    train_rows = np.sort(np.concatenate([fit, stop]))
    path = out / f"fold-{fold}.npz"
    saved = dict(np.load(path)) if path.is_file() else {}
    meta_path = out / f"fold-{fold}.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    for member in members:
        if member in meta:
            continue
        model, config, member_seed = member.split(":")
        started = time.process_time()
        run = train(_subset(views, train_rows), model=model, seed=int(member_seed),
                    positive=POSITIVE, jobs=1, device="cpu",
                    config=None if config in ("default", "small") else config)
        cpu = time.process_time() - started
        probability = run.score(_subset(views, test))
        with_dir = out / "sizes" / member.replace(":", "-")
        run.save(with_dir)
        size = sum(p.stat().st_size for p in with_dir.iterdir())
        saved[member] = probability
        saved["labels"] = labels[test]
        meta[member] = {"cpu_s": round(cpu, 1), "bytes": size,
                        "best_epoch": run.config.get("training", {}).get("best_epoch"),
                        "internal_val_ap": run.metrics.get("average_precision")}
        np.savez(path, **saved)
        meta_path.write_text(json.dumps(meta, indent=1))
        print(json.dumps({"fold": fold, "member": member, **meta[member]}), flush=True)


def _rank(scores: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(scores) / len(scores)


def candidates(names: list[str]) -> dict[str, tuple[list[str], str]]:
    """Ensembles to score: every seed prefix of each (model, config), and each network
    prefix mixed with the trees' prefixes (mean probability and mean rank)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        model, config, _ = name.split(":")
        groups.setdefault(f"{model}:{config}", []).append(name)
    for members in groups.values():
        members.sort(key=lambda n: int(n.split(":")[2]))
    found = {}
    for key, members in groups.items():
        for n in range(1, len(members) + 1):
            found[f"{key} x{n}"] = (members[:n], "mean")
    trees = {k: v for k, v in groups.items() if k.startswith("gbm:")}
    nets = {k: v for k, v in groups.items() if not k.startswith("gbm:")}
    for (tk, tm), (nk, nm) in itertools.product(trees.items(), nets.items()):
        for n_trees, n_nets in itertools.product(range(1, len(tm) + 1), range(1, len(nm) + 1)):
            for how in ("mean", "rank"):
                found[f"{tk} x{n_trees} + {nk} x{n_nets} ({how})"] = (
                    tm[:n_trees] + nm[:n_nets], how)
    return found


def summarise(out: Path, n_folds: int) -> list[dict]:
    """One row per candidate ensemble present in every fold: per-fold AP, mean, CPU, bytes."""
    from exohunt.training.threshold import safe_average_precision

    folds = [dict(np.load(out / f"fold-{k}.npz")) for k in range(n_folds)]
    metas = [json.loads((out / f"fold-{k}.json").read_text()) for k in range(n_folds)]
    common = sorted(set.intersection(*(set(m) for m in metas)))
    rows = []
    for name, (members, how) in candidates(common).items():
        aps = []
        for fold in folds:
            scores = np.stack([fold[m] if how == "mean" else _rank(fold[m]) for m in members])
            # equal weight per member kind: the trees' mean and the networks' mean averaged
            kinds = sorted({m.split(":")[0] for m in members})
            by_kind = [scores[[i for i, m in enumerate(members) if m.split(":")[0] == k]]
                       .mean(axis=0) for k in kinds]
            aps.append(safe_average_precision(fold["labels"], np.mean(by_kind, axis=0)))
        cpu = sum(float(np.median([meta[m]["cpu_s"] for meta in metas])) for m in members)
        size = sum(metas[0][m]["bytes"] for m in members)
        rows.append({"candidate": name, "members": members, "combine": how,
                     "cv_ap_mean": round(float(np.mean(aps)), 4),
                     "folds": [round(float(a), 4) for a in aps],
                     "train_cpu_s": round(cpu, 1), "bytes": size})
    rows.sort(key=lambda r: -r["cv_ap_mean"])
    return rows


def markdown(rows: list[dict], baseline: str) -> str:
    """The summary as a Markdown table, with each candidate's gain over ``baseline``."""
    base = next(r for r in rows if r["candidate"] == baseline)
    lines = ["| candidate | combine | CV AP (mean) | − baseline | folds | training CPU s | "
             "size MB |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| {row['candidate']} | {row['combine']} | {row['cv_ap_mean']:.4f} | "
                     f"{row['cv_ap_mean'] - base['cv_ap_mean']:+.4f} | "
                     f"{' / '.join(f'{a:.4f}' for a in row['folds'])} | "
                     f"{row['train_cpu_s']:.0f} | {row['bytes'] / 1e6:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/astronet_triage")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--fold", type=int, default=None, help="train this fold's members")
    parser.add_argument("--members", default="gbm:default:0,gbm:default:1,twoview:small:0",
                        help="comma-separated model:config:seed")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds")
    parser.add_argument("--summarise", action="store_true")
    parser.add_argument("--markdown", action="store_true",
                        help="with --summarise: a Markdown table against the baseline")
    parser.add_argument("--baseline", default="gbm:default x2")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).parent))
    from _machine import machine_description

    print("# " + machine_description("numpy", "sklearn", "torch"), flush=True)
    if args.fold is not None:
        train_fold(args.data, args.fold, args.folds, args.members.split(","), args.seed, out)
    if args.summarise:
        rows = summarise(out, args.folds)
        for row in rows:
            print(json.dumps(row), flush=True)
        if args.markdown:
            print(markdown(rows, args.baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
