"""The plain FITS light-curve file, read with numpy instead of astropy.io.fits objects.

astropy.io.fits builds a ``Card`` per header line and a ``Column``/``FITS_rec`` machinery per
table, twice for the light-curve table: ``exohunt.read`` of a TESS 2-min file took 9.3 ms of
CPU with it and takes 3.4 ms with this module (``benchmarks/bench_fits_read.py``), in every
``exohunt predict`` of FITS files. Almost every file people have is plain: uncompressed
(or gzip) headers of ordinary cards, a binary table of fixed-width numbers, image extensions.
This module reads exactly those: each header's value cards parsed into a mapping holding the
value astropy would give (the first card of a keyword wins, as in astropy; comments beside),
the table as one big-endian structured array whose fields are the same views astropy's give.

Anything else returns ``None`` and the caller reads the file with astropy, which also says
what is wrong with a broken file: scaled or null-flagged columns (``TSCAL``/``TZERO``),
``TDIM``, variable-length arrays (a heap), text or logical or vector columns, ``CONTINUE``
and ``HIERARCH`` cards, a value this parser does not recognise, random groups, a file shorter
than its headers say. ``tests/test_io_fits_fast.py`` reads every real file in
``../shared/data/lightcurves`` and every simulated mission flavour both ways and requires the
same light curve, bit for bit, metadata included.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FastColumn", "FastColumns", "FastHDU", "FitsHeader", "read_plain_fits"]

_BLOCK = 2880
_CARD = 80
#: TFORM codes read here: the binary table's fixed-width numbers, repeat count 1.
_NUMERIC = {"B": "u1", "I": ">i2", "J": ">i4", "K": ">i8", "E": ">f4", "D": ">f8"}
_TFORM = re.compile(r"^\s*(\d*)([A-Z])\s*$")
#: A FITS number as astropy's card parser accepts it (digits with an optional fraction and
#: an E or D exponent); anything else is left to astropy.
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$")
#: Per-column keywords that change how the stored bytes read: left to astropy.
_SCALING = ("TSCAL", "TZERO", "TDIM", "THEAP")


class _NotPlain(Exception):
    """Something this reader does not cover: the caller uses astropy."""


class FitsHeader(dict):
    """A FITS header's value cards: keyword → value (``str``, ``int``, ``float``, ``bool``, or
    ``None`` for a blank value, as astropy's ``header[keyword]``), the first card of a keyword
    kept.

    ``comments[keyword]`` is the card's comment (as astropy's ``Header.comments``) and
    ``raw`` the header's cards as text (what ``astropy.wcs.WCS`` parses)."""

    comments: dict[str, str]
    raw: str


@dataclass(frozen=True)
class FastColumn:
    """One binary-table column: its name (``TTYPE``) and unit (``TUNIT``, or ``None``)."""

    name: str
    unit: str | None


class FastColumns(list):
    """A table's columns, in order, with their ``names`` (as astropy's ``ColDefs``)."""

    @property
    def names(self) -> list[str]:
        return [column.name for column in self]


@dataclass
class FastHDU:
    """One HDU, with what :mod:`exohunt.io.fits` reads of astropy's: ``header``, ``columns``
    and ``data`` (a binary table's; ``None`` elsewhere, as astropy's images have no columns),
    ``is_image`` and ``name``."""

    header: FitsHeader
    kind: str  # "PRIMARY", "IMAGE" or "BINTABLE"
    columns: FastColumns | None = None
    data: np.ndarray | None = None

    @property
    def is_image(self) -> bool:
        return self.kind in ("PRIMARY", "IMAGE")

    @property
    def name(self) -> str:
        return str(self.header.get("EXTNAME", "PRIMARY" if self.kind == "PRIMARY" else ""))


def read_plain_fits(source: str | Path | bytes) -> list[FastHDU] | None:
    """Every HDU of a plain FITS file (see module doc), or ``None`` to read it with astropy.

    Parameters
    ----------
    source : path or bytes
        A ``.fits`` file, a gzip-compressed one (``.gz``), or a whole file's bytes.

    Returns
    -------
    list of FastHDU or None
    """
    try:
        if isinstance(source, bytes):
            content = source
        else:
            path = Path(source)
            opener = gzip.open if path.name.lower().endswith(".gz") else open
            with opener(path, "rb") as handle:
                content = handle.read()
        return _hdus(memoryview(content))
    except (_NotPlain, OSError, EOFError, ValueError, UnicodeDecodeError):
        return None


def _hdus(content: memoryview) -> list[FastHDU]:
    hdus: list[FastHDU] = []
    position = 0
    while position < len(content):
        if not hdus and bytes(content[:9]) != b"SIMPLE  =":
            raise _NotPlain("not a FITS primary header")
        header, position = _header(content, position)
        hdus.append(_hdu(header, content, position, first=not hdus))
        position += _padded(_data_size(header))
        if position > len(content):
            raise _NotPlain("the file is shorter than its headers say")
        if hdus and bytes(content[position:position + _BLOCK]).strip(b"\0 ") == b"" \
                and position + _BLOCK >= len(content):
            break  # trailing padding
    return hdus


def _padded(size: int) -> int:
    return -(-size // _BLOCK) * _BLOCK


def _header(content: memoryview, start: int) -> tuple[FitsHeader, int]:
    header = FitsHeader()
    header.comments = {}
    cards = []
    position = start
    while True:
        if position + _BLOCK > len(content):
            raise _NotPlain("a header without END")
        block = bytes(content[position:position + _BLOCK]).decode("ascii")
        position += _BLOCK
        for offset in range(0, _BLOCK, _CARD):
            card = block[offset:offset + _CARD]
            keyword = card[:8].rstrip()
            if keyword == "END":
                header.raw = "".join(cards)
                return header, position
            cards.append(card)
            if keyword in ("CONTINUE", "HIERARCH"):
                raise _NotPlain(f"card {keyword}")
            if keyword in ("COMMENT", "HISTORY", "") or card[8] != "=":
                continue  # commentary
            if card[9] != " ":
                raise _NotPlain(f"card {keyword} without a space after '='")
            if keyword in header:
                continue  # astropy's header[keyword] is the first card
            value, comment = _value(card[10:])
            header[keyword] = value
            header.comments[keyword] = comment


def _value(field: str) -> tuple[Any, str]:
    """A card's value and comment as astropy gives them."""
    text = field.lstrip()
    if text.startswith("'"):
        end, pieces = 1, []
        while True:
            quote = text.find("'", end)
            if quote < 0:
                raise _NotPlain("an unterminated string")
            pieces.append(text[end:quote])
            if text[quote + 1:quote + 2] == "'":  # '' is a quote inside the string
                pieces.append("'")
                end = quote + 2
                continue
            value, rest = "".join(pieces).rstrip(), text[quote + 1:]
            break
    else:
        slash = text.find("/")
        token, rest = (text, "") if slash < 0 else (text[:slash], text[slash:])
        token = token.strip()
        if token == "":
            value = None  # astropy's header[keyword] for a card without a value
        elif token in ("T", "F"):
            value = token == "T"
        elif _INT.match(token):
            value = int(token)
        elif _FLOAT.match(token):
            value = float(token.replace("D", "E").replace("d", "e"))
        else:
            raise _NotPlain(f"value {token!r}")
    rest = rest.strip()
    if rest and not rest.startswith("/"):
        raise _NotPlain("text after a value")
    return value, rest[1:].strip()


def _data_size(header: FitsHeader) -> int:
    bitpix, naxis = header.get("BITPIX"), header.get("NAXIS")
    if not isinstance(bitpix, int) or not isinstance(naxis, int) or bitpix == 0:
        raise _NotPlain("no BITPIX/NAXIS")
    if naxis == 0:
        return 0
    shape = [header.get(f"NAXIS{k}") for k in range(1, naxis + 1)]
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise _NotPlain("no NAXISn")
    if header.get("GROUPS") is True:
        raise _NotPlain("random groups")
    pcount, gcount = header.get("PCOUNT", 0), header.get("GCOUNT", 1)
    return abs(bitpix) // 8 * gcount * (pcount + int(np.prod(shape, dtype=np.int64)))


def _hdu(header: FitsHeader, content: memoryview, start: int, first: bool) -> FastHDU:
    if first:
        return FastHDU(header, "PRIMARY")
    kind = str(header.get("XTENSION", "")).strip().upper()
    if kind == "IMAGE":
        return FastHDU(header, "IMAGE")  # read for its header only
    if kind != "BINTABLE":
        raise _NotPlain(f"XTENSION {kind}")
    if header.get("PCOUNT", 0) != 0 or header.get("GCOUNT", 1) != 1 or \
            header.get("NAXIS") != 2 or header.get("BITPIX") != 8:
        raise _NotPlain("a heap or an unusual table")
    fields = header.get("TFIELDS")
    if not isinstance(fields, int) or fields < 1:
        raise _NotPlain("no TFIELDS")
    columns, formats = FastColumns(), []
    for k in range(1, fields + 1):
        if any(f"{prefix}{k}" in header for prefix in _SCALING) or f"TNULL{k}" in header:
            raise _NotPlain("scaled or null-flagged column")
        name, form = header.get(f"TTYPE{k}"), _TFORM.match(str(header.get(f"TFORM{k}", "")))
        if not isinstance(name, str) or not name or form is None or \
                form.group(1) not in ("", "1") or form.group(2) not in _NUMERIC:
            raise _NotPlain(f"column {k}")
        unit = header.get(f"TUNIT{k}")
        columns.append(FastColumn(name, None if unit is None else str(unit)))
        formats.append(_NUMERIC[form.group(2)])
    if len({n.upper() for n in columns.names}) != len(columns):
        raise _NotPlain("repeated column names")
    dtype = np.dtype({"names": columns.names, "formats": formats})
    row_bytes, rows = header.get("NAXIS1"), header.get("NAXIS2")
    if dtype.itemsize != row_bytes:
        raise _NotPlain("row size")
    size = row_bytes * rows
    if start + size > len(content):
        raise _NotPlain("a truncated table")
    data = np.frombuffer(content[start:start + size], dtype=dtype, count=rows)
    return FastHDU(header, "BINTABLE", columns, data)
