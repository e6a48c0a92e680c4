"""Builders of the bundled TCE-view models ``astronet-triage`` and ``astronet-vetting`` (issue 16).

Both are seed ensembles of ``gbm`` runs (``exohunt.training.train_ensemble``) trained on the
eight Astronet-Triage *train* shards, each written as the ensemble directory ``exohunt train
--members N`` writes (``ensemble.json`` + ``member-NN/`` run directories, skops + JSON):

- ``astronet-triage``: PC + EB (an astrophysical eclipse) vs junk, the Astronet-Triage task;
- ``astronet-vetting``: PC vs EB + junk, the Astronet-Vetting task.

The configuration and ensemble size of each were chosen by ``benchmarks/select_bundled_astronet.py``
(five folds grouped by TIC id, train shards only; ``benchmarks/results_bundled_astronet.md``)
and are fixed in :data:`CHOSEN`; the val shard never took part in that choice. Each build
scores the val shard once with the built model through :func:`exohunt.evaluation.evaluate`
(the code of ``exohunt evaluate``) for the model card.

The data folder is ``$EXOHUNT_ASTRONET_DATA`` or ``../shared/data/astronet_triage`` beside the
repository. ``quick`` (tests only, never committed) trains two small members on one train
shard and evaluates on another train shard, so it neither needs nor reads the val shard.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

__all__ = ["BUILDS", "CHOSEN", "TASKS", "data_folder"]

#: Dispositions counted as positive by each model.
TASKS = {"astronet-triage": ("PC", "EB"), "astronet-vetting": ("PC",)}

#: The configuration of each model, as chosen by cross-validation on the train shards
#: (benchmarks/results_bundled_astronet.md; mean AP over 5 TIC-grouped folds, seed 0; rule:
#: the highest mean AP, or among candidates within 0.001 of it the least training CPU).
CHOSEN: dict[str, dict] = {
    # best: large x2 0.9742; within 0.001 of it, the least training CPU: default x2 0.9737
    "astronet-triage": {"model": "gbm", "config": "default", "members": 2,
                        "cv": {"ap": 0.9737, "folds": [0.9735, 0.9772, 0.9743, 0.9714, 0.9721],
                               "single_member_ap": 0.9727, "best_ap": 0.9742,
                               "best": "gbm (large) x2"}},
    # best: large x4 0.6480 (default x4: 0.6465, not within 0.001)
    "astronet-vetting": {"model": "gbm", "config": "large", "members": 4,
                         "cv": {"ap": 0.6480, "folds": [0.6584, 0.6049, 0.6593, 0.5949, 0.7228],
                                "single_member_ap": 0.6201, "best_ap": 0.6480,
                                "best": "gbm (large) x4"}},
}

SUMMARIES = {
    "astronet-triage": "TESS TCE views (AstroNet records): astrophysical eclipse (PC or EB) vs "
                       "instrumental/junk, {members}-member gbm ensemble trained on "
                       "Astronet-Triage",
    "astronet-vetting": "TESS TCE views (AstroNet records): planet candidate vs EB or junk, "
                        "{members}-member gbm ensemble trained on Astronet-Triage",
}

#: What "the same scores" means when the models are rebuilt (the trees are deterministic
#: given seed, data and thread count; the skops archives are not byte-identical).
TOLERANCE = ("same seed, data and library versions: the same trees, so every score and card "
             "figure repeats (to float rounding); another CPU or scikit-learn version: val AP "
             "within 0.01 and every card metric within its 95% interval")

VAL_SHARD = "val-00000-of-00001"
SOURCE_REPOSITORY = "https://github.com/yuliang419/Astronet-Triage"


def data_folder() -> Path:
    """The Astronet-Triage TFRecord folder (``$EXOHUNT_ASTRONET_DATA`` or the shared data)."""
    from exohunt.errors import InputError

    folder = Path(os.environ.get("EXOHUNT_ASTRONET_DATA")
                  or Path(__file__).resolve().parents[2].parent / "shared/data/astronet_triage")
    if not (folder / VAL_SHARD).is_file() or not list(folder.glob("train-*")):
        raise InputError(f"{folder}: no Astronet-Triage shards (train-* and {VAL_SHARD}); set "
                         "EXOHUNT_ASTRONET_DATA to the folder of the TFRecord shards")
    return folder


def _disposition_rates(data, probability: np.ndarray, threshold: float) -> dict:
    """Per disposition: records, and the share flagged at ``threshold`` (for the card's
    failure modes: which kinds of junk pass, which PCs are missed)."""
    table = data.table.reset_index(drop=True)
    rates = {}
    for disposition, rows in table.groupby("disposition").groups.items():
        flagged = probability[np.asarray(rows)] >= threshold
        rates[str(disposition)] = {"n": len(rows), "flagged": int(flagged.sum()),
                                   "share_flagged": float(flagged.mean())}
    return rates


#: SNR bins of the card's failure-mode table (the records' ``SN`` column).
SNR_BINS = {"lt15": (0.0, 15.0), "15to30": (15.0, 30.0), "ge30": (30.0, np.inf)}


def _by_snr(data, labels: np.ndarray, probability: np.ndarray, threshold: float) -> dict:
    """Per SNR bin: positives found (recall) and negatives flagged (false alarms)."""
    snr = data.table["snr"].to_numpy(float)
    flagged = probability >= threshold
    bins = {}
    for key, (low, high) in SNR_BINS.items():
        inside = (snr >= low) & (snr < high)
        positive, negative = inside & (labels == 1), inside & (labels == 0)
        bins[key] = {"positives": int(positive.sum()), "found": int((flagged & positive).sum()),
                     "negatives": int(negative.sum()),
                     "false_alarms": int((flagged & negative).sum())}
    return bins


def _evaluation(model, data, work: Path, name: str) -> dict:
    """Score ``data`` once with ``model`` through ``exohunt evaluate``'s code."""
    from exohunt.evaluation.evaluator import evaluate

    result = evaluate(model, data, out=work / f"evaluate-{name}", seed=0, n_bootstrap=1000,
                      jobs=2, record=False, data_name=getattr(data, "source", name))
    probability = model.score(data, jobs=2)
    tn, fp = result["confusion_matrix"][0]
    fn, tp = result["confusion_matrix"][1]
    return {
        "ap": result["average_precision"], "ap_ci": result["average_precision_ci"],
        "roc_auc": result["roc_auc"], "roc_auc_ci": result["roc_auc_ci"],
        "precision": result["precision"], "precision_ci": result["precision_ci"],
        "recall": result["recall"], "recall_ci": result["recall_ci"],
        "f1": result["f1"], "f1_ci": result["f1_ci"], "threshold": result["threshold"],
        "n_total": result["n_total"], "n_positive": result["n_positive"],
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "data": Path(str(result["data"])).name,
        "by_disposition": _disposition_rates(data, probability, model.threshold),
        "by_snr": _by_snr(data, data.with_positive(model.config["training"]["positive"])
                          .labels, probability, model.threshold),
    }


def _build(name: str, run_dir: Path, *, work: Path, seed: int, quick: bool) -> dict:
    from threadpoolctl import threadpool_limits

    from exohunt.io import read
    from exohunt.training import train_ensemble
    from exohunt.tuning.folds import star_groups

    folder = data_folder()
    chosen = CHOSEN[name]
    shards = sorted(folder.glob("train-*"))
    if quick:  # a seconds-long smoke build: one shard, two shallow members, no val shard
        train_data, test_data = read(str(shards[0])), read(str(shards[1]))
        config, members = {"max_iter": 40}, 2
    else:
        train_data, test_data = read(str(folder / "train-*")), read(str(folder / VAL_SHARD))
        config, members = chosen["config"], chosen["members"]
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    with threadpool_limits(2):
        ensemble = train_ensemble(train_data, model=chosen["model"], n_members=members,
                                  out=run_dir, seed=seed, positive=TASKS[name], jobs=2,
                                  config=config, cache_dir=work / "features")
    train_seconds = time.perf_counter() - started
    train_cpu = time.process_time() - cpu_started
    labels = train_data.with_positive(TASKS[name]).labels
    evaluation = _evaluation(ensemble, test_data, work, name)
    member_ap = ensemble.config["metrics"]["member_validation_average_precision"]
    metrics = {
        "task": {"positive": list(TASKS[name]), "positive_text": " + ".join(TASKS[name])},
        "train": {"records": len(labels), "positives": int(labels.sum()),
                  "stars": int(star_groups(train_data).max()) + 1,
                  "shards": len(shards) if not quick else 1,
                  "dispositions": {str(k): int(v) for k, v in
                                   train_data.table["disposition"].value_counts().items()}},
        "ensemble": {"model": chosen["model"], "config": chosen["config"] if not quick
                     else "quick", "members": members,
                     "seeds": ensemble.config["seeds"],
                     "out_of_fold_ap": ensemble.config["metrics"][
                         "out_of_fold_average_precision"],
                     "member_val_ap_min": float(min(member_ap)),
                     "member_val_ap_max": float(max(member_ap)),
                     "threshold": ensemble.threshold,
                     "trees": [int(m.config["model"]["config"]["max_iter"])
                               for m in ensemble.members],
                     "train_s": round(train_seconds, 1), "train_cpu_s": round(train_cpu, 1)},
        "selection": chosen["cv"],
        "val": evaluation,
        "feature_version": ensemble.members[0].config["preprocessing"]["feature_version"],
    }
    summary = SUMMARIES[name].format(members=members)
    return {"summary": summary, "kind": "views", "metrics": metrics, "tolerance": TOLERANCE}


def build_triage(run_dir: Path, *, work: Path, seed: int, quick: bool) -> dict:
    """Train ``astronet-triage`` into ``run_dir``; returns summary, kind and card metrics."""
    return _build("astronet-triage", Path(run_dir), work=Path(work), seed=seed, quick=quick)


def build_vetting(run_dir: Path, *, work: Path, seed: int, quick: bool) -> dict:
    """Train ``astronet-vetting`` into ``run_dir``; returns summary, kind and card metrics."""
    return _build("astronet-vetting", Path(run_dir), work=Path(work), seed=seed, quick=quick)


BUILDS = {"astronet-triage": build_triage, "astronet-vetting": build_vetting}
