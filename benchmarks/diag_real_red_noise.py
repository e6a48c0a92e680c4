"""The red-noise factor β and the tests it scales, for every signal of the real files.

For each file in ``../shared/data/lightcurves`` (or ``--files``): ``search(lc, max_signals=3)``
with its defaults, and per signal the period, box SNR, SDE, β (``red_noise_beta``), the
odd/even and secondary significances as reported (errors scaled by max(β, 1)) and with
white errors (times max(β, 1)), the single-transit depth scatter as reported, and
``passes_vetting``. Runs on trees without β too (``PYTHONPATH=<old tree>/src``: β NaN, nothing
scaled), which gives the white depth scatter and the search-15 SDE.

    python benchmarks/diag_real_red_noise.py
"""
from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lightcurves"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="*", type=Path, default=None)
    parser.add_argument("--as-features", action="store_true",
                        help="search as the models' features do (junk masking off, no SDE "
                             "floor) instead of with search()'s defaults")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    import exohunt
    from exohunt.search import search

    files = args.files or sorted(REAL_DATA.glob("*.fits"))
    print("| file | period (d) | SNR | SDE | β | odd/even σ (white) | secondary σ (white) "
          "| depth scatter | passes |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in files:
        options = {"junk": "off", "min_sde": 0.0} if args.as_features else {}
        for s in search(exohunt.read(path), max_signals=3, **options).signals:
            beta = float(getattr(s, "red_noise_beta", math.nan))
            red = max(beta, 1.0) if math.isfinite(beta) else 1.0
            print(f"| {Path(path).name} | {s.period:.4f} | {s.snr:.1f} | {s.sde:.2f} | "
                  f"{beta:.2f} | {s.odd_even_sigma:.2f} ({s.odd_even_sigma * red:.2f}) | "
                  f"{s.secondary_sigma:.2f} ({s.secondary_sigma * red:.2f}) | "
                  f"{s.depth_scatter:.2f} | "
                  f"{int(s.passes_vetting)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
