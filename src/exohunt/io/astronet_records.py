"""AstroNet TFRecord shards → :class:`~exohunt.ViewBatch`, without TensorFlow.

A TFRecord file is a sequence of records ``uint64 length | uint32 masked CRC-32C of the
length | data | uint32 masked CRC-32C of the data``; each record's data here is a serialised
``tf.train.Example`` (a map from feature name to a bytes, float or int64 list), decoded by the
small protobuf wire-format parser below. Every length and CRC is checked: a truncated or
corrupted shard is an :class:`InputError` naming the record and byte offset.

Features become: ``global_view`` (N, 201) and ``local_view`` (N, 61) float32 arrays; a
``table`` with one row per event and the columns ``disposition`` (str), ``tic_id``,
``period_days`` (``Period``), ``t0_days`` (``Epoc``, BTJD), ``duration_hours``
(``Duration`` × 24; AstroNet-Triage stores days), ``depth_ppm`` (``Transit_Depth``),
``snr`` (``SN``), plus every other scalar feature under its lower-cased name.
Labels: 1 where ``disposition`` is ``PC`` (planet candidate), else 0 — the *vetting* task;
``ViewBatch.with_positive(("PC", "EB"))`` gives the *triage* labels instead.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exohunt.batch import ViewBatch
from exohunt.io._common import ReadOptions, fail
from exohunt.io._crc32c import masked_crc32c, masked_crc32c_many

__all__ = ["DEFAULT_POSITIVE", "READERS", "detect", "parse_example", "read_tfrecord",
           "records"]

DEFAULT_POSITIVE = ("PC",)
RENAMES = {"disposition": "disposition", "tic_id": "tic_id", "period": "period_days",
           "epoc": "t0_days", "epoch": "t0_days", "duration": "duration_hours",
           "transit_depth": "depth_ppm", "sn": "snr"}
_SHARD_NAME = re.compile(r"-\d{5}-of-\d{5}$")
_EXTENSIONS = (".tfrecord", ".tfrecords", ".tfrec")


def detect(path: Path, head: bytes) -> bool:
    """A TFRecord name (``*.tfrecord``, ``*-00000-of-00008``) or a valid first record header."""
    if path.name.lower().endswith(_EXTENSIONS) or _SHARD_NAME.search(path.name):
        return True
    return len(head) >= 16 and masked_crc32c(head[:8]) == struct.unpack_from("<I", head, 8)[0]


def records(path: Path, data: bytes, verify: bool = True) -> list[memoryview]:
    """The records of a TFRecord file's bytes, lengths and (if ``verify``) CRCs checked."""
    view = memoryview(data)
    starts, lengths, position, size = [], [], 0, len(data)
    while position < size:
        if position + 12 > size:
            raise fail(path, f"record {len(starts)} at byte {position}: truncated header "
                             f"({size - position} bytes); expected a complete TFRecord file")
        (length, length_crc) = struct.unpack_from("<QI", data, position)
        if verify and masked_crc32c(data[position:position + 8]) != length_crc:
            raise fail(path, f"record {len(starts)} at byte {position}: length CRC mismatch; "
                             "the shard is corrupt")
        if position + 16 + length > size:
            raise fail(path, f"record {len(starts)} at byte {position}: length {length} runs "
                             f"past the end of the file ({size} bytes); the shard is truncated "
                             "or corrupt")
        starts.append(position)
        lengths.append(length)
        position += 16 + length
    if verify and starts:
        _verify(path, data, np.asarray(starts), np.asarray(lengths))
    return [view[s + 12:s + 12 + n] for s, n in zip(starts, lengths)]


def _verify(path: Path, data: bytes, starts: np.ndarray, lengths: np.ndarray) -> None:
    """Check every record's data CRC at once (the length CRCs were checked while walking)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    stored = _u32_at(buffer, starts + 12 + lengths)
    bad = np.flatnonzero(stored != masked_crc32c_many(buffer, starts + 12, lengths))
    if len(bad):
        i = int(bad[0])
        raise fail(path, f"record {i} at byte {int(starts[i])}: data CRC mismatch "
                         f"({len(bad)} bad records); the shard is corrupt")


def _u32_at(buffer: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    index = offsets[:, None] + np.arange(4)
    return buffer[index].astype(np.uint32) @ np.array([1, 1 << 8, 1 << 16, 1 << 24],
                                                      dtype=np.uint32)


def _varint(buf: Any, pos: int) -> tuple[int, int]:
    byte = buf[pos]
    if byte < 0x80:
        return byte, pos + 1
    result, shift = byte & 0x7F, 7
    while True:
        pos += 1
        byte = buf[pos]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos + 1
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")


def _fields(buf: Any, pos: int, end: int):
    """Yield (field number, wire type, value) of a message; value is a slice or an int."""
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > end:
                raise ValueError("length-delimited field runs past its message")
            yield number, wire, (pos, pos + length)
            pos += length
        elif wire == 0:
            value, pos = _varint(buf, pos)
            yield number, wire, value
        elif wire == 5:
            yield number, wire, (pos, pos + 4)
            pos += 4
        elif wire == 1:
            yield number, wire, (pos, pos + 8)
            pos += 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")


def parse_example(buf: Any) -> dict[str, Any]:
    """Decode a serialised ``tf.train.Example``: name → list of bytes, float array or ints."""
    out: dict[str, Any] = {}
    for number, wire, span in _fields(buf, 0, len(buf)):
        if number != 1 or wire != 2:
            continue
        for entry_number, entry_wire, entry in _fields(buf, *span):
            if entry_number == 1 and entry_wire == 2:
                key, value = None, None
                for n, w, item in _fields(buf, *entry):
                    if n == 1 and w == 2:
                        key = bytes(buf[item[0]:item[1]]).decode("utf-8")
                    elif n == 2 and w == 2:
                        value = _feature(buf, *item)
                if key is not None:
                    out[key] = value
    return out


def _feature(buf: Any, start: int, end: int) -> Any:
    for kind, wire, span in _fields(buf, start, end):
        if wire != 2:
            continue
        if kind == 1:  # BytesList
            return [bytes(buf[a:b]) for n, w, (a, b) in _fields(buf, *span) if n == 1 and w == 2]
        if kind == 2:  # FloatList, packed or not
            parts = [bytes(buf[a:b]) for n, w, (a, b) in _fields(buf, *span) if n == 1]
            return np.frombuffer(b"".join(parts), dtype="<f4")
        if kind == 3:  # Int64List, packed or not
            return _int64s(buf, *span)
    return None


def _int64s(buf: Any, start: int, end: int) -> list[int]:
    values = []
    for number, wire, item in _fields(buf, start, end):
        if number != 1:
            continue
        if wire == 0:
            values.append(item)
        else:
            pos, stop = item
            while pos < stop:
                value, pos = _varint(buf, pos)
                values.append(value)
    return [v - (1 << 64) if v >= 1 << 63 else v for v in values]


def read_tfrecord(path: Path, options: ReadOptions | None = None, *, verify: bool = True,
                  positive: tuple[str, ...] = DEFAULT_POSITIVE) -> ViewBatch:
    """Read one AstroNet shard into a :class:`ViewBatch` (see module doc)."""
    path = Path(path)
    from exohunt.io.archives import open_binary

    with open_binary(path) as handle:  # also an archive member or a compressed file
        data = handle.read()
    examples = []
    for index, record in enumerate(records(path, data, verify)):
        try:
            examples.append(parse_example(record))
        except (ValueError, IndexError, UnicodeDecodeError) as error:
            raise fail(path, f"record {index} is not a tf.train.Example ({error}); expected "
                             "AstroNet TFRecords") from None
    if not examples:
        raise fail(path, "no records; expected AstroNet TFRecords")
    views = {name: _stack(path, examples, name) for name in ("global_view", "local_view")}
    table = _table(examples)
    labels = None
    if "disposition" in table:
        labels = table["disposition"].isin(list(positive)).to_numpy().astype(np.int8)
    return ViewBatch(views["global_view"], views["local_view"], labels, table, str(path))


def _stack(path: Path, examples: list[dict], name: str) -> np.ndarray:
    rows = [example.get(name) for example in examples]
    missing = next((i for i, row in enumerate(rows) if not isinstance(row, np.ndarray)), None)
    if missing is not None:
        raise fail(path, f"record {missing} has no float feature {name!r}; expected AstroNet "
                         "global_view and local_view")
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise fail(path, f"{name} lengths differ between records ({sorted(widths)}); expected "
                         "one length")
    return np.stack(rows).astype(np.float32)


def _table(examples: list[dict]) -> pd.DataFrame:
    columns: dict[str, list] = {}
    for row, example in enumerate(examples):
        for key, value in example.items():
            if key in ("global_view", "local_view") or value is None or len(value) != 1:
                continue
            item = value[0]
            if isinstance(item, bytes):
                item = item.decode("utf-8", "replace")
            elif isinstance(item, np.floating):
                item = float(item)
            name = RENAMES.get(key.lower(), key.lower())
            columns.setdefault(name, [None] * len(examples))[row] = item
    table = pd.DataFrame(columns)
    if "duration_hours" in table:
        table["duration_hours"] = table["duration_hours"] * 24.0
    first = [c for c in ("disposition", "tic_id", "period_days", "t0_days", "duration_hours",
                         "depth_ppm", "snr") if c in table]
    return table[first + sorted(c for c in table.columns if c not in first)]


def _read(path: Path, options: ReadOptions) -> ViewBatch:
    return read_tfrecord(path, options)


READERS = [("tfrecord", detect, _read)]
