"""Do the view statistics help? 5-fold cross-validation on the AstroNet-Triage *train* shards.

The choices to give folded-view records the statistics of :mod:`exohunt.training.view_stats`
(round 5: the shape statistics; round 6: the local-view moments) and ``gbm``'s "large"
configuration were made here, on the train shards only (stratified by disposition, seed 0);
the val shard, our test set, is not read. Each fold fits the ``gbm`` pipeline (default config
with 250 trees, or the "large" configuration with its 600) on the inputs ``exohunt.training``
builds for a ViewBatch: the global and local views, the four scalars, the shape statistics,
then the local-view moments. Prints one JSON line per task, input set and configuration: the
mean and per-fold average precision.

    python benchmarks/explore_view_stats.py [--data ../shared/data/astronet_triage]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold

TASKS = {"triage": ("PC", "EB"), "vetting": ("PC",)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/astronet_triage")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--trees", type=int, default=250)
    args = parser.parse_args(argv)

    from exohunt.io import read
    from exohunt.models import named_config
    from exohunt.models.gbm import GBMConfig, build_gbm
    from exohunt.training.features import VIEWBATCH_SCALARS, extract
    from exohunt.training.view_stats import LOCAL_MOMENT_COLUMNS, VIEW_SHAPE_COLUMNS

    views = read(str(Path(args.data) / "train-*"))
    raw = extract(views, "tabular")
    stats = raw.stats
    base = np.column_stack([raw.arrays["global"], raw.arrays["local"],
                            stats[[c for c in VIEWBATCH_SCALARS if c in stats]].to_numpy(float)])
    shape = np.column_stack([base, stats[list(VIEW_SHAPE_COLUMNS)].to_numpy(float)])
    moments = np.column_stack([shape, stats[list(LOCAL_MOMENT_COLUMNS)].to_numpy(float)])
    default, large = GBMConfig(max_iter=args.trees), named_config("gbm", "large")
    rows = (("views + scalars", base, "default", default),
            ("+ view statistics", shape, "default", default),
            ("+ local-view moments", moments, "default", default),
            ("+ view statistics", shape, "large", large),
            ("+ local-view moments", moments, "large", large))
    disposition = views.table["disposition"].to_numpy(str)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(base,
                                                                                disposition))
    for task, positive in TASKS.items():
        labels = np.isin(disposition, positive).astype(int)
        for name, inputs, config_name, config in rows:
            scores = []
            for fit_rows, score_rows in folds:
                model = build_gbm(config)
                model.fit(inputs[fit_rows], labels[fit_rows])
                scores.append(average_precision_score(
                    labels[score_rows], model.predict_proba(inputs[score_rows])[:, 1]))
            print(json.dumps({"task": task, "inputs": name, "config": config_name,
                              "cv_ap_mean": round(float(np.mean(scores)), 4),
                              "folds": [round(float(x), 3) for x in scores]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
