"""Plain time/flux(/flux_err) tables: CSV, TXT, DAT, TSV and ECSV, one star per file.

With a header, columns are found by name (case-insensitive): time from :data:`TIME_NAMES`,
flux from :data:`FLUX_NAMES` (or ``flux_column=``), error from :data:`ERR_NAMES`. Without a
header the file must have 2 or 3 numeric columns: time, flux[, flux_err]. Cells are separated
by commas, tabs, semicolons or runs of spaces; lines starting with ``#`` are comments
(so the ``# %ECSV`` preamble is skipped; ECSV's header line names the columns).
Time is taken to be in days, as written. An ECSV file's stated flux unit (ppm, ppt, mag…)
is converted to relative flux as for FITS (:mod:`exohunt.io.flux_units`). Centroid,
aperture-flux and background columns are kept beside the flux when the header names them
(see :mod:`exohunt.io.series` for the names recognised). A UTF-8 byte-order mark is ignored;
a leading unnamed column (the index ``pandas.DataFrame.to_csv`` writes) is not used, and
noted in ``meta["index_column"]``. Compressed files and archive members are read through
:func:`exohunt.io.archives.open_binary` (an ECSV's units only from a plain file).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from exohunt.io._common import ReadOptions, fail, finish_lightcurve
from exohunt.io.archives import describe, open_binary
from exohunt.io.flux_units import ecsv_units_of, to_relative_flux
from exohunt.io.series import settle_data_quality, table_series_columns
from exohunt.lightcurve import LightCurve

__all__ = ["ERR_NAMES", "FLUX_NAMES", "READERS", "TIME_NAMES", "detect", "read_table"]

TIME_NAMES = ("time", "t", "bjd", "btjd", "bkjd", "bjd_tdb", "hjd", "mjd", "jd", "date",
              "time_days", "time_bjd", "times")
FLUX_NAMES = ("flux", "pdcsap_flux", "kspsap_flux", "corr_flux", "flux_corr", "sap_flux",
              "rel_flux", "relative_flux", "normalized_flux", "norm_flux", "f", "brightness",
              "fluxes")
ERR_NAMES = ("flux_err", "flux_error", "pdcsap_flux_err", "kspsap_flux_err", "flux_corr_err",
             "sap_flux_err", "err", "error", "e_flux", "sigma", "dflux", "flux_unc", "unc")
_EXTENSIONS = (".csv", ".txt", ".dat", ".tsv", ".ecsv", ".tbl", ".tab", ".asc")
_WHITESPACE = re.compile(r"\s+")
_INDEX_NAME = re.compile(r"^(|Unnamed: ?0)$", re.IGNORECASE)  # pandas' default index header


def detect(path: Path, head: bytes) -> bool:
    """Text whose first data line is numeric, or a header naming a time and a flux column."""
    if b"\x00" in head[:4096]:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head[: head.rfind(b"\n") + 1].decode("utf-8", "replace")
    lines = [line for line in text.removeprefix("\ufeff").splitlines()
             if line.strip() and not line.startswith("#")]
    if not lines:
        return False
    first = _cells(lines[0], _delimiter(lines[0]))
    if _numeric_share(first) >= 0.5:
        return 2 <= len(first) <= 3 or path.suffix.lower() in _EXTENSIONS
    names = [cell.lower() for cell in first]
    return any(n in TIME_NAMES for n in names) and any(n in FLUX_NAMES for n in names)


def read_table(path: Path, options: ReadOptions | None = None) -> LightCurve:
    """Read a time/flux table into a :class:`LightCurve` (see module doc)."""
    options = options or ReadOptions()
    path = Path(path)
    # utf-8-sig: a byte-order mark (Excel's "CSV UTF-8") is not part of the first name
    with io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", errors="replace") as handle:
        lines = [(number, line.strip()) for number, line in enumerate(handle, start=1)
                 if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise fail(path, "no data lines (only blank or # comment lines); expected time and "
                         "flux columns")
    delimiter = _delimiter(lines[0][1])
    first = _cells(lines[0][1], delimiter)
    has_header = _numeric_share(first) < 0.5
    names = first if has_header else None
    rows = lines[1:] if has_header else lines
    if not rows:
        raise fail(path, "a header but no data rows; expected time and flux values below it")
    picked = _pick_columns(path, names, len(first), options.flux_column)
    values = _parse_rows(path, rows, len(first), names, delimiter)
    time = values[:, picked[0]]
    flux = values[:, picked[1]]
    err = values[:, picked[2]] if picked[2] is not None else None
    flux_name = names[picked[1]] if names else "column 2"
    meta = {"format": "table", "flux_column": flux_name, "target_id": path.stem,
            "time_column": names[picked[0]] if names else "column 1", "mission": None,
            "quality_bitmask": None}
    if names and path.suffix.lower() == ".ecsv" and describe(path) is None:  # ECSV: units
        unit = ecsv_units_of(path).get(flux_name.lower())
        flux, err, conversion = to_relative_flux(flux, err, unit)
        meta.update(flux_unit=unit, flux_conversion=conversion)
    if names and len(names) > 2 and _INDEX_NAME.match(names[0]) and 0 not in picked:
        meta["index_column"] = {"name": names[0], "sequential": bool(
            np.array_equal(values[:, 0], np.arange(len(values))))}
    series = table_series_columns(names, [p for p in picked if p is not None]) if names \
        else {}
    if series:
        meta["column_sources"] = {key: names[index] for key, index in series.items()}
    lc = finish_lightcurve(path, time, flux, err, meta, options,
                           columns={key: values[:, index] for key, index in series.items()})
    return settle_data_quality(lc, path)


def _delimiter(line: str) -> str | None:
    """``,``, tab or ``;`` when the line has one (in that order), else ``None`` (spaces)."""
    return next((d for d in (",", "\t", ";") if d in line), None)


def _cells(line: str, delimiter: str | None) -> list[str]:
    line = line.strip()
    if delimiter is None:
        return [cell.strip('"') for cell in _WHITESPACE.split(line) if cell]
    return [cell.strip().strip('"') for cell in line.split(delimiter)]


def _numeric_share(cells: list[str]) -> float:
    return sum(_is_number(cell) for cell in cells) / max(len(cells), 1)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _pick_columns(path: Path, names: list[str] | None, n_columns: int, wanted: str | None
                  ) -> tuple[int, int, int | None]:
    """Indices of the time, flux and (optional) error columns."""
    if names is None:
        if wanted is not None:
            raise fail(path, f"flux_column={wanted!r} given but the table has no header; "
                             "expected a header line naming the columns")
        if n_columns not in (2, 3):
            raise fail(path, f"{n_columns} columns and no header; expected 2 or 3 columns "
                             "(time, flux[, flux_err]) or a header naming them. For the "
                             "Kaggle layout the first line must be LABEL,FLUX.1,…")
        return 0, 1, 2 if n_columns == 3 else None
    lower = [name.lower() for name in names]

    def find(candidates: tuple[str, ...]) -> int | None:
        return next((lower.index(c) for c in candidates if c in lower), None)

    time = find(TIME_NAMES)
    flux = find((wanted.lower(),)) if wanted is not None else find(FLUX_NAMES)
    if wanted is not None and flux is None:
        raise fail(path, f"no flux column {wanted!r}; available columns: {', '.join(names)}")
    if time is None or flux is None:
        missing = "time" if time is None else "flux"
        raise fail(path, f"no {missing} column (columns: {', '.join(names)}); expected one "
                         f"named {' / '.join((TIME_NAMES if time is None else FLUX_NAMES)[:4])}")
    err_candidates = (f"{lower[flux]}_err", *ERR_NAMES)
    return time, flux, find(err_candidates)


def _parse_rows(path: Path, rows: list[tuple[int, str]], n_columns: int,
                names: list[str] | None, delimiter: str | None) -> np.ndarray:
    """All cells as float; an empty cell is NaN (missing), a word is an error."""
    cells = [[cell or "nan" for cell in _cells(text, delimiter)] for _, text in rows]
    for (number, _), row in zip(rows, cells):
        if len(row) != n_columns:
            raise fail(path, f"line {number} has {len(row)} fields; expected {n_columns} "
                             "like the first line")
    try:
        return np.array(cells, dtype=float)
    except ValueError:
        pass
    for (number, _), row in zip(rows, cells):
        for column, cell in enumerate(row):
            if not _is_number(cell):
                name = f" ({names[column]})" if names else ""
                raise fail(path, f"line {number}, column {column + 1}{name}: {cell[:30]!r} "
                                 "is not a number; expected a float")
    raise fail(path, "cannot parse the table as numbers")  # pragma: no cover


READERS = [("table", detect, read_table)]
