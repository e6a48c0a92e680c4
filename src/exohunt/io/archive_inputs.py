"""An archive of many light-curve files read like a folder (see :mod:`exohunt.io.archives`).

Members that no reader recognises (a README, a manifest) are skipped, as in a folder. Two or
more Kaggle-layout CSVs in one archive (Kaggle's own download holds ``exoTrain.csv`` and
``exoTest.csv``) are refused: a folder's batches are joined into one, which here would mix
training and test stars. Name the one to read, ``archive.zip::exoTest.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from exohunt.errors import InputError
from exohunt.io import archives, registry
from exohunt.io._common import ReadOptions, fail

__all__ = ["corrupt", "is_archive", "iter_archive", "mark_packing", "only_member"]

# Readers that open their input through archives.open_binary (a user's reader takes a path).
_PACKABLE = {"kaggle_csv", "table", "fits", "tfrecord", "npy"}


def is_archive(path: Path) -> bool:
    """A zip or tar file (not a member path) that holds anything but exactly one file."""
    _, member = archives.split_member(path)
    if member is not None or archives.archive_kind(path) is None:
        return False
    return len(archives.members(path)) != 1


def only_member(archive: Path) -> str:
    """The single file of a tar archive; :class:`InputError` for none or several."""
    names = archives.members(archive)
    if len(names) == 1:
        return names[0]
    if not names:
        raise fail(archive, "the archive holds no files; expected light-curve files inside")
    raise fail(archive, f"the archive holds {len(names)} files; read it with exohunt.read "
                        f"(like a folder) or name one as {archive}{archives.MEMBER_SEPARATOR}"
                        f"{names[0]}")


def corrupt(path: Path, error: BaseException) -> InputError:
    """The error for a compressed stream that breaks off or fails its checksum."""
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    return fail(path, f"the compressed data is corrupt or truncated ({detail}); expected a "
                      "complete file")


def mark_packing(obj: Any, path: Path) -> Any:
    """Record in the object's metadata how its file was packed (``meta["compression"]``)."""
    packing = archives.describe(path)
    if packing is None:
        return obj
    from exohunt.batch import LightCurveBatch
    from exohunt.lightcurve import LightCurve

    if isinstance(obj, LightCurve):
        return obj.replace(meta={"compression": packing})
    if isinstance(obj, LightCurveBatch):
        obj.meta["compression"] = packing
    return obj


def iter_archive(path: Path, format: str | None, options: ReadOptions,
                 read_file: Callable[[Path, str | None, ReadOptions], Any]
                 ) -> Iterator[tuple[str, Any]]:
    """``(member path, object | InputError)`` for each light-curve file in the archive.

    Raises :class:`InputError`, before anything is parsed, for an archive with no light-curve
    file, or with several Kaggle-layout CSVs (which one is meant?).
    """
    names = archives.members(path)
    is_zip = archives.archive_kind(path) == "zip"
    # a tar is a stream: one pass to sniff each member's head, one to read the chosen ones
    heads = ((name, None) for name in names) if is_zip else \
        archives.tar_member_data(path, names, limit=registry.HEAD_BYTES)
    found = [(name, kind) for name, data in heads
             if (kind := format or _detect(archives.member_path(path, name), data))]
    if not found:
        shown = ", ".join(names[:5]) or "nothing"
        raise fail(path, f"the archive holds no light-curve file ({shown}); expected "
                         + "; ".join(registry.DESCRIPTIONS))
    for name, kind in found:
        if kind not in _PACKABLE:
            raise fail(archives.member_path(path, name), f"{kind} files are not read from "
                                                         "inside an archive; unpack it")
    tables = [name for name, kind in found if kind == "kaggle_csv"]
    if len(tables) > 1:
        raise fail(path, f"the archive holds {len(tables)} Kaggle-layout CSVs "
                         f"({', '.join(tables[:4])}); name the one to read as "
                         f"{path}{archives.MEMBER_SEPARATOR}{tables[0]}")
    kinds = dict(found)
    contents = ((name, None) for name in kinds) if is_zip else \
        archives.tar_member_data(path, list(kinds))
    for name, data in contents:
        member = archives.member_path(path, name)
        try:
            if data is None:
                obj = read_file(member, kinds[name], options)
            else:
                with archives.provided(member, data):
                    obj = read_file(member, kinds[name], options)
        except InputError as error:
            obj = error
        yield str(member), obj


def _detect(member: Path, data: bytes | None) -> str | None:
    try:
        if data is None:
            return registry.detect_format(member)
        with archives.provided(member, data):
            return registry.detect_format(member)
    except (OSError, InputError, *archives.STREAM_ERRORS):
        return None
