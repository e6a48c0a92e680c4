"""``tune``: a resumable, parallel, honest hyperparameter search over one model.

Honest by construction: the search sees DATA only (there is no way to pass test data); each
trial is scored by the mean held-out average precision over K stratified folds grouped by star
(:mod:`exohunt.tuning.folds`), with injections and SMOTE inside each fold's training part; the
best configuration is then retrained on all of DATA by :func:`exohunt.training.train` — the
code ``exohunt train`` runs — through the very ``best_config.json`` a user would pass to
``exohunt train --config``, so its threshold is chosen as there (on a validation split, or out
of fold for a seed ensemble, ``members > 1``).
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from exohunt.errors import InputError
from exohunt.tuning.folds import prepare_folds
from exohunt.tuning.objective import SearchSetup, best_settings
from exohunt.tuning.report import (
    redact,
    trial_counts,
    write_best_config,
    write_index,
    write_plots,
    write_trials,
)
from exohunt.tuning.study import make_pruner, open_storage
from exohunt.tuning.workers import run_search

__all__ = ["TuneResult", "plan_search", "tune"]

# What a resumed study must share with the one in storage (its values are not comparable
# otherwise); the search space may change between runs, as Optuna allows.
_STUDY_KEYS = ("model", "folds", "seed", "positive", "config", "epochs")


@dataclass
class TuneResult:
    """A finished search: the study, its best trial and what was written."""

    study: Any
    best_value: float
    best_params: dict
    best_config: Path
    run: Any  # the retrained Run or Ensemble (None with retrain=False)
    out: Path


@dataclass
class _Plan:
    setup: SearchSetup
    study: Any
    storage_url: str
    trials: int
    parallel_trials: int


def plan_search(model: str, out: str | Path, *, trials: int = 20, storage: str | None = None,
                study: str | None = None, parallel_trials: int = 1, jobs: int = 0,
                folds: int = 3, seed: int = 42, positive: tuple[str, ...] | None = None,
                config: str | None = None, space: str | dict | None = None,
                epochs: int | None = None, device: str = "cpu", timeout: float | None = None,
                enqueue: tuple[dict, ...] = ()) -> _Plan:
    """Check every option and open (or create) the study — before any data is read, so that
    a mistake costs nothing. Parameters as :func:`tune`."""
    from exohunt.models import get_spec, named_loop, resolve_config
    from exohunt.models.space import allowed_names, override_space, space_defaults
    from exohunt.training.api import MODEL_DEFAULTS
    from exohunt.training.loop import LoopSettings

    spec = get_spec(model)
    for name, value, low, high in (("--trials", trials, 1, 100_000),
                                   ("--parallel-trials", parallel_trials, 1, 256),
                                   ("--folds", folds, 2, 20)):
        if not isinstance(value, int) or not low <= value <= high:
            raise InputError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    if timeout is not None and not timeout > 0:
        raise InputError(f"--timeout must be a positive number of seconds, got {timeout}")
    if epochs is not None and (not isinstance(epochs, int) or epochs < 1):
        raise InputError(f"--epochs must be a positive integer, got {epochs!r}")
    if config is not None and config not in spec.configs:
        resolve_config(model, config)  # names the allowed configurations
    base_config = asdict(resolve_config(model, config))
    base_loop = {**MODEL_DEFAULTS[model]["loop"], **(named_loop(model, config) if config else {})}
    allowed = allowed_names(spec.config_class, spec.inputs == "tabular")
    # the model's config wins where both have a name (gbm's learning_rate is the trees')
    values = {**asdict(LoopSettings(**base_loop)), **base_config}
    searched, fixed = (override_space(spec.space, space, allowed, values) if space is not None
                       else (dict(spec.space), {}))
    if not searched:
        raise InputError("--space leaves nothing to search")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    storage_url = storage or f"sqlite:///{(out / 'study.db').resolve()}"
    threads = max(1, (jobs or os.cpu_count() or 1) // parallel_trials)
    setup = SearchSetup(model, searched, fixed, base_config, base_loop, seed, device, threads,
                        config, epochs)
    attrs = {"model": model, "folds": folds, "seed": seed, "epochs": epochs, "config": config,
             "positive": ",".join(positive) if positive else None}
    opened = _open_study(storage_url, study or model, attrs, spec.inputs == "tabular")
    if not opened.user_attrs:  # a new study: the base configuration first, then the user's
        for key, value in attrs.items():
            opened.set_user_attr(key, value)
        opened.enqueue_trial(space_defaults(searched, {**values, **fixed}))
    for params in enqueue:
        opened.enqueue_trial(dict(params), skip_if_exists=True)
    return _Plan(setup, opened, storage_url, trials, parallel_trials)


def _open_study(url: str, name: str, attrs: dict, tabular: bool) -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(url)
    study = optuna.create_study(study_name=name, storage=storage, direction="maximize",
                                load_if_exists=True, pruner=make_pruner(tabular))
    for key in _STUDY_KEYS:
        if study.user_attrs and study.user_attrs.get(key) != attrs[key]:
            raise InputError(f"study {name!r} in {redact(url)} was run with {key} "
                             f"{study.user_attrs.get(key)!r}, not {attrs[key]!r}; rerun with "
                             "the same options to continue it, or name a new --study")
    return study


def tune(data: Any, model: str, out: str | Path, *, trials: int = 20,
         timeout: float | None = None, storage: str | None = None, study: str | None = None,
         parallel_trials: int = 1, jobs: int = 0, folds: int = 3, seed: int = 42,
         positive: tuple[str, ...] | None = None, config: str | None = None,
         space: str | dict | None = None, epochs: int | None = None, device: str = "auto",
         members: int = 1, objective: str = "f1", retrain: bool = True,
         progress: bool = True, enqueue: tuple[dict, ...] = (),
         read_options: dict | None = None) -> TuneResult:
    """Search ``model``'s hyperparameters on ``data`` and retrain the best configuration.

    Parameters
    ----------
    data : path, LightCurveBatch, ViewBatch or SimulatedDataset (its ``train`` only)
        Labelled training data; the only data the search sees.
    model : str
        A name in :data:`exohunt.models.MODELS`.
    out : path
        Output folder: ``best_config.json``, ``trials.csv``, ``index.html`` and ``plots/``,
        ``run/`` (the retrained run), ``cache/`` (the folds), and ``study.db`` by default.
    trials : int
        Trials the study should hold (complete or pruned; a resumed study counts its earlier
        ones): rerunning continues up to this number.
    timeout : float, optional
        Seconds after which no new trial starts (running ones finish).
    storage, study : str, optional
        Optuna storage URL (default ``sqlite:///OUT/study.db``; ``journal:PATH`` for a journal
        file) and study name (default: the model's name).
    parallel_trials : int
        Trials run at once, each in its own process, sharing the storage.
    jobs : int
        Processes for per-star work (the search, injections); with ``parallel_trials`` it also
        sets the threads of each trial (``jobs // parallel_trials``, 0 = all cores).
    folds, seed : int
        Number of cross-validation folds (2-20); seed of the folds, models and sampler.
    positive : sequence of str, optional
        For AstroNet views: dispositions counted as positive.
    config : str, optional
        Named configuration to start from (e.g. ``"astronet"``), with its loop settings.
    space : str or dict, optional
        Overrides of the search space (JSON), see :func:`exohunt.models.space.override_space`.
    epochs : int, optional
        Cap on every trial's (and the retrained run's) epochs.
    device, members, objective : as for :func:`exohunt.training.train` /
        :func:`~exohunt.training.train_ensemble` (the final retraining).
    retrain : bool
        Retrain the best configuration on all of ``data`` into ``out/run``.
    progress : bool
        A line per finished trial and a bar.
    enqueue : sequence of dict
        Parameter sets to try first (besides the base configuration, which a new study
        always tries first).
    read_options : dict, optional
        Options of :func:`exohunt.io.read` when ``data`` is a path.

    Returns
    -------
    TuneResult
    """
    from exohunt.training.run import resolve_device
    from exohunt.training.threshold import parse_objective

    parse_objective(objective)
    if not 1 <= members <= 100:
        raise InputError(f"--members must be from 1 to 100, got {members}")
    plan = plan_search(model, out, trials=trials, storage=storage, study=study,
                       parallel_trials=parallel_trials, jobs=jobs, folds=folds, seed=seed,
                       positive=positive, config=config, space=space, epochs=epochs,
                       device=str(resolve_device(device)), timeout=timeout, enqueue=enqueue)
    out = Path(out)
    data, labels, imbalance, prep = _training_data(data, model, positive, read_options)
    prepared = prepare_folds(data, labels, model, imbalance, folds, seed, prep=prep, jobs=jobs,
                             progress=progress, cache_dir=out / "cache")
    key = plan.study.user_attrs.get("folds_key")
    if key is None:
        plan.study.set_user_attr("folds_key", prepared.key)
    elif key != prepared.key:
        raise InputError(f"study {plan.study.study_name!r} was run on other data (or its "
                         "features came from another version of the period search); name a "
                         "new --study to search this data")
    deadline = None if timeout is None else time.time() + timeout
    run_search(plan, prepared, out / "cache" / f"folds-{prepared.key}", deadline, progress)
    return _finish(plan, data, positive, out, jobs, device, members, objective, retrain,
                   progress, imbalance, prepared, timeout)


def _training_data(data, model, positive, read_options):
    from exohunt.batch import ViewBatch
    from exohunt.io import read
    from exohunt.training.api import MODEL_DEFAULTS, _labelled
    from exohunt.training.run import coerce_data

    if hasattr(data, "train") and hasattr(data, "test"):  # a SimulatedDataset: never its test
        data = data.train
    if isinstance(data, (str, Path)):
        data = read(data, **(read_options or {}))
    data = coerce_data(data)
    labelled, labels = _labelled(data, tuple(positive) if positive else None)
    imbalance = MODEL_DEFAULTS[model]["imbalance"]
    if imbalance == "inject" and isinstance(labelled, ViewBatch):
        imbalance = "none"  # as train(): folded views cannot receive injections
    return labelled, labels, imbalance, MODEL_DEFAULTS[model].get("prep")


def _finish(plan, data, positive, out, jobs, device, members, objective, retrain, progress,
            imbalance, prepared, timeout) -> TuneResult:
    from optuna.trial import TrialState

    study, setup = plan.study, plan.setup
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        raise InputError(f"no trial of study {study.study_name!r} completed"
                         + (f" within --timeout {timeout} s" if timeout else ""))
    best = study.best_trial
    tuning = {"study": study.study_name, "storage": redact(plan.storage_url),
              "objective": f"mean held-out average precision over {len(prepared.folds)} "
                           "stratified folds grouped by star",
              "folds": len(prepared.folds), "seed": setup.seed, "base_config": setup.base_name,
              "epochs_cap": setup.epochs, "fixed": setup.fixed, "imbalance": imbalance,
              "positive": list(positive) if positive else None,
              "data": str(getattr(data, "source", "")), "rows": len(prepared.labels),
              "stars": prepared.n_stars, "positives": int(prepared.labels.sum()),
              "trials": trial_counts(study)}
    best_config = write_best_config(out / "best_config.json", setup.model,
                                    best_settings(setup, best.params), best, tuning)
    write_trials(study, out / "trials.csv")
    missing = write_plots(study, out / "plots")
    run = _retrain(data, setup, best_config, out / "run", positive, jobs, device, members,
                   objective, progress) if retrain else None
    summary = {"model": setup.model, "best value (mean held-out AP)": f"{best.value:.4f}",
               "best trial": best.number, **{f"  {k}": v for k, v in best.params.items()},
               "trials": ", ".join(f"{n} {s}" for s, n in tuning["trials"].items()),
               "folds": tuning["folds"], "data": f"{tuning['data']} ({tuning['rows']} rows, "
                                                 f"{tuning['stars']} stars)"}
    links = {"best_config.json": "best_config.json", "trials.csv": "trials.csv"}
    if run is not None:
        links["retrained run (run/)"] = "run/"
    write_index(out / "index.html", f"exohunt tune: {setup.model}", summary, missing, links)
    return TuneResult(study, float(best.value), dict(best.params), best_config, run, out)


def _retrain(data, setup: SearchSetup, best_config: Path, out: Path, positive, jobs, device,
             members, objective, progress):
    """``exohunt train --config best_config.json`` (or ``--members``), in-process."""
    from exohunt.training import train, train_ensemble

    options = {"model": setup.model, "seed": setup.seed, "positive": positive, "jobs": jobs,
               "device": device, "progress": progress, "objective": objective,
               "config": str(best_config), "cache_dir": out.parent / "cache" / "features"}
    if members > 1:
        return train_ensemble(data, n_members=members, out=out, **options)
    return train(data, out=out, **options)
