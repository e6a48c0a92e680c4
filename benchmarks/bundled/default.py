"""Builder of the bundled light-curve model ``default`` (issue 16; contract in
``benchmarks/build_bundled_models.py``).

Training data: simulated stars of every mission flavour of :mod:`exohunt.simulate.flavours`
(Kepler long cadence single and stitched quarters, Kepler short cadence, K2 with its roll, TESS
2-min / 200-s / 10-min sectors and 30-min FFI products with scattered light and momentum
dumps), written as FITS files and read back like users' files (relative flux after the readers,
centroids, SAP flux, background, the header's catalogue where the product has one), plus
Kaggle-layout rows without context; sizes in ``_default_data.TRAIN_SIZES``, 25 % planets.
Model: an ensemble of :data:`MEMBERS` ``gbm`` runs with context (``auto``), class weights (the
simulated sets already hold a planet per four stars: injection would search every star a
second time), member ``k`` validating on fold ``k`` of one stratified K-fold split, their
probabilities averaged; the named configuration (``default`` or ``large``) with the higher
out-of-fold average precision, never chosen on test or real files; the threshold at recall
0.95 of the training planets with true SNR >= 10 (:data:`THRESHOLD_RECALL`), on the
out-of-fold scores of *every* training star (~730 such planets), not of one 20 % validation
split: a single run's threshold moved 0.60 -> 0.66 -> 0.77 between rebuilds whose features
differed only for short cadences. Metrics: per flavour
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
#: The members' own threshold objective (each run needs one; the ensemble's is below).
OBJECTIVE = "recall:0.8"
#: The stored threshold: recall THRESHOLD_RECALL of the training planets whose *true* SNR (the
#: simulator's matched-filter SNR) is >= THRESHOLD_MIN_SNR, out of fold; weaker planets
#: neither count nor hurt. Until round 12 the proxy "recall 0.8 of all planets" stood for it
#: (15.8 % of the planets were below SNR 10); with the bright share that proxy gave 0.90 at
#: SNR >= 10, not the 0.95 it was meant to (benchmarks/diag_bundled_threshold.py). The
#: search SNR cannot stand in: planets the search misses or finds at a wrong period keep
#: their true SNR but lose their search SNR, and "recall 0.95 at search SNR >= 10" cut at 0.03.
THRESHOLD_RECALL, THRESHOLD_MIN_SNR = 0.95, 10.0
#: Ensemble members, one per fold: the threshold rests on every training planet's out-of-fold
#: score, and the mean of five runs moves less between rebuilds than one run does.
MEMBERS = 5
REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lightcurves"
SIZE_LIMIT_BYTES = 8 * 1024 * 1024


def train_default(curves: list, out: Path, *, work: Path, seed: int, config: str):
    """Train the bundled model's configuration ``config`` on ``curves`` into ``out``: an
    ensemble of :data:`MEMBERS` runs on K-fold validation splits (see the module doc)."""
    from exohunt.training import train_ensemble

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return train_ensemble(curves, "gbm", n_members=MEMBERS, out=out, seed=seed,
                              folds=True, imbalance="weights", context="auto", config=config,
                              objective=OBJECTIVE, cache_dir=Path(work) / "cache", jobs=JOBS)


def out_of_fold_ap(folder: Path) -> float:
    """The ensemble's out-of-fold average precision, from its ``ensemble.json``."""
    record = json.loads((Path(folder) / "ensemble.json").read_text())
    return float(record["metrics"]["out_of_fold_average_precision"])


def out_of_fold(model, curves: list, *, work: Path, jobs: int = JOBS) -> tuple:
    """``(rows, scores, labels, raw)``: every training row the ensemble ``model`` held out,
    scored by the members that did not train on it (their recorded validation rows), the
    labels of all ``curves`` (``meta["label"]``) and their features (``RawFeatures``, from
    ``work``'s cache)."""
    from exohunt.training.ensemble import _out_of_fold

    labels = np.array([int(lc.meta["label"]) for lc in curves])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw, scores = model._member_scores(curves, jobs, False, Path(work) / "cache")
    rows, oof = _out_of_fold(model.members, scores)
    return rows, oof, labels, raw


def store_true_snr_threshold(folder: Path, curves: list, true_snr: np.ndarray, *,
                             work: Path):
    """Replace the ensemble's threshold in ``folder/ensemble.json`` with the out-of-fold cut at
    recall :data:`THRESHOLD_RECALL` of the planets with true SNR >= :data:`THRESHOLD_MIN_SNR`
    (``true_snr`` (N,), aligned with ``curves``); returns the reloaded model."""
    from exohunt.training import load_model
    from exohunt.training.threshold import choose_threshold

    rows, oof, labels, _ = out_of_fold(load_model(folder), curves, work=work)
    objective = f"recall:{THRESHOLD_RECALL:g}@snr{THRESHOLD_MIN_SNR:g}"
    # true SNR in the place of the search SNR: planets below it neither count nor hurt
    choice = choose_threshold(labels[rows], oof, objective,
                              signal_snr=np.where(labels == 1, true_snr, 0.0)[rows])
    record = json.loads((Path(folder) / "ensemble.json").read_text())
    record["threshold"] = {**choice.to_dict(), "out_of_fold_rows": len(rows),
                           "snr": "simulator truth (matched-filter SNR)"}
    (Path(folder) / "ensemble.json").write_text(json.dumps(record, indent=2) + "\n")
    return load_model(folder)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def choose_and_train(run_dir: Path, curves: list, *, work: Path, seed: int,
                     configs: tuple[str, ...] = CONFIGS) -> tuple:
    """Train every configuration of ``configs``, keep the one with the best out-of-fold AP
    within the size limit in ``run_dir``; returns (model, its name, {config: out-of-fold
    AP})."""
    from exohunt.training import load_model

    scores, best = {}, None
    for config in configs:
        folder = Path(work) / "candidates" / config
        shutil.rmtree(folder, ignore_errors=True)
        run = train_default(curves, folder, work=work, seed=seed, config=config)
        scores[config] = out_of_fold_ap(folder)
        if _size(folder) <= SIZE_LIMIT_BYTES and (best is None or scores[config] > scores[best]):
            best = config
        del run
    if best is None:
        raise SystemExit(f"no configuration of {configs} fits the bundled default's size "
                         f"limit of {SIZE_LIMIT_BYTES} bytes")
    shutil.copytree(Path(work) / "candidates" / best, run_dir, dirs_exist_ok=True)
    return load_model(run_dir), best, scores


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
    true_snr = np.concatenate([train_sets[name][1]["snr"].to_numpy(float)
                               for name in FLAVOUR_NAMES])
    run = store_true_snr_threshold(Path(run_dir), curves, true_snr, work=work)
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
    record = json.loads((Path(run_dir) / "ensemble.json").read_text())
    n_train = {name: len(train_sets[name][0]) for name in FLAVOUR_NAMES}
    n_train_planets = {name: int(train_sets[name][1]["label"].sum()) for name in FLAVOUR_NAMES}
    figures = {
        "config": config, "val_ap_by_config": val_scores,
        "val_ap_text": ", ".join(f"{name} {ap:.4f}" for name, ap in val_scores.items()),
        "members": len(run.members),
        # out-of-fold scores of every training star (each scored by the member that did not
        # train on it): the threshold's data, and the AP that chose the configuration
        "val": {"ap": out_of_fold_ap(run_dir), "f1": float(record["threshold"]["f1"]),
                "threshold": float(run.threshold),
                "precision": float(record["threshold"]["precision"]),
                "recall": float(record["threshold"]["recall"]),
                "n_stars": int(record["threshold"]["out_of_fold_rows"]),
                "member_ap_text": ", ".join(
                    f"{ap:.3f}"
                    for ap in record["metrics"]["member_validation_average_precision"])},
        "train": {"n_stars": sum(n_train.values()), "n_planets": sum(n_train_planets.values()),
                  "by_flavour": n_train, "planets_by_flavour": n_train_planets},
        "test_seed": test_seed, "test": flavours, "failure_modes": failures,
        "simulator": simulator_version(),
        "real": real_file_figures(run, REAL_DATA if not quick else Path("/nonexistent")),
        "size_bytes": _size(Path(run_dir)),
    }
    worst = min(flavours, key=lambda name: flavours[name]["ap"])
    summary = (f"{MEMBERS} gbm runs (K-fold ensemble) on search + centroid + host-star "
               f"statistics, trained on "
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
