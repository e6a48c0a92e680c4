"""Compressed files and archives, read as a stream (nothing is unpacked to disk).

- ``.gz``, ``.bz2``, ``.xz``: one compressed file of any text format (Kaggle CSV, time/flux
  table); FITS too (``.fits.gz``: astropy reads it itself).
- ``.zip``: one file inside is read as that file; of several, name one as
  ``archive.zip::member.csv`` (the member's path inside the archive, as ``unzip -l`` shows
  it). The same ``::`` syntax names a member of a tar archive, on the command line as in
  Python.
- ``.zip``, ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2``, ``.tar.xz`` of many light-curve
  files (bulk downloads from MAST): read like a folder by :func:`exohunt.io.read`.

Formats are recognised by their magic bytes, not by the extension, so a misnamed file
still works. Readers open their input with :func:`open_binary`, which gives the
decompressed bytes of a plain file, a compressed file or an archive member alike; the
Kaggle reader parses them in slices as they come (see :mod:`exohunt.io.kaggle_csv`).
"""

from __future__ import annotations

import bz2
import contextlib
import functools
import gzip
import io
import lzma
import os
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from exohunt.io._common import fail

__all__ = ["MEMBER_SEPARATOR", "STREAM_ERRORS", "archive_kind", "describe", "logical_name",
           "member_path", "members", "open_binary", "provided", "size_hint", "split_member",
           "stream_kind", "tar_member_data"]

#: ``archive.zip::folder/member.csv`` names one file inside an archive.
MEMBER_SEPARATOR = "::"
#: What a truncated or corrupt compressed stream raises while it is read.
STREAM_ERRORS = (EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError,
                 gzip.BadGzipFile)
_OPENERS = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}
_SUFFIXES = {"gzip": (".gz", ".gzip"), "bz2": (".bz2",), "xz": (".xz",)}
_NOT_ARCHIVES = (".npz",)  # a zip by format, but numpy's own
# Bytes of a member handed to the readers in memory (tar archives read like a folder).
_PROVIDED: ContextVar[tuple[str, bytes] | None] = ContextVar("_PROVIDED", default=None)


def split_member(path: str | os.PathLike) -> tuple[Path, str | None]:
    """``("a.zip", "x.csv")`` for ``"a.zip::x.csv"``; ``(path, None)`` for a plain path."""
    text = os.fspath(path)
    if MEMBER_SEPARATOR in text and not os.path.exists(text):
        archive, member = text.split(MEMBER_SEPARATOR, 1)
        return Path(archive), member
    return Path(text), None


def member_path(archive: Path, member: str) -> Path:
    """The path that names ``member`` of ``archive`` (see :data:`MEMBER_SEPARATOR`)."""
    return Path(f"{archive}{MEMBER_SEPARATOR}{member}")


def stream_kind(head: bytes) -> str | None:
    """``"gzip"``, ``"bz2"`` or ``"xz"`` from a file's first bytes, else ``None``."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    return None


def archive_kind(path: Path) -> str | None:
    """``"zip"`` or ``"tar"`` (compressed or not) for an archive file, else ``None``."""
    if path.name.lower().endswith(_NOT_ARCHIVES) or not path.is_file():
        return None
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    kind = stream_kind(head)
    try:
        with _decompressed(path, kind) as handle:
            block = handle.read(512)
    except (*STREAM_ERRORS, OSError):
        return None  # a corrupt stream: reported when it is read as a file
    return "tar" if block[257:262] == b"ustar" else None


def members(path: Path) -> list[str]:
    """The regular files inside an archive, in archive order (no folders, hidden files,
    macOS ``__MACOSX`` resource forks)."""
    return list(_listing(path))


def _listing(path: Path) -> dict[str, int]:
    """``{member: decompressed size}``; remembered per file version, since a tar.gz can only
    be listed by decompressing all of it."""
    stat = path.stat()
    return _cached_listing(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _cached_listing(path: str, _mtime_ns: int, _size: int) -> dict[str, int]:
    kind = archive_kind(Path(path))
    try:
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                sizes = {i.filename: i.file_size for i in archive.infolist() if not i.is_dir()}
        else:
            with tarfile.open(path, "r:*") as archive:
                sizes = {m.name: m.size for m in archive.getmembers() if m.isfile()}
    except (*STREAM_ERRORS, OSError) as error:
        raise fail(path, f"the {kind} archive is corrupt or truncated ({error}); expected a "
                         "complete archive") from None
    return {name: size for name, size in sizes.items() if not _hidden(name)}


def _hidden(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def logical_name(path: str | os.PathLike) -> Path:
    """The name that says the format: the member's name, or the file's name without its
    compression suffix (``exoTrain.csv.gz`` → ``exoTrain.csv``)."""
    archive, member = split_member(path)
    name = PurePosixPath(member).name if member else archive.name
    lower = name.lower()
    for suffixes in _SUFFIXES.values():
        for suffix in suffixes:
            if lower.endswith(suffix) and len(name) > len(suffix):
                return archive.with_name(name[: -len(suffix)])
    return archive.with_name(name)


def describe(path: str | os.PathLike) -> str | None:
    """How ``path`` is packed, for ``meta["compression"]``: ``"gzip"``, ``"zip member
    exoTrain.csv"`` …; ``None`` for a plain file."""
    archive, member = split_member(path)
    if member is not None:
        return f"{archive_kind(archive) or 'archive'} member {member}"
    kind = archive_kind(archive)
    if kind == "zip":
        return f"zip member {members(archive)[0]}" if len(members(archive)) == 1 else "zip"
    with open(archive, "rb") as handle:
        return stream_kind(handle.read(8))


def open_binary(path: str | os.PathLike) -> BinaryIO:
    """The decompressed bytes of a file, a compressed file or an archive member.

    A zip holding a single file opens that file. Raises :class:`InputError` for a member that
    the archive does not hold, or a zip of several files without a member named.
    """
    given = _PROVIDED.get()
    if given is not None and given[0] == os.fspath(path):
        return io.BytesIO(given[1])
    archive, member = split_member(path)
    if member is None and archive_kind(archive) == "zip":
        member = _only_member(archive)
    if member is not None:
        return _open_member(archive, member)
    with open(archive, "rb") as handle:
        kind = stream_kind(handle.read(8))
    return _decompressed(archive, kind)


def _decompressed(path: Path, kind: str | None) -> BinaryIO:
    if kind is None:
        return open(path, "rb")
    if kind == "gzip":
        # Arrow's inflate: a quarter less CPU than the gzip module's (no Python loop per
        # 128 KiB); it checks the CRC and raises OSError on truncation like gzip does
        import pyarrow as pa

        return pa.CompressedInputStream(pa.OSFile(str(path)), "gzip")
    return _OPENERS[kind](path, "rb")


def _only_member(archive: Path) -> str:
    names = members(archive)
    if len(names) == 1:
        return names[0]
    if not names:
        raise fail(archive, "the archive holds no files; expected a light-curve file inside")
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise fail(archive, f"the archive holds {len(names)} files ({shown}); name the one to "
                        f"read as {archive}{MEMBER_SEPARATOR}{names[0]}")


def _open_member(archive: Path, member: str) -> BinaryIO:
    kind = archive_kind(archive)
    if kind is None:
        raise fail(archive, f"is not a zip or tar archive, so it has no member {member!r}")
    names = members(archive)
    if member not in names:
        shown = ", ".join(names[:8]) + (" …" if len(names) > 8 else "")
        raise fail(archive, f"holds no file {member!r}; it holds: {shown or 'nothing'}")
    if kind == "zip":
        with zipfile.ZipFile(archive) as handle:  # the member keeps the file open
            return handle.open(member)
    tar = tarfile.open(archive, "r|*")  # a stream: decompressed up to the member, once
    for info in tar:
        if info.name == member:
            return _Closing(tar.extractfile(info), tar)
    tar.close()  # pragma: no cover - the listing said it is there
    raise fail(archive, f"holds no file {member!r}")


class _Closing(io.BufferedReader):
    """A tar member's stream that also closes its archive."""

    def __init__(self, stream: BinaryIO, owner: tarfile.TarFile) -> None:
        super().__init__(stream, buffer_size=1 << 20)
        self._owner = owner

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._owner.close()


def size_hint(path: str | os.PathLike) -> int | None:
    """Decompressed size in bytes where the container records it (plain file, zip member,
    tar member, gzip's trailer for files under 4 GiB); ``None`` for bz2/xz."""
    given = _PROVIDED.get()
    if given is not None and given[0] == os.fspath(path):
        return len(given[1])
    archive, member = split_member(path)
    kind = archive_kind(archive)
    if kind == "zip" or (kind == "tar" and member is not None):
        return _listing(archive).get(member or _only_member(archive))
    with open(archive, "rb") as handle:
        stream = stream_kind(handle.read(8))
        if stream is None:
            return os.fstat(handle.fileno()).st_size
        if stream == "gzip" and os.fstat(handle.fileno()).st_size >= 18:
            handle.seek(-4, os.SEEK_END)
            return struct.unpack("<I", handle.read(4))[0]
    return None


def tar_member_data(archive: Path, names: list[str], limit: int = -1
                    ) -> Iterator[tuple[str, bytes]]:
    """``(name, bytes)`` of each named member in archive order (its first ``limit`` bytes,
    -1: all), decompressing the archive once, as a stream; each member is held in memory only
    while it is read (single-star files: a few MB)."""
    wanted = set(names)
    try:
        with tarfile.open(archive, "r|*") as handle:
            for info in handle:
                if info.isfile() and info.name in wanted:
                    yield info.name, handle.extractfile(info).read(limit)
    except (*STREAM_ERRORS, OSError) as error:
        raise fail(archive, f"the tar archive is corrupt or truncated ({error}); expected a "
                            "complete archive") from None


@contextlib.contextmanager
def provided(path: str | os.PathLike, data: bytes) -> Iterator[None]:
    """Within the block, :func:`open_binary` of ``path`` reads ``data`` (already in memory)."""
    token = _PROVIDED.set((os.fspath(path), data))
    try:
        yield
    finally:
        _PROVIDED.reset(token)
