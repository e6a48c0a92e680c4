"""Score chunks of stars in order, in this process or in one persistent pool of workers.

``Run.predict(data, jobs=N)`` starts a process pool for every call, which is right for one big
call but costs seconds per chunk when :func:`exohunt.predict.predict` streams thousands of
chunks. Here the pool is started once: each worker has the run from its directory (JSON,
safetensors/skops — nothing is unpickled), loaded once by the fork server for a tree run
(:func:`preload_run`) or by the worker itself, then scores whole small chunks in-process
(``jobs=1``). Until every worker is ready the calling process scores chunks itself, so the
start-up of the workers overlaps useful work instead of adding to it. At most ``4 × jobs``
chunks are in flight, so memory stays bounded, and results come back in input order, so the
output does not depend on the number of workers.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from exohunt.lightcurve import LightCurve

__all__ = ["PARALLEL_CHUNK_CADENCES", "PARALLEL_CHUNK_SIZE", "ChunkScorer", "DeferredChunk",
           "ScoredFiles", "resolve_jobs", "start_server_early"]

PARALLEL_CHUNK_SIZE = 64  # stars per worker task: small enough to balance, big enough to amortise
#: Cadences per worker task (at least one star): ~0.6 s of work, whatever the light curves'
#: length. The last tasks of a run keep one worker busy while the other waits, and the caller
#: scores whole tasks itself while the workers start: 64 TESS sectors (~9 s of CPU) per task
#: idled a core for seconds. Each task also pays a fixed cost (the trees' per-call overhead,
#: tables, transfer): a 5-member ensemble's predict costs 78.7 ms per TESS star at 4 stars per
#: call (65,536 cadences), 76.0 at 7 (131,072) and 72.3 at 96
#: (benchmarks/diag_predict_overhead.py).
PARALLEL_CHUNK_CADENCES = 131_072
#: Tasks in flight per worker: enough that a slow task at the head of the (ordered) results
#: does not leave the other workers without work.
_IN_FLIGHT_PER_WORKER = 4

_RUN = None  # the worker's own copy of the run
_RUN_KEY = None  # what _RUN was loaded from (run_fingerprint), to know it is still that run
#: Environment variable naming the run directory the fork server loads before it forks any
#: worker (set by :func:`start_server_early` for the server's start only).
PRELOAD_RUN_ENV = "EXOHUNT_PRELOAD_RUN"


def resolve_jobs(jobs: int) -> int:
    """Worker count: ``jobs`` if positive, else the cores this process may use."""
    if jobs < 0:
        raise ValueError(f"jobs must be >= 0 (0 = all cores), got {jobs}")
    return jobs or len(os.sched_getaffinity(0))


class DeferredChunk(list):
    """Files not read yet (:class:`exohunt.io.api.DeferredRead`), scored as one chunk: the
    process that scores them reads them, so the caller neither parses the files nor ships
    their arrays to a worker (for TESS sectors the caller's reading and pickling competed with
    the two workers for the cores). Scoring one gives a :class:`ScoredFiles`."""


@dataclass
class ScoredFiles:
    """What scoring a :class:`DeferredChunk` gives: the predictions of the files that could be
    read (``None`` if none), ``(source, message)`` of those that could not, and how many light
    curves were read."""

    predictions: object
    errors: list[tuple[str, str]]
    n_stars: int


def _score_deferred(run, chunk, signals_per_star: int) -> ScoredFiles:
    """Read the chunk's files here (each a single light curve: only FITS files are deferred,
    and the FITS reader returns one) and score those that could be read."""
    from exohunt.errors import InputError

    curves, errors = [], []
    for item in chunk:
        try:
            curves.append(item.read())
        except InputError as error:
            errors.append((item.source, str(error)))
    if not curves:
        return ScoredFiles(None, errors, 0)
    return ScoredFiles(run.predict(curves, jobs=1, progress=False,
                                   signals_per_star=signals_per_star), errors, len(curves))


def _pack(chunk):
    """Light curves' read-only meta does not pickle: ship plain fields instead."""
    if isinstance(chunk, DeferredChunk):
        return ("deferred", list(chunk))
    if isinstance(chunk, list):
        return ("list", [lc.to_payload() for lc in chunk])
    return ("object", chunk)


def _unpack(packed):
    kind, payload = packed
    if kind == "list":
        return [LightCurve.from_payload(fields) for fields in payload]
    return payload


def _context():
    """``forkserver`` where available: one server imports scikit-learn and the search once
    (torch too when the run it preloads is a network's, :func:`preload_run`), loads the
    search's compiled kernels (:mod:`exohunt._worker_warmup`) and forks clean workers from it
    (no threads or OpenMP state are forked, unlike plain ``fork``); ``spawn`` elsewhere."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        context = get_context("forkserver")
        # once, not in every worker; skops by the warm-up (without torch, exohunt._imports)
        context.set_forkserver_preload(["exohunt.scoring_pool", "exohunt.training.ensemble",
                                        "exohunt.search", "exohunt._worker_warmup"])
        return context
    return get_context("spawn")


def start_server_early(jobs: int, run_dir: str | Path | None = None) -> None:
    """Start the workers' fork server now, when ``jobs`` means a pool: it imports the search
    and scikit-learn (seconds of CPU) on the other core while the caller imports and loads its
    model on this one, instead of after. Given ``run_dir``, the server also loads that run
    once, and every worker forked from it inherits the loaded model instead of loading its own
    (:func:`preload_run`). Harmless if no pool follows; does nothing where there is no fork
    server, when ``jobs`` is 1, or when the server is already running."""
    import multiprocessing

    try:
        workers = resolve_jobs(jobs)
    except ValueError:  # a negative count: the command reports it
        return
    if workers < 2 or "forkserver" not in multiprocessing.get_all_start_methods():
        return
    _context()
    from multiprocessing import forkserver

    # The server takes this process's environment when it starts, and only then: the variable
    # is set for that moment and removed again, so nothing else sees it.
    previous = os.environ.pop(PRELOAD_RUN_ENV, None)
    if run_dir is not None:
        os.environ[PRELOAD_RUN_ENV] = str(Path(run_dir))
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(PRELOAD_RUN_ENV, None)
        if previous is not None:
            os.environ[PRELOAD_RUN_ENV] = previous


def run_fingerprint(run_dir: str | Path) -> tuple:
    """What identifies the files of a run directory (its members' too): each file's relative
    path, size and modification time. A worker uses the fork server's preloaded run only if
    this is unchanged, so a run retrained into the same directory is loaded afresh."""
    root = Path(run_dir).resolve()
    return (str(root), tuple(sorted((str(p.relative_to(root)), p.stat().st_size,
                                     p.stat().st_mtime_ns)
                                    for p in root.rglob("*") if p.is_file())))


def preload_run() -> None:
    """In the fork server: load the run named by :data:`PRELOAD_RUN_ENV`, if any, so that the
    workers forked from it start with the model in memory (a 5-member tree ensemble is ~0.9 s
    of CPU to load, once instead of once per worker). Any failure leaves the workers to load
    the run themselves, which reports it properly."""
    global _RUN, _RUN_KEY
    run_dir = os.environ.get(PRELOAD_RUN_ENV)
    if not run_dir:
        return
    try:
        key = run_fingerprint(run_dir)
        if any(Path(name).name != "model.skops" and Path(name).name.startswith("model.")
               for name, _, _ in key[1]):
            # A network: its workers load it themselves (torch running in the server could
            # start threads that a fork breaks), but they inherit torch's import.
            import exohunt.training.loop  # noqa: F401
            return
        from exohunt.training.ensemble import load_model

        _RUN, _RUN_KEY = load_model(run_dir, device="cpu"), key
    except Exception:
        _RUN = _RUN_KEY = None


def _init_worker(run_dir: str) -> None:
    global _RUN, _RUN_KEY
    import sys

    from threadpoolctl import threadpool_limits

    # One thread per worker: scikit-learn's OpenMP threads spinning in every worker would
    # take the cores the other workers need.
    threadpool_limits(1)
    if _RUN is None or _RUN_KEY != run_fingerprint(run_dir):  # else the fork server loaded it
        from exohunt.training.ensemble import load_model

        _RUN, _RUN_KEY = load_model(run_dir, device="cpu"), None  # a run or a seed ensemble
    if "torch" in sys.modules:  # a network's run (tree runs need no torch)
        sys.modules["torch"].set_num_threads(1)


def _score_packed(packed, signals_per_star: int = 1):
    if packed[0] == "deferred":
        return _score_deferred(_RUN, packed[1], signals_per_star)
    return _RUN.predict(_unpack(packed), jobs=1, progress=False,
                        signals_per_star=signals_per_star)


class ChunkScorer:
    """Score ``(chunk, offset)`` pairs with ``run.predict``, in order.

    Parameters
    ----------
    run : exohunt.training.Run
        The trained run. A worker pool is used only when ``jobs`` resolves to more than one
        worker, the run has a directory to load from, and it runs on the CPU.
    jobs : int
        Worker processes (0 = all cores, 1 = this process).
    signals_per_star : int
        Passed to ``run.predict``: rows for up to this many signals per star.
    """

    def __init__(self, run, jobs: int = 0, *, signals_per_star: int = 1) -> None:
        self.run = run
        self.signals_per_star = signals_per_star
        self.workers = resolve_jobs(jobs)
        device = str(getattr(run, "device", "cpu"))
        directory = getattr(run, "directory", None)
        self.parallel = self.workers > 1 and directory is not None and device == "cpu"
        self.directory = None if directory is None else str(Path(directory))
        self._pool: ProcessPoolExecutor | None = None
        self._ready: list = []

    @property
    def chunk_size(self) -> int | None:
        """Largest chunk worth sending to one worker (``None``: no limit in-process)."""
        return PARALLEL_CHUNK_SIZE if self.parallel else None

    @property
    def chunk_cadences(self) -> int | None:
        """Cadences per chunk sent to one worker (``None``: no limit in-process)."""
        return PARALLEL_CHUNK_CADENCES if self.parallel else None

    def start(self) -> None:
        """Start the workers now (they load the run while the caller reads its input)."""
        if self.parallel and self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                             initializer=_init_worker,
                                             initargs=(self.directory,))
            # One task per worker makes every worker start; each is done once its worker has
            # loaded the run.
            self._ready = [self._pool.submit(os.getpid) for _ in range(self.workers)]

    def _pool_ready(self) -> bool:
        return self._pool is not None and all(f.done() for f in self._ready)

    def _score_here(self, chunk, jobs: int):
        if isinstance(chunk, DeferredChunk):
            return _score_deferred(self.run, chunk, self.signals_per_star)
        return self.run.predict(chunk, jobs=jobs, progress=False,
                                signals_per_star=self.signals_per_star)

    def map(self, chunks: Iterable[tuple[object, int]]) -> Iterator[tuple[object, int, object]]:
        """Yield ``(chunk, offset, predictions)`` in input order (for a
        :class:`DeferredChunk`, a :class:`ScoredFiles` instead of the predictions)."""
        if not self.parallel:
            for chunk, offset in chunks:
                yield chunk, offset, self._score_here(chunk, self.workers)
            return
        self.start()
        pending: deque = deque()
        for chunk, offset in chunks:
            if not pending and not self._pool_ready():  # workers still starting: work here
                yield chunk, offset, self._score_here(chunk, 1)
                continue
            pending.append((chunk, offset, self._pool.submit(_score_packed, _pack(chunk),
                                                             self.signals_per_star)))
            if len(pending) >= _IN_FLIGHT_PER_WORKER * self.workers:
                chunk_, offset_, future = pending.popleft()
                yield chunk_, offset_, future.result()
        while pending:
            chunk_, offset_, future = pending.popleft()
            yield chunk_, offset_, future.result()

    def close(self) -> None:
        """Stop the workers (also on errors and interrupts)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ChunkScorer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
