"""Batch scoring of any readable input with a trained run, streamed to ``predictions.csv``.

Inputs are read one at a time; batches (Kaggle CSV rows, views) are cut into chunks of
``chunk_size`` stars and single-star files are gathered into chunks, so the rows in memory at
once are bounded by the chunk size, not by the number of stars. Kaggle-layout CSVs of 64 MB or
more are parsed a block at a time (:mod:`exohunt.csv_stream`) rather than read whole. Rows
are appended to the CSV as each chunk is scored (``--sort`` re-reads the finished file, which
holds only the small result rows). A file that cannot be read is reported and skipped, or
fatal with ``strict=True``. When a worker pool scores the chunks, FITS files are read by the
worker that scores them (:class:`exohunt.scoring_pool.DeferredChunk`), not by this process.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from exohunt._callable import make_module_callable
from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.csv_stream import KaggleStream, streamable
from exohunt.errors import InputError
from exohunt.io.api import DeferredRead
from exohunt.lightcurve import LightCurve
from exohunt.scoring_pool import ChunkScorer, DeferredChunk

__all__ = ["DEFAULT_CHUNK_SIZE", "MAX_SIGNALS_PER_STAR", "PredictSummary", "predict"]

DEFAULT_CHUNK_SIZE = 1024
#: Most signals per star ``predict`` scores (each one more search iteration per star).
MAX_SIGNALS_PER_STAR = 5


@dataclass(frozen=True)
class PredictSummary:
    """What :func:`predict` did.

    Attributes
    ----------
    out : Path
        The predictions CSV.
    n_inputs, n_stars, n_rows, n_candidates : int
        Inputs read, stars scored, rows written (one per star, or per signal), candidate rows.
    skipped : list of (source, message)
        Inputs that could not be read.
    seconds : float
        Wall time of reading, scoring and writing.
    plots : list of Path
        Diagnostic PNGs written (one per candidate) when a plot directory was given.
    """

    out: Path
    n_inputs: int
    n_stars: int
    n_rows: int
    n_candidates: int
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    plots: list[Path] = field(default_factory=list)

    @property
    def stars_per_second(self) -> float:
        """Scoring throughput, stars per second of wall time."""
        return self.n_stars / self.seconds if self.seconds > 0 else float("nan")


#: File names that the scoring workers read themselves (single-star light-curve files).
_DEFERRED_SUFFIXES = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz")


def _read_in_worker(path: Path) -> bool:
    return path.name.lower().endswith(_DEFERRED_SUFFIXES)


_NAXIS2 = re.compile(rb"NAXIS2  =\s*(\d+)")


def _estimated_cadences(item: DeferredRead | Path) -> int:
    """Cadences of a FITS file not read yet: the row count (``NAXIS2``) of its first table
    extension, found in the head the readers' format detection reads (decompressed), else
    ~1 per 110 bytes of file. Only for cutting balanced worker tasks."""
    from exohunt.io.registry import read_head

    path = item.path if isinstance(item, DeferredRead) else Path(item)
    try:
        head = read_head(path)
        table = head.find(b"XTENSION")
        found = _NAXIS2.search(head, table) if table >= 0 else None
        return max(1, int(found.group(1)) if found else path.stat().st_size // 110)
    except (OSError, EOFError, ValueError, InputError):
        return 1


#: Inputs of at most this many files are checked for fitting in one worker task.
_FEW_FILES = 16


def fits_one_task(inputs, read_options: dict | None = None) -> bool:
    """Whether ``inputs`` are a few FITS files whose cadences fit in one worker task
    (:data:`exohunt.scoring_pool.PARALLEL_CHUNK_CADENCES`, e.g. 7 TESS sectors): a worker pool
    would only add its start-up (seconds of CPU on the other cores, and its exit) to work that
    one process does as fast, as for a user's first ``exohunt predict their_file.fits``.
    Folders, globs, lists, tables of many stars and other formats say no."""
    from exohunt.scoring_pool import PARALLEL_CHUNK_CADENCES

    if (read_options or {}).get("format") not in (None, "fits", "fit"):
        return False
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not items or len(items) > _FEW_FILES or \
            not all(isinstance(p, (str, Path)) for p in items):
        return False
    paths = [Path(p) for p in items]
    if not all(_read_in_worker(p) and p.is_file() for p in paths):
        return False
    return sum(_estimated_cadences(p) for p in paths) <= PARALLEL_CHUNK_CADENCES


def _sources(inputs, read_options: dict, defer=None) -> Iterator[tuple[str, object]]:
    """``(source, object | InputError)`` for paths (via ``iter_inputs``) and in-memory data;
    files for which ``defer(path)`` holds come as :class:`DeferredRead`, unread."""
    from exohunt.io.lightkurve_compat import as_exohunt

    inputs = as_exohunt(inputs)  # a lightkurve collection becomes a list
    items = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    for item in items:
        if isinstance(item, (LightCurveBatch, ViewBatch, LightCurve)):
            yield getattr(item, "source", "") or item.meta.get("source", "data"), item
        elif isinstance(item, (str, os.PathLike)) and streamable(item):  # big Kaggle CSV
            yield str(item), KaggleStream(Path(item))
        else:  # paths, folders, globs, lightkurve objects
            from exohunt.io import iter_inputs

            yield from iter_inputs([str(item) if isinstance(item, os.PathLike) else item],
                                   defer=defer, **read_options)


def _cut(batch: LightCurveBatch, size: int, base: int) -> Iterator[tuple[object, int]]:
    meta = {k: v for k, v in batch.meta.items() if k not in ("indices", "row_offset")}
    for start in range(0, len(batch), size):
        stop = min(start + size, len(batch))
        labels = None if batch.labels is None else batch.labels[start:stop]
        yield (LightCurveBatch(batch.flux[start:stop], labels, batch.time, batch.source, meta),
               base + start)


def _rows_within(size: int, cadences_per_row: int, max_cadences: int | None) -> int:
    """Rows of ``cadences_per_row`` each in one chunk: ``size``, fewer if ``max_cadences``."""
    if max_cadences is None:
        return size
    return max(1, min(size, max_cadences // max(1, cadences_per_row)))


def _chunks(objects: Iterable[object], size: int, max_cadences: int | None = None
            ) -> Iterator[tuple[object, int]]:
    """``(chunk, row offset)``: batches cut into slices, single light curves gathered.

    A chunk holds at most ``size`` stars and, with ``max_cadences``, at most that many
    cadences (but at least one star): the worker pool gets tasks of similar cost whatever
    the length of the light curves."""
    pending: list = []
    cadences = 0

    def add(item, length: int):
        """Append; a finished chunk (budget reached), else None."""
        nonlocal pending, cadences
        pending.append(item)
        cadences += length
        if len(pending) >= size or (max_cadences is not None and cadences >= max_cadences):
            return flush()
        return None

    def flush():
        nonlocal pending, cadences
        chunk = DeferredChunk(pending) if isinstance(pending[0], DeferredRead) else pending
        pending, cadences = [], 0
        return chunk, 0

    for obj in objects:
        # files read by the workers and light curves read here never share a chunk
        if pending and isinstance(obj, DeferredRead) != isinstance(pending[0], DeferredRead):
            yield flush()
        if isinstance(obj, DeferredRead):
            done = add(obj, _estimated_cadences(obj))
            if done:
                yield done
        elif isinstance(obj, KaggleStream):  # a malformed row part-way through is fatal
            for block in obj:
                rows = _rows_within(size, block.flux.shape[1], max_cadences)
                yield from _cut(block, rows, block.meta["row_offset"])
        elif isinstance(obj, LightCurveBatch):
            yield from _cut(obj, _rows_within(size, obj.flux.shape[1], max_cadences), 0)
        elif isinstance(obj, ViewBatch):
            for start in range(0, len(obj), size):
                part = slice(start, min(start + size, len(obj)))
                labels = None if obj.labels is None else obj.labels[part]
                yield ViewBatch(obj.global_view[part], obj.local_view[part], labels,
                                obj.table.iloc[part].reset_index(drop=True), obj.source), start
        else:
            for lc in obj if isinstance(obj, (list, tuple)) else [obj]:
                done = add(lc, len(lc))
                if done:
                    yield done
    if pending:
        yield flush()


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(str(text)).name)[-80:] or "star"


def _plot_candidates(frame: pd.DataFrame, chunk, offset: int, directory: Path) -> list[Path]:
    from exohunt.evaluation.data import star_arrays
    from exohunt.evaluation.plots import plot_star

    written = []
    positions = range(len(chunk))
    for row, position in zip(frame.itertuples(index=False), _row_positions(frame, chunk, offset)):
        if not bool(row.is_candidate) or position not in positions:
            continue
        x, y, kind = star_arrays(chunk, position)
        period = getattr(row, "period_days", None) if kind == "time" else None
        duration = getattr(row, "duration_hours", None)
        title = f"{Path(str(row.source)).name} #{row.index}: probability {row.probability:.3f}"
        path = directory / f"{_safe_name(row.source)}_{row.index}_{len(written)}.png"
        written.append(plot_star(x, y, title, path, period=period,
                                 t0=getattr(row, "t0_days", None),
                                 duration_days=None if duration is None else duration / 24,
                                 fold_label="found"))
    return written


def _row_positions(frame: pd.DataFrame, chunk, offset: int) -> list[int]:
    """Position within ``chunk`` of the star each prediction row belongs to."""
    if isinstance(chunk, list):
        order = {}
        for i, lc in enumerate(chunk):
            order.setdefault(str(lc.meta.get("source", "")), i)
        return [order.get(str(s), -1) for s in frame["source"]]
    return (frame["index"].to_numpy() - offset).tolist()


def _global_index(frame: pd.DataFrame, chunk, offset: int) -> pd.DataFrame:
    """Row numbers within the whole input, not within the chunk."""
    if offset and not isinstance(chunk, list):
        frame = frame.assign(index=frame["index"].to_numpy() + offset)
    return frame


def _finish(partial: Path, out: Path, sort: bool) -> None:
    if sort and partial.stat().st_size > 0:
        rows = pd.read_csv(partial)
        rows.sort_values("probability", ascending=False, kind="mergesort").to_csv(
            partial, index=False)
    partial.replace(out)


def predict(run=None, inputs=None, *, out, jobs: int = 0, strict: bool = False, plots=None,
            sort: bool = False, progress: bool = True, chunk_size: int = DEFAULT_CHUNK_SIZE,
            read_options: dict | None = None, report=None,
            signals_per_star: int | None = None, threshold: float | None = None, client=None,
            model: str | None = None):
    """Score every star of ``inputs`` with ``run`` and write ``predictions.csv``.

    ``exohunt.predict("star.fits", out="p.csv")`` (no run) scores with the bundled model
    ``default``, after checking its hashes; ``model="astronet-triage"`` picks another bundled
    model (``exohunt models`` lists them).

    Parameters
    ----------
    run : exohunt.training.Run, Ensemble or path, optional
        Trained run (or its directory); its own preprocessing and stored threshold are used.
        Omitted (or given the inputs, with ``inputs`` left out): the bundled model.
    inputs : path, data object, or list of them
        Anything :func:`exohunt.io.read` reads (Kaggle CSV, FITS files, folders or globs,
        time/flux tables, npy/npz, TFRecord views, lightkurve light curves), or already-read
        ``LightCurveBatch``/``ViewBatch``/``LightCurve`` objects.
    out : path
        The CSV to write (columns of DESIGN.md: ``source, index, probability, is_candidate,
        period_days, t0_days, duration_hours, depth_ppm, snr`` then vetting columns; columns
        that only later chunks have are dropped).
    jobs : int
        Worker processes (0 = all cores, 1 = this process). One pool is started for the whole
        call and scores chunks in order, each of at most 64 stars and about 131,000 cadences
        (:class:`exohunt.scoring_pool.ChunkScorer`); a few FITS files that fit in one such
        chunk are scored in this process (:func:`fits_one_task`).
    strict : bool
        Raise :class:`InputError` on the first unreadable input instead of skipping it.
    plots : path, optional
        Directory for one diagnostic PNG per candidate row.
    sort : bool
        Sort rows by probability, highest first.
    progress : bool
        Show a progress bar (stars scored) on stderr.
    chunk_size : int
        Stars scored at once; bounds memory.
    read_options : dict, optional
        Passed to :func:`exohunt.io.iter_inputs` (``format``, ``flux_column`` …).
    report : callable, optional
        Called as ``report(source, message)`` for each skipped input.
    signals_per_star : int, optional
        1: one row per star (its strongest signal). More (search-then-vet models): one row per
        signal, up to this many per star, each scored on its own — a second planet, or a
        planet under a stronger systematic, gets its own probability. Rows then carry a
        ``signal`` column (0 = the strongest); ``source`` and ``index`` name the star.
        Default: the run's own (``train(..., signals_per_star=K)``; 1 for most runs and
        the bundled models).
    threshold : float, optional
        Decision threshold in (0, 1) for ``is_candidate``, instead of the run's stored one —
        e.g. one of the run's validation operating points (``config.json``,
        ``threshold.operating_points``: the threshold reaching recall 0.5 … 0.95 on
        validation data, with the precision it had there).
    client : distributed.Client, optional
        Score on this Dask cluster instead: ``inputs`` are paths (files, folders, globs,
        ``@LIST`` files, URLs) and ``out`` a folder, as in
        :func:`exohunt.scale.predict_scale` (``run`` must have its run directory), which this
        then returns (a :class:`exohunt.scale.ScaleSummary`).
    model : str, optional
        Name of a bundled model to use when no ``run`` is given (default ``"default"``).

    Returns
    -------
    PredictSummary
    """
    from tqdm.auto import tqdm

    from exohunt.bundled.resolve import resolve_model

    run, inputs = resolve_model(run, inputs, model)
    if signals_per_star is None:  # as many as the run was trained on
        signals_per_star = getattr(run, "signals_per_star", 1)
    if client is not None:
        from exohunt.scale import predict_scale

        if getattr(run, "directory", None) is None:
            raise InputError("scoring on a Dask cluster needs a run loaded from its directory "
                             "(the workers load it from there)")
        return predict_scale(run.directory, inputs if isinstance(inputs, (list, tuple))
                             else [inputs], out, client=client, threshold=threshold,
                             signals_per_star=signals_per_star, read_options=read_options,
                             plots=plots, progress=progress)

    if chunk_size < 1:
        raise InputError(f"chunk_size must be at least 1, got {chunk_size}")
    if threshold is not None and not 0.0 < float(threshold) < 1.0:
        raise InputError(f"threshold must be between 0 and 1, got {threshold}")
    if not 1 <= int(signals_per_star) <= MAX_SIGNALS_PER_STAR:
        raise InputError(f"signals per star must be 1 to {MAX_SIGNALS_PER_STAR}, "
                         f"got {signals_per_star}")
    if signals_per_star > 1 and getattr(run, "kind", None) == "sequence":
        raise InputError("several signals per star need a search-then-vet model (gbm, twoview, "
                         "lstm-views); this run reads raw sequences")
    out = Path(out)
    if out.is_dir():
        raise InputError(f"{out}: is a directory; --out expects a CSV file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    plot_dir = None if plots is None else Path(plots)
    if plot_dir is not None:
        plot_dir.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    skipped: list[tuple[str, str]] = []
    counts = {"inputs": 0, "stars": 0, "rows": 0, "candidates": 0}
    written_plots: list[Path] = []
    columns: list[str] | None = None
    start = time.perf_counter()

    if jobs != 1 and fits_one_task(inputs, read_options):
        jobs = 1  # one task's worth of files: a pool would only add its start-up
    scorer = ChunkScorer(run, jobs, signals_per_star=int(signals_per_star))
    # with a worker pool (and no plots, which need the arrays here) FITS files are read by
    # the worker that scores them, unless another reader was asked for
    fits_reader = (read_options or {}).get("format") in (None, "fits", "fit")
    defer = _read_in_worker if scorer.parallel and plot_dir is None and fits_reader else None

    def skip(source: str, message: str) -> None:
        skipped.append((source, message))
        if report is not None:
            report(source, message)

    def readable():
        for source, obj in _sources(inputs, read_options or {}, defer):
            if isinstance(obj, Exception):
                if strict:
                    raise obj if isinstance(obj, InputError) else InputError(f"{source}: {obj}")
                skip(str(source), str(obj))
                continue
            counts["inputs"] += 1
            yield obj

    bar = tqdm(desc="scoring", unit="star", disable=not progress, file=sys.stderr)
    size = min(chunk_size, scorer.chunk_size or chunk_size)
    try:
        scorer.start()
        with partial.open("w", newline="") as handle:
            for chunk, offset, frame in scorer.map(_chunks(readable(), size,
                                                           scorer.chunk_cadences)):
                n_stars = len(chunk)
                if isinstance(chunk, DeferredChunk):  # read by the worker: its errors now
                    for source, message in frame.errors:
                        if strict:
                            raise InputError(message)
                        counts["inputs"] -= 1
                        skip(source, message)
                    frame, n_stars = frame.predictions, frame.n_stars
                    if frame is None:
                        continue
                # A star is named by source and index; Run.predict's "star" counts within
                # the chunk only, so it must not reach the file.
                frame = _global_index(frame, chunk, offset).drop(columns="star", errors="ignore")
                if threshold is not None:
                    frame = frame.assign(is_candidate=frame["probability"] >= float(threshold))
                columns = list(frame.columns) if columns is None else columns
                frame.reindex(columns=columns).to_csv(handle, header=counts["rows"] == 0,
                                                      index=False)
                counts["stars"] += n_stars
                counts["rows"] += len(frame)
                counts["candidates"] += int(np.sum(frame["is_candidate"].astype(bool)))
                if plot_dir is not None:
                    written_plots += _plot_candidates(frame, chunk, offset, plot_dir)
                bar.update(n_stars)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        scorer.close()
        bar.close()
    if counts["inputs"] == 0:
        partial.unlink(missing_ok=True)
        first = skipped[0][1] if skipped else "no inputs given"
        raise InputError(f"no readable input ({len(skipped)} skipped; first: {first}); nothing "
                         f"written to {out}")
    _finish(partial, out, sort)
    return PredictSummary(out, counts["inputs"], counts["stars"], counts["rows"],
                          counts["candidates"], skipped, time.perf_counter() - start,
                          written_plots)


# ``exohunt.predict(run, inputs, out=...)`` keeps working once this module has been imported.
make_module_callable(__name__, predict)
