"""Where the bundled ``default``'s out-of-fold threshold puts recall, by true SNR (issue 16).

Every training star of the build (``--work`` of ``build_bundled_models.py --only default``) is
scored by the ensemble member that did not train on it (``default.out_of_fold``, the members'
recorded validation folds, as the build's threshold is chosen); printed: the share of
planets below SNR 10 (the simulator's matched-filter SNR), the stored threshold's recall of
all planets and of those at SNR >= 10, and the thresholds that other objectives would store.
Training data only: no held-out or real file is read.

    python benchmarks/diag_bundled_threshold.py --work W
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "bundled")]

from _default_data import FLAVOUR_NAMES, load_sets  # noqa: E402
from default import out_of_fold  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--model", default="default", help="bundled model name or a folder")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from exohunt.bundled import load_bundled
    from exohunt.training import load_model

    model = (load_model(args.model) if Path(args.model).is_dir()
             else load_bundled(args.model))
    sets = load_sets(args.work, "train", args.seed, False, args.jobs)
    curves = [lc for name in FLAVOUR_NAMES for lc in sets[name][0]]
    rows, oof, labels, raw = out_of_fold(model, curves, work=args.work, jobs=args.jobs)
    truth = pd.concat([sets[name][1] for name in FLAVOUR_NAMES],
                      ignore_index=True).iloc[rows].reset_index(drop=True)
    labels = labels[rows]
    planet = labels == 1
    snr = truth["snr"].to_numpy(float)
    strong = planet & (snr >= 10)
    print(f"training stars held out {len(rows)} of {len(curves)}, planets {planet.sum()}, "
          f"below SNR 10: "
          f"{np.mean(snr[planet] < 10):.3f}; stored threshold {model.threshold:.3f} "
          f"({model.config['threshold']['objective']})")
    for threshold in sorted({model.threshold, 0.5, 0.6, 0.7, 0.8}):
        passed = oof >= threshold
        precision = (passed & planet).sum() / max(passed.sum(), 1)
        print(f"  threshold {threshold:.3f}: recall all {passed[planet].mean():.3f}, "
              f"SNR>=10 {passed[strong].mean():.3f}, precision {precision:.3f}")
    for recall in (0.90, 0.93, 0.95):
        cut = float(np.quantile(oof[strong], 1 - recall))
        passed = oof >= cut
        print(f"  recall {recall:.2f} of SNR>=10 planets: threshold {cut:.3f}, precision "
              f"{(passed & planet).sum() / max(passed.sum(), 1):.3f}")
    search_snr = np.nan_to_num(raw.signals["snr"].to_numpy(float)[rows], nan=-1.0)
    found_strong = planet & (search_snr >= 10)
    for recall in (0.90, 0.95):  # what "recall:R@snr10" (search SNR) would store
        cut = float(np.quantile(oof[found_strong], 1 - recall))
        passed = oof >= cut
        print(f"  recall {recall:.2f} of planets with search SNR >= 10 ({found_strong.sum()}): "
              f"threshold {cut:.3f}, true-SNR>=10 recall {passed[strong].mean():.3f}, "
              f"precision {(passed & planet).sum() / max(passed.sum(), 1):.3f}")
    by = pd.DataFrame({"flavour": truth["flavour"], "strong": strong, "passed":
                       oof >= model.threshold})
    print(by[by.strong].groupby("flavour")["passed"].mean().round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
