"""Development-set check of the default model: train on the kaggle preset's training split,
score the big preset's seed-1000 test split — a development set, never the benchmark's test
splits (kaggle seed 42, big seed 43).

Usage::

    python benchmarks/dev_gbm.py --seeds 42 43 44 [--model gbm] [--cache-dir DIR]
        [--config '{"max_leaf_nodes": 31}']

To compare two versions of the code, export each (``git archive REV src | tar -x -C DIR``) and
run this script with ``PYTHONPATH=DIR/src`` for each; the feature cache is keyed by the search
code, so the versions never share cached features by mistake. Prints one JSON line per seed:
the stored threshold, precision, recall, F1, average precision, recall at injected SNR ≥ 10,
false-positive rates on all EBs and on background EBs, and the best F1 over thresholds (for
information; choices are made on the development set only). A second JSON line per seed says
where the planets go, by injected SNR: offered by the search, flagged by the model.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

DEV_SEED = 1000


def dev_metrics(probability: np.ndarray, threshold: float, truth) -> dict[str, float]:
    """The figures this script prints, for one set of scores."""
    from bench_models import planet_rates  # recall at SNR >= 10 and EB FP, as in the table

    labels = truth["label"].to_numpy()
    flagged = probability >= threshold
    rates = planet_rates(truth, flagged)
    background = (truth["kind"] == "background-eb").to_numpy()
    candidates = np.unique(np.round(probability, 3))
    best_f1 = max(f1_score(labels, probability >= x) for x in candidates[-200:])
    return {"threshold": round(float(threshold), 3),
            "precision": round(precision_score(labels, flagged, zero_division=0), 3),
            "recall": round(recall_score(labels, flagged), 3),
            "f1": round(f1_score(labels, flagged), 3),
            "average_precision": round(average_precision_score(labels, probability), 3),
            "recall_snr10": round(rates["recall_snr10"], 3),
            "eb_fp_rate": round(rates["eb_fp_rate"], 4),
            "background_eb_fp_rate": round(float(flagged[background].mean()), 4),
            "best_f1_for_information": round(float(best_f1), 3)}


def where_planets_go(table, probability: np.ndarray, threshold: float, truth) -> dict:
    """Per injected-SNR bin (``bench_models.SNR_BINS``): planets, the share the search offers
    (``bench_models.offered_periods``) and the share flagged; the AP with the background EBs,
    or all EBs, left out; and, for planets at SNR 10-15 that the search offers but the model
    misses and for background EBs with the same measured SNR, the median and interquartile
    range of the two shape statistics that should tell them apart."""
    from bench_models import SNR_BINS, offered_periods, planets_by_snr, recall_by_snr

    labels = truth["label"].to_numpy()
    planet = labels == 1
    offered = offered_periods(table["period_days"].to_numpy(float), truth)
    flagged = probability >= threshold
    bins = {f"{lo}-{hi}": {"planets": n, "offered": round(o, 3), "found": round(f, 3)}
            for (lo, hi), n, o, f in zip(itertools.pairwise(SNR_BINS), planets_by_snr(truth),
                                         recall_by_snr(truth, offered),
                                         recall_by_snr(truth, flagged))}
    kind = truth["kind"].to_numpy()
    keep_beb = kind != "background-eb"
    keep_eb = ~np.isin(kind, ("eb", "background-eb"))
    snr = truth["snr"].to_numpy(float)
    missed = planet & offered & ~flagged & (snr >= 10) & (snr < 15)
    measured = table["snr"].to_numpy(float)
    lo, hi = np.nanpercentile(measured[missed], [0, 100]) if missed.any() else (np.nan,) * 2
    beb = (kind == "background-eb") & (measured >= lo) & (measured <= hi)

    def spread(column: str, rows: np.ndarray) -> list[float]:
        values = table[column].to_numpy(float)[rows]
        return [round(float(x), 2) for x in np.nanpercentile(values, [25, 50, 75])]

    return {"by_snr": bins, "offered_all": round(float(offered[planet].mean()), 3),
            "non_planets_above_0.5_by_kind": truth["kind"][(~planet) & (probability >= 0.5)]
            .value_counts().to_dict(),
            "ap_without_background_ebs": round(average_precision_score(
                labels[keep_beb], probability[keep_beb]), 3),
            "ap_without_ebs": round(average_precision_score(
                labels[keep_eb], probability[keep_eb]), 3),
            "shape_q25_q50_q75": {
                f"missed planets SNR 10-15 (n={int(missed.sum())})": {
                    c: spread(c, missed) for c in SHAPE_COLUMNS},
                f"background EBs, same measured SNR (n={int(beb.sum())})": {
                    c: spread(c, beb) for c in SHAPE_COLUMNS}}}


#: The search's shape statistics compared by :func:`where_planets_go`.
SHAPE_COLUMNS = ("fit_ingress_fraction", "secondary_any_sigma")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    parser.add_argument("--model", default="gbm")
    parser.add_argument("--cache-dir", default="benchmarks/results/cache")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--imbalance", default=None,
                        help="--imbalance of exohunt train (default: the model's own)")
    parser.add_argument("--loop", default=None,
                        help="training-loop overrides as JSON, e.g. '{\"patience\": 15}'")
    parser.add_argument("--config", default=None,
                        help="model config overrides as JSON, e.g. '{\"max_leaf_nodes\": 31}'")
    parser.add_argument("--augment", default=None,
                        help="injection-augmentation overrides as JSON, e.g. "
                             "'{\"binaries_per_planet\": 2}' (default: the model's own)")
    parser.add_argument("--members", type=int, default=1,
                        help="train a seed ensemble of this many runs (seeds SEED, SEED+1, …)")
    parser.add_argument("--flux-style", default="kaggle",
                        help="flux style of both simulated sets (kaggle, normalized, counts)")
    args = parser.parse_args(argv)

    from exohunt.simulate import simulate
    from exohunt.training import train, train_ensemble
    from exohunt.training.api import MODEL_DEFAULTS

    if args.augment:
        # a development override of the model's defaults, in this process only
        MODEL_DEFAULTS[args.model]["augment"] = {**MODEL_DEFAULTS[args.model].get("augment", {}),
                                                 **json.loads(args.augment)}
    training = simulate(preset="kaggle", seed=42, flux_style=args.flux_style).train
    development = simulate(preset="big", seed=DEV_SEED, n_train=10, flux_style=args.flux_style)
    for seed in args.seeds:
        options = dict(cache_dir=args.cache_dir, jobs=args.jobs,
                       config=json.loads(args.config) if args.config else None,
                       imbalance=args.imbalance,
                       loop=json.loads(args.loop) if args.loop else None)
        run = train(training, model=args.model, seed=seed, **options) if args.members == 1 \
            else train_ensemble(training, model=args.model, n_members=args.members, seed=seed,
                                **options)
        table = run.predict(development.test, cache_dir=args.cache_dir, jobs=args.jobs)
        probability = table["probability"].to_numpy(float)
        truth = development.test_truth
        row = {"model": args.model, "config": args.config, "imbalance": args.imbalance,
               "loop": args.loop, "augment": args.augment, "flux_style": args.flux_style,
               "members": args.members,
               "seed": seed,
               **dev_metrics(probability, run.threshold, truth)}
        print(json.dumps(row), flush=True)
        if not np.isfinite(table["period_days"].to_numpy(float)).any():
            # a raw-sequence model: no search, no periods
            continue
        print(json.dumps({"seed": seed, **where_planets_go(
            table, probability, run.threshold, truth)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
