"""Emulated demo configurations on a pool of searched rows (see dev_demo_sizes.py).

For each configuration and draw: the budget's share of the planet-free stars (training and
validation rows drawn separately, seeded by the draw, weighted back), a random subset of the
pool's injected planets and binaries (the reversed real positives always), a random subset of
the threshold stage's injected validation planets; then what ``exohunt train`` does after the
search (fitted preprocessing on the training rows, ``gbm`` with sample weights, number of
trees on weighted validation AP, F1 threshold on weighted validation + injected planets) and
the pool seed's own test split scored at that threshold. What the emulation does not copy:
the real budget draws injection hosts among the searched planet-free stars only; here they
are the pool's hosts (any quiet planet-free training star).
"""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np


def _fit_and_score(pool: dict, fraction: float, n_planets: int, binaries_per_planet: float,
                   n_threshold: int, draw: int, seed: int = 43) -> dict:
    from sklearn.metrics import average_precision_score

    from exohunt.models import build_model, resolve_config
    from exohunt.training.budget import SearchBudget, SearchedRows
    from exohunt.training.features import fit_preprocessing, to_inputs
    from exohunt.training.loop import fit_gbm, staged_probability
    from exohunt.training.threshold import choose_threshold

    labels, raw = pool["labels"], pool["raw"]
    rng = np.random.default_rng([draw, 99])
    searched = SearchedRows.choose(labels, pool["train_rows"], pool["val_rows"],
                                   SearchBudget(negative_fraction=fraction), draw)
    train_rows, val_rows = searched.kept(pool["train_rows"]), searched.kept(pool["val_rows"])
    extra, extra_labels = pool["extra"], pool["extra_labels"]
    n_pos = int(labels[pool["train_rows"]].sum())
    n_inj = int((extra_labels == 1).sum()) - n_pos
    planets = np.arange(n_inj)
    reversed_rows = np.arange(n_inj, n_inj + n_pos)
    binaries = np.arange(n_inj + n_pos, len(extra_labels))
    n_b = min(len(binaries), round(binaries_per_planet * min(n_planets, n_inj)))
    chosen = np.concatenate([np.sort(rng.choice(planets, min(n_planets, n_inj), replace=False)),
                             reversed_rows, np.sort(rng.choice(binaries, n_b, replace=False))])
    raw_train = raw.subset(searched.position[train_rows]).concat(extra.subset(chosen))
    y_train = np.concatenate([labels[train_rows], extra_labels[chosen]])
    w_train = np.concatenate([searched.weight[train_rows], np.ones(len(chosen))])
    w_val, y_val = searched.weight[val_rows], labels[val_rows]
    fitted = fit_preprocessing(raw_train, "tabular")
    fitted["tabular_views"] = ["local"]
    x_train = to_inputs(raw_train, "tabular", fitted)["X"]
    x_val = to_inputs(raw.subset(searched.position[val_rows]), "tabular", fitted)["X"]
    config = replace(resolve_config("gbm"), random_state=seed)
    # refit=False: scores at the chosen number of trees are those of the refitted model
    model, result = fit_gbm(build_model("gbm", config), x_train, y_train, x_val, y_val,
                            sample_weight=w_train, val_weight=w_val, refit=False)

    def score(raw_rows):
        return staged_probability(model, to_inputs(raw_rows, "tabular", fitted)["X"],
                                  result.best_epoch)

    thr = pool["threshold_extra"]
    thr_rows = np.sort(rng.choice(len(thr), min(n_threshold, len(thr)), replace=False))
    p_thr = score(thr.subset(thr_rows))
    n_real, n_extra = int(y_val.sum()), len(thr_rows)
    weights = np.concatenate([np.where(y_val == 1, 0.5, 1.0) * w_val,
                              np.full(n_extra, 0.5 * n_real / max(n_extra, 1))])
    choice = choose_threshold(np.concatenate([y_val, np.ones(n_extra, int)]),
                              np.concatenate([result.val_probability, p_thr]), "f1",
                              sample_weight=weights)
    p_test = score(pool["test"])
    y_test = pool["test_labels"]
    flagged = p_test >= choice.threshold
    found, false_alarms = int((flagged & (y_test == 1)).sum()), int((flagged & (y_test == 0)).sum())
    precision = found / max(found + false_alarms, 1)
    recall = found / max(int(y_test.sum()), 1)
    return {"searched": int(searched.keep.sum()) + len(chosen) + n_extra,
            "threshold": choice.threshold, "found": found, "false_alarms": false_alarms,
            "f1": 2 * precision * recall / max(precision + recall, 1e-12),
            "test_ap": float(average_precision_score(y_test, p_test))}


CONFIGS = [  # (negative share, injected planets, binaries per planet, threshold planets)
    (1.0, 900, 3.0, 210),   # today's default
    (0.2, 450, 1.5, 150),
    (0.15, 400, 1.5, 150),
]


def sweep(path, draws: int = 5, skip: int = 0) -> str:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # the trees' OpenMP threads only spin on a shared machine
        return _sweep(path, draws, skip)


def _sweep(path, draws: int, skip: int) -> str:
    with open(path, "rb") as source:
        pool = pickle.load(source)
    lines = [f"Pool `{path}`: {len(pool['labels'])} training-split stars, "
             f"{len(pool['extra_labels'])} injected, {len(pool['threshold_extra'])} threshold "
             f"planets, {len(pool['test_labels'])} test stars ({int(pool['test_labels'].sum())} "
             f"planets). Mean (min-max) over {draws} draws.", "",
             "| negative share | planets | binaries/planet | threshold planets | searched "
             "(training stage) | test AP | test F1 | found | false alarms | threshold |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for fraction, planets, per, thr in CONFIGS[skip:]:
        rows = [_fit_and_score(pool, fraction, planets, per, thr, d)
                for d in range(draws if fraction < 1 or planets < 900 else 1)]

        def cell(key, fmt, rows=rows):
            v = [r[key] for r in rows]
            return f"{np.mean(v):{fmt}} ({min(v):{fmt}}-{max(v):{fmt}})"
        lines.append(f"| {fraction} | {planets} | {per} | {thr} | {rows[0]['searched']} | "
                     f"{cell('test_ap', '.3f')} | {cell('f1', '.2f')} | {cell('found', '.1f')} "
                     f"| {cell('false_alarms', '.1f')} | {cell('threshold', '.3f')} |")
        print(lines[-1], flush=True)
    return "\n".join(lines)
