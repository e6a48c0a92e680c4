"""Builder of the bundled light-curve model ``default`` (issue 16; contract in
``benchmarks/build_bundled_models.py``).

Training data: simulated stars of every mission flavour of :mod:`exohunt.simulate.flavours`
(Kepler long cadence single and stitched quarters, Kepler short cadence, K2 with its roll, TESS
2-min / 200-s / 10-min sectors and 30-min FFI products with scattered light and momentum
dumps), written as FITS files and read back like users' files (relative flux after the readers,
centroids, SAP flux, background, the header's catalogue where the product has one), plus
Kaggle-layout rows without context; sizes in ``_default_data.TRAIN_SIZES``, 25 % planets.
Model: ``gbm`` with context (``auto``), class weights (the simulated sets already hold a
planet per four stars: injection would search every star a second time), the named
configuration (``default`` or ``large``) with the higher average precision on the run's own
validation split (20 % of the training stars, drawn from the simulator), never on test or
real files; the threshold at validation recall 0.8 (:data:`OBJECTIVE`). Metrics: per flavour
on held-out simulated stars (seed = build seed + 100003), and on the real files in
``../shared/data/lightcurves`` when present.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _default_data import (
    FLAVOUR_NAMES,
    TEST_SEED_OFFSET,
    cache_whole,
    load_sets,
)
from _default_metrics import failure_modes, flavour_figures

JOBS = 2
CONFIGS = ("default", "large")
#: The stored threshold's objective: the issue asks for recall of planets with SNR >= 10; by
#: construction 15.8 % of the simulated planets lie below SNR 10 (log-U 5-400), which the
#: search mostly cannot find, so recall 0.80 of all validation planets is recall ~0.95 of
#: those at SNR >= 10 (0.95 x 0.842). F1 on this 25 %-planet mix sits at recall ~0.79.
OBJECTIVE = "recall:0.8"
REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lightcurves"
SIZE_LIMIT_BYTES = 8 * 1024 * 1024


def train_default(curves: list, out: Path, *, work: Path, seed: int, config: str):
    """Train the bundled model's configuration ``config`` on ``curves`` into ``out``."""
    from exohunt.training import train

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return train(curves, "gbm", out=out, seed=seed, imbalance="weights", context="auto",
                     config=config, objective=OBJECTIVE, cache_dir=Path(work) / "cache",
                     jobs=JOBS)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def choose_and_train(run_dir: Path, curves: list, *, work: Path, seed: int,
                     configs: tuple[str, ...] = CONFIGS) -> tuple:
    """Train every configuration of ``configs``, keep the one with the best validation AP
    within the size limit in ``run_dir``; returns (run, its name, {config: validation AP})."""
    from exohunt.training import load_run

    scores, best = {}, None
    for config in configs:
        folder = Path(work) / "candidates" / config
        shutil.rmtree(folder, ignore_errors=True)
        run = train_default(curves, folder, work=work, seed=seed, config=config)
        metrics = json.loads((folder / "metrics.json").read_text())
        scores[config] = float(metrics["val"]["average_precision"]
                               if "val" in metrics else metrics["average_precision"])
        if _size(folder) <= SIZE_LIMIT_BYTES and (best is None or scores[config] > scores[best]):
            best = config
        del run
    for item in (Path(work) / "candidates" / best).iterdir():
        shutil.copy2(item, run_dir / item.name)
    return load_run(run_dir), best, scores


def real_file_figures(run, folder: Path) -> dict:
    """Candidates among the real files: stars with a qualifying known planet (>= 3 transits
    and SNR >= 10 in that file, measured from the data) and flaring stars."""
    from _default_real import real_file_summary

    return real_file_summary(run, folder)


def build(run_dir: Path, *, work: Path, seed: int, quick: bool) -> dict:
    """Simulate, train and evaluate the bundled ``default`` model (see the module docstring)."""
    work = Path(work)
    train_sets = load_sets(work, "train", seed, quick, JOBS)
    parts = [train_sets[name][0] for name in FLAVOUR_NAMES]
    cache_whole(parts, work / "cache")
    curves = [lc for part in parts for lc in part]
    # --quick (tests): one configuration, no real files — seconds, not minutes
    run, config, val_scores = choose_and_train(Path(run_dir), curves, work=work, seed=seed,
                                               configs=CONFIGS[:1] if quick else CONFIGS)
    test_seed = seed + TEST_SEED_OFFSET
    test_sets = load_sets(work, "test", test_seed, quick, JOBS)
    flavours, pooled, probabilities = {}, [], []
    for name, (test_curves, truth) in test_sets.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = run.score(test_curves, jobs=JOBS, cache_dir=work / "cache")
        flavours[name] = flavour_figures(truth, p, run.threshold, seed=seed)
        pooled.append(truth)
        probabilities.append(p)
    failures = failure_modes(pd.concat(pooled, ignore_index=True), np.concatenate(probabilities),
                             run.threshold)
    metrics = json.loads((Path(run_dir) / "metrics.json").read_text())
    val = metrics.get("val", metrics)
    n_train = {name: len(train_sets[name][0]) for name in FLAVOUR_NAMES}
    n_train_planets = {name: int(train_sets[name][1]["label"].sum()) for name in FLAVOUR_NAMES}
    figures = {
        "config": config, "val_ap_by_config": val_scores,
        "val_ap_text": ", ".join(f"{name} {ap:.4f}" for name, ap in val_scores.items()),
        "val": {"ap": float(val["average_precision"]), "f1": float(val.get("f1", 0.0)),
                "threshold": float(run.threshold),
                "precision": float(run.config["threshold"]["precision"]),
                "recall": float(run.config["threshold"]["recall"])},
        "train": {"n_stars": sum(n_train.values()), "n_planets": sum(n_train_planets.values()),
                  "by_flavour": n_train, "planets_by_flavour": n_train_planets},
        "test_seed": test_seed, "test": flavours, "failure_modes": failures,
        "simulator": simulator_version(),
        "real": real_file_figures(run, REAL_DATA if not quick else Path("/nonexistent")),
        "size_bytes": _size(Path(run_dir)),
    }
    worst = min(flavours, key=lambda name: flavours[name]["ap"])
    summary = (f"gbm on search + centroid + host-star statistics, trained on "
               f"{figures['train']['n_stars']:,} simulated Kepler/K2/TESS light curves and "
               f"Kaggle rows; held-out AP (SNR >= 10) {flavours[worst]['ap']:.2f}-"
               f"{max(f['ap'] for f in flavours.values()):.2f} across flavours")
    return {"summary": summary, "kind": "lightcurve", "metrics": figures,
            "tolerance": "same seed and library versions: identical probabilities; otherwise "
                         "probabilities within 0.02 and held-out APs within their 95% intervals"}


def simulator_version() -> str:
    """The simulator that made the training data: the package version and the flavours."""
    import exohunt
    from exohunt.search import FEATURE_VERSION

    return (f"exohunt {exohunt.__version__} simulator (exohunt.simulate.flavours, "
            f"flavour_sets), features {FEATURE_VERSION}")


BUILDS = {"default": build}
