"""End a worker process whose current file is over its time limit.

A hung reader (a stalled network filesystem, a pathological file) cannot be interrupted from
Python, and Dask cannot cancel a running task. Inside a worker process a daemon thread
watches the deadline of the file each task thread is on; past it, the process ends itself
(exit status 75) and its nanny (or the local pool's recovery) starts a fresh one. The engine
then retries the chunk file by file, and the file that hangs alone lands in ``errors``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["deadline"]

_DEADLINES: dict[int, tuple[float, str]] = {}
_WATCHER: list[threading.Thread] = []


def _watch() -> None:
    while True:
        time.sleep(0.2)
        now = time.monotonic()
        for deadline, what in list(_DEADLINES.values()):
            if now > deadline:
                sys.stderr.write(f"exohunt: {what} exceeded its time limit; ending this worker "
                                 "process so that it is restarted\n")
                sys.stderr.flush()
                os._exit(75)


@contextmanager
def deadline(enabled: bool, seconds: float, what: str) -> Iterator[None]:
    """Run the block under a deadline of ``seconds`` (only when ``enabled``: in a worker)."""
    if not enabled or not seconds or seconds <= 0:
        yield
        return
    if not _WATCHER:
        _WATCHER.append(threading.Thread(target=_watch, name="exohunt-watchdog", daemon=True))
        _WATCHER[0].start()
    ident = threading.get_ident()
    _DEADLINES[ident] = (time.monotonic() + seconds, what)
    try:
        yield
    finally:
        _DEADLINES.pop(ident, None)
