"""The search's cross-validation folds: carved from DATA once, reused by every trial.

Each of K folds splits DATA's stars (stratified by label, grouped by star so that the records
of one star never sit on both sides) into a training part and a held-out part, which the
trial's model never sees before it is scored there. Inside the training part a further
stratified, grouped fifth is set aside for early stopping (the number of epochs or trees), as
``exohunt train`` sets aside its validation split; injected planets and binaries (``gbm``'s
default) are made from the remaining training stars only, and SMOTE (``seed-lstm``) is applied
per trial to them only. Everything that does not depend on the trial's hyperparameters —
features of every row, each fold's rows and injections — is computed here once, kept in
memory, and written to a cache directory that parallel worker processes load.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.errors import InputError
from exohunt.training.features import RawFeatures, extract

__all__ = ["Fold", "Folds", "load_folds", "prepare_folds", "star_groups"]

CACHE_VERSION = 2


@dataclass
class Fold:
    """Row indices (into DATA) of one fold, and its augmentation rows."""

    fit_rows: np.ndarray    # the model is fitted on these …
    stop_rows: np.ndarray   # … stopped early on these (both from the training part) …
    test_rows: np.ndarray   # … and scored on these, the fold's held-out part
    extra: RawFeatures | None = None      # injected rows made from fit_rows' stars
    extra_labels: np.ndarray | None = None


@dataclass
class Folds:
    """Everything a trial needs besides its hyperparameters."""

    raw: RawFeatures          # features of every row of DATA
    labels: np.ndarray        # (N,) int8
    folds: list[Fold]
    imbalance: str
    tabular_views: list[str]  # the views the trees read besides the statistics
    n_stars: int
    key: str                  # identifies DATA, the folds and the augmentation
    inputs: dict = field(default_factory=dict, repr=False)  # per-process cache of model inputs


def star_groups(data) -> np.ndarray:
    """One group id per row: the star (``tic_id``) of folded-view records, where a star has
    several events; otherwise each row is its own star."""
    if isinstance(data, ViewBatch) and "tic_id" in data.table:
        return pd.factorize(data.table["tic_id"].astype(str))[0]
    return np.arange(len(data))


def _data_digest(data) -> str:
    digest = hashlib.sha256()
    arrays = ([data.flux, data.time] if isinstance(data, LightCurveBatch)
              else [data.global_view, data.local_view])
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def prepare_folds(data, labels: np.ndarray, model: str, imbalance: str, n_folds: int, seed: int,
                  *, prep=None, jobs: int = 0, progress: bool = False,
                  cache_dir: str | Path | None = None) -> Folds:
    """Features, folds and injections of labelled ``data`` for a search over ``model``.

    Parameters
    ----------
    data : LightCurveBatch or ViewBatch
        Labelled (``labels``, shape (N,)) training data: the only data the search sees.
    model, imbalance : str
        The registry name and its imbalance method (``"inject"`` makes injections here).
    n_folds, seed : int
        Number of folds (2-20) and the seed of the split and the injections.
    prep : SequencePrep, optional
        Sequence preprocessing of raw-sequence models.
    jobs, progress :
        Worker processes and progress bars of the search and injections.
    cache_dir : path, optional
        Where the prepared folds are written (and read back when already there).

    Returns
    -------
    Folds
    """
    from exohunt.models import get_spec
    from exohunt.training.api import _augment_options, _quiet_hosts

    spec = get_spec(model)
    groups = star_groups(data)
    key = _key(data, labels, groups, model, imbalance, n_folds, seed, prep)
    if cache_dir is not None and (Path(cache_dir) / f"folds-{key}" / "done").exists():
        return load_folds(Path(cache_dir) / f"folds-{key}")
    splits = _splits(labels, groups, n_folds, seed)
    raw = extract(data, spec.inputs, prep=prep, jobs=jobs, progress=progress,
                  cache_dir=None if cache_dir is None else Path(cache_dir) / "features",
                  variability=False)
    folds = []
    for k, (fit_rows, stop_rows, test_rows) in enumerate(splits):
        fold = Fold(fit_rows, stop_rows, test_rows)
        if imbalance == "inject":
            from exohunt.training.augment import injected_features

            fold.extra, fold.extra_labels = injected_features(
                data, fit_rows, labels, spec.inputs, prep=prep, seed=seed + k, jobs=jobs,
                progress=progress, hosts=_quiet_hosts(raw),
                cache_dir=None if cache_dir is None else Path(cache_dir) / "features",
                **_augment_options(model, data))
        folds.append(fold)
    views = ["global", "local"] if isinstance(data, ViewBatch) else ["local"]
    result = Folds(raw, labels, folds, imbalance, views if spec.inputs == "tabular" else [],
                   int(groups.max()) + 1 if len(groups) else 0, key)
    if cache_dir is not None:
        _save(result, Path(cache_dir) / f"folds-{key}")
    return result


def _key(data, labels, groups, model, imbalance, n_folds, seed, prep) -> str:
    from exohunt.models import get_spec
    from exohunt.training.api import _augment_options
    from exohunt.training.features import _search_source_digest

    digest = hashlib.sha256(_data_digest(data).encode())
    digest.update(np.asarray(labels, np.int8).tobytes())
    digest.update(np.asarray(groups, np.int64).tobytes())
    described = {"version": CACHE_VERSION, "inputs": get_spec(model).inputs,
                 "imbalance": imbalance, "folds": n_folds, "seed": seed,
                 "augment": _augment_options(model, data) if imbalance == "inject" else {},
                 "prep": prep.to_dict() if prep is not None else None}
    digest.update(json.dumps(described, sort_keys=True).encode())
    if isinstance(data, LightCurveBatch) and (imbalance == "inject"
                                              or get_spec(model).inputs != "sequence"):
        digest.update(_search_source_digest())  # features from the search: new code, new key
    return digest.hexdigest()[:20]


def _splits(labels: np.ndarray, groups: np.ndarray, n_folds: int, seed: int) -> list[tuple]:
    n_positive_stars = len(np.unique(groups[labels == 1]))
    if n_positive_stars < 2 * n_folds:
        raise InputError(f"DATA has positives in only {n_positive_stars} stars: too few for "
                         f"{n_folds} folds with early stopping (at least {2 * n_folds}); "
                         "use fewer --folds or more data")
    outer = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    splits = []
    for train_rows, test_rows in outer.split(np.zeros(len(labels)), labels, groups):
        # a fifth of the training part stops training early, as train()'s validation split
        inner = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed + 1)
        fit, stop = next(inner.split(np.zeros(len(train_rows)), labels[train_rows],
                                     groups[train_rows]))
        parts = (np.sort(train_rows[fit]), np.sort(train_rows[stop]), np.sort(test_rows))
        if any(len(np.unique(labels[rows])) < 2 for rows in parts):
            raise InputError(f"a fold of {n_folds} lacks positive or negative examples; "
                             "use fewer --folds or more data")
        splits.append(parts)
    return splits


def _save_raw(raw: RawFeatures, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    np.savez(directory / "arrays.npz", **raw.arrays)
    raw.stats.to_parquet(directory / "stats.parquet")
    raw.signals.to_parquet(directory / "signals.parquet")
    (directory / "raw.json").write_text(json.dumps({"feature_version": raw.feature_version,
                                                   "rows": len(raw)}))


def _load_raw(directory: Path) -> RawFeatures:
    with np.load(directory / "arrays.npz", allow_pickle=False) as arrays:
        values = {k: arrays[k] for k in arrays.files}
    described = json.loads((directory / "raw.json").read_text())
    stats = pd.read_parquet(directory / "stats.parquet")
    if stats.shape[1] == 0:  # a frame without columns comes back without its rows
        stats = pd.DataFrame(index=range(described["rows"]))
    return RawFeatures(values, stats, pd.read_parquet(directory / "signals.parquet"),
                       described["feature_version"])


def _save(folds: Folds, directory: Path) -> None:
    """Write ``folds`` to ``directory`` atomically (a temporary directory, then renamed), so
    that a worker never reads a half-written cache."""
    if (directory / "done").exists():
        return
    partial = directory.with_name(f"{directory.name}.partial-{os.getpid()}")
    _save_raw(folds.raw, partial / "raw")
    rows = {"labels": folds.labels}
    for k, fold in enumerate(folds.folds):
        rows.update({f"fit{k}": fold.fit_rows, f"stop{k}": fold.stop_rows,
                     f"test{k}": fold.test_rows})
        if fold.extra is not None:
            _save_raw(fold.extra, partial / f"extra{k}")
            rows[f"extra_labels{k}"] = fold.extra_labels
    np.savez(partial / "rows.npz", **rows)
    (partial / "meta.json").write_text(json.dumps({
        "n_folds": len(folds.folds), "imbalance": folds.imbalance, "key": folds.key,
        "tabular_views": folds.tabular_views, "n_stars": folds.n_stars}))
    (partial / "done").write_text("")
    try:
        partial.rename(directory)
    except OSError:  # another process finished first: keep its copy
        shutil.rmtree(partial, ignore_errors=True)


def load_folds(directory: str | Path) -> Folds:
    """Folds written by :func:`prepare_folds` with a ``cache_dir``."""
    directory = Path(directory)
    meta = json.loads((directory / "meta.json").read_text())
    with np.load(directory / "rows.npz", allow_pickle=False) as rows:
        rows = {k: rows[k] for k in rows.files}
    folds = []
    for k in range(meta["n_folds"]):
        extra = directory / f"extra{k}"
        folds.append(Fold(rows[f"fit{k}"], rows[f"stop{k}"], rows[f"test{k}"],
                          _load_raw(extra) if extra.is_dir() else None,
                          rows.get(f"extra_labels{k}")))
    return Folds(_load_raw(directory / "raw"), rows["labels"], folds, meta["imbalance"],
                 meta["tabular_views"], meta["n_stars"], meta["key"])
