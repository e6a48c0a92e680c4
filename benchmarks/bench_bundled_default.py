"""Round 8: the bundled ``default`` model against per-flavour specialists, and its throughput.

Two stages (``--stage flavours``, ``--stage throughput``, default both):

**flavours** — for every mission flavour of the training data (Kepler LC one quarter and
stitched, Kepler SC, K2, TESS 2-min / 200-s / 10-min / FFI, Kaggle layout): the held-out
simulated FITS stars of the build (seed = build seed + 100003, never used for training or any
choice), scored by the bundled model and by a *specialist*: ``gbm`` with the same settings
(configuration, class weights, context) trained on that flavour's training stars alone (the
same stars the bundled model saw of it). Reported: AP and recall at the stored threshold,
counting planets with SNR >= 10 as positives (weaker planets left out), 95 % bootstrap
intervals, and the paired-bootstrap 95 % interval of AP(bundled) − AP(specialist) (target:
its upper end above −0.05 for every flavour). With ``--work`` the build's work folder, every
star's search features are in its cache and only the specialists' trees are fitted here.

**throughput** — :func:`exohunt.predict.predict` (what ``exohunt predict`` runs) with the
bundled model, ``jobs=2``, on TESS-like 2-minute FITS files (~19,000 cadences, centroids and
catalogue) beside Kepler-length ones (one long-cadence quarter, ~4,300 cadences, and
3,197-point Kaggle-layout rows): stars/s end to end (read, search, vet, score, write), after a
warm-up, median of ``--repeats``; then per-stage CPU ms per star in this process (jobs=1):
reading, the search with its vetting statistics, and the trees.

    nice -n 10 python benchmarks/bench_bundled_default.py --work WORK \\
        --out benchmarks/results_bundled_default.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "bundled"), str(HERE)]
from _default_data import FLAVOUR_NAMES, TEST_SEED_OFFSET, load_sets, sizes  # noqa: E402
from _default_metrics import flavour_figures, paired_ap_difference  # noqa: E402

from _machine import machine_description  # noqa: E402

DEFAULT_RUN = HERE.parent / "src" / "exohunt" / "bundled" / "default"
TARGET_GAP = -0.05
TARGET_RATE = 20.0


def compare_flavours(run_dir: Path, work: Path, seed: int, jobs: int, quick: bool) -> list[dict]:
    """One row per flavour: the bundled model vs a specialist on its held-out stars."""
    from default import train_default

    from exohunt.training import load_model

    bundled = load_model(run_dir)
    config = bundled.config.get("config_name") or "default"
    train_sets = load_sets(work, "train", seed, quick, jobs)
    test_sets = load_sets(work, "test", seed + TEST_SEED_OFFSET, quick, jobs)
    rows = []
    for name in FLAVOUR_NAMES:
        curves, truth = test_sets[name]
        started = time.process_time()
        specialist = train_default(train_sets[name][0], work / "specialists" / name, work=work,
                                   seed=seed, config=config)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p_bundled = bundled.score(curves, jobs=jobs, cache_dir=work / "cache")
            p_special = specialist.score(curves, jobs=jobs, cache_dir=work / "cache")
        rows.append({
            "flavour": name, "n_train": len(train_sets[name][0]),
            "bundled": flavour_figures(truth, p_bundled, bundled.threshold, seed=seed),
            "specialist": flavour_figures(truth, p_special, specialist.threshold, seed=seed),
            "difference": paired_ap_difference(truth, p_bundled, p_special, seed=seed),
            "cpu_s": time.process_time() - started})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _rate(run, paths: list, folder: Path, jobs: int, repeats: int) -> tuple[float, list]:
    from exohunt.predict import predict

    predict(run, paths[:4], out=folder / "warm.csv", jobs=jobs, progress=False)
    walls = []
    for repeat in range(repeats):
        started = time.perf_counter()
        predict(run, paths, out=folder / f"pred-{repeat}.csv", jobs=jobs, progress=False)
        walls.append(time.perf_counter() - started)
    return len(paths) / statistics.median(walls), walls


def _stages(run, paths: list, n: int) -> dict:
    """CPU ms per star in this process: read, search + vetting, trees.

    ``paths`` are light-curve files (the first ``n`` are timed) or one Kaggle-layout CSV that
    holds ``n`` stars."""
    import exohunt
    from exohunt.training.features import extract

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.process_time()
        if len(paths) == 1 and str(paths[0]).endswith(".csv"):
            data = exohunt.read(paths[0])
            cadences = int(data.flux.shape[1])
        else:
            data = [exohunt.read(p) for p in paths[:n]]
            cadences = int(sum(len(c.time) for c in data) / n)
        read = time.process_time() - started
        started = time.process_time()
        raw = extract(data, "tabular", jobs=1)
        search = time.process_time() - started
        started = time.process_time()
        run._score_raw(raw)
        trees = time.process_time() - started
    return {"read_ms": 1e3 * read / n, "search_ms": 1e3 * search / n,
            "trees_ms": 1e3 * trees / n, "cadences": cadences}


def throughput(run_dir: Path, work: Path, seed: int, n_stars: int, repeats: int, jobs: int,
               quick: bool) -> list[dict]:
    """Stars/s of predict on TESS 2-min FITS, Kepler-quarter FITS and Kaggle-layout rows."""
    from _default_data import flavour_files

    from exohunt.io.writers import write_kaggle_csv
    from exohunt.training import load_model

    run = load_model(run_dir)
    test_seed = seed + TEST_SEED_OFFSET
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sets = {}
        for name in ("tess-2min", "kepler-lc"):
            files = flavour_files(work, name, "test", test_seed, sizes("test", quick)[name])
            sets[name] = sorted(files)[:n_stars]
        from exohunt.batch import LightCurveBatch
        from exohunt.simulate import simulate

        kaggle = simulate("kaggle", seed=seed, n_train=1, n_test=n_stars).test
        csv = folder / "kaggle.csv"
        write_kaggle_csv(csv, LightCurveBatch(kaggle.flux, kaggle.labels, kaggle.time))
        sets["kaggle"] = [str(csv)]
        _stages(run, sets["kepler-lc"], 2)  # warm-up: numba kernels, the trees' first call
        for name, paths in sets.items():
            n = n_stars if name == "kaggle" else len(paths)
            rate, walls = _rate(run, paths, folder, jobs, repeats)
            if name == "kaggle":
                rate = n / statistics.median(walls)
            stages = _stages(run, paths, min(20, n) if name != "kaggle" else n)
            out.append({"set": name, "stars": n, "stars_per_s": rate, "walls": walls,
                        **stages})
            print(json.dumps(out[-1]), flush=True)
    return out


def _ci(pair) -> str:
    return f"[{pair[0]:.3f}, {pair[1]:.3f}]"


def report(rows: list[dict], rates: list[dict], args) -> str:
    load = os.getloadavg()[0]
    lines = ["# Round 8: the bundled `default` model", "",
             f"Machine: {machine_description('numpy', 'sklearn')}, AVX-512 "
             f"{'yes' if 'avx512' in Path('/proc/cpuinfo').read_text() else 'no'}; shared with "
             f"other jobs (1-min load {load:.1f} at the end), so wall-clock rates understate "
             f"the code.", f"Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
             f"Command: `nice -n 10 python benchmarks/bench_bundled_default.py --work "
             f"{args.work} --seed {args.seed} --jobs {args.jobs}`", ""]
    if rows:
        lines += ["## Bundled vs specialists, held-out simulated FITS per flavour", "",
                  f"Held-out seed {args.seed + TEST_SEED_OFFSET}; positives = planets with "
                  "SNR >= 10 (weaker ones left out); 95 % bootstrap intervals (1,000 "
                  "resamples; the difference paired: the same stars for both models).", "",
                  "| flavour | train stars | test stars / SNR>=10 planets | AP bundled | "
                  "AP specialist | AP bundled − specialist | target (upper > −0.05) | "
                  "recall bundled | recall specialist |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for row in rows:
            b, s, d = row["bundled"], row["specialist"], row["difference"]
            lines.append(
                f"| {row['flavour']} | {row['n_train']} | {b['n_stars']} / {b['n_strong']} | "
                f"{b['ap']:.3f} {_ci(b['ap_ci'])} | {s['ap']:.3f} {_ci(s['ap_ci'])} | "
                f"{d['difference']:+.3f} {_ci(d['ci'])} | "
                f"{'met' if d['ci'][1] > TARGET_GAP else 'NOT met'} | "
                f"{b['recall']:.3f} {_ci(b['recall_ci'])} | "
                f"{s['recall']:.3f} {_ci(s['recall_ci'])} |")
        lines.append("")
    if rates:
        lines += ["## Throughput of `exohunt predict` with the bundled model (jobs=2)", "",
                  "End to end (read, search + vetting, trees, CSV) after a warm-up, median of "
                  f"{args.repeats} runs; per-stage CPU ms per star measured in-process with one "
                  "job on up to 20 stars.", "",
                  "| input | cadences/star | stars | stars/s (2 jobs) | runs [s] | read ms | "
                  "search+vetting ms | trees ms |", "|---|---|---|---|---|---|---|---|"]
        for r in rates:
            lines.append(f"| {r['set']} | {r['cadences']} | {r['stars']} | "
                         f"{r['stars_per_s']:.1f} | "
                         f"{', '.join(f'{w:.1f}' for w in r['walls'])} | {r['read_ms']:.0f} | "
                         f"{r['search_ms']:.0f} | {r['trees_ms']:.1f} |")
        tess = next(r for r in rates if r["set"] == "tess-2min")
        verdict = "met" if tess["stars_per_s"] >= TARGET_RATE else "NOT met"
        ceiling = 2000 / (tess["read_ms"] + tess["search_ms"] + tess["trees_ms"])
        lines += ["", f"Target >= {TARGET_RATE:.0f} stars/s on TESS 2-min: {verdict} "
                  f"({tess['stars_per_s']:.1f}/s on the shared machine; two idle cores could "
                  f"do at most {ceiling:.1f}/s from the per-stage CPU).", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=str(DEFAULT_RUN))
    parser.add_argument("--work", default="/tmp/bench_bundled_default")
    parser.add_argument("--seed", type=int, default=0, help="the build's seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stage", choices=("flavours", "throughput", "all"), default="all")
    parser.add_argument("--throughput-stars", type=int, default=160,
                        help="stars per input (the held-out sets hold 160 per flavour)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny sets (a smoke test)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    work = Path(args.work)
    rows = (compare_flavours(Path(args.run), work, args.seed, args.jobs, args.quick)
            if args.stage in ("flavours", "all") else [])
    rates = (throughput(Path(args.run), work, args.seed, args.throughput_stars, args.repeats,
                        args.jobs, args.quick) if args.stage in ("throughput", "all") else [])
    text = report(rows, rates, args)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    (work / "results_bundled_default.json").write_text(
        json.dumps({"flavours": rows, "throughput": rates}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
