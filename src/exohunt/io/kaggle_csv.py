"""The Kaggle "Exoplanet Hunting in Deep Space" layout: ``LABEL,FLUX.1,…,FLUX.N``.

One row per star, labels 2 = planet host and 1 = not (0/1 is accepted too); read into a
:class:`~exohunt.LightCurveBatch` with labels 1 = planet, 0 = not.

Speed and memory: the file is parsed in 16 MiB slices by ``pyarrow.csv`` (one thread) straight
to float32 and copied into one preallocated (N, T) array. An exoTrain-sized file (260 MB,
5,087 × 3,198) takes about 1.2 s of CPU, a fifth of ``pandas.read_csv(engine="pyarrow")``,
and the process's peak memory rises by 1.7× the final float32 array (pandas: 12–15×); see
``benchmarks/results_read.md``. A slice that pyarrow refuses is re-scanned in Python to name
the exact line and column.

Missing cells and ``nan`` stay NaN (``inf`` becomes NaN); their number is
``meta["n_nonfinite"]``, and :meth:`LightCurveBatch.lightcurve` drops them per star.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.io._common import ReadOptions, batch_flux, fail, labels_from_values

__all__ = ["READERS", "detect", "read_kaggle_csv"]

CHUNK_BYTES = 16 * 1024 * 1024
_FLUX_NAME = re.compile(r"^FLUX[._\-]?\d+$", re.IGNORECASE)


def detect(path: Path, head: bytes) -> bool:
    """A text file whose first line has a ``LABEL`` or ``FLUX.1``-style column."""
    line = head.split(b"\n", 1)[0][:4096].decode("utf-8", "replace")
    names = [name.strip().strip('"').upper() for name in line.split(",")]
    return len(names) > 2 and ("LABEL" in names[:3] or any(_FLUX_NAME.match(n) for n in names[:3]))


def read_kaggle_csv(path: Path, options: ReadOptions | None = None) -> LightCurveBatch:
    """Read a Kaggle-layout CSV into a labelled :class:`LightCurveBatch` (see module doc)."""
    options = options or ReadOptions()
    path = Path(path)
    with open(path, "rb", buffering=0) as handle:
        header = _header(path, handle)
        n_rows = _count_rows(handle)
        if n_rows == 0:
            raise fail(path, "the header has no data rows below it; expected one row per star")
        raw_labels, flux = _parse(path, handle, header, n_rows)
    labels, convention = labels_from_values(path, raw_labels, "LABEL", _line_name)
    flux, n_bad = batch_flux(path, flux, options, _line_name)
    names = [name for name in header if name != "LABEL"]
    meta = {"format": "kaggle_csv", "label_convention": convention, "n_nonfinite": n_bad,
            "flux_columns": f"{names[0]}..{names[-1]}"}
    return LightCurveBatch(flux, labels, None, str(path), meta)


def _line_name(row: int) -> str:
    return f"line {row + 2} (star {row})"


def _header(path: Path, handle) -> list[str]:
    raw = b""
    while b"\n" not in raw:
        more = handle.read(1 << 20)
        if not more:
            break
        raw += more
    raw = raw.split(b"\n", 1)[0]
    handle.seek(len(raw) + 1)
    names = [n.strip().strip('"').strip() for n in raw.decode("utf-8", "replace").split(",")]
    upper = [n.upper() for n in names]
    if "LABEL" not in upper:
        raise fail(path, "no LABEL column in the header line; expected a Kaggle header "
                         "LABEL,FLUX.1,FLUX.2,… (LABEL 2 = planet host, 1 = not)")
    for column, name in enumerate(names):
        if upper[column] != "LABEL" and not _FLUX_NAME.match(name):
            raise fail(path, f"line 1, column {column + 1}: unexpected column name {name!r}; "
                             "expected LABEL and FLUX.1 … FLUX.N")
    if upper.count("LABEL") > 1:
        raise fail(path, "line 1: LABEL appears twice; expected one LABEL column")
    return ["LABEL" if u == "LABEL" else n for n, u in zip(names, upper)]


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


def _parse(path: Path, handle, header: list[str], n_rows: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """LABEL (N,) and flux (N, T) as float32; slices of the file through pyarrow.

    ``n_rows`` counts lines, so blank lines (which pyarrow skips) leave unused rows at the
    end; the arrays returned are trimmed views.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    labels = np.empty(n_rows, dtype=np.float32)
    flux = np.empty((n_rows, len(header) - 1), dtype=np.float32)
    label_index = header.index("LABEL")
    read_opts = pacsv.ReadOptions(column_names=header, block_size=CHUNK_BYTES + 1024,
                                  use_threads=False)
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.float32()))
    remaining = os.fstat(handle.fileno()).st_size - handle.tell()
    buffer = bytearray(max(min(CHUNK_BYTES, remaining + 1), 1024))
    view = memoryview(buffer)
    filled, row, line = 0, 0, 2
    while True:
        size = handle.readinto(view[filled:])
        end = filled + size
        if end == 0:
            break
        cut = buffer.rfind(b"\n", 0, end) + 1 if size else end
        if cut == 0:
            if end < len(buffer):
                cut = end
            else:  # one line longer than the slice: grow the buffer
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
        row = _copy_rows(path, table, label_index, labels, flux, row)
        line += buffer.count(b"\n", 0, cut)
        del table, block
        buffer[: end - cut] = buffer[cut:end]
        filled = end - cut
        if not size:
            break
    return labels[:row], flux[:row]


def _copy_rows(path: Path, table, label_index: int, labels: np.ndarray, flux: np.ndarray,
               row: int) -> int:
    n = table.num_rows
    if row + n > flux.shape[0]:
        raise fail(path, "more rows than lines in the file (quoted line breaks?); expected one "
                         "star per line")
    block = np.empty((table.num_columns, n), dtype=np.float32)
    for j, column in enumerate(table.columns):
        block[j] = column.to_numpy()
    labels[row:row + n] = block[label_index]
    rest = block[1:] if label_index == 0 else np.delete(block, label_index, axis=0)
    flux[row:row + n] = rest.T
    return row + n


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
            return fail(path, f"line {line} has {len(cells)} fields; expected {len(header)} "
                              f"(LABEL + {len(header) - 1} FLUX columns), like the header")
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
