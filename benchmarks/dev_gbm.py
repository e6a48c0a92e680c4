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


SNR_BINS = (5, 7, 10, 15, 20, 30, 61)


def where_planets_go(top_period: np.ndarray, probability: np.ndarray, threshold: float,
                     truth) -> dict:
    """Per injected-SNR bin: planets, the share the search offers (top period at the
    injected period or a 1/2x, 2x alias within 0.5 %, bench_search's rule) and the share
    flagged; and the AP with the background EBs, or all EBs, left out."""
    from bench_search import _match

    labels = truth["label"].to_numpy()
    planet = labels == 1
    offered = np.array([_match(p, t, 5e-3, True) if np.isfinite(p) else False
                        for p, t in zip(top_period, truth["period_days"])])
    flagged = probability >= threshold
    snr = truth["snr"].to_numpy(float)
    bins = {}
    for lo, hi in itertools.pairwise(SNR_BINS):
        inside = planet & (snr >= lo) & (snr < hi)
        bins[f"{lo}-{hi}"] = {"planets": int(inside.sum()),
                              "offered": round(float(offered[inside].mean()), 3),
                              "found": round(float(flagged[inside].mean()), 3)}
    kind = truth["kind"].to_numpy()
    keep_beb = kind != "background-eb"
    keep_eb = ~np.isin(kind, ("eb", "background-eb"))
    return {"by_snr": bins, "offered_all": round(float(offered[planet].mean()), 3),
            "non_planets_above_0.5_by_kind": truth["kind"][(~planet) & (probability >= 0.5)]
            .value_counts().to_dict(),
            "ap_without_background_ebs": round(average_precision_score(
                labels[keep_beb], probability[keep_beb]), 3),
            "ap_without_ebs": round(average_precision_score(
                labels[keep_eb], probability[keep_eb]), 3)}


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
    args = parser.parse_args(argv)

    from exohunt.simulate import simulate
    from exohunt.training import train

    training = simulate(preset="kaggle", seed=42).train
    development = simulate(preset="big", seed=DEV_SEED, n_train=10)
    for seed in args.seeds:
        run = train(training, model=args.model, seed=seed, cache_dir=args.cache_dir,
                    jobs=args.jobs, config=json.loads(args.config) if args.config else None,
                    imbalance=args.imbalance,
                    loop=json.loads(args.loop) if args.loop else None)
        table = run.predict(development.test, cache_dir=args.cache_dir, jobs=args.jobs)
        probability = table["probability"].to_numpy(float)
        truth = development.test_truth
        row = {"model": args.model, "config": args.config, "imbalance": args.imbalance,
               "loop": args.loop, "seed": seed,
               **dev_metrics(probability, run.threshold, truth)}
        print(json.dumps(row), flush=True)
        if not np.isfinite(table["period_days"].to_numpy(float)).any():
            # a raw-sequence model: no search, no periods
            continue
        print(json.dumps({"seed": seed, **where_planets_go(
            table["period_days"].to_numpy(float), probability, run.threshold, truth)}),
            flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
