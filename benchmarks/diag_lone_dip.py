"""Diagnostic: why a planet of the search benchmark's 5,000-star split has no signal (issue 20).

Row 4031 of ``bench_search.py --n-test 5000`` (``big`` preset, seed 7, test split) is an
SNR 20.6 planet on a systematics host that the search reports nothing for. This traces the
search's loop on it: each periodogram peak (period d, t0 d, duration d, box SNR, SDE), the
share of the sub-threshold peak's chi-square held by each of its transits (what the lone-dip
retry, ``core._dominant_event``, looks at), and what ``min_sde=0`` reports.

    python benchmarks/diag_lone_dip.py [--row 4031]
"""

from __future__ import annotations

import argparse
import importlib
import warnings

import numpy as np


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--row", type=int, default=4031)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--n-test", type=int, default=5000)
    args = parser.parse_args(argv)

    from exohunt.lightcurve import fold_phase
    from exohunt.simulate import simulate

    core = importlib.import_module("exohunt.search.core")
    data = simulate(preset="big", seed=args.seed, n_train=10, n_test=args.n_test)
    truth = data.test_truth.iloc[args.row]
    lc = data.test.lightcurve(args.row).remove_nans()
    print(f"row {args.row}: {truth['kind']} on a {truth['host_kind']} host, period "
          f"{truth['period_days']:.4f} d, SNR {truth['snr']:.1f}, depth "
          f"{truth['depth_ppm']:.0f} ppm, ramps {truth['ramp_ppm']:.0f} ppm, "
          f"{int(truth['n_gaps'])} gaps")

    best_peak, dominant = core.best_peak, core._dominant_event

    def traced_peak(*a, **k):
        out = best_peak(*a, **k)
        print("  peak: period {:.4f} d, t0 {:.3f} d, duration {:.3f} d, box SNR {:.2f}, "
              "SDE {:.2f}".format(*map(float, out[1:])))
        return out

    def traced_dominant(det, exclude, peak):
        period, t0, duration = peak[:3]
        time, flux = det.time[~exclude], det.flux[~exclude]
        phase = fold_phase(time, period, t0)
        inside = np.abs(phase) < 0.5 * duration
        epoch = np.round((time[inside] - t0) / period).astype(np.int64)
        epochs, index = np.unique(epoch, return_inverse=True)
        sums = np.bincount(index, weights=np.median(flux) - flux[inside])
        chi2 = np.maximum(sums, 0.0) ** 2 / np.bincount(index)
        shares = ", ".join(f"{t0 + e * period:.2f} d: {c / chi2.sum():.0%}"
                           for e, c in zip(epochs, chi2))
        event = dominant(det, exclude, peak)
        print(f"  sub-threshold peak; chi-square share per transit: {shares}; "
              f"{'one masked as a lone dip' if event is not None else 'no lone dip'}")
        return event

    core.best_peak, core._dominant_event = traced_peak, traced_dominant
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for min_sde in (core.DEFAULT_MIN_SDE, 0.0):
                print(f"search(min_sde={min_sde:g}):")
                result = core.search(lc, max_signals=3, min_sde=min_sde)
                for s in result.signals:
                    print(f"  signal: period {s.period:.4f} d, SDE {s.sde:.2f}, SNR {s.snr:.1f}, "
                          f"passes vetting {s.passes_vetting}")
                if not result.signals:
                    print("  no signal")
    finally:
        core.best_peak, core._dominant_event = best_peak, dominant
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
