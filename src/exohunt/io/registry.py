"""The reader registry and format detection.

A reader is registered under a name with two callables:

- ``detect(path, head) -> bool``: does the file look like this format? ``head`` is the first
  64 KiB of the file (bytes), so that detection sniffs content as well as the extension.
- ``reader(path, options) -> LightCurve | LightCurveBatch | ViewBatch``: read it.
  ``options`` is a :class:`~exohunt.io._common.ReadOptions`; raise
  :class:`~exohunt.errors.InputError` for anything wrong with the file.

Detection tries readers registered by users first (newest first), then the built-in ones in
this order: ``fits``, ``npy``, ``npz``, ``tfrecord``, ``kaggle_csv``, ``table``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exohunt.errors import InputError

__all__ = ["HEAD_BYTES", "available_formats", "detect_format", "get_reader", "register_reader"]

HEAD_BYTES = 64 * 1024

Detect = Callable[[Path, bytes], bool]
Reader = Callable[[Path, Any], Any]

#: Other names accepted for ``format=`` / ``--format``.
ALIASES = {"kaggle": "kaggle_csv", "csv-kaggle": "kaggle_csv", "fit": "fits",
           "csv": "table", "txt": "table", "dat": "table", "ecsv": "table", "numpy": "npy",
           "tfrecords": "tfrecord", "astronet": "tfrecord"}


@dataclass(frozen=True)
class _Entry:
    name: str
    detect: Detect
    reader: Reader
    builtin: bool


_READERS: list[_Entry] = []
_BUILTINS_LOADED = False

DESCRIPTIONS = (
    "a FITS light curve (.fits, Kepler/K2/TESS or HLSP)",
    "a Kaggle CSV (header LABEL,FLUX.1,FLUX.2,…)",
    "a time/flux table (.csv/.txt/.dat/.ecsv with a time and a flux column, or 2–3 numeric "
    "columns)",
    "numpy arrays (.npy/.npz, X_* with y_* beside it)",
    "AstroNet TFRecord shards",
)


def register_reader(name: str, detect: Detect, reader: Reader, *, _builtin: bool = False) -> None:
    """Register (or replace) the reader called ``name``; see the module doc for the contract.

    User readers are tried before the built-in ones during detection, so a more specific
    format can claim files that a built-in one would also accept.
    """
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"reader name must be a simple word, got {name!r}")
    _load_builtins()
    _READERS[:] = [entry for entry in _READERS if entry.name != name]
    entry = _Entry(name, detect, reader, _builtin)
    if _builtin:
        _READERS.append(entry)
    else:
        _READERS.insert(0, entry)


def available_formats() -> list[str]:
    """Registered format names, in detection order."""
    _load_builtins()
    return [entry.name for entry in _READERS]


def get_reader(name: str) -> Reader:
    """The reader for ``name`` (or an alias of it); :class:`InputError` for an unknown name."""
    _load_builtins()
    key = ALIASES.get(name.lower(), name.lower())
    for entry in _READERS:
        if entry.name == key:
            return entry.reader
    raise InputError(f"unknown format {name!r}; expected one of {', '.join(available_formats())}")


def read_head(path: Path) -> bytes:
    """The first :data:`HEAD_BYTES` of ``path`` (for detection), decompressed when ``path`` is
    a compressed file or an archive member (:func:`exohunt.io.archives.open_binary`)."""
    from exohunt.io.archives import open_binary

    with open_binary(path) as handle:
        return handle.read(HEAD_BYTES)


def detect_format(path: Path | str, head: bytes | None = None) -> str | None:
    """Name of the first registered format whose ``detect`` accepts ``path``, else ``None``.

    Without ``head``, a compressed file or archive member is sniffed decompressed, under its
    own name (``exoTrain.csv.gz`` as ``exoTrain.csv``).
    """
    _load_builtins()
    if head is None:
        from exohunt.io.archives import logical_name

        head = read_head(Path(path))
        path = logical_name(path)
    path = Path(path)
    for entry in _READERS:
        try:
            if entry.detect(path, head):
                return entry.name
        except Exception:  # a detector that chokes on a file just says "not mine"
            continue
    return None


def unknown_format_error(path: Path) -> InputError:
    """The error for a file no reader claims, listing what was expected."""
    return InputError(f"{path}: unknown format: it is none of " + "; ".join(DESCRIPTIONS)
                      + f". Give the format explicitly (one of {', '.join(available_formats())})")


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from exohunt.io import astronet_records, fits, kaggle_csv, numpy_arrays, table

    for module in (fits, numpy_arrays, astronet_records, kaggle_csv, table):
        for name, detect, reader in module.READERS:
            register_reader(name, detect, reader, _builtin=True)
