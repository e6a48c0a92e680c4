"""``read`` and ``iter_inputs``: one entry point for every input exohunt accepts.

What ``read`` returns:

- a single-star file (FITS, time/flux table) → :class:`~exohunt.LightCurve`;
- a Kaggle CSV or ``.npy``/``.npz`` arrays → :class:`~exohunt.LightCurveBatch`;
- an AstroNet TFRecord shard → :class:`~exohunt.ViewBatch`;
- a folder, a glob pattern or a list of paths → a ``list`` of LightCurves when the files are
  single-star files; when every file gives a batch, one concatenated ``LightCurveBatch``
  (all of equal length; rows in file order, ``meta["parts"]`` says which rows came from where);
  when every file gives views, one concatenated ``ViewBatch`` (its ``table`` gains a
  ``source`` column). Mixing single stars and batches is an :class:`InputError`: read the
  parts separately, or use :func:`iter_inputs`.
- an archive (``.zip``, ``.tar``, ``.tar.gz`` …) of several files is read like a folder; one
  member is named as ``archive.zip::member.csv``; compressed files (``.gz``, ``.bz2``,
  ``.xz``) and a zip of one file are read as the file inside (:mod:`exohunt.io.archives`);
- an exohunt object is returned as is; a lightkurve ``LightCurve`` is converted.

A folder contributes the files that some reader recognises (so ``manifest.csv`` or a README
beside FITS files is skipped); a label file ``y_*.npy`` is read together with its ``X_*.npy``,
not on its own. A glob contributes every file it matches.
"""

from __future__ import annotations

import glob
import os
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.errors import InputError
from exohunt.io import archives, registry
from exohunt.io._common import MIN_CADENCES, ReadOptions, fail
from exohunt.io.archive_inputs import corrupt, is_archive, iter_archive, mark_packing, only_member
from exohunt.io.lightkurve_compat import as_exohunt
from exohunt.io.quality import check_bitmask
from exohunt.lightcurve import LightCurve

__all__ = ["DeferredRead", "expand_path", "iter_inputs", "read", "read_file"]

Readable = LightCurve | LightCurveBatch | ViewBatch
_WRAPPED = (OSError, ValueError, EOFError, KeyError, IndexError, zipfile.BadZipFile, struct.error)


def read(path: Any, format: str | None = None, *, flux_column: str | None = None,
         quality_bitmask: str | int | None = "default",
         min_cadences: int = MIN_CADENCES) -> Readable | list[LightCurve]:
    """Read light curves from ``path``; see the module doc for what comes back.

    Parameters
    ----------
    path : str, Path, list of them, LightCurve or lightkurve LightCurve
        A file, a folder, a glob pattern (``"data/*.fits"``), or several of these.
    format : str, optional
        A name from :func:`~exohunt.io.available_formats` (or an alias such as ``"kaggle"``);
        detected from the extension and content when omitted.
    flux_column : str, optional
        FITS/table flux column (default ``PDCSAP_FLUX``, else the product's own column).
    quality_bitmask : {"default", "hard", "hardest", "none"} or int or None
        Cadences whose ``QUALITY`` has any of these bits are dropped (mission's meaning).
    min_cadences : int
        Fewest valid cadences a light curve (or batch row) may have.

    Raises
    ------
    InputError
        Whatever is wrong with the input, in one line naming the file.
    """
    options = make_options(flux_column, quality_bitmask, min_cadences)
    converted = from_object(path, options)
    if converted is not None:
        return converted
    if isinstance(path, (list, tuple)):
        return combine(", ".join(map(str, path)),
                       [part for item in path for part in _parts(Path(item), format, options)])
    path = Path(path)
    if path.is_dir() or _is_glob(path) or is_archive(path):
        return combine(str(path), _parts(path, format, options))
    return read_file(path, format, options)


def _parts(path: Path, format: str | None, options: ReadOptions) -> list[tuple[Path, Any]]:
    """What each file of a folder, glob, archive (like a folder) or single file gives."""
    if not is_archive(path):
        return [(f, read_file(f, format, options)) for f in expand_path(path)]
    parts = []
    for source, obj in iter_archive(path, format, options, read_file):
        if isinstance(obj, InputError):
            raise obj
        parts.append((Path(source), obj))
    return parts


@dataclass(frozen=True)
class DeferredRead:
    """A file that :func:`iter_inputs` was asked not to read yet (its ``defer`` option).

    ``read()`` gives what ``iter_inputs`` would have yielded for it, or raises the
    :class:`InputError` it would have yielded. It pickles small, so a worker process can read
    the file itself instead of receiving its arrays.
    """

    path: Path
    format: str | None
    options: ReadOptions

    @property
    def source(self) -> str:
        return str(self.path)

    def read(self) -> Readable:
        return read_file(self.path, self.format, self.options)


def iter_inputs(paths: Any, format: str | None = None, *,
                defer: Callable[[Path], bool] | None = None, **read_options: Any
                ) -> Iterator[tuple[str, Readable | DeferredRead | InputError]]:
    """Yield ``(source, object)`` per input file, or ``(source, InputError)`` for a bad one.

    ``paths`` is one path/pattern/folder/object or an iterable of them; folders and globs are
    expanded to their files, each read on its own (no concatenation). Nothing is raised for a
    bad file, so a caller can report it and go on. A file for which ``defer(path)`` is true
    is not read: its object is a :class:`DeferredRead` (archive members never are).
    """
    options = make_options(read_options.pop("flux_column", None),
                           read_options.pop("quality_bitmask", "default"),
                           read_options.pop("min_cadences", MIN_CADENCES))
    if read_options:
        raise TypeError(f"unknown read options: {', '.join(read_options)}")
    if isinstance(paths, (str, os.PathLike)) or not isinstance(paths, Iterable):
        paths = [paths]
    for item in paths:
        try:
            converted = from_object(item, options)
        except InputError as error:
            yield _label(item), error
            continue
        if converted is not None:
            yield _label(item), converted
            continue
        try:
            if is_archive(Path(item)):
                yield from iter_archive(Path(item), format, options, read_file)
                continue
            files = expand_path(item) if _is_many(Path(item)) else [Path(item)]
        except InputError as error:
            yield str(item), error
            continue
        for file in files:
            if defer is not None and archives.split_member(file)[1] is None and defer(file):
                yield str(file), DeferredRead(Path(file), format, options)
                continue
            try:
                yield str(file), read_file(file, format, options)
            except InputError as error:
                yield str(file), error


def read_file(path: Path, format: str | None, options: ReadOptions) -> Readable:
    """Read one file (or one archive member, ``archive.zip::member``) with the named (or
    detected) reader; every failure is an InputError."""
    path = Path(path)
    archive, member = archives.split_member(path)
    if not archive.exists():
        raise fail(archive, "no such file or folder")
    if not archive.is_file():
        raise fail(archive, "not a regular file")
    if member is None and archives.archive_kind(archive) == "tar":
        path = archives.member_path(archive, only_member(archive))
    try:
        head = registry.read_head(path)
    except InputError:
        raise
    except archives.STREAM_ERRORS as error:
        raise corrupt(path, error) from None
    except OSError as error:
        if error.errno is None and archives.describe(path):
            raise corrupt(path, error) from None
        raise fail(path, f"cannot be opened: {error.strerror or error}") from None
    if not head:
        raise fail(path, "the file is empty; expected light-curve data")
    name = format or registry.detect_format(archives.logical_name(path), head)
    if name is None:
        raise registry.unknown_format_error(path)
    reader = registry.get_reader(name)
    try:
        obj = reader(path, options)
    except InputError:
        raise
    except archives.STREAM_ERRORS as error:
        raise corrupt(path, error) from None
    except _WRAPPED as error:
        if isinstance(error, OSError) and archives.describe(path):
            raise corrupt(path, error) from None  # Arrow's inflate: "Truncated …", "zlib …"
        raise fail(path, f"cannot be read as {name}: {error}") from None
    return mark_packing(obj, path)


def expand_path(path: Any) -> list[Path]:
    """The files a folder or glob stands for (sorted); a plain path gives itself."""
    path = Path(path)
    if path.is_dir():
        files = [f for f in sorted(path.iterdir())
                 if f.is_file() and not f.name.startswith(".") and _recognised(f)]
        if not files:
            raise fail(path, "the folder holds no light-curve files; expected "
                             + "; ".join(registry.DESCRIPTIONS))
    elif _is_glob(path):
        files = [Path(f) for f in sorted(glob.glob(str(path))) if Path(f).is_file()]
        if not files:
            raise fail(path, "no file matches this pattern")
    else:
        return [path]
    from exohunt.io.numpy_arrays import drop_label_partners

    return drop_label_partners(files)


def combine(source: str, parts: list[tuple[Path, Readable]]) -> Readable | list[LightCurve]:
    """Join what several files gave: a list of LightCurves, or one concatenated batch."""
    kinds = {type(obj) for _, obj in parts}
    if kinds == {LightCurve}:
        return [obj for _, obj in parts]
    if kinds == {LightCurveBatch}:
        return _concat_batches(source, parts)
    if kinds == {ViewBatch}:
        return _concat_views(source, parts)
    names = ", ".join(sorted(kind.__name__ for kind in kinds))
    raise fail(source, f"the files give different kinds of data ({names}); expected all "
                       "single-star files, all batches or all views: read them separately")


def make_options(flux_column: str | None, quality_bitmask: Any, min_cadences: int
                 ) -> ReadOptions:
    """Validated :class:`ReadOptions`."""
    if int(min_cadences) < 2:
        raise InputError(f"min_cadences must be at least 2, got {min_cadences}")
    return ReadOptions(flux_column, check_bitmask(quality_bitmask), int(min_cadences))


def from_object(obj: Any, options: ReadOptions) -> Readable | None:
    """An in-memory object as exohunt data, or ``None`` when ``obj`` is a path."""
    if isinstance(obj, (LightCurve, LightCurveBatch, ViewBatch)):
        return obj
    converted = as_exohunt(obj)  # lightkurve objects, collections and lists of them
    if converted is not obj:
        for lc in converted if isinstance(converted, list) else [converted]:
            if len(lc) < options.min_cadences:
                raise InputError(f"{_label(obj)}: only {len(lc)} valid cadences; expected at "
                                 f"least {options.min_cadences}")
        return converted
    if isinstance(obj, (str, os.PathLike, list, tuple)):
        return None
    if hasattr(obj, "time") and hasattr(obj, "flux"):  # lightkurve-like, by duck typing
        lc = LightCurve.from_lightkurve(obj)
        if len(lc) < options.min_cadences:
            raise InputError(f"{_label(obj)}: only {len(lc)} valid cadences; expected at "
                             f"least {options.min_cadences}")
        return lc if lc.meta.get("cadence_days") else lc.replace(meta={"cadence_days":
                                                                       lc.cadence})
    raise InputError(f"cannot read a {type(obj).__name__}; expected a path, a folder, a glob "
                     "pattern, an exohunt LightCurve or a lightkurve LightCurve")


def _concat_batches(source: str, parts: list[tuple[Path, Any]]) -> LightCurveBatch:
    lengths = {b.flux.shape[1] for _, b in parts}
    if len(lengths) > 1:
        shown = ", ".join(f"{Path(s).name}: {b.flux.shape[1]}" for s, b in parts)
        raise fail(source, f"the batches have different lengths ({shown}); expected equal "
                           "numbers of cadences")
    labels = _concat_labels(source, [b.labels for _, b in parts])
    meta = {"format": parts[0][1].meta.get("format"),
            "parts": [{"source": str(s), "rows": len(b)} for s, b in parts],
            "n_nonfinite": sum(int(b.meta.get("n_nonfinite", 0)) for _, b in parts)}
    flux = parts[0][1].flux if len(parts) == 1 else np.concatenate([b.flux for _, b in parts])
    return LightCurveBatch(flux, labels, parts[0][1].time, source, meta)


def _concat_views(source: str, parts: list[tuple[Path, Any]]) -> ViewBatch:
    widths = {(v.global_view.shape[1], v.local_view.shape[1]) for _, v in parts}
    if len(widths) > 1:
        raise fail(source, f"the view files have different view lengths {sorted(widths)}; "
                           "expected the same global/local bins in every file")
    tables = [v.table.assign(source=str(s)) if "source" not in v.table else v.table
              for s, v in parts]
    return ViewBatch(np.concatenate([v.global_view for _, v in parts]),
                     np.concatenate([v.local_view for _, v in parts]),
                     _concat_labels(source, [v.labels for _, v in parts]),
                     pd.concat(tables, ignore_index=True), source)


def _concat_labels(source: str, labels: list[np.ndarray | None]) -> np.ndarray | None:
    if all(item is None for item in labels):
        return None
    if any(item is None for item in labels):
        raise fail(source, "some files have labels and some do not; expected all or none")
    return np.concatenate(labels)


def _recognised(path: Path) -> bool:
    try:
        return registry.detect_format(path) is not None
    except (OSError, InputError, *archives.STREAM_ERRORS):
        return False


def _is_glob(path: Path) -> bool:
    return any(char in str(path) for char in "*?[") and not path.exists()


def _is_many(path: Path) -> bool:
    return path.is_dir() or _is_glob(path)


def _label(obj: Any) -> str:
    if isinstance(obj, (str, os.PathLike)):
        return str(obj)
    meta = getattr(obj, "meta", None) or {}
    name = meta.get("source") or meta.get("target_id") or meta.get("OBJECT") if meta else None
    return str(name or f"<{type(obj).__name__}>")
