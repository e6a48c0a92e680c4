"""The client side of a scale run: list, write or check the manifest, submit, retry, merge.

The listing is read twice, lazily: once to cut it into chunks and hash them for the
manifest, once to submit the chunks not yet done — the client holds only the chunks in
flight (two per worker) and one small manifest, whatever the number of files. A chunk whose
task fails (its worker died: ``KilledWorker``; the watchdog ended a hung worker; any error) is
retried file by file, each file its own task, so that a file that crashes or hangs a worker
costs that file (a row in ``errors``), not its chunk. The parts of a retried chunk are
written by the client.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from exohunt.errors import ExohuntError, InputError
from exohunt.scale.listing import iter_chunks, iter_listing
from exohunt.scale.manifest import Manifest, model_identity
from exohunt.scale.shards import done_chunks, merge, parse_shard
from exohunt.scale.tasks import (
    ERROR_COLUMNS,
    Job,
    result_folder,
    run_chunk,
    run_file,
    save_chunk,
    summarise,
)

__all__ = ["DEFAULT_FILE_TIMEOUT_S", "DEFAULT_SCALE_CHUNK", "ScaleSummary", "scan"]

#: Files per task. At ~22 ms of CPU per TESS-length light curve, 128 files make a ~3 s task,
#: and the measured ~6 ms of scheduler round trip per task (benchmarks/results_scale.md) costs
#: 0.2 %; a chunk lost to a dead worker, or redone on resume, stays small.
DEFAULT_SCALE_CHUNK = 128
DEFAULT_FILE_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class ScaleSummary:
    """What one scale run did.

    Attributes
    ----------
    out : Path
        The output folder.
    n_chunks : int
        Chunks of this run's share (all of them, or one shard's).
    n_skipped : int
        Of those, finished by an earlier run and skipped.
    n_stars, n_rows, n_candidates, n_errors : int
        Counted over the chunks processed by this run.
    n_retried : int
        Chunks retried file by file after a worker failure.
    seconds : float
        Wall time.
    merged : dict or None
        ``summary.json`` when this run completed the scan and merged it.
    """

    out: Path
    n_chunks: int
    n_skipped: int
    n_stars: int
    n_rows: int
    n_candidates: int
    n_errors: int
    n_retried: int
    seconds: float
    merged: dict | None = None

    @property
    def stars_per_second(self) -> float:
        return self.n_stars / self.seconds if self.seconds > 0 else float("nan")


def _check_out(out: Path) -> None:
    if out.suffix.lower() in (".csv", ".parquet") or (out.exists() and not out.is_dir()):
        raise InputError(f"--out {out}: a scale run (--scheduler, --shard, an input list or an "
                         "output folder) writes a folder (Parquet parts, manifest.json); give "
                         "a folder name, and --csv for a CSV in it")


def _executor(job: Job, client, scheduler: str | None, jobs: int):
    """``(executor, things to close)`` for a Dask client or address, or a local pool."""
    if client is not None or scheduler is not None:
        from exohunt.scale.dask_engine import DaskExecutor, connect

        owned = []
        if client is None:
            client, cluster = connect(scheduler, jobs)
            owned = [c for c in (client, cluster) if c is not None]
        try:
            return DaskExecutor(client, job), owned
        except BaseException:
            for thing in owned:
                thing.close()
            raise
    from exohunt.scale.local_pool import InlineExecutor, PoolExecutor
    from exohunt.scoring_pool import resolve_jobs

    workers = resolve_jobs(jobs)
    return (PoolExecutor(job, workers) if workers > 1 else InlineExecutor(job)), []


def _reason(error: BaseException) -> str:
    name = type(error).__name__
    if name == "KilledWorker":
        return ("the worker process died (crash, memory limit, or the per-file time limit) "
                "while processing this file")
    if name == "BrokenProcessPool":
        return "the worker process died (crash, memory, or the per-file time limit) on this file"
    return f"{name}: {str(error).splitlines()[0] if str(error) else ''}"


def _retry_by_file(executor, job: Job, chunk: int, paths: list[str]) -> dict:
    """Process a failed chunk one file per task and write its parts from here."""
    outcomes: list = []
    if executor.isolated_failures:
        futures = [executor.submit(run_file, path) for path in paths]
        for future in futures:
            try:
                outcomes.append(executor.result(future))
            except ExohuntError:
                raise
            except Exception as error:
                outcomes.append(error)
    # A failure here may be a bystander's: a task queued on the worker that another file
    # killed fails with it. Files that failed (or all, for a local pool, whose dying process
    # breaks every task in it) are done again alone, one at a time: what fails alone is the
    # culprit.
    for position, path in enumerate(paths):
        if position < len(outcomes) and not isinstance(outcomes[position], BaseException):
            continue
        try:
            outcome = executor.result(executor.submit(run_file, path))
        except ExohuntError:
            raise
        except Exception as error:
            outcome = error
            executor.recover()
        if position < len(outcomes):
            outcomes[position] = outcome
        else:
            outcomes.append(outcome)
    rows, errors, n_stars = [], [], 0
    for path, outcome in zip(paths, outcomes):
        if isinstance(outcome, BaseException):
            errors.append(pd.DataFrame([(path, _reason(outcome))], columns=ERROR_COLUMNS))
            continue
        rows.append(outcome[0])
        errors.append(outcome[1])
        n_stars += outcome[2]
    rows = [r for r in rows if len(r)]
    errors = [e for e in errors if len(e)]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    bad = (pd.concat(errors, ignore_index=True) if errors
           else pd.DataFrame(columns=ERROR_COLUMNS))
    save_chunk(job, chunk, table, bad)
    return summarise(chunk, table, bad, n_stars)


def scan(kind: str, inputs, out, *, run_dir=None, settings: dict | None = None,
         chunk_size: int = DEFAULT_SCALE_CHUNK, client=None, scheduler: str | None = None,
         jobs: int = 0, shard: str | tuple[int, int] | None = None, input_list=None,
         progress: bool = True, csv: bool = False,
         file_timeout: float = DEFAULT_FILE_TIMEOUT_S) -> ScaleSummary:
    """Run ``predict`` or ``search`` over a survey-scale listing into an output folder.

    Parameters
    ----------
    kind : {"predict", "search"}
    inputs : list of str
        Files, folders, globs, URLs, ``@LIST`` files (:func:`~exohunt.scale.listing.iter_listing`).
    out : path
        Output folder: ``manifest.json``, ``predictions/`` (or ``candidates/``) and
        ``errors/`` Parquet parts, and after the last chunk ``errors.parquet``,
        ``errors.csv``, ``summary.json`` and the CSV of rows when asked.
    run_dir : path, optional
        The trained run (predict).
    settings : dict
        Recorded in the manifest and sent to the workers: ``read_options``, ``threshold``,
        ``signals_per_star``, ``search`` (keyword arguments of ``exohunt.search``), ``plots``.
    chunk_size : int
        Listed paths per task.
    client : distributed.Client, optional
        Run on this Dask cluster.
    scheduler : str, optional
        A scheduler address, or ``local`` for a LocalCluster of ``jobs`` workers.
    jobs : int
        Local worker processes when there is no Dask (0 = all cores, 1 = this process), or
        LocalCluster workers.
    shard : "I/N" or (I, N), optional
        Process only chunks ``I, I + N, …``.
    input_list : path, optional
        A file with one path or URL per line.
    progress : bool
        Progress bar of chunks on stderr.
    csv : bool
        Also write the CSV of all rows when merging.
    file_timeout : float
        Seconds one file may take on a worker before the worker process is ended.

    Returns
    -------
    ScaleSummary
    """
    from tqdm.auto import tqdm

    start = time.perf_counter()
    out = Path(out)
    _check_out(out)
    shard = parse_shard(shard) if isinstance(shard, (str, type(None))) else tuple(shard)
    settings = dict(settings or {}, chunk_size=int(chunk_size))
    inputs = [str(i) for i in inputs]
    listing = (lambda: iter_listing(inputs, input_list))  # noqa: E731 - listed twice, lazily
    hashes = [(len(paths), digest) for _, paths, digest in iter_chunks(listing(), chunk_size)]
    if not hashes:
        raise InputError("no input files listed (empty folders, globs or list file)")
    model = model_identity(run_dir)
    recorded = inputs + ([f"@{input_list}"] if input_list is not None else [])
    manifest = Manifest.build(kind, settings, model, hashes, recorded).write_or_check(out)
    key = hashlib.sha256(json.dumps(manifest.as_dict(), sort_keys=True).encode()).hexdigest()
    job = Job(key[:16], kind, str(out.resolve()),
              None if run_dir is None else str(Path(run_dir).resolve()), model, settings,
              float(file_timeout))
    mine = [c for c in range(len(hashes)) if shard is None or c % shard[1] == shard[0]]
    finished = done_chunks(out / result_folder(kind))
    todo = {c for c in mine if c not in finished}
    counts = dict.fromkeys(("stars", "rows", "candidates", "errors", "retried"), 0)
    bar = tqdm(total=len(mine), initial=len(mine) - len(todo), desc=kind, unit="chunk",
               disable=not progress, file=sys.stderr)
    executor, owned = _executor(job, client, scheduler, jobs) if todo else (None, [])
    try:
        if todo:
            _run(executor, job, listing(), manifest, chunk_size, todo, counts, bar, start)
    finally:
        bar.close()
        if executor is not None:
            executor.close()
        for thing in owned:
            thing.close()
    merged = merge(out, csv_rows=csv)
    return ScaleSummary(out, len(mine), len(mine) - len(todo), counts["stars"], counts["rows"],
                        counts["candidates"], counts["errors"], counts["retried"],
                        time.perf_counter() - start, merged)


def _run(executor, job, listing, manifest, chunk_size, todo, counts, bar, start) -> None:
    in_flight: dict = {}
    limit = 2 * executor.n_workers

    def collect(done) -> None:
        for future in done:
            chunk, paths = in_flight.pop(future)
            try:
                result = executor.result(future)
            except ExohuntError:
                raise
            except Exception:
                executor.recover()
                counts["retried"] += 1
                result = _retry_by_file(executor, job, chunk, paths)
            for name in ("stars", "rows", "candidates", "errors"):
                counts[name] += result[name]
            bar.update(1)
            bar.set_postfix_str(f"{counts['stars'] / (time.perf_counter() - start):.1f} star/s",
                                refresh=False)

    for chunk, paths, digest in iter_chunks(listing, chunk_size):
        if chunk >= len(manifest.chunks) or manifest.chunks[chunk] != [len(paths), digest]:
            raise InputError(f"the input listing changed while running (chunk {chunk} differs "
                             "from manifest.json); rerun once the files stay put")
        if chunk not in todo:
            continue
        in_flight[executor.submit(run_chunk, chunk, paths)] = (chunk, paths)
        while len(in_flight) >= limit:
            collect(executor.wait_first(in_flight))
    while in_flight:
        collect(executor.wait_first(in_flight))


def environment_scheduler(value: str | None) -> str | None:
    """``--scheduler`` or, when absent, ``$EXOHUNT_SCHEDULER`` (empty = none)."""
    return value or os.environ.get("EXOHUNT_SCHEDULER") or None
