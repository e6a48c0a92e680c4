"""Stream a large Kaggle-layout CSV as consecutive batches of rows, for ``exohunt predict``.

:func:`exohunt.io.read` parses a Kaggle CSV into one (N, T) array, which is the right thing for
training and evaluation but not for scoring 100,000 stars: there the array alone is 1.3 GB.
:func:`iter_kaggle_batches` hands out the rows a block at a time (pyarrow's incremental CSV
reader, straight to float32), so memory is bounded by the block size, not by the file. Only
files of at least :data:`STREAM_MIN_BYTES` are streamed; smaller ones keep going through
:func:`exohunt.io.read` and its line-by-line diagnostics. Labels are not read: prediction
does not use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.errors import InputError
from exohunt.io.archives import STREAM_ERRORS, open_binary

__all__ = ["STREAM_MIN_BYTES", "KaggleStream", "iter_kaggle_batches", "streamable"]

STREAM_MIN_BYTES = 64 * 1024 * 1024  # ≈ 1,700 Kaggle rows of 3,197 cadences
# pyarrow's incremental reader holds several times its block per column batch (3,198 columns):
# 16 MB blocks peaked at ~200 MB of arrow memory, 1 MB blocks at ~45 MB (≈ 50 Kaggle rows each),
# flat from 500 to 8,000 stars, for about 1 s more per 100 MB of CSV.
BLOCK_BYTES = 1024 * 1024


def streamable(path) -> bool:
    """True for a Kaggle-layout CSV of at least :data:`STREAM_MIN_BYTES` (decompressed: a
    ``.gz``/``.bz2``/``.xz`` file, a zip of one file, or an ``archive::member``)."""
    from exohunt.io import archives, detect_format

    archive, member = archives.split_member(path)
    if not archive.is_file():
        return False
    try:
        if member is None and archives.archive_kind(archive) == "tar":
            return False  # read whole by exohunt.io.read (a tar has no random access)
        size = archives.size_hint(path)
        if size is None:  # bz2/xz record no size; CSV text of floats packs about 3:1
            size = 3 * archive.stat().st_size
        return size >= STREAM_MIN_BYTES and detect_format(path) == "kaggle_csv"
    except (OSError, InputError, *archives.STREAM_ERRORS):
        return False


def _flux_columns(path: Path) -> tuple[list[str], list[str]]:
    """Column names as the reader will call them, and those that hold flux."""
    from exohunt.io.kaggle_csv import _header_line, _layout

    with open_binary(path) as handle:
        layout = _layout(path, _header_line(handle)[0])
    return layout.names, [layout.names[i] for i in layout.flux]


def iter_kaggle_batches(path, block_bytes: int = BLOCK_BYTES) -> Iterator[LightCurveBatch]:
    """Consecutive row blocks of a Kaggle-layout CSV as unlabelled batches.

    Parameters
    ----------
    path : path
        The CSV (header ``LABEL,FLUX.1,…,FLUX.N``; ``LABEL`` optional).
    block_bytes : int
        Bytes of text parsed at a time.

    Yields
    ------
    LightCurveBatch
        flux (n, N) float32 (empty cells NaN), no labels; ``meta["row_offset"]`` is the row
        number of its first star in the file.

    Raises
    ------
    InputError
        A cell that is not a number, or a row of the wrong length (named by pyarrow's message).
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    names, flux_names = _flux_columns(path)
    convert = pacsv.ConvertOptions(column_types={n: pa.float32() for n in names},
                                   include_columns=flux_names)
    offset = 0
    handle = open_binary(path)
    try:
        reader = pacsv.open_csv(handle, read_options=pacsv.ReadOptions(
            block_size=block_bytes, use_threads=False, column_names=names, skip_rows=1),
            convert_options=convert)
        for block in reader:
            if block.num_rows == 0:
                continue
            flux = np.empty((block.num_rows, len(flux_names)), dtype=np.float32)
            for j, column in enumerate(block.columns):
                flux[:, j] = column.to_numpy(zero_copy_only=False)
            yield LightCurveBatch(flux, None, None, str(path),
                                  {"format": "kaggle_csv", "row_offset": offset})
            offset += block.num_rows
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        first = str(error).splitlines()[0]
        raise InputError(f"{path}: cannot be read after star {offset}: {first}; expected a "
                         "number (or nothing) in every FLUX cell") from None
    except (*STREAM_ERRORS, OSError, ValueError) as error:
        raise InputError(f"{path}: the compressed data is corrupt or truncated after star "
                         f"{offset} ({error}); expected a complete file") from None
    finally:
        handle.close()


@dataclass(frozen=True)
class KaggleStream:
    """A large Kaggle CSV to be scored block by block (see :func:`iter_kaggle_batches`)."""

    path: Path

    @property
    def source(self) -> str:
        return str(self.path)

    def __iter__(self) -> Iterator[LightCurveBatch]:
        return iter_kaggle_batches(self.path, block_bytes=BLOCK_BYTES)
