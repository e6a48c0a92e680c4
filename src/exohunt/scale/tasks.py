"""What a worker does with one chunk (or one file) of a scale run.

A worker reads its files itself (local paths, ``file://`` and any other fsspec URL), scores or
searches them with the run it loaded once (:func:`install`), and writes the chunk's rows and
its errors as Parquet parts into the shared output folder, each atomically. Only a few counts
go back to the client, so the client never holds light curves or rows.

Every task runs under one thread of the numeric libraries (``threadpoolctl``; the workers'
environment sets ``OMP_NUM_THREADS`` and friends as well), and, inside a worker process,
under a watchdog: a file whose reading or scoring takes longer than the per-file timeout ends
the worker process, which its nanny restarts — a hung reader then costs one worker restart
and, once the chunk is retried file by file, that one file.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from exohunt.errors import ExohuntError
from exohunt.scale.manifest import atomic_write_bytes, model_identity
from exohunt.scale.reading import read_listed
from exohunt.scale.watchdog import deadline

__all__ = ["THREAD_ENV", "Job", "WorkerSetupError", "install", "run_chunk", "run_file",
           "write_part"]

#: Environment that keeps numeric libraries to one thread in a worker process.
THREAD_ENV = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                     "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                                     "VECLIB_MAXIMUM_THREADS")}
ERROR_COLUMNS = ["file", "reason"]


class WorkerSetupError(ExohuntError):
    """A worker could not prepare the scan (exohunt or the run directory unusable there)."""


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides the paths; sent to each worker once.

    Attributes
    ----------
    key : str
        Names the scan (derived from the manifest) so a worker can serve several.
    kind : {"predict", "search"}
    out : str
        The output folder (shared with the workers).
    run_dir : str or None
        The run directory (predict); the worker loads it once.
    model : str or None
        Its :func:`~exohunt.scale.manifest.model_identity`, checked on the worker.
    settings : dict
        ``read_options``, ``threshold``, ``signals_per_star``, ``search`` options, ``plots``
        (a folder for PNGs, or None).
    file_timeout : float
        Seconds one file may take to read and score before the worker process is ended.
    """

    key: str
    kind: str
    out: str
    run_dir: str | None
    model: str | None
    settings: dict = field(default_factory=dict)
    file_timeout: float = 300.0


@dataclass
class _State:
    job: Job
    run: Any
    watchdog: bool


_STATES: dict[str, _State] = {}
_SETUP_ERRORS: dict[str, str] = {}


def install(job: Job, *, watchdog: bool, where: str = "this process") -> None:
    """Load ``job``'s run in this process (once) and keep it for the tasks.

    A failure is remembered, and every task of the job then raises
    :class:`WorkerSetupError` with the same one-line reason.
    """
    if job.key in _STATES:
        return
    if watchdog:  # a worker process; the caller's own process keeps its settings
        os.environ.update(THREAD_ENV)
    run = None
    try:
        if job.run_dir is not None:
            if not Path(job.run_dir).is_dir():
                raise WorkerSetupError(f"{where}: run directory {job.run_dir} not found there")
            found = model_identity(job.run_dir)
            if found != job.model:
                raise WorkerSetupError(f"{where}: run directory {job.run_dir} holds another "
                                       "model there (its files differ from the client's)")
            from exohunt.training import load_model

            run = load_model(job.run_dir, device="cpu")
    except Exception as error:
        _SETUP_ERRORS[job.key] = str(error) if isinstance(error, WorkerSetupError) else (
            f"{where}: cannot load run directory {job.run_dir}: {type(error).__name__}: {error}")
        raise WorkerSetupError(_SETUP_ERRORS[job.key]) from None
    if watchdog:
        try:
            import torch

            torch.set_num_threads(1)
        except (ImportError, RuntimeError):  # pragma: no cover - torch is a dependency
            pass
    _STATES[job.key] = _State(job, run, watchdog)


def _in_dask_worker() -> bool:
    if "distributed" not in sys.modules:
        return False
    try:
        from distributed import get_worker

        get_worker()
        return True
    except ValueError:  # "No worker found"
        return False


def _state(job: Job) -> _State:
    if job.key not in _STATES:
        if job.key in _SETUP_ERRORS:
            raise WorkerSetupError(_SETUP_ERRORS[job.key])
        # A worker that missed the plugin (it has Dask loaded), or this very process.
        install(job, watchdog=_in_dask_worker())
    return _STATES[job.key]


def _predict_group(state: _State, group) -> pd.DataFrame:
    settings = state.job.settings
    signals = settings.get("signals_per_star")  # None: the run's own
    frame = state.run.predict(group, jobs=1, progress=False,
                              signals_per_star=getattr(state.run, "signals_per_star", 1)
                              if signals is None else int(signals))
    frame = frame.drop(columns="star", errors="ignore")
    if settings.get("threshold") is not None:
        frame = frame.assign(is_candidate=frame["probability"] >= float(settings["threshold"]))
    if settings.get("plots"):
        from exohunt.predict import _plot_candidates

        folder = Path(settings["plots"])
        folder.mkdir(parents=True, exist_ok=True)
        _plot_candidates(frame, group, 0, folder)
    return frame


def _search_object(state: _State, source: str, obj) -> list[dict]:
    from exohunt.search.runner import search_one

    stars = list(obj) if not hasattr(obj, "to_payload") else [obj]
    indices = range(len(stars)) if not hasattr(obj, "to_payload") else [0]
    rows = []
    plots = state.job.settings.get("plots")
    plots = None if not plots else Path(plots)
    for index, lc in zip(indices, stars):
        plot = None
        if plots is not None:
            from exohunt.commands.search import _plot_name

            plots.mkdir(parents=True, exist_ok=True)
            plot = plots / _plot_name(source, index)
        rows += search_one((source, index, lc.to_payload(), plot,
                            state.job.settings.get("search", {})))
    return rows


def _search_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows in ``exohunt search``'s column order: the lead columns, ``kind``, the rest."""
    from exohunt.commands.search import LEAD_COLUMNS

    columns = [*LEAD_COLUMNS, "kind"]
    for row in rows:
        columns += [c for c in row if c not in columns]
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame()


def process_paths(job: Job, paths: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Rows, errors (``file, reason``) and the number of stars for ``paths``, in order."""
    state = _state(job)
    timeout = job.file_timeout
    errors: list[tuple[str, str]] = []
    items: list[tuple[str, object]] = []
    for path in paths:
        with deadline(state.watchdog, timeout, f"reading {path}"):
            for source, obj in read_listed(path, job.settings.get("read_options", {})):
                if isinstance(obj, Exception):
                    errors.append((source, str(obj).splitlines()[0] if str(obj) else
                                   type(obj).__name__))
                else:
                    items.append((source, obj))
    frames: list[pd.DataFrame] = []
    n_stars = 0
    if job.kind == "search":
        rows = []
        for source, obj in items:
            with deadline(state.watchdog, timeout, f"searching {source}"):
                try:
                    rows += _search_object(state, source, obj)
                    n_stars += len(obj) if not hasattr(obj, "to_payload") else 1
                except Exception as error:
                    errors.append((source, f"search failed: {type(error).__name__}: {error}"))
        frames.append(_search_frame(rows))
    else:
        for group in _groups(items):
            sources = [s for s, _ in group]
            objects = [o for _, o in group]
            with deadline(state.watchdog, timeout * len(group), f"scoring {sources[0]}…"):
                frames_, errors_, stars = _score_isolated(state, sources, objects)
            frames += frames_
            errors += errors_
            n_stars += stars
    frames = [f for f in frames if len(f)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return rows, pd.DataFrame(errors, columns=ERROR_COLUMNS), n_stars


def _groups(items: list[tuple[str, object]]) -> Iterator[list[tuple[str, object]]]:
    """Consecutive single light curves together, each batch on its own."""
    singles: list[tuple[str, object]] = []
    for source, obj in items:
        if hasattr(obj, "to_payload"):
            singles.append((source, obj))
            continue
        if singles:
            yield singles
            singles = []
        yield [(source, obj)]
    if singles:
        yield singles


def _score_isolated(state, sources, objects):
    """Score a group at once; if that fails, star by star, so one bad star costs itself."""
    single = hasattr(objects[0], "to_payload")
    group = objects if single else objects[0]
    try:
        frame = _predict_group(state, group)
        return [frame], [], len(objects) if single else len(group)
    except Exception as error:
        if not single or len(objects) == 1:
            return [], [(sources[0], f"scoring failed: {type(error).__name__}: {error}")], 0
    frames, errors, stars = [], [], 0
    for source, obj in zip(sources, objects):
        try:
            frames.append(_predict_group(state, [obj]))
            stars += 1
        except Exception as error:
            errors.append((source, f"scoring failed: {type(error).__name__}: {error}"))
    return frames, errors, stars


def write_part(folder: Path, chunk: int, frame: pd.DataFrame) -> Path:
    """``folder/part-NNNNNN.parquet``, written under a temporary name and renamed."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    path = Path(folder) / f"part-{chunk:06d}.parquet"
    atomic_write_bytes(path, buffer.getvalue())
    return path


def result_folder(job_kind: str) -> str:
    """Name of the folder of row parts: ``predictions`` or ``candidates``."""
    return "candidates" if job_kind == "search" else "predictions"


def summarise(chunk: int, rows: pd.DataFrame, errors: pd.DataFrame, n_stars: int) -> dict:
    candidates = (int(rows["is_candidate"].astype(bool).sum()) if "is_candidate" in rows
                  else int(rows["passes_vetting"].astype(bool).sum())
                  if "passes_vetting" in rows else 0)
    return {"chunk": chunk, "stars": n_stars, "rows": len(rows), "candidates": candidates,
            "errors": len(errors)}


def save_chunk(job: Job, chunk: int, rows: pd.DataFrame, errors: pd.DataFrame) -> None:
    """Errors part first, then the rows part: a rows part marks the chunk done."""
    out = Path(job.out)
    write_part(out / "errors", chunk, errors)
    write_part(out / result_folder(job.kind), chunk, rows)


def run_chunk(job: Job, chunk: int, paths: list[str]) -> dict:
    """Process one chunk and write its parts; returns its counts (the task of a chunk)."""
    from threadpoolctl import threadpool_limits

    state = _state(job)
    limits = threadpool_limits(1) if state.watchdog else nullcontext()
    with limits:
        rows, errors, n_stars = process_paths(job, paths)
    save_chunk(job, chunk, rows, errors)
    return summarise(chunk, rows, errors, n_stars)


def run_file(job: Job, path: str) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Process one file and return its rows and errors (the retry of a failed chunk)."""
    from threadpoolctl import threadpool_limits

    state = _state(job)
    with threadpool_limits(1) if state.watchdog else nullcontext():
        return process_paths(job, [path])
