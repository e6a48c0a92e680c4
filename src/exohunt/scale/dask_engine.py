"""Dask distributed as the engine of a scale run (imported only when Dask is asked for).

:func:`connect` turns ``--scheduler`` into a :class:`distributed.Client`: ``local`` starts a
:class:`~distributed.LocalCluster` (one single-threaded worker process per job), anything else
is the address of an existing scheduler (``tcp://host:8786``), reached within
:data:`CONNECT_TIMEOUT_S` or refused in one line. :class:`DaskExecutor` installs the scan on
every worker once, through a worker plugin that loads the run directory there (workers that
join later, or restart after a crash, get it too), and submits chunks as tasks.
"""

from __future__ import annotations

import time
from concurrent.futures import CancelledError

from exohunt.errors import InputError
from exohunt.scale.tasks import THREAD_ENV, Job, WorkerSetupError, install

try:
    from distributed import Client, WorkerPlugin
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise InputError("--scheduler needs Dask: pip install 'exohunt[dask]'") from error

__all__ = ["CONNECT_TIMEOUT_S", "DaskExecutor", "ExohuntWorkerSetup", "connect"]

CONNECT_TIMEOUT_S = 8
#: Seconds the client waits for a lost scheduler to come back before giving up.
RECONNECT_GRACE_S = 20


class ExohuntWorkerSetup(WorkerPlugin):
    """Load the scan's run directory once per worker, under one numeric thread."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def setup(self, worker) -> None:
        install(self.job, watchdog=True, where=f"worker {worker.address}")


def connect(address: str, jobs: int = 0):
    """A client for ``address`` (``local`` starts a LocalCluster); returns ``(client, cluster)``.

    Raises
    ------
    InputError
        The scheduler cannot be reached within :data:`CONNECT_TIMEOUT_S` seconds.
    """
    if address == "local":
        from distributed import LocalCluster

        from exohunt.scoring_pool import resolve_jobs

        cluster = LocalCluster(n_workers=resolve_jobs(jobs), threads_per_worker=1,
                               processes=True, dashboard_address=None, env=dict(THREAD_ENV))
        return Client(cluster), cluster
    if "://" not in address and ":" not in address:
        raise InputError(f"--scheduler {address}: expected 'local' or a scheduler address such "
                         "as tcp://host:8786")
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S), None
    except (OSError, TimeoutError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"--scheduler {address}: cannot reach a Dask scheduler within "
                         f"{CONNECT_TIMEOUT_S} s ({first})") from None


def _is_comm_error(error: BaseException) -> bool:
    """A connection failure (the scheduler gone), not a task's own exception: distributed's
    CommClosedError is an OSError."""
    return isinstance(error, (OSError, TimeoutError))


class DaskExecutor:
    """Submit tasks of one scan to a Dask cluster.

    Parameters
    ----------
    client : distributed.Client
    job : Job
        Installed on every worker (plugin), then passed to each task (a few hundred bytes).
    """

    isolated_failures = True  # one task's worker dying does not fail the others

    def __init__(self, client, job: Job) -> None:
        self.client, self.job = client, job
        try:
            client.register_plugin(ExohuntWorkerSetup(job), name=f"exohunt-{job.key}")
        except WorkerSetupError:
            raise
        except Exception as error:
            raise WorkerSetupError(
                f"a Dask worker cannot set up exohunt ({type(error).__name__}: {error}); "
                "install the same exohunt (pip install 'exohunt[dask]') where the workers "
                "run") from None
        self.address = client.scheduler.address

    @property
    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def submit(self, fn, *args):
        try:
            return self.client.submit(fn, self.job, *args, pure=False)
        except Exception:
            # A scheduler that died between two submissions surfaces here as whatever the
            # comm layer raised (OSError, CommClosedError, CancelledError ...): the same
            # one-line "lost the scheduler" as everywhere else, not a traceback.
            if self.client.status != "running":
                raise self._lost() from None
            raise

    def wait_first(self, futures) -> set:
        """The futures among ``futures`` that are finished (at least one)."""
        from distributed import wait

        lost_since = None
        while True:
            try:
                done = wait(list(futures), timeout=1.0, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            except CancelledError:  # FuturesCancelledError: "scheduler-connection-lost"
                raise self._lost() from None
            except Exception:
                if self.client.status != "running":
                    raise self._lost() from None
                raise
            # A future cancelled because the scheduler went away is "done" too: look first.
            if self.client.status != "running" or any(f.status == "cancelled" for f in done):
                lost_since = lost_since or time.monotonic()
                if (self.client.status in ("closed", "closing", "failed")
                        or time.monotonic() - lost_since > RECONNECT_GRACE_S
                        or any(f.status == "cancelled" for f in done)):
                    raise self._lost()
                continue
            lost_since = None
            if done:
                return set(done)

    def _lost(self) -> InputError:
        return InputError(f"lost the Dask scheduler at {self.address}; finished chunks are "
                          "saved: rerun the same command (on a new scheduler) to resume")

    def result(self, future):
        try:
            return future.result()
        except CancelledError:
            # exohunt never cancels its futures: a cancelled one was dropped with the
            # scheduler, even when the client has not yet noticed (status still "running").
            raise self._lost() from None
        except Exception as error:
            if self.client.status != "running" and _is_comm_error(error):
                raise self._lost() from None
            raise

    def recover(self) -> None:
        """Nothing to do: Dask replaces dead workers' tasks itself."""

    def close(self) -> None:
        try:
            self.client.unregister_worker_plugin(f"exohunt-{self.job.key}")
        except Exception:  # the cluster may be gone; nothing left to clean then
            pass
