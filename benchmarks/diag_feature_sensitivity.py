"""How a bundled model's members score one file's signals when a statistic is replaced.

A diagnostic for real files that score near the threshold: each member's probability of each
of the file's signals (``--signals``), as searched, then with ``COLUMN=VALUE`` replaced in
every signal's statistics (one replacement on top of the previous ones, in order).

    python benchmarks/diag_feature_sensitivity.py \\
        ../shared/data/lightcurves/ktwo206103150-c03_llc.fits red_noise_beta=1
"""
from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("replace", nargs="*", metavar="COLUMN=VALUE")
    parser.add_argument("--model", default="default")
    parser.add_argument("--signals", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import exohunt
    from exohunt.bundled import load_bundled

    model = load_bundled(args.model)
    members = getattr(model, "members", [model])
    raw = members[0]._features(exohunt.read(args.file), 1, False, None, args.signals)

    def show(label: str) -> None:
        scores = np.array([m._score_raw(raw) for m in members])  # (members, signals)
        cells = [f"P={period:.3f} d: " + " ".join(f"{v:.2f}" for v in scores[:, j])
                 + f" (mean {scores[:, j].mean():.3f})"
                 for j, period in enumerate(raw.signals["period_days"])]
        print(f"{label:30s} " + " | ".join(cells))

    show(f"as searched (threshold {model.threshold:.3f})")
    for item in args.replace:
        column, value = item.split("=", 1)
        if column not in raw.stats:
            raise SystemExit(f"unknown statistic {column!r}; known: {', '.join(raw.stats)}")
        raw.stats[column] = float(value)
        show(item)
    return 0


if __name__ == "__main__":
    sys.exit(main())
