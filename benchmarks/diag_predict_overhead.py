"""Where `exohunt predict` with the bundled default spends its fixed costs (issue 16).

Side by side in one process, on the bundled ``default`` (a 5-member gbm ensemble) and
``--files`` TESS 2-min FITS files (the throughput benchmark's, written there once):

1. loading the ensemble: with skops' audit skipped for the one known tree type (as shipped)
   against the full audit (``get_untrusted_types`` then ``load``), CPU s, median of
   ``--repeats``;
2. the trees' one-thread guard per member call: ``threadpool_limits`` (scans every loaded
   library) against the cached ``ThreadpoolController`` (as shipped), ms per call;
3. ``predict`` CPU per star by chunk size (stars per call, the light curves read once
   beforehand): what a worker task's fixed cost adds at 4 TESS sectors per task (the old
   65,536-cadence tasks) against 7 (131,072) and 96.

    python benchmarks/diag_predict_overhead.py [--files 96] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "bundled")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", default="/tmp/bench_bundled_throughput")
    args = parser.parse_args(argv)

    import skops.io  # noqa: F401  (imported once, outside the timings)
    from _default_data import TEST_SEED_OFFSET, flavour_files
    from threadpoolctl import threadpool_limits

    from _machine import machine_description, median_cpu_seconds
    from exohunt.bundled import bundled_run_dir
    from exohunt.io import read
    from exohunt.training import load_model
    from exohunt.training import run as run_module

    directory = bundled_run_dir("default")
    print(machine_description("numpy", "sklearn"))
    shipped = median_cpu_seconds(lambda: load_model(directory), args.repeats)
    known = run_module._KNOWN_SKOPS_TYPES
    run_module._KNOWN_SKOPS_TYPES = ()
    try:
        audited = median_cpu_seconds(lambda: load_model(directory), args.repeats)
    finally:
        run_module._KNOWN_SKOPS_TYPES = known
    print(f"load the bundled default: {shipped:.2f} s CPU as shipped, {audited:.2f} s with the "
          f"full skops audit (median of {args.repeats})")

    model = load_model(directory)
    controller = run_module._openmp_controller()
    calls = 50
    limits = median_cpu_seconds(lambda: [threadpool_limits(1, user_api="openmp").__exit__(
        None, None, None) for _ in range(calls)], args.repeats) / calls
    cached = median_cpu_seconds(lambda: [controller.limit(limits=1, user_api="openmp").__exit__(
        None, None, None) for _ in range(calls)], args.repeats) / calls
    print(f"one-thread guard per member call: threadpool_limits {1e3 * limits:.2f} ms, "
          f"cached controller {1e3 * cached:.3f} ms")

    files = sorted(flavour_files(Path(args.work), "tess-2min", "test", TEST_SEED_OFFSET,
                                 max(args.files, 1000)))[:args.files]
    curves = [read(path) for path in files]
    model.predict(curves[:4], jobs=1, progress=False)  # warm-up: kernels, first tree call
    for size in (4, 7, args.files):
        seconds = median_cpu_seconds(lambda size=size: [
            model.predict(curves[i:i + size], jobs=1, progress=False)
            for i in range(0, len(curves), size)], 1)
        print(f"predict, {size:3d} stars per call: {1e3 * seconds / len(curves):.1f} ms CPU "
              f"per star ({len(curves)} TESS 2-min sectors, read beforehand)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
