"""Read one listed path on a worker: local files, ``file://`` and other fsspec URLs."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from exohunt.scale.listing import is_url

__all__ = ["read_listed"]


@contextmanager
def _fetched(path: str) -> Iterator[str]:
    """A local file name for ``path``: itself, a ``file://`` URL's path, or a temporary copy
    of any other fsspec URL (readers want a real file: astropy, numpy, pyarrow)."""
    if not is_url(path):
        yield path
        return
    import fsspec

    filesystem, inner = fsspec.core.url_to_fs(path)
    if "file" in (filesystem.protocol if isinstance(filesystem.protocol, tuple)
                  else (filesystem.protocol,)):
        yield inner
        return
    name = inner.rstrip("/").rsplit("/", 1)[-1]
    folder = tempfile.mkdtemp(prefix="exohunt-fetch-")
    try:
        local = os.path.join(folder, name)
        with filesystem.open(inner, "rb") as source, open(local, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_listed(path: str, read_options: dict) -> list[tuple[str, object]]:
    """``(source, object | error)`` for each light curve (or batch) in one listed path; the
    source is the path as listed (``path::member`` for a member of a zip or tar archive)."""
    from exohunt.io import iter_inputs

    try:
        with _fetched(path) as local:
            items = list(iter_inputs([local], **read_options))
    except Exception as error:  # a URL that cannot be fetched, a reader bug
        return [(path, error)]
    out = []
    for found, obj in items:
        # The reader's own name for the item with the listed path in place of the local
        # copy: the path itself, or "archive.zip::member.fits" for an archive's members.
        source = str(found).replace(local, path, 1) if local != path else str(found)
        if isinstance(obj, list):
            out += [(source, lc.replace(meta={**lc.meta, "source": source})) for lc in obj]
        elif hasattr(obj, "meta") and not isinstance(obj, Exception) and hasattr(obj, "replace"):
            out.append((source, obj.replace(meta={**obj.meta, "source": source})))
        elif isinstance(obj, Exception):
            message = str(obj)
            out.append((source, type(obj)(message.replace(local, path, 1)
                                          if local != path else message)))
        else:  # a batch: its rows are named by source and index
            out.append((source, _renamed_batch(obj, source)))
    return out


def _renamed_batch(batch, path: str):
    from dataclasses import replace

    try:
        return replace(batch, source=path)
    except TypeError:
        return batch
