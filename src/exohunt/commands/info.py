"""``exohunt info INPUT...``: read each input and print a one-line summary of it.

One line per file (a folder or glob is expanded to its files): the kind of data, its size,
time span and cadence, the flux column used, what the reader dropped, and the labels.
A light curve that carries more (flux unit, host star, crowding, centroids, aperture flux,
quarter/sector) gets indented detail lines below (:mod:`exohunt.commands.info_extras`), and
one saying what ``exohunt search`` would mask as junk before searching.
A file that cannot be read gets one ``exohunt info: error: …`` line on stderr; the command
goes on with the others and exits with status 2 if any failed. Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.commands._common import add_read_options
from exohunt.commands.info_extras import detail_lines
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve

HELP = "summarise input files: kind, size, time span, cadence, flux column, labels"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="files, folders or glob patterns (FITS, Kaggle CSV, time/flux "
                             "table, .npy/.npz, TFRecord)")
    add_read_options(parser)
    parser.add_argument("--quality-bitmask", default="default",
                        help="FITS QUALITY bits to drop: default, hard, hardest, none or an "
                             "integer (default: default)")


def run(args: argparse.Namespace) -> int:
    from exohunt.io import iter_inputs

    failed = 0
    inputs = iter_inputs(args.inputs, args.input_format, flux_column=args.flux_column,
                         quality_bitmask=args.quality_bitmask)
    for source, obj in inputs:
        if isinstance(obj, InputError):
            failed += 1
            print(f"exohunt info: error: {obj}", file=sys.stderr, flush=True)
        else:
            print(summarize(source, obj), flush=True)
    return 2 if failed else 0


def summarize(source: str, obj: Any) -> str:
    """One line describing what was read from ``source``."""
    name = Path(source).name or source
    if isinstance(obj, LightCurve):
        return _lightcurve(name, obj)
    if isinstance(obj, LightCurveBatch):
        return _batch(name, obj)
    if isinstance(obj, ViewBatch):
        return _views(name, obj)
    return f"{name}: {type(obj).__name__}"


def format_cadence(days: float | None) -> str:
    """A cadence in the friendliest unit: ``58.8 s``, ``29.4 min``, ``6.00 h``, ``1.50 d``."""
    if days is None or not np.isfinite(days):
        return "?"
    seconds = days * 86400.0
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h" if seconds < 172800 else f"{days:.2f} d"


def _lightcurve(name: str, lc: LightCurve) -> str:
    meta = lc.meta
    where = ", ".join(str(meta[k]) for k in ("target_id", "mission") if meta.get(k))
    dropped = (f"dropped {meta.get('n_dropped_quality', 0):,} by quality, "
               f"{meta.get('n_dropped_nonfinite', 0):,} non-finite")
    summary = (f"{name}: light curve [{meta.get('format', '?')}] {where}: {len(lc):,} "
               f"cadences, span {lc.time_span:.2f} d, cadence "
               f"{format_cadence(meta.get('cadence_days'))}, flux "
               f"{meta.get('flux_column', '?')}, {dropped}{_packing(meta)}, labels: none")
    details = [*detail_lines(lc), junk_summary(lc)]
    return "\n".join([summary, *(f"  {line}" for line in details)])


def junk_summary(lc: LightCurve) -> str:
    """What ``exohunt search`` would mask before searching (:mod:`exohunt.search.junk`)."""
    from exohunt.search.junk import mask_junk, masking_notes

    clean = lc.remove_nans()
    if len(clean) > 1 and np.any(np.diff(clean.time) < 0):
        clean = clean[np.argsort(clean.time, kind="stable")]
    notes = masking_notes(mask_junk(clean).meta)
    return f"search would mask: {notes.removeprefix('masked ') if notes else 'nothing'}"


def _packing(meta: Any) -> str:
    """How the file was packed and what the reader left out of the flux."""
    notes = []
    if meta.get("compression"):
        notes.append(f"read from {meta['compression']}")
    index = meta.get("index_column")
    if index:
        rows = "0..N-1" if index.get("sequential") else "not 0..N-1"
        named = f" {index['name']!r}" if index.get("name") else ""
        notes.append(f"dropped the unnamed index column{named} ({rows})")
    return "".join(f", {note}" for note in notes)


def _batch(name: str, batch: LightCurveBatch) -> str:
    n, length = batch.flux.shape
    span = float(batch.time[-1] - batch.time[0]) if length > 1 else 0.0
    cadence = float(np.median(np.diff(batch.time))) if length > 1 else None
    return (f"{name}: batch [{batch.meta.get('format', '?')}] {n:,} stars × {length:,} "
            f"cadences, span {span:.2f} d, cadence {format_cadence(cadence)}, flux "
            f"{batch.meta.get('flux_columns', 'array')}, "
            f"{batch.meta.get('n_nonfinite', 0):,} non-finite cells{_packing(batch.meta)}, labels: "
            f"{_labels(batch.labels, batch.meta.get('label_convention'))}")


def _views(name: str, views: ViewBatch) -> str:
    counts = ""
    if "disposition" in views.table:
        tally = Counter(views.table["disposition"].astype(str))
        counts = " (" + ", ".join(f"{k} {v:,}" for k, v in tally.most_common()) + ")"
    return (f"{name}: views [tfrecord] {len(views):,} events, global {views.global_view.shape[1]}"
            f" / local {views.local_view.shape[1]} bins, labels: "
            f"{_labels(views.labels, 'PC = 1')}{counts}")


def _labels(labels: np.ndarray | None, convention: str | None) -> str:
    if labels is None:
        return "none"
    positive = int(np.sum(labels))
    return (f"{len(labels):,} ({positive:,} planet, {len(labels) - positive:,} not; "
            f"from {convention})")
