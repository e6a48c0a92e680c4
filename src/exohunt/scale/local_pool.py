"""The engine without Dask: this process (``jobs=1``) or a pool of worker processes.

Same tasks as on a Dask cluster (:mod:`exohunt.scale.tasks`). Worker processes come from a
``forkserver`` (as in :mod:`exohunt.scoring_pool`), each loading the run once in its
initializer under one numeric thread. A worker that dies breaks the whole
:class:`~concurrent.futures.ProcessPoolExecutor`; :meth:`PoolExecutor.recover` starts a new
one, and the engine retries the chunks that were in flight file by file, one file at a time
(``isolated_failures`` is False), so the file that killed it is found.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from exohunt.scale.tasks import THREAD_ENV, Job, install

__all__ = ["InlineExecutor", "PoolExecutor"]


def _initialise(job: Job) -> None:
    import os

    os.environ.update(THREAD_ENV)
    try:
        install(job, watchdog=True, where="worker process")
    except Exception:  # remembered by install(); every task then reports it
        pass


class InlineExecutor:
    """Run each task at submission, in this process (no watchdog: it would end the caller)."""

    isolated_failures = True
    n_workers = 1

    def __init__(self, job: Job) -> None:
        self.job = job

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(self.job, *args))
        except Exception as error:
            future.set_exception(error)
        return future

    def wait_first(self, futures) -> set:
        return set(futures)

    def result(self, future):
        return future.result()

    def recover(self) -> None:
        pass

    def close(self) -> None:
        pass


class PoolExecutor(InlineExecutor):
    """A process pool of ``workers`` single-threaded processes."""

    isolated_failures = False

    def __init__(self, job: Job, workers: int) -> None:
        super().__init__(job)
        self.n_workers = workers
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        from exohunt.scoring_pool import _context

        return ProcessPoolExecutor(self.n_workers, mp_context=_context(),
                                   initializer=_initialise, initargs=(self.job,))

    def submit(self, fn, *args) -> Future:
        try:
            return self._pool.submit(fn, self.job, *args)
        except BrokenProcessPool:
            self.recover()
            return self._pool.submit(fn, self.job, *args)

    def wait_first(self, futures) -> set:
        return wait(list(futures), return_when=FIRST_COMPLETED).done

    def recover(self) -> None:
        if getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self._start()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
