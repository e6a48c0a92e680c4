"""The Dask executor turns a vanished scheduler into one "lost the Dask scheduler" error,
wherever the loss surfaces (submitting, waiting, collecting), and passes a task's own
exception through (stub client: no cluster needed)."""

from __future__ import annotations

from concurrent.futures import CancelledError

import pytest

pytest.importorskip("distributed")

from exohunt.errors import InputError
from exohunt.scale.dask_engine import DaskExecutor


class _Client:
    def __init__(self, status: str, error: BaseException | None = None):
        self.status, self.error = status, error

    def submit(self, *args, **kwargs):
        raise self.error


class _Future:
    def __init__(self, error: BaseException):
        self.error = error

    def result(self):
        raise self.error


def _executor(client) -> DaskExecutor:
    executor = DaskExecutor.__new__(DaskExecutor)  # no cluster: skip the plugin install
    executor.client, executor.job, executor.address = client, None, "tcp://127.0.0.1:1"
    return executor


def test_a_scheduler_lost_while_submitting_is_one_line():
    from distributed.comm.core import CommClosedError

    executor = _executor(_Client("connecting", CommClosedError("in <TCP (closed)>")))
    with pytest.raises(InputError, match=r"lost the Dask scheduler at tcp://127\.0\.0\.1:1"):
        executor.submit(print)
    # the same failure with the client still connected is not ours to rename
    with pytest.raises(CommClosedError):
        _executor(_Client("running", CommClosedError("x"))).submit(print)


def test_a_cancelled_future_means_the_scheduler_dropped_it():
    # exohunt never cancels its futures, so even a client that still says "running" has lost
    # its scheduler when one comes back cancelled
    with pytest.raises(InputError, match="rerun the same command"):
        _executor(_Client("running")).result(_Future(CancelledError()))


def test_a_task_s_own_error_passes_through():
    executor = _executor(_Client("running"))
    with pytest.raises(ValueError, match="bad row"):
        executor.result(_Future(ValueError("bad row")))
    with pytest.raises(OSError):  # a file the task could not read: the task's, not the comm's
        executor.result(_Future(OSError("no such file")))
    with pytest.raises(InputError, match="lost the Dask scheduler"):
        _executor(_Client("closed")).result(_Future(OSError("connection reset")))
