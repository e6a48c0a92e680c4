"""Choose the demo's training recipe on dev seeds (never the demo's seed 42).

Emulates ``exohunt train``'s steps after the search (as ``dev_demo_sweep.py`` does) on pools
made by ``dev_demo_sizes.py --pool DIR --seed S``, for several recipes: how injected planets
are weighted (``none``: today; ``weight``: the positives weighted down so that the training
set's planet share is the true prevalence), whether injected planets the search did not
recover (``has_signal = 0``) are dropped, the ``gbm`` configuration, the threshold objective,
and the search sizes (share of planet-free stars searched, injected planets, binaries per
planet, threshold planets). Each seed-S model is scored on a held-out set made of seed S's
test split plus the training splits of the other pools' seeds (independent draws of the same
preset: ~10,700 stars, ~79 planets for three pools), and on its own test split alone (the
demo's headline: 5 planets). The criterion was pre-registered in
``benchmarks/results_demo_recipe.md`` before the first sweep.

    python benchmarks/dev_demo_recipe.py --pools DIR --seeds 43 44 45 --stage recipes
    python benchmarks/dev_demo_recipe.py --pools DIR --seeds 43 44 45 --stage sizes \
        --recipe weight,drop,default --draws 2
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

OBJECTIVES = ("f1", "recall:0.8")
FULL = (1.0, 900, 3.0, 300)  # today's sizes (the threshold stage is capped at 30 per planet)
SIZES = [(0.5, 900, 3.0, 300), (0.3, 600, 2.0, 200), (0.3, 450, 1.5, 150),
         (0.2, 600, 2.0, 200), (0.2, 450, 1.5, 150),  # FULL: the recipes stage
         (1.0, 600, 2.0, 200), (1.0, 450, 1.5, 150), (1.0, 300, 1.5, 150),
         (1.0, 300, 1.0, 100)]


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _recovered(raw) -> np.ndarray:
    return raw.stats["has_signal"].to_numpy(float) > 0


def _chosen_injected(pool: dict, n_planets: int, per: float, rng) -> np.ndarray:
    """Rows of the pool's injected set: a subset of planets, all reversed real planets, a
    subset of binaries (layout of ``augment.injected_features``)."""
    labels, extra_labels = pool["labels"], pool["extra_labels"]
    n_pos = int(labels[pool["train_rows"]].sum())
    n_inj = int((extra_labels == 1).sum()) - n_pos
    planets, binaries = np.arange(n_inj), np.arange(n_inj + n_pos, len(extra_labels))
    n_b = min(len(binaries), round(per * min(n_planets, n_inj)))
    if n_planets >= n_inj and n_b == len(binaries):
        return np.arange(len(extra_labels))
    return np.concatenate([np.sort(rng.choice(planets, min(n_planets, n_inj), replace=False)),
                           np.arange(n_inj, n_inj + n_pos),
                           np.sort(rng.choice(binaries, n_b, replace=False))])


def fit_and_score(pool: dict, heldout: tuple, recipe: dict, sizes: tuple, draw: int,
                  seed: int) -> list[dict]:
    """One emulated training run; one result row per threshold objective."""
    from sklearn.metrics import average_precision_score

    from exohunt.models import build_model, resolve_config
    from exohunt.training.budget import SearchBudget, SearchedRows
    from exohunt.training.features import fit_preprocessing, to_inputs
    from exohunt.training.loop import fit_gbm, staged_probability
    from exohunt.training.prevalence import prevalence_weights, prior_shift
    from exohunt.training.threshold import choose_threshold

    fraction, n_planets, per, n_threshold = sizes
    labels, raw = pool["labels"], pool["raw"]
    rng = np.random.default_rng([draw, 99])
    searched = SearchedRows.choose(labels, pool["train_rows"], pool["val_rows"],
                                   SearchBudget(negative_fraction=fraction), seed + draw)
    train_rows, val_rows = searched.kept(pool["train_rows"]), searched.kept(pool["val_rows"])
    chosen = _chosen_injected(pool, n_planets, per, rng)
    extra, extra_labels = pool["extra"].subset(chosen), pool["extra_labels"][chosen]
    if recipe["drop"]:  # injected planets the search missed: nothing the model could learn
        keep = (extra_labels == 0) | _recovered(extra)
        extra, extra_labels = extra.subset(np.flatnonzero(keep)), extra_labels[keep]
    raw_train = raw.subset(searched.position[train_rows]).concat(extra)
    y_real = labels[train_rows]
    y_train = np.concatenate([y_real, extra_labels])
    w_real = searched.weight[train_rows]
    w_train = np.concatenate([w_real, np.ones(len(extra_labels))])
    injected = np.r_[np.zeros(len(y_real), bool), np.ones(len(extra_labels), bool)]
    if recipe["weighting"] == "weight":
        w_train = prevalence_weights(y_train, w_train, ~injected)
    w_val, y_val = searched.weight[val_rows], labels[val_rows]
    fitted = fit_preprocessing(raw_train, "tabular")
    fitted["tabular_views"] = ["local"]
    x_train = to_inputs(raw_train, "tabular", fitted)["X"]
    x_val = to_inputs(raw.subset(searched.position[val_rows]), "tabular", fitted)["X"]
    config = replace(resolve_config("gbm", recipe["config"]), random_state=seed)
    started = time.process_time()
    model, result = fit_gbm(build_model("gbm", config), x_train, y_train, x_val, y_val,
                            sample_weight=w_train, val_weight=w_val, refit=False)
    fit_cpu = time.process_time() - started

    def score(rows):
        return staged_probability(model, to_inputs(rows, "tabular", fitted)["X"],
                                  result.best_epoch)

    # Prevalence: real training rows (planet-free ones weighted back); as fitted: all rows.
    true_share = float(np.sum(w_real * y_real) / np.sum(w_real))
    fit_share = float(np.sum(w_train * y_train) / np.sum(w_train))
    thr = pool["threshold_extra"]
    thr_rows = np.sort(rng.choice(len(thr), min(n_threshold, len(thr)), replace=False))
    thr = thr.subset(thr_rows)
    if recipe["drop"]:
        thr = thr.subset(np.flatnonzero(_recovered(thr)))
    p_thr = score(thr)
    n_real, n_extra = int(y_val.sum()), len(thr)
    weights = np.concatenate([np.where(y_val == 1, 0.5, 1.0) * w_val,
                              np.full(n_extra, 0.5 * n_real / max(n_extra, 1))])
    y_all = np.concatenate([y_val, np.ones(n_extra, int)])
    p_all = np.concatenate([result.val_probability, p_thr])
    heldout_raw, heldout_y, n_test = heldout
    p_held = score(heldout_raw)
    no_signal = ~_recovered(heldout_raw)
    rows = []
    for objective in OBJECTIVES:
        choice = choose_threshold(y_all, p_all, objective, sample_weight=weights)
        flagged = p_held >= choice.threshold
        tp = int((flagged & (heldout_y == 1)).sum())
        fp = int((flagged & (heldout_y == 0)).sum())
        f_test, y_test = flagged[:n_test], heldout_y[:n_test]
        rows.append({
            "objective": objective, "threshold": choice.threshold, "fit_cpu": fit_cpu,
            "trees": result.best_epoch,
            "searched": int(searched.keep.sum()) + len(chosen) + len(thr_rows),
            "held_f1": 2 * tp / max(2 * tp + fp + int(heldout_y.sum()) - tp, 1),
            "held_recall": tp / max(int(heldout_y.sum()), 1),
            "held_fa_per_1000": 1000 * fp / max(int((heldout_y == 0).sum()), 1),
            "held_ap": float(average_precision_score(heldout_y, p_held)),
            "test_found": int((f_test & (y_test == 1)).sum()),
            "test_fa": int((f_test & (y_test == 0)).sum()),
            "test_ap": float(average_precision_score(y_test, p_held[:n_test])),
            "no_signal_p": _mean(p_held[no_signal]),
            "no_signal_p_prior": _mean(prior_shift(p_held[no_signal], fit_share, true_share)),
            "no_signal_planet_share": _mean(heldout_y[no_signal]),
            "n_no_signal": int(no_signal.sum()),
            "expected_over_observed": float(p_held.sum() / heldout_y.sum()),
            "expected_over_observed_prior": float(
                prior_shift(p_held, fit_share, true_share).sum() / heldout_y.sum()),
        })
    return rows


def load_pools(folder: Path, seeds: list[int]) -> dict[int, dict]:
    pools = {}
    for seed in seeds:
        with open(folder / f"pool-{seed}.pkl", "rb") as source:
            pools[seed] = pickle.load(source)
    return pools


def heldout_for(pools: dict[int, dict], seed: int) -> tuple:
    """Seed ``seed``'s test split first, then the other pools' whole training splits."""
    raw, y = pools[seed]["test"], [pools[seed]["test_labels"]]
    for other, pool in pools.items():
        if other != seed:
            raw = raw.concat(pool["raw"])
            y.append(pool["labels"])
    return raw, np.concatenate(y).astype(int), len(pools[seed]["test_labels"])


def _recipes(stage: str, fixed: str | None) -> list[dict]:
    if stage == "sizes":
        weighting, drop, config = fixed.split(",")
        return [{"weighting": weighting, "drop": drop == "drop", "config": config}]
    # No injected planet went unrecovered (has_signal = 0) in the pools, so dropping them
    # changes nothing: the "drop" factor is not swept (--recipe can still ask for it).
    return [{"weighting": w, "drop": False, "config": c} for c in ("default", "large")
            for w in ("none", "weight")]


COLUMNS = [("held_f1", ".3f"), ("held_ap", ".3f"), ("held_recall", ".2f"),
           ("held_fa_per_1000", ".2f"), ("test_found", ".2f"), ("test_fa", ".2f"),
           ("test_ap", ".3f"), ("threshold", ".3f"), ("no_signal_p", ".3f"),
           ("no_signal_planet_share", ".3f"), ("expected_over_observed", ".2f"),
           ("expected_over_observed_prior", ".2f"), ("searched", ".0f"), ("fit_cpu", ".1f")]


def summarize(path: Path) -> str:
    """Markdown table of a results file: one line per recipe, sizes and objective, means over
    seeds (and draws); the per-seed values of held-out F1 and own-test found/false alarms."""
    import json

    import pandas as pd

    rows = pd.DataFrame([json.loads(line) for line in path.read_text().splitlines() if line])
    rows["sizes"] = rows["sizes"].map(tuple)
    keys = ["weighting", "drop", "config", "sizes", "objective"]
    lines = ["| " + " | ".join(keys + [c for c, _ in COLUMNS]) + " | per seed: held F1; "
             "test found/false alarms |", "|" + "---|" * (len(keys) + len(COLUMNS) + 1)]
    for key, group in rows.groupby(keys, sort=False):
        by_seed = group.groupby("seed")
        per_seed = "; ".join(f"{seed}: {g['held_f1'].mean():.2f} {g['test_found'].mean():.1f}/"
                             f"{g['test_fa'].mean():.1f}" for seed, g in by_seed)
        means = by_seed[[c for c, _ in COLUMNS]].mean().mean()
        lines.append("| " + " | ".join(str(k) for k in key) + " | "
                     + " | ".join(f"{means[c]:{f}}" for c, f in COLUMNS) + f" | {per_seed} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from threadpoolctl import threadpool_limits

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pools", type=Path)
    parser.add_argument("--summarize", type=Path, help="print the table of a --out file")
    parser.add_argument("--seeds", type=int, nargs="+", default=[43, 44, 45])
    parser.add_argument("--stage", choices=("recipes", "sizes"), default="recipes")
    parser.add_argument("--recipe", help="sizes stage: WEIGHTING,drop|keep,CONFIG")
    parser.add_argument("--draws", type=int, default=2)
    parser.add_argument("--skip-sizes", type=int, default=0,
                        help="sizes stage: skip the first N configurations of SIZES")
    parser.add_argument("--only", type=int, nargs="+",
                        help="fit models of these seeds only (held-out sets still use all)")
    parser.add_argument("--out", type=Path, help="append JSON lines of every result here")
    args = parser.parse_args(argv)
    import json

    if args.summarize:
        print(summarize(args.summarize))
        return 0
    pools = load_pools(args.pools, args.seeds)
    sizes = [FULL] if args.stage == "recipes" else SIZES[args.skip_sizes:]
    with threadpool_limits(1):  # the trees' OpenMP threads only spin on a shared machine
        for recipe in _recipes(args.stage, args.recipe):
            for size in sizes:
                for seed in args.only or args.seeds:
                    heldout = heldout_for(pools, seed)
                    for draw in range(1 if size == FULL else args.draws):
                        for row in fit_and_score(pools[seed], heldout, recipe, size, draw, seed):
                            row.update(recipe, seed=seed, draw=draw, sizes=list(size))
                            print(json.dumps(row), flush=True)
                            if args.out:
                                with open(args.out, "a") as sink:
                                    sink.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
