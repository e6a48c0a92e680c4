"""The Kaggle "Exoplanet Hunting in Deep Space" layout: ``LABEL,FLUX.1,…,FLUX.N``.

One row per star, labels 2 = planet host and 1 = not (0/1 is accepted too); read into a
:class:`~exohunt.LightCurveBatch` with labels 1 = planet, 0 = not.

Speed and memory: the file is parsed in 16 MiB slices by ``pyarrow.csv`` (one thread) straight
to float32 and copied into one preallocated (N, T) array. An exoTrain-sized file (260 MB,
5,087 × 3,198) takes about 1.2 s of CPU, a fifth of ``pandas.read_csv(engine="pyarrow")``,
and the process's peak memory rises by 1.7× the final float32 array (pandas: 12–15×); see
``benchmarks/results_read.md``. A slice that pyarrow refuses is re-scanned in Python to name
the exact line and column.

Compressed files and archive members (:mod:`exohunt.io.archives`) are parsed in one pass as
they are decompressed, into an array sized from the decompressed size the container records
(zip, gzip) and grown if that falls short; see ``benchmarks/results_read.md`` (round 7).

Also accepted: a UTF-8 byte-order mark (Excel), CRLF line ends, no ``LABEL`` column (an
unlabelled batch, for ``predict`` and ``search``), and a leading unnamed integer column, the
index that ``pandas.DataFrame.to_csv`` writes by default (header ``""`` or ``Unnamed: 0``):
dropped, and recorded in ``meta["index_column"]``.

Missing cells and ``nan`` stay NaN (``inf`` becomes NaN); their number is
``meta["n_nonfinite"]``, and :meth:`LightCurveBatch.lightcurve` drops them per star.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.io import archives
from exohunt.io._common import ReadOptions, batch_flux, fail, labels_from_values

__all__ = ["READERS", "detect", "read_kaggle_csv"]

CHUNK_BYTES = 16 * 1024 * 1024
# Decompressing streams hold about 1 MiB more than a plain file (inflate state, a copy of each
# piece read): 14 MiB slices, read in small pieces, keep the peak below the plain file's on
# exoTrain. Smaller slices cost CPU (~25 ms of fixed pyarrow work per slice over 3,198
# columns: 8 MiB slices took 0.4 s more); see benchmarks/results_read.md, round 7.
STREAM_CHUNK_BYTES = 14 * 1024 * 1024
READ_BYTES = 256 * 1024
HEADER_READ_BYTES = 64 * 1024
_FLUX_NAME = re.compile(r"^FLUX[._\-]?\d+$", re.IGNORECASE)
_INDEX_NAME = re.compile(r"^(|Unnamed: ?0)$", re.IGNORECASE)  # pandas' default index header
_BOM = b"\xef\xbb\xbf"


def detect(path: Path, head: bytes) -> bool:
    """A text file whose first line has a ``LABEL`` or ``FLUX.1``-style column."""
    line = head.removeprefix(_BOM).split(b"\n", 1)[0][:4096].decode("utf-8", "replace")
    names = [name.strip().strip('"').upper() for name in line.split(",")]
    return len(names) > 2 and ("LABEL" in names[:3] or any(_FLUX_NAME.match(n) for n in names[:3]))


@dataclass(frozen=True)
class _Layout:
    """Where the label, the pandas index and the flux are among the file's columns."""

    names: list[str]          # every column, as pyarrow will name them
    label: int | None         # LABEL's position (None: an unlabelled file)
    index: int | None         # position of a leading unnamed integer index (pandas)
    index_name: str | None

    @property
    def flux(self) -> list[int]:
        return [i for i in range(len(self.names)) if i not in (self.label, self.index)]


def read_kaggle_csv(path: Path, options: ReadOptions | None = None) -> LightCurveBatch:
    """Read a Kaggle-layout CSV into a :class:`LightCurveBatch` (see module doc); without a
    ``LABEL`` column the batch is unlabelled."""
    options = options or ReadOptions()
    path = Path(path)
    packed = archives.describe(path) is not None
    with archives.open_binary(path) as handle:
        raw, rest = _header_line(handle)
        layout = _layout(path, raw)
        if packed:  # a stream: one pass, rows counted as they come
            n_rows, size = None, archives.size_hint(path)
        else:  # a plain file: count the lines first, then fill an array of that size
            handle.seek(len(raw) + 1)
            n_rows, rest = _count_rows(handle), b""
            size = os.fstat(handle.fileno()).st_size - handle.tell()
            if n_rows == 0:
                raise fail(path, "the header has no data rows below it; expected one row per "
                                 "star")
        chunk = STREAM_CHUNK_BYTES if packed else CHUNK_BYTES
        values = _parse(path, handle, layout, n_rows, rest, size, chunk)
    if values[2].shape[0] == 0:
        raise fail(path, "the header has no data rows below it; expected one row per star")
    return _batch(path, layout, *values, options)


def _batch(path: Path, layout: _Layout, labels_raw: np.ndarray, index: np.ndarray,
           flux: np.ndarray, options: ReadOptions) -> LightCurveBatch:
    labels, convention = None, None
    if layout.label is not None:
        labels, convention = labels_from_values(path, labels_raw, "LABEL", _line_name)
    flux, n_bad = batch_flux(path, flux, options, _line_name)
    names = [layout.names[i] for i in layout.flux]
    meta = {"format": "kaggle_csv", "label_convention": convention, "n_nonfinite": n_bad,
            "flux_columns": f"{names[0]}..{names[-1]}"}
    if layout.index is not None:
        meta["index_column"] = _check_index(path, layout.index_name, index)
    return LightCurveBatch(flux, labels, None, str(path), meta)


def _check_index(path: Path, name: str | None, index: np.ndarray) -> dict:
    """The dropped pandas index: integers, and whether they are 0..N-1."""
    whole = np.isfinite(index) & (index == np.round(index))
    if not whole.all():
        row = int(np.flatnonzero(~whole)[0])
        raise fail(path, f"{_line_name(row)}, column 1 (unnamed): {index[row]:g} is not a row "
                         "number; expected an integer index (as pandas writes) or a named column")
    return {"name": name or "", "sequential": bool(np.array_equal(index, np.arange(len(index))))}


def _line_name(row: int) -> str:
    return f"line {row + 2} (star {row})"


def _header_line(handle) -> tuple[bytes, bytes]:
    """The first line (without its newline) and the bytes read beyond it."""
    raw = b""
    while b"\n" not in raw:
        more = handle.read(HEADER_READ_BYTES)
        if not more:
            break
        raw += more
    line, _, rest = raw.partition(b"\n")
    return line, rest


def _layout(path: Path, raw: bytes) -> _Layout:
    text = raw.removeprefix(_BOM).decode("utf-8", "replace")
    names = [n.strip().strip('"').strip() for n in text.split(",")]
    upper = [n.upper() for n in names]
    index = 0 if len(names) > 1 and _INDEX_NAME.match(names[0]) else None
    if upper.count("LABEL") > 1:
        raise fail(path, "line 1: LABEL appears twice; expected one LABEL column")
    label = upper.index("LABEL") if "LABEL" in upper else None
    for column, name in enumerate(names):
        if column not in (label, index) and not _FLUX_NAME.match(name):
            raise fail(path, f"line 1, column {column + 1}: unexpected column name {name!r}; "
                             "expected [LABEL,] FLUX.1 … FLUX.N")
    if len(names) - (label is not None) - (index is not None) < 1:
        raise fail(path, "line 1 names no FLUX columns; expected LABEL,FLUX.1,…,FLUX.N")
    fixed = [f"{n}#{i}" if i == index else ("LABEL" if i == label else n)
             for i, n in enumerate(names)]
    return _Layout(fixed, label, index, names[0] if index is not None else None)


def _count_rows(handle) -> int:
    """Number of data lines after the header (a last line without a newline counts)."""
    start = handle.tell()
    buffer = bytearray(1 << 22)
    count, last = 0, b"\n"
    while True:
        size = handle.readinto(buffer)
        if not size:
            break
        count += buffer.count(b"\n", 0, size)
        last = bytes(buffer[size - 1:size])
    handle.seek(start)
    return count + (last != b"\n")


def _fill(handle, view: memoryview) -> int:
    """Read into ``view`` in pieces of at most :data:`READ_BYTES` (a decompressing stream
    makes a temporary copy of each piece); the number of bytes read, 0 at the end."""
    total = 0
    while total < len(view):
        size = handle.readinto(view[total: total + READ_BYTES])
        if not size:
            break
        total += size
    return total


class _Rows:
    """The output arrays, grown as rows come when their number is not known beforehand.

    The first estimate (from the decompressed size and the first slice's mean line length,
    with room to spare) rarely needs growing; pages never written cost no memory.
    """

    def __init__(self, layout: _Layout, n_rows: int | None, size: int | None) -> None:
        self.layout, self.exact, self.size = layout, n_rows is not None, size
        self.row = 0
        self.extra = np.empty((2, n_rows or 0), dtype=np.float32)  # label, index
        self.flux = np.empty((n_rows or 0, len(layout.flux)), dtype=np.float32)

    def make_room(self, path: Path, n: int, consumed: int) -> None:
        if self.row + n <= self.flux.shape[0]:
            return
        if self.exact:
            raise fail(path, "more rows than lines in the file (quoted line breaks?); "
                             "expected one star per line")
        mean_bytes = consumed / (self.row + n)
        guess = int(1.25 * self.size / mean_bytes) + 64 if self.size else 0
        capacity = max(guess, 2 * self.flux.shape[0], self.row + n)
        extra = np.empty((2, capacity), dtype=np.float32)
        flux = np.empty((capacity, self.flux.shape[1]), dtype=np.float32)
        extra[:, :self.row] = self.extra[:, :self.row]
        flux[:self.row] = self.flux[:self.row]
        self.extra, self.flux = extra, flux

    def add(self, path: Path, table, consumed: int) -> None:
        n = table.num_rows
        self.make_room(path, n, consumed)
        block = np.empty((table.num_columns, n), dtype=np.float32)
        for j, column in enumerate(table.columns):
            block[j] = column.to_numpy()
        for k, position in enumerate((self.layout.label, self.layout.index)):
            if position is not None:
                self.extra[k, self.row:self.row + n] = block[position]
        flux_rows = self.layout.flux
        rest = block[1:] if flux_rows[0] == 1 and len(flux_rows) == len(block) - 1 \
            else block[flux_rows]
        self.flux[self.row:self.row + n] = rest.T
        self.row += n


def _parse(path: Path, handle, layout: _Layout, n_rows: int | None, rest: bytes,
           size: int | None, chunk: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LABEL (N,), the pandas index (N,) and flux (N, T) as float32, from slices of the
    stream through pyarrow. ``n_rows`` counts lines (``None``: unknown, a stream), so blank
    lines (which pyarrow skips) leave unused rows at the end; the arrays returned are
    trimmed views."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = layout.names
    read_opts = pacsv.ReadOptions(column_names=header, block_size=chunk + 1024,
                                  use_threads=False)
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.float32()))
    remaining = size if size is not None else chunk
    buffer = bytearray(max(min(chunk, remaining + 1), len(rest) + 1, 1024))
    buffer[:len(rest)] = rest
    view = memoryview(buffer)
    out = _Rows(layout, n_rows, size)
    filled, line, consumed = len(rest), 2, 0
    while True:
        size = _fill(handle, view[filled:])
        end = filled + size
        if end == 0:
            break
        cut = buffer.rfind(b"\n", 0, end) + 1 if size else end
        if cut == 0:
            if end < len(buffer):
                cut = end
            else:  # one line longer than the slice: grow the buffer
                view.release()
                buffer.extend(bytes(len(buffer)))
                view = memoryview(buffer)
                filled = end
                continue
        block = view[:cut]
        try:
            table = pacsv.read_csv(pa.py_buffer(block), read_options=read_opts,
                                   convert_options=convert)
        except (pa.ArrowInvalid, ValueError) as error:
            raise _diagnose(path, bytes(block), header, line, error) from None
        consumed += cut
        out.add(path, table, consumed)
        line += buffer.count(b"\n", 0, cut)
        del table
        block.release()
        buffer[: end - cut] = buffer[cut:end]
        filled = end - cut
        if not size:
            break
    return out.extra[0, :out.row], out.extra[1, :out.row], out.flux[:out.row]


def _diagnose(path: Path, block: bytes, header: list[str], first_line: int,
              error: Exception) -> Exception:
    """Find the line and column pyarrow refused, for a one-line error."""
    for offset, raw in enumerate(block.split(b"\n")):
        text = raw.decode("utf-8", "replace").rstrip("\r")
        if not text.strip():
            continue
        cells = text.split(",")
        line = first_line + offset
        if len(cells) != len(header):
            return fail(path, f"line {line} has {len(cells)} fields; expected {len(header)}, "
                              "like the header")
        for column, cell in enumerate(cells):
            value = cell.strip().strip('"')
            if value and not _is_number(value):
                return fail(path, f"line {line}, column {column + 1} ({header[column]}): "
                                  f"{value[:30]!r} is not a number; expected a float or empty")
    return fail(path, f"not a valid Kaggle CSV near line {first_line}: {error}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.lower() in {"na", "n/a", "null", "nan", "-nan", "#n/a", "none"}
    return True


READERS = [("kaggle_csv", detect, read_kaggle_csv)]
