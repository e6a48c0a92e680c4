"""Shards of a scale run without Dask, and the merge of finished parts into final tables.

``--shard I/N`` (``0 ≤ I < N``) takes chunks ``I, I + N, I + 2N, …`` of the listing: every
shard sees the same listing and the same manifest, so an array job (SLURM ``--array=0-N-1``,
``--shard $SLURM_ARRAY_TASK_ID/N``) covers each chunk exactly once, and a shard that is rerun
skips its finished chunks. Whichever run finds every chunk's part written merges: it writes
``errors.parquet``/``errors.csv``, ``summary.json`` and, when asked (always for ``search``),
the CSV of all rows — each under a temporary name, then renamed; merging again gives the same
files. The Parquet parts stay: ``read_results(OUT)`` is the final table.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from exohunt.errors import InputError
from exohunt.scale.manifest import Manifest, atomic_write_bytes
from exohunt.scale.tasks import ERROR_COLUMNS, result_folder

__all__ = ["done_chunks", "merge", "parse_shard", "read_errors", "read_results"]

_PART = re.compile(r"^part-(\d{6,})\.parquet$")


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` → ``(I, N)`` with ``0 ≤ I < N``; None stays None."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match or not int(match[2]) > int(match[1]) >= 0:
        raise InputError(f"--shard {text}: expected I/N with 0 <= I < N (e.g. "
                         "$SLURM_ARRAY_TASK_ID/10 for --array=0-9)")
    return int(match[1]), int(match[2])


def done_chunks(folder: Path) -> set[int]:
    """Chunk numbers whose part is in ``folder`` (one directory listing, not one stat each)."""
    if not folder.is_dir():
        return set()
    with os.scandir(folder) as entries:
        return {int(m[1]) for e in entries if (m := _PART.match(e.name))}


def _parts(out: Path, name: str, manifest: Manifest):
    for chunk in range(len(manifest.chunks)):
        path = out / name / f"part-{chunk:06d}.parquet"
        if path.exists():
            # read in this thread: with Arrow's thread pool, 2 of 16 resumed Dask clients
            # aborted at interpreter exit ("terminate called without an active exception",
            # tests/test_scale_dask.py's resume test), after their output was complete; 0 of
            # 30 since (benchmarks/diag_dask_resume_abort.py). The parts are small: the pool
            # bought nothing.
            yield chunk, pd.read_parquet(path, use_threads=False)


def read_results(out: str | os.PathLike) -> pd.DataFrame:
    """All rows of a scale run's output folder, in listing order (finished chunks only)."""
    out = Path(out)
    manifest = _manifest(out)
    frames = [f for _, f in _parts(out, result_folder(manifest.kind), manifest) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def read_errors(out: str | os.PathLike) -> pd.DataFrame:
    """One row per unreadable input (``file, reason``) of the finished chunks."""
    out = Path(out)
    frames = [f for _, f in _parts(out, "errors", _manifest(out)) if len(f)]
    return (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=ERROR_COLUMNS))


def _manifest(out: Path) -> Manifest:
    manifest = Manifest.read(out)
    if manifest is None:
        raise InputError(f"{out}: no manifest.json; expected the output folder of a scale run")
    return manifest


def _write_rows(out: Path, name: str, manifest: Manifest, write_csv: bool) -> tuple[int, int]:
    """Count rows and candidates; stream them to ``name.csv`` (temporary name, then renamed).

    The CSV's columns are those of all parts, in order of first appearance (a chunk of only
    single events has no vetting columns; a later one does).
    """
    import pyarrow.parquet as pq

    columns: list[str] = []
    for chunk in range(len(manifest.chunks)):
        names = pq.read_schema(out / name / f"part-{chunk:06d}.parquet").names
        columns += [c for c in names if c not in columns]
    header = True
    n_rows = n_candidates = 0
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.csv.", dir=out)
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            for _, frame in _parts(out, name, manifest):
                if not len(frame):
                    continue
                flag = "is_candidate" if "is_candidate" in frame else "passes_vetting"
                n_candidates += int(frame[flag].astype(bool).sum()) if flag in frame else 0
                if write_csv:
                    frame.reindex(columns=columns).to_csv(stream, header=header, index=False)
                    header = False
                n_rows += len(frame)
        if write_csv:
            os.replace(temporary, out / f"{name}.csv")
    finally:
        Path(temporary).unlink(missing_ok=True)
    return n_rows, n_candidates


def merge(out: str | os.PathLike, *, csv_rows: bool = False) -> dict | None:
    """Write the final tables when every chunk is done; None (nothing written) otherwise.

    Parameters
    ----------
    out : path
        The output folder.
    csv_rows : bool
        Also write every row to ``predictions.csv`` (``candidates.csv`` for search, which
        always writes it), streamed part by part.

    Returns
    -------
    dict or None
        The summary written to ``summary.json`` (``n_paths, n_rows, n_candidates,
        n_errors``).
    """
    out = Path(out)
    manifest = _manifest(out)
    name = result_folder(manifest.kind)
    if len(done_chunks(out / name)) < len(manifest.chunks):
        return None
    errors = read_errors(out)
    buffer = io.BytesIO()
    errors.to_parquet(buffer, index=False)
    atomic_write_bytes(out / "errors.parquet", buffer.getvalue())
    atomic_write_bytes(out / "errors.csv", errors.to_csv(index=False).encode())
    n_rows, n_candidates = _write_rows(out, name, manifest,
                                       csv_rows or manifest.kind == "search")
    summary = {"kind": manifest.kind, "n_paths": sum(n for n, _ in manifest.chunks),
               "n_chunks": len(manifest.chunks), "n_rows": n_rows,
               "n_candidates": n_candidates, "n_errors": len(errors)}
    atomic_write_bytes(out / "summary.json", json.dumps(summary, indent=1).encode())
    return summary
