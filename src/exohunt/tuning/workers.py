"""Running the trials: in this process, or in ``parallel_trials`` worker processes that
share the study's storage (each with its own threads, ``jobs // parallel_trials``, and its
own copy of the folds, read from the cache folder). Ctrl-C or a kill loses only the trials
running at that moment: Optuna marks them failed (at once, or by the RDB heartbeat), and the
next run replaces them.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from exohunt.tuning.folds import load_folds
from exohunt.tuning.objective import SearchSetup, evaluate
from exohunt.tuning.study import Progress, make_pruner, open_storage, run_trials

__all__ = ["run_search"]


def run_search(plan, prepared, folds_dir: Path, deadline, progress: bool) -> None:
    """Run ``plan``'s trials on the ``prepared`` folds (cached in ``folds_dir``) until the
    study holds ``plan.trials`` or ``deadline`` (``time.time()``) passes."""
    import torch
    from threadpoolctl import threadpool_limits

    from exohunt.models import get_spec

    shown = Progress(plan.study, plan.trials, progress,
                     get_spec(plan.setup.model).inputs != "tabular")
    try:
        if plan.parallel_trials == 1:
            threads = torch.get_num_threads()
            torch.set_num_threads(plan.setup.threads)
            try:
                with threadpool_limits(plan.setup.threads):
                    run_trials(plan.study, functools.partial(evaluate, setup=plan.setup,
                                                             folds=prepared),
                               plan.trials, deadline, plan.setup.seed, 0, shown.update)
            finally:
                torch.set_num_threads(threads)
        else:
            _run_parallel(plan, folds_dir, deadline, shown)
        shown.update(plan.study)
    finally:
        shown.close()


def _run_parallel(plan, folds_dir: Path, deadline, shown: Progress) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # torch and OpenMP do not survive fork
    workers = [context.Process(target=_worker, args=(plan.setup, str(folds_dir),
                                                     plan.storage_url, plan.study.study_name,
                                                     plan.trials, deadline, index))
               for index in range(plan.parallel_trials)]
    for worker in workers:
        worker.start()
    try:
        while any(worker.is_alive() for worker in workers):
            shown.update(plan.study)
            time.sleep(1.0)
    finally:
        for worker in workers:
            worker.join(timeout=120)
            if worker.is_alive():
                worker.terminate()
    failed = [index for index, worker in enumerate(workers) if worker.exitcode]
    if failed:
        raise RuntimeError(f"tuning worker(s) {failed} failed; see their messages above")


def _worker(setup: SearchSetup, folds_dir: str, storage_url: str, study_name: str,
            target: int, deadline, index: int) -> None:
    """One parallel worker: its own process, threads and copy of the folds."""
    import optuna
    import torch
    from threadpoolctl import threadpool_limits

    from exohunt.models import get_spec

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    torch.set_num_threads(setup.threads)
    folds = load_folds(folds_dir)
    study = optuna.load_study(study_name=study_name, storage=open_storage(storage_url),
                              pruner=make_pruner(get_spec(setup.model).inputs == "tabular"))
    try:
        with threadpool_limits(setup.threads):
            run_trials(study, functools.partial(evaluate, setup=setup, folds=folds), target,
                       deadline, setup.seed, index)
    except KeyboardInterrupt:  # the running trial is already marked failed
        pass
