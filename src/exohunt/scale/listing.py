"""List survey-scale inputs lazily: folder trees, globs and list files, one path at a time.

Nothing here holds the whole listing: a folder tree is walked with :func:`os.scandir` one
folder at a time (each folder's entries sorted, so the order is the same on every run and on
every shard), a glob is matched component by component the same way, and a list file is read
line by line. Memory is bounded by the largest single folder, not by the number of files; a
list file keeps it flat however long it is. Paths come out absolute (workers may have another
working directory); URLs (``scheme://…``) come out as given, for the workers to open with
fsspec.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from exohunt.errors import InputError

__all__ = ["LIGHTCURVE_SUFFIXES", "chunk_hash", "is_url", "iter_chunks", "iter_listing"]

#: File names a folder walk or a ``**`` glob keeps: data files, compressed or not, and zip/tar
#: archives (each member becomes a star named ``archive::member``). A README or a manifest
#: beside the data is skipped without reading it: on a parallel filesystem, opening 10^6 files
#: to sniff their format would cost more than the listing itself. A list file or an explicit
#: glob such as ``*.dat`` is taken as given.
_DATA_SUFFIXES = (".fits", ".fit", ".fts", ".fz", ".npy", ".npz", ".csv", ".ecsv", ".tfrecord")
LIGHTCURVE_SUFFIXES = (*(base + packed for base in _DATA_SUFFIXES
                         for packed in ("", ".gz", ".bz2", ".xz")),
                       ".zip", ".tar", ".tar.gz", ".tgz")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_MAGIC = re.compile(r"[*?\[]")


def is_url(text: str) -> bool:
    """True for ``scheme://…`` (``file://``, ``s3://``, ``https://`` …)."""
    return bool(_URL.match(text))


def _wanted(name: str) -> bool:
    lower = name.lower()
    return not name.startswith(".") and (lower.endswith(LIGHTCURVE_SUFFIXES)
                                         or "tfrecord" in lower)


def _sorted_entries(folder: str) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _walk(folder: str) -> Iterator[str]:
    """Files of a folder tree in sorted depth-first order."""
    for entry in _sorted_entries(folder):
        if entry.is_dir(follow_symlinks=True) and not entry.name.startswith("."):
            yield from _walk(entry.path)
        elif entry.is_file(follow_symlinks=True) and _wanted(entry.name):
            yield entry.path


def _glob(root: str, parts: list[str]) -> Iterator[str]:
    """Sorted, lazy glob of ``parts`` (path components, ``**`` = any depth) under ``root``."""
    if not parts:
        if os.path.isfile(root):
            yield root
        return
    head, rest = parts[0], parts[1:]
    if head == "**":
        yield from _glob(root, rest)  # zero folders deep
        for entry in _sorted_entries(root):
            if entry.is_dir() and not entry.name.startswith("."):
                yield from _glob(entry.path, parts)
        return
    if not _MAGIC.search(head):
        yield from _glob(os.path.join(root, head), rest)
        return
    if not os.path.isdir(root):
        return
    for entry in _sorted_entries(root):
        if fnmatch.fnmatchcase(entry.name, head) and not (entry.name.startswith(".")
                                                          and not head.startswith(".")):
            if rest:
                if entry.is_dir():
                    yield from _glob(entry.path, rest)
            elif entry.is_file():
                yield entry.path


def _list_file(path: Path) -> Iterator[str]:
    """Paths of a list file, one per line (blank lines and ``#`` comments skipped); relative
    paths are taken relative to the list file's folder."""
    if not path.is_file():
        raise InputError(f"{path}: input list not found; expected a text file with one path or "
                         "URL per line")
    # os.path, not pathlib: Python < 3.12's pathlib interns every path component, and the
    # table of interned strings grows with the number of listed files.
    base = str(path.resolve().parent)
    with path.open("r", encoding="utf-8") as handle:
        for line in handle:
            item = line.strip()
            if not item or item.startswith("#"):
                continue
            yield item if is_url(item) else os.path.normpath(os.path.join(base, item))


def _one(item: str) -> Iterator[str]:
    if item.startswith("@"):
        yield from _list_file(Path(item[1:]))
    elif is_url(item):
        yield item
    elif os.path.isdir(item):
        yield from _walk(os.path.abspath(item))
    elif _MAGIC.search(item) and not os.path.exists(item):
        pattern = os.path.abspath(item)
        first = _MAGIC.search(pattern).start()
        root = os.path.dirname(pattern[:first]) or os.sep
        rest = [part for part in pattern[len(root):].split(os.sep) if part]
        matched = False
        for path in _glob(root, rest):
            if "**" in rest and not _wanted(os.path.basename(path)):
                continue
            matched = True
            yield path
        if not matched:
            raise InputError(f"{item}: no file matches this pattern")
    else:
        # A missing file is not an error here: the worker reports it as an errors row, so a
        # listing with one stale path still scans everything else.
        yield os.path.abspath(item)


def iter_listing(inputs: Iterable[str], input_list: str | os.PathLike | None = None
                 ) -> Iterator[str]:
    """Every input path (or URL), lazily, in a deterministic order.

    Parameters
    ----------
    inputs : iterable of str
        Files, folders (walked recursively), glob patterns (``**`` for any depth), URLs, or
        ``@FILE`` for a list file with one path or URL per line.
    input_list : path, optional
        A list file read after ``inputs`` (the ``--input-list`` option).

    Yields
    ------
    str
        Absolute paths, or URLs as given.
    """
    for item in inputs:
        yield from _one(str(item))
    if input_list is not None:
        yield from _list_file(Path(input_list))


def iter_chunks(paths: Iterable[str], size: int) -> Iterator[tuple[int, list[str], str]]:
    """``(chunk number, paths, hash)`` for consecutive runs of ``size`` paths.

    The hash (16 hex digits of SHA-256 over the paths) is what the manifest stores, so that a
    rerun can tell that its listing is the one the finished parts came from.
    """
    if size < 1:
        raise InputError(f"chunk size must be at least 1, got {size}")
    iterator = iter(paths)
    for number in itertools.count():
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield number, chunk, chunk_hash(chunk)


def chunk_hash(paths: list[str]) -> str:
    """16 hex digits of SHA-256 over the newline-joined paths."""
    return hashlib.sha256("\n".join(paths).encode("utf-8", "surrogateescape")).hexdigest()[:16]
