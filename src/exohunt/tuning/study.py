"""Optuna plumbing: the storage, the seeded sampler, the pruner, one worker's trial loop and
the progress lines.

Storage. A URL Optuna's RDB storage takes (``sqlite:///tune.db``, ``postgresql://…``,
``mysql://…``) or ``journal:PATH``, Optuna's journal file (``JournalFileBackend``). Every
finished trial is kept there, so rerunning the same command continues the study. Several
processes on one machine may share a SQLite file; across machines use an RDB server, or a
journal file on a shared filesystem — never a SQLite file over NFS, whose locking SQLite
cannot trust. RDB storages run a heartbeat: a trial whose process was killed is marked failed
once its heartbeat is older than :data:`GRACE_SECONDS`, and its place is taken by a new trial.

Sampler. TPE (multivariate, with a constant liar so that parallel trials do not crowd the same
point), re-seeded before every trial from the base seed, the number of finished trials, the
worker index and the number of trials in storage: a resumed study continues rather than
replaying its start-up trials, and parallel workers do not draw the same ones.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from exohunt.errors import InputError

__all__ = ["GRACE_SECONDS", "Progress", "counted_trials", "make_pruner", "make_sampler",
           "open_storage", "run_trials"]

HEARTBEAT_SECONDS = 20
GRACE_SECONDS = 60


def open_storage(url: str) -> Any:
    """An Optuna storage for ``url`` (see the module doc); :class:`InputError` naming the URL
    when it cannot be opened."""
    import optuna

    if url.startswith("journal:"):
        from optuna.storages.journal import JournalFileBackend

        path = Path(url[len("journal:"):].removeprefix("//"))
        if not path.parent.is_dir():
            raise InputError(f"--storage {url!r}: folder {path.parent} does not exist")
        try:
            return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
        except OSError as error:
            raise InputError(f"--storage {url!r} cannot be opened ({error})") from None
    engine = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(url, engine_kwargs=engine,
                                              heartbeat_interval=HEARTBEAT_SECONDS,
                                              grace_period=GRACE_SECONDS)
    except Exception as error:  # SQLAlchemy has many kinds: bad URL, driver, server, file
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise InputError(f"--storage {url!r} cannot be opened ({type(error).__name__}: "
                         f"{reason[:160]}); expected e.g. sqlite:///tune.db or "
                         "journal:tune.log") from None


def make_sampler(seed: int, n_finished: int, worker: int, n_startup: int,
                 n_trials: int = 0) -> Any:
    """A TPE sampler seeded from (``seed``, ``n_finished``, ``worker``, ``n_trials``): the
    number of trials in storage, running ones included, also parts processes on several
    machines that share a study (same seed, same worker index)."""
    import optuna

    derived = int(np.random.SeedSequence([seed, n_finished, worker, n_trials])
                  .generate_state(1)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(seed=derived, n_startup_trials=n_startup,
                                          multivariate=True, constant_liar=True)


def make_pruner(tabular: bool) -> Any:
    """The search's pruner (:class:`~exohunt.tuning.pruning.NoiseMarginPruner`), set so that
    a short study prunes hopeless trials: networks once two trials are complete, on each
    fold's best AP so far from epoch :data:`~exohunt.tuning.objective.PRUNE_FROM_EPOCH` of
    every fold; trees after a fold once five are, on the running mean of the folds' APs.
    Only a trial worse than the median by more than the AP's noise is pruned. (With Optuna's
    median rule on AstroNet vetting the trees lost 13 of 20 trials, many within 0.01-0.03 of
    the median, and ``twoview`` 10 of 12, three within 0.01: benchmarks/results_tune.md.)
    """
    from exohunt.tuning.pruning import NoiseMarginPruner

    return NoiseMarginPruner(n_startup_trials=5 if tabular else 2)


def counted_trials(study: Any) -> tuple[int, int]:
    """(trials that count towards ``--trials`` — complete, pruned or running —, finished)."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    counted = sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
                  for t in trials)
    return counted, sum(t.state.is_finished() for t in trials)


#: Longest wait (seconds) of a worker other than the first for the study's enqueued trials to
#: be taken (:func:`_leave_waiting_trials`).
WAITING_TRIALS_SECONDS = 30.0


def _leave_waiting_trials(study: Any) -> None:
    """Wait (at most ``WAITING_TRIALS_SECONDS``) until the study holds no enqueued (WAITING)
    trial. Every ``optimize`` call first takes a waiting trial, and over SQLite two processes
    can both take the same one (Optuna's check-and-set is not atomic there): both run it, and
    the second to finish fails with ``UpdateFinishedTrialError``. So the enqueued trials (the
    base configuration, ``--enqueue``) are left to worker 0 of each ``exohunt tune`` process,
    and its other workers start new ones (round 20: the parallel-trials test failed about one
    run in two on this machine before)."""
    from optuna.trial import TrialState

    stop = time.monotonic() + WAITING_TRIALS_SECONDS
    while time.monotonic() < stop and study.get_trials(deepcopy=False,
                                                       states=(TrialState.WAITING,)):
        time.sleep(0.2)


def run_trials(study: Any, objective, target: int, deadline: float | None, seed: int,
               worker: int, after_trial=None) -> None:
    """Run trials of ``study`` until it holds ``target`` counted trials or ``deadline``
    (``time.time()``) passes; ``after_trial(study)`` after each one."""
    import optuna

    while deadline is None or time.time() < deadline:
        if isinstance(study._storage, optuna.storages.RDBStorage):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                optuna.storages.fail_stale_trials(study)  # killed processes' trials
        counted, finished = counted_trials(study)
        if counted >= target:
            return
        if worker:
            _leave_waiting_trials(study)
        study.sampler = make_sampler(seed, finished, worker, max(3, min(10, target // 3)),
                                     len(study.get_trials(deepcopy=False)))
        study.optimize(objective, n_trials=1, gc_after_trial=False)
        if after_trial is not None:
            after_trial(study)


class Progress:
    """One line per finished trial (number, state, value, best so far, elapsed) and a bar."""

    def __init__(self, study: Any, target: int, enabled: bool, network: bool) -> None:
        self.started = time.perf_counter()
        self.enabled, self.network = enabled, network
        trials = study.get_trials(deepcopy=False)
        self.seen = {t.number for t in trials if t.state.is_finished()}
        counted = counted_trials(study)[0] - sum(t.state.name == "RUNNING" for t in trials)
        self.bar = tqdm(total=target, initial=min(counted, target), desc="tune", unit="trial",
                        disable=not enabled)

    def update(self, study: Any) -> None:
        """Print the trials that finished since the last call."""
        from optuna.trial import TrialState

        trials = study.get_trials(deepcopy=False)
        for trial in sorted(trials, key=lambda t: t.number):
            if trial.number in self.seen or not trial.state.is_finished():
                continue
            self.seen.add(trial.number)
            complete = [t for t in trials if t.state == TrialState.COMPLETE
                        and t.number <= trial.number]
            best = max(complete, key=lambda t: t.value, default=None)
            if trial.state == TrialState.COMPLETE:
                what = f"AP {trial.value:.4f}"
            elif trial.state == TrialState.PRUNED:
                what = f"pruned at {_step_name(trial, self.network)}"
            else:
                what = "failed"
            best_text = f"best {best.value:.4f} (trial {best.number})" if best else "best -"
            minutes, seconds = divmod(int(time.perf_counter() - self.started), 60)
            if self.enabled:
                self.bar.write(f"trial {trial.number:>4}: {what:<32} {best_text}  "
                               f"elapsed {minutes}:{seconds:02d}")
            if trial.state != TrialState.FAIL:
                self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _step_name(trial: Any, network: bool) -> str:
    from exohunt.tuning.objective import EPOCH_STEPS

    step = trial.last_step
    if step is None:
        return "start"
    value = trial.intermediate_values.get(step, float("nan"))
    if network:
        return f"fold {step // EPOCH_STEPS} epoch {step % EPOCH_STEPS} (best AP {value:.3f})"
    return f"fold {step} (mean AP {value:.3f})"
