"""Seed ensembles: several runs of one model whose planet probabilities are averaged.

Astronet-Triage and -Vetting (Yu et al. 2019) average ten independently trained networks.
:func:`train_ensemble` trains ``n_members`` runs with :func:`exohunt.training.train`, member
``k`` with seed ``seed + k`` — so each member has its own validation split (its own early
stopping and checkpoint) and its own initialisation. Together the members see all the data.

The ensemble's decision threshold is chosen *out of fold*: every training row that was in the
validation split of at least one member is scored by the mean of those members only (models
that never trained on it), and the threshold objective is applied to these rows. No row
scores itself. With random splits (the default) five members at ``val_fraction`` 0.2 leave
~1/3 of the rows out of every validation split; with ``folds=True`` the members' validation
splits are the K = ``n_members`` disjoint folds of one stratified split, so every row is
scored out of fold (member 0's fold is the validation split a single run with ``seed`` and
``val_fraction`` = 1/K would use). A ``recall:R@snrS`` objective reads the out-of-fold rows'
search SNR.

An ensemble directory holds ``ensemble.json`` and one ordinary run directory per member
(``member-00`` …), each checked by :func:`exohunt.training.load_run` when loaded. A *mixed*
ensemble (``"model": "mixed"``, :mod:`exohunt.training.mixed`) averages members of several
models reading the same features (trees and view networks), with per-member ``weights``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exohunt.errors import InputError, RunDirectoryError
from exohunt.training.directory import is_run_directory
from exohunt.training.features import best_per_star, split_later_signals
from exohunt.training.run import Run, coerce_data, load_run, prediction_table
from exohunt.training.threshold import choose_threshold, safe_average_precision

__all__ = ["ENSEMBLE_FORMAT", "Ensemble", "fold_rows", "is_run_directory", "load_ensemble",
           "load_model", "train_ensemble"]

ENSEMBLE_FORMAT = "exohunt-ensemble"
#: ``ensemble.json``'s ``model`` for an ensemble of several models (exohunt.training.mixed)
MIXED = "mixed"
MAX_MEMBERS = 100


@dataclass
class Ensemble:
    """Member runs of one model and the ensemble's threshold (see module doc)."""

    members: list[Run]
    config: dict
    directory: Path | None = None

    @property
    def name(self) -> str:
        return str(self.config.get("model") or self.members[0].name)

    @property
    def weights(self) -> np.ndarray:
        """Each member's weight in the mean probability, shape (M,), summing to 1."""
        weights = np.asarray(self.config.get("weights") or np.ones(len(self.members)), float)
        return weights / weights.sum()

    @property
    def threshold(self) -> float:
        return float(self.config["threshold"]["threshold"])

    @property
    def kind(self) -> str:
        return self.members[0].kind

    @property
    def device(self):
        return self.members[0].device

    def _combine(self, scores: np.ndarray) -> np.ndarray:
        """The ensemble's probability from the members' (M, N): their plain mean (bit for bit
        as before weights existed) unless ``ensemble.json`` gives ``weights``."""
        return self.weights @ scores if self.config.get("weights") else scores.mean(axis=0)

    @property
    def signals_per_star(self) -> int:
        """As :attr:`Run.signals_per_star` (the members were trained alike)."""
        return self.members[0].signals_per_star

    def _member_scores(self, data, jobs: int, progress: bool, cache_dir,
                       signals_per_star: int = 1, variability: bool = True) -> tuple:
        # One feature extraction for all members: they read the same kind of inputs.
        raw = self.members[0]._features(data, jobs, progress, cache_dir, signals_per_star,
                                        variability)
        return raw, np.stack([member._score_raw(raw) for member in self.members])

    def score(self, data, jobs: int = 0, progress: bool = False, cache_dir=None) -> np.ndarray:
        """Mean planet probability of the members for every star in ``data``, shape (N,)
        (of each signal, then the star's best: see :attr:`signals_per_star`)."""
        raw, scores = self._member_scores(coerce_data(data), jobs, progress, cache_dir,
                                          self.signals_per_star)
        return best_per_star(raw, self._combine(scores))

    def predict(self, data, jobs: int = 0, progress: bool = False,
                cache_dir=None, signals_per_star: int | None = None) -> pd.DataFrame:
        """As :meth:`Run.predict`, with the ensemble's mean probability."""
        data = coerce_data(data)
        raw, scores = self._member_scores(data, jobs, progress, cache_dir,
                                          signals_per_star or self.signals_per_star)
        return prediction_table(data, raw, self._combine(scores), self.threshold)

    def save(self, directory: str | Path, weights_format: str = "pt") -> Path:
        """Write every member's run directory and ``ensemble.json`` into ``directory``
        (networks' weights as ``weights_format``: see :meth:`Run.save`)."""
        directory = Path(directory)
        names = [f"member-{k:02d}" for k in range(len(self.members))]
        for name, member in zip(names, self.members):
            member.save(directory / name, weights_format=weights_format)
        self.config["members"] = names
        (directory / "ensemble.json").write_text(json.dumps(self.config, indent=2))
        self.directory = directory
        return directory


def _out_of_fold(members: list[Run], scores: np.ndarray,
                 weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows held out by at least one member, and each one's (weighted) mean over those
    members."""
    total, count = np.zeros(scores.shape[1]), np.zeros(scores.shape[1])
    weights = np.ones(len(members)) if weights is None else weights
    for member, member_scores, weight in zip(members, scores, weights):
        rows = np.asarray(member.config["split"]["val_rows"], dtype=int)
        total[rows] += weight * member_scores[rows]
        count[rows] += weight
    rows = np.flatnonzero(count)
    return rows, total[rows] / count[rows]


def out_of_fold_record(ensemble: Ensemble, labelled, labels: np.ndarray, objective: str,
                       train_options: dict, weights: np.ndarray | None = None) -> dict:
    """The ``training``, ``threshold`` and ``metrics`` entries of ``ensemble.json``: the
    members' out-of-fold scores of the labelled training rows (``weights`` per member, the
    plain mean without), the threshold chosen on them and their average precision."""
    from exohunt.training.api import (  # (torch: not needed to score)
        _signal_snr,
        objective_snr_record,
        objective_snr_values,
    )

    members = ensemble.members
    raw, scores = ensemble._member_scores(labelled, train_options.get("jobs", 0), False,
                                          train_options.get("cache_dir"),
                                          ensemble.signals_per_star,
                                          # as the members' training searched them (the
                                          # search's variability statistics: read by no model)
                                          variability=False)
    # per star (its best signal, as Ensemble.score gives it; each star is held out by one
    # member, so the best of that member's signals)
    scores = np.stack([best_per_star(raw, member_scores) for member_scores in scores])
    raw = split_later_signals(raw)[0]
    rows, oof = (_out_of_fold(members, scores) if weights is None
                 else _out_of_fold(members, scores, weights))
    # (None for sequence models, which cannot use recall:R@snrS anyway)
    objective_snr = train_options.get("objective_snr", "labels")
    snr = objective_snr_values(labelled, labels, np.arange(len(labels)), _signal_snr(raw),
                               objective_snr)
    choice = choose_threshold(labels[rows], oof, objective,
                              signal_snr=None if snr is None else snr[rows])
    return {
        # what the members were trained to call positive (read by 'exohunt evaluate')
        "training": {"positive": members[0].config["training"]["positive"]},
        "threshold": {**choice.to_dict(), "out_of_fold_rows": len(rows),
                      **objective_snr_record(labelled, labels, rows, objective, objective_snr)},
        "metrics": {"out_of_fold_average_precision": safe_average_precision(labels[rows], oof),
                    "member_validation_average_precision":
                        [m.metrics["average_precision"] for m in members]},
    }


def fold_rows(labels: np.ndarray, n_folds: int, seed: int) -> list[np.ndarray]:
    """``n_folds`` disjoint, label-stratified folds covering every row, each sorted.

    Fold 0 is the validation split of a single run with ``seed`` and ``val_fraction`` =
    1/``n_folds``; each further fold is drawn (stratified, ``seed``) from the rows left, so
    that the folds have equal sizes within a row.
    """
    from exohunt.training.api import _split

    rest, first = _split(labels, 1.0 / n_folds, seed)
    folds = [first]
    for k in range(1, n_folds - 1):
        rest, fold = _split_rows(rest, labels, 1.0 / (n_folds - k), seed)
        folds.append(fold)
    return [*folds, rest]


def _split_rows(rows: np.ndarray, labels: np.ndarray, fraction: float,
                seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    keep, fold = train_test_split(rows, test_size=fraction, stratify=labels[rows],
                                  random_state=seed)
    return np.sort(keep), np.sort(fold)


def train_ensemble(data: Any, model: str = "twoview", n_members: int = 5,
                   out: str | Path | None = None, *, seed: int = 42,
                   positive: tuple[str, ...] | list[str] | None = None, objective: str = "f1",
                   folds: bool = False, **train_options: Any) -> Ensemble:
    """Train ``n_members`` runs of ``model`` (seeds ``seed``, ``seed + 1`` …) and average them.

    Parameters
    ----------
    data : path, LightCurveBatch, ViewBatch or SimulatedDataset (its ``train`` is used)
    model : str
        A name in :data:`exohunt.models.MODELS`.
    n_members : int
        Number of member runs, 2 to 100.
    out : path, optional
        Ensemble directory to write (``ensemble.json`` and ``member-NN/`` run directories).
    seed, positive, objective :
        As in :func:`exohunt.training.train`; ``objective`` also sets the ensemble threshold.
    folds : bool
        Member ``k`` validates on fold ``k`` of :func:`fold_rows` (K = ``n_members``
        disjoint folds: every training row is scored out of fold) instead of its own random
        ``val_fraction`` split.
    **train_options :
        Passed to every :func:`exohunt.training.train` call (``device``, ``epochs``,
        ``config``, ``loop``, ``jobs``, ``labels`` …).

    Returns
    -------
    Ensemble
    """
    from exohunt.training.api import _labelled, train

    if not isinstance(n_members, int) or not 2 <= n_members <= MAX_MEMBERS:
        raise InputError(f"n_members must be an integer from 2 to {MAX_MEMBERS}, "
                         f"got {n_members!r}")
    if hasattr(data, "train") and hasattr(data, "test"):  # a SimulatedDataset: its train split
        data = data.train
    data = coerce_data(data)  # read once, shared by every member
    if train_options.get("labels") is not None:  # single-star files: labelled once, here
        from exohunt.io.labels import apply_labels

        data, _ = apply_labels(data, train_options.pop("labels"), positive=positive)
        positive = None
    train_options.pop("labels", None)
    labelled, labels = _labelled(data, tuple(positive) if positive else None)
    if folds and "val_fraction" in train_options:
        raise InputError("folds=True sets each member's validation split (1/n_members of the "
                         "rows); do not pass val_fraction with it")
    member_val = fold_rows(labels, n_members, seed) if folds else [None] * n_members
    members = [train(data, model=model, seed=seed + k, positive=positive, objective=objective,
                     val_rows=member_val[k], **train_options) for k in range(n_members)]
    ensemble = Ensemble(members, {})
    ensemble.config = {
        "format": ENSEMBLE_FORMAT, "format_version": 1, "model": model,
        "config_name": members[0].config["model"].get("config_name"),
        "seeds": [seed + k for k in range(n_members)],
        "validation_splits": "folds" if folds else "random",
        **out_of_fold_record(ensemble, labelled, labels, objective, train_options),
    }
    if out is not None:
        ensemble.save(out)
    return ensemble


def load_ensemble(path: str | Path, device: str = "auto") -> Ensemble:
    """Load a directory written by :meth:`Ensemble.save`; every member is checked.

    Raises
    ------
    RunDirectoryError
        Not an ensemble directory, a missing or invalid member, or members of different models.
    """
    directory = Path(path)
    config_path = directory / "ensemble.json"
    if not config_path.is_file():
        raise RunDirectoryError(f"{config_path} is missing: not an exohunt ensemble directory")
    try:
        config = json.loads(config_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunDirectoryError(f"{config_path} is not valid JSON ({error})") from error
    names = config.get("members") if isinstance(config, dict) else None
    if config.get("format") != ENSEMBLE_FORMAT or not isinstance(names, list) or not names:
        raise RunDirectoryError(f"{config_path} is not an exohunt ensemble config")
    if any(not isinstance(n, str) or Path(n).name != n or n in (".", "..") for n in names):
        raise RunDirectoryError(f"{config_path}: member names must be plain directory names")
    members = [load_run(directory / name, device=device) for name in names]
    if config.get("model") == MIXED:
        from exohunt.training.mixed import check_mixed

        check_mixed(config, members, directory)
    elif {m.name for m in members} != {config.get("model")}:
        raise RunDirectoryError(f"{directory}: members are not all {config.get('model')!r} runs")
    return Ensemble(members, config, directory)


def load_model(path: str | Path, device: str = "auto") -> Run | Ensemble:
    """A run directory (:func:`load_run`) or an ensemble directory (:func:`load_ensemble`).

    Both score with ``score``/``predict`` and carry ``threshold``, ``name`` and ``directory``,
    so every command that takes a run takes an ensemble too.
    """
    if (Path(path) / "ensemble.json").is_file():
        return load_ensemble(path, device=device)
    return load_run(path, device=device)
