"""What the ``vetting`` preset's test split holds (issue 15's benchmark set) and what the pixel
scene costs.

Reports, for ``simulate("vetting")``'s 3,000-star test split (seed given, default 2026 — never
use it for training): the kinds, planets with SNR ≥ 10, background EBs by source offset and by
the fixed "resolvable" rule (``source_offset_pixels`` ≥ 3 × ``source_offset_error_px``, the
ideal matched-filter error of the source position), pointing drift over transit-induced
centroid shift, how far the background EBs' own density is from the target's, and the catalogue
radius error; then the CPU time per star of the flux alone, of the centroids/SAP series and of
writing the FITS file (on a sample of 200 stars), median of 3 runs.

Run: ``python benchmarks/bench_simulate_scene.py [--seed 2026] [--out FILE]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _machine import machine_description  # noqa: E402


def _avx512() -> str:
    try:
        return "yes" if "avx512f" in Path("/proc/cpuinfo").read_text() else "no"
    except OSError:
        return "unknown"


def _cpu(func) -> float:
    start = time.process_time()
    func()
    return time.process_time() - start


def main() -> None:
    from exohunt.io.writers import write_fits
    from exohunt.simulate import simulate, split_spec, time_grid
    from exohunt.simulate.dataset import iter_split
    from exohunt.simulate.lightcurves import star_lightcurve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=HERE / "results_simulate_scene.md")
    args = parser.parse_args()
    truth = simulate("vetting", seed=args.seed, n_train=1, flux_style="normalized").test_truth
    beb = truth[truth.kind == "background-eb"]
    planets = truth[truth.kind == "planet"]
    counts = truth.kind.value_counts().to_dict()
    error_q = beb.source_offset_error_px.quantile([0.1, 0.5, 0.9]).round(3).tolist()
    ratio = (beb.pointing_drift_px / beb.centroid_shift_px.abs()).median()
    density = np.abs(np.log10(beb.star_density / beb.stellar_density)).median()
    radius = np.log(truth.catalog_radius / truth.star_radius).std()

    grid = time_grid()
    stars = list(iter_split(split_spec("vetting", "test", 200), args.seed, "test", grid))
    timings = {"flux + truth (make_star)": [], "centroids/SAP series": [], "write FITS": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(3):
            spec = split_spec("vetting", "test", 200)
            timings["flux + truth (make_star)"].append(
                _cpu(lambda s=spec: list(iter_split(s, args.seed, "test", grid))))
            curves: list = []
            timings["centroids/SAP series"].append(_cpu(
                lambda out=curves: out.extend(star_lightcurve(s, grid) for s in stars)))
            timings["write FITS"].append(_cpu(lambda out=curves: [
                write_fits(Path(folder) / f"{i}.fits", lc, overwrite=True)
                for i, lc in enumerate(out)]))
    lines = [
        "# The vetting preset's test split and the cost of the pixel scene", "",
        f"Machine: {machine_description('numpy', 'astropy')}, AVX-512 {_avx512()}; shared with "
        "other jobs at the time (CPU times, not wall).", "",
        f"Command: `python benchmarks/bench_simulate_scene.py --seed {args.seed}`", "",
        "| quantity | value |", "|---|---|",
        f"| stars | {len(truth)} |",
        f"| kinds | {', '.join(f'{k} {v}' for k, v in counts.items())} |",
        f"| planets (SNR 5-60) / with SNR ≥ 10 | {len(planets)} / {(planets.snr >= 10).sum()} |",
        f"| planets with an unrelated neighbour | "
        f"{(planets.neighbour_flux_share > 0).mean():.0%} |",
        f"| background EBs with source ≥ 1 px | {(beb.source_offset_pixels >= 1).mean():.1%} |",
        f"| background EBs resolvable (offset ≥ 3σ) | {beb.source_resolvable.mean():.1%} "
        f"(unresolvable: {int((beb.source_resolvable == 0).sum())}) |",
        f"| source-position error, 10/50/90 % (px) | {error_q} |",
        f"| median pointing drift / transit centroid shift (background EBs) | {ratio:.0f} |",
        f"| median abs log10(target density / binary density), background EBs | "
        f"{density:.2f} dex |",
        f"| catalogue radius error, std of ln(catalogue/true) | {radius:.3f} |", "",
        "CPU seconds per star (200 stars, median of 3 runs):", "",
        "| step | ms per star |", "|---|---|",
    ]
    lines += [f"| {name} | {statistics.median(values) / 200 * 1e3:.2f} |"
              for name, values in timings.items()]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
