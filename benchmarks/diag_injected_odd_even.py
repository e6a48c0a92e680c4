"""Round 18: why do flaring stars' signals with odd/even depth differences of 13-42σ score
like planets in issue 15's benchmark?

Trains ``gbm`` + both as the record does (training split of ``bench_context_models.py``, seed
7107, injection with two on-target EBs per planet, ``recall:0.95@snr10``,
``weak_positive_weight=0.3``), capturing the injected training rows, and counts the training
planets — the split's own and the injected ones — whose ``odd_even_sigma`` exceeds
``--sigma``, with their search SNR, transit count and single-event fraction. If deep injected
planets show large odd/even significances (a depth difference of 1 % is 10σ at SNR 1,000), the
trees learn that such a significance does not rule a planet out, and noise with a large one
is not penalised either.

    python benchmarks/diag_injected_odd_even.py --work W   (W: bench_context_models' --work)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_context_models import read_split, training_split

COLUMNS = ["snr", "sde", "n_transits", "odd_even_sigma", "odd_even_rel", "single_event_fraction"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/bench_context_models")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--sigma", type=float, default=8.0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    import exohunt.training.augment as augment
    from exohunt.training import train
    from exohunt.training.features import extract

    captured = []
    original = augment.injected_features

    def capture(*a, **k):
        raw, labels = original(*a, **k)
        captured.append((raw.stats.copy(), labels.copy()))
        return raw, labels

    augment.injected_features = capture
    folder, truth = training_split(args.work, args.n_train)
    curves = read_split(folder, truth)
    cache = Path(args.work) / "cache"
    try:
        train(curves, "gbm", labels=folder / "train_truth.csv", context="auto",
              cache_dir=cache, jobs=args.jobs, seed=42, objective="recall:0.95@snr10",
              imbalance="inject", weak_positive_weight=0.3)
    finally:
        augment.injected_features = original
    own = extract(curves, "tabular", jobs=args.jobs, cache_dir=cache).stats
    own_planets = (truth["kind"] == "planet").to_numpy()
    stats, labels = captured[0]
    injected_planets = labels == 1
    for name, table, planets in (("training split's own planets", own, own_planets),
                                 ("injected planets (and reversed own)", stats,
                                  injected_planets)):
        high = planets & (table["odd_even_sigma"].to_numpy(float) > args.sigma)
        print(f"{name}: {int(high.sum())} of {int(planets.sum())} with odd_even_sigma > "
              f"{args.sigma:g}")
        if high.any():
            print(table.loc[high, COLUMNS].describe(percentiles=[0.25, 0.5, 0.75])
                  .round(3).to_string())
    free = ~own_planets
    high_free = free & (own["odd_even_sigma"].to_numpy(float) > args.sigma)
    print(f"planet-free training stars (EBs, BEBs, noise): {int(high_free.sum())} of "
          f"{int(free.sum())} with odd_even_sigma > {args.sigma:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
