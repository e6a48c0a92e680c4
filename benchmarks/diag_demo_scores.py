"""The demo's test planets and best planet-free stars, scored by a demo run (issue 20's
headline: how far each planet lies from the stored threshold).

Simulates the ``kaggle`` preset's test split with the demo's seed and scores it with the run
``exohunt demo`` left (``--run``, e.g. the run of ``bench_demo_speed.py --keep``)::

    python benchmarks/diag_demo_scores.py --run exohunt-demo/run [--seed 42]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True)
    parser.add_argument("--seed", type=int, default=42, help="the demo's --seed")
    args = parser.parse_args(argv)
    from exohunt.simulate import simulate
    from exohunt.training import load_model

    data = simulate("kaggle", seed=args.seed, n_train=10)  # the test split does not depend on it
    run = load_model(args.run)
    scores = run.score(data.test, jobs=0)
    labels = np.asarray(data.test.labels)
    planets = np.sort(scores[labels == 1])[::-1]
    others = np.sort(scores[labels == 0])[::-1]
    print(f"threshold {run.threshold:.5f}")
    print("planets:", " ".join(f"{p:.5f}" for p in planets))
    print("best planet-free stars:", " ".join(f"{p:.5f}" for p in others[:3]))
    print(f"planet-free median {np.median(others):.5f}; sum of all {scores.sum():.2f} "
          f"for {int(labels.sum())} planets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
