"""One search worker pool shared by several ``extract_features`` calls.

Each :func:`~exohunt.search.extract_features` call with ``jobs > 1`` starts its own ``spawn``
pool, whose workers each import the package and load the compiled numba kernels (1-2 s of CPU
per worker). A command that searches several sets in a row — ``exohunt demo`` searches the
training stars, the injected light curves, the threshold stage's injected planets and the test
split — can open :func:`shared_search_pool` once around them: the calls inside reuse its
workers. Results do not change (every task is a pure function of its light curves).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

__all__ = ["search_executor", "shared_search_pool"]

_SHARED: dict[int, ProcessPoolExecutor] = {}  # worker count -> the open shared pool


@contextmanager
def shared_search_pool(workers: int) -> Iterator[None]:
    """Inside the block, searches with ``workers`` workers (> 1) reuse one pool.

    Parameters
    ----------
    workers : int
        Worker processes (as resolved by ``resolve_jobs``); 1 or a pool already open for this
        count: nothing is started.
    """
    if workers <= 1 or workers in _SHARED:
        yield
        return
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    _SHARED[workers] = pool
    try:
        yield
    finally:
        del _SHARED[workers]
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def search_executor(workers: int) -> Iterator[ProcessPoolExecutor]:
    """The shared pool for ``workers`` if one is open, else a new pool closed on exit."""
    shared = _SHARED.get(workers)
    if shared is not None:
        yield shared
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        yield pool
