"""Labels for single-star files from a table: file name → label or disposition.

``exohunt train DATA --labels TABLE`` and ``exohunt evaluate RUN DATA --labels TABLE`` read
DATA (a folder, glob or list of FITS / time-flux files) and take each file's label from TABLE,
a CSV with

- a column naming the files: ``file``, ``filename``, ``file_name``, ``path`` or ``name``. An
  entry matches a file when it equals the file's trailing path components (``q1/a.fits``
  matches ``data/q1/a.fits``; a bare name matches in any folder) — so the simulator's truth
  tables (``train/sim-train-00000_llc.fits``) work as they are;
- either a ``label`` column (1/0, true/false: planet or not), or, with ``positive`` (the CLI's
  ``--positive``), a disposition column — the first present of ``disposition``,
  ``koi_disposition``, ``koi_pdisposition``, ``tfopwg_disp``, ``kind`` — whose values in
  ``positive`` (case-insensitive) count as planets: ``--positive CONFIRMED,CANDIDATE`` for a
  KOI table, ``--positive planet`` for a simulator truth table.

An optional period column — the first present of ``period_days``, ``period``,
``koi_period``, ``pl_orbper``, ``period (days)`` (ExoFOP's TOI table) — gives each planet's
orbital period in days (blank where unknown). With ``--unfound-planets leave-out`` training
then leaves out a training planet whose search did not find it at that period (or at 1/3,
1/2, 2 or 3 times it): its features describe some other signal of its star, which the label
"planet" would teach as a planet.

An optional SNR column — the first present of ``snr`` (the simulator's truth tables: the
transit's expected signal-to-noise), ``koi_model_snr`` (KOI table), ``tce_model_snr`` (TCE
table), ``planet snr`` (ExoFOP's TOI table) — gives each planet's catalogue SNR (blank where
unknown). With ``train(objective_snr="labels")`` (``--objective-snr labels``) a
``recall:R@snrS`` threshold objective then counts the planets by that SNR instead of the
search's own measurement of their signal, which reads a median 2-9 % lower and scatters.

Rows naming no file of DATA are ignored (one table can serve several folders); a file of DATA
missing from the table, a file matched by two rows, or a label that is not 0/1 is an
:class:`~exohunt.errors.InputError` naming the file or row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve

__all__ = ["DISPOSITION_COLUMNS", "FILE_COLUMNS", "PERIOD_COLUMNS", "SNR_COLUMNS", "apply_labels",
           "read_label_table"]

FILE_COLUMNS = ("file", "filename", "file_name", "path", "name")
DISPOSITION_COLUMNS = ("disposition", "koi_disposition", "koi_pdisposition", "tfopwg_disp",
                       "kind")
PERIOD_COLUMNS = ("period_days", "period", "koi_period", "pl_orbper", "period (days)")
SNR_COLUMNS = ("snr", "koi_model_snr", "tce_model_snr", "planet snr")
_TRUE = {"1", "1.0", "true", "yes", "y", "t"}
_FALSE = {"0", "0.0", "false", "no", "n", "f"}


def _column(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    lower = {str(c).strip().lower(): c for c in frame.columns}
    return next((lower[n] for n in names if n in lower), None)


def read_label_table(table: str | Path | pd.DataFrame, *,
                     positive: Sequence[str] | None = None) -> pd.DataFrame:
    """The table with a checked 0/1 ``_label`` column and its file column as ``_file``.

    Parameters
    ----------
    table : path or DataFrame
        The CSV (see the module doc).
    positive : sequence of str, optional
        Dispositions counted as planets; without it the table needs a ``label`` column.

    Returns
    -------
    DataFrame
        The table's rows, with ``_file`` (str), ``_label`` (int8 0/1), ``_period_days``
        (float, days) and ``_snr`` (float) added; NaN where the table gives no period or SNR.
    """
    name = "label table" if isinstance(table, pd.DataFrame) else str(table)
    if not isinstance(table, pd.DataFrame):
        if not Path(table).is_file():
            raise InputError(f"{name}: label table not found; expected a CSV with a file column "
                             "and a label or disposition column")
        try:
            table = pd.read_csv(table)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise InputError(f"{name}: cannot be read as a CSV label table ({error})") from None
    file_column = _column(table, FILE_COLUMNS)
    if file_column is None:
        raise InputError(f"{name}: expected a column naming the files ({', '.join(FILE_COLUMNS)})"
                         f"; it has {', '.join(map(str, table.columns[:8]))}")
    out = table.copy()
    out["_file"] = out[file_column].astype(str).str.strip()
    out["_period_days"] = _numbers(out, name, PERIOD_COLUMNS, "a period in days (a positive "
                                   "number, or blank where unknown)", positive=True)
    out["_snr"] = _numbers(out, name, SNR_COLUMNS, "a signal-to-noise ratio (a number >= 0, or "
                           "blank where unknown)", positive=False)
    if positive:
        wanted = {str(p).strip().lower() for p in positive}
        column = _column(table, DISPOSITION_COLUMNS)
        if column is None:
            raise InputError(f"{name}: --positive needs a disposition column "
                             f"({', '.join(DISPOSITION_COLUMNS)}); it has none")
        values = out[column].astype(str).str.strip().str.lower()
        out["_label"] = values.isin(wanted).astype(np.int8)
        return out
    column = _column(table, ("label",))
    if column is None:
        found = _column(table, DISPOSITION_COLUMNS)
        hint = (f"; it has {found!r}: pass --positive with the dispositions that count as "
                "planets" if found else "")
        raise InputError(f"{name}: expected a 'label' column (1 = planet, 0 = not){hint}")
    text = out[column].astype(str).str.strip().str.lower()
    bad = ~(text.isin(_TRUE) | text.isin(_FALSE))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{name} row {row + 2}: label {str(out[column].iloc[row])!r} is not 1/0 "
                         "(or true/false)")
    out["_label"] = text.isin(_TRUE).astype(np.int8)
    return out


def _numbers(table: pd.DataFrame, name: str, columns: Sequence[str], expected: str, *,
             positive: bool) -> np.ndarray:
    """The values of the first of ``columns`` present (NaN where blank, or all NaN without such
    a column), or InputError naming the row of one that is not a number > 0 (``positive``)
    or >= 0 (else)."""
    column = _column(table, columns)
    if column is None:
        return np.full(len(table), np.nan)
    values = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
    text = table[column].astype(str).str.strip()
    blank = table[column].isna().to_numpy() | text.isin(["", "nan", "NaN"]).to_numpy()
    valid = (values > 0) if positive else (values >= 0)
    bad = ~blank & ~(valid & np.isfinite(values))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name} row {row + 2}: {column} {str(table[column].iloc[row])!r} is "
                         f"not {expected}")
    return np.where(blank, np.nan, values)


def _source(lc: LightCurve, position: int) -> PurePath:
    source = lc.meta.get("source")
    if not source:
        raise InputError(f"light curve {position}: has no source file to look up in the label "
                         "table")
    return PurePath(str(source))


def apply_labels(data, table: str | Path | pd.DataFrame, *,
                 positive: Sequence[str] | None = None) -> tuple[list[LightCurve], pd.DataFrame]:
    """Label single-star light curves from a table (see the module doc).

    Parameters
    ----------
    data : LightCurve or list of LightCurve
        As :func:`exohunt.io.read` returns for single-star files (``meta["source"]`` is each
        file's path).
    table : path or DataFrame
        The label table.
    positive : sequence of str, optional
        Dispositions counted as planets.

    Returns
    -------
    lightcurves : list of LightCurve
        The same light curves, with ``meta["label"]`` (1 = planet, 0 = not) and, where the
        table gives them, ``meta["label_period_days"]`` and ``meta["label_snr"]``.
    rows : DataFrame
        The table's row of each light curve, in data order (``label`` set to the label used).
    """
    if isinstance(data, LightCurve):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(lc, LightCurve) for lc in data):
        raise InputError(f"--labels applies to single-star files (FITS or time-flux tables); "
                         f"DATA is a {type(data).__name__}, which carries its own labels")
    name = "label table" if isinstance(table, pd.DataFrame) else str(table)
    frame = read_label_table(table, positive=positive)
    by_name: dict[str, list[int]] = {}
    entries = [PurePath(entry.replace("\\", "/")).parts for entry in frame["_file"]]
    for row, parts in enumerate(entries):
        if parts:
            by_name.setdefault(parts[-1], []).append(row)
    matched, missing = [], []
    for position, lc in enumerate(data):
        parts = _source(lc, position).parts
        rows = [r for r in by_name.get(parts[-1], ())
                if len(entries[r]) <= len(parts) and parts[-len(entries[r]):] == entries[r]]
        if len(rows) > 1:
            raise InputError(f"{name}: rows {rows[0] + 2} and {rows[1] + 2} both name "
                             f"{lc.meta['source']}; expected one row per file")
        if not rows:
            missing.append(str(lc.meta["source"]))
        matched.append(rows[0] if rows else -1)
    if missing:
        more = f" (and {len(missing) - 1} more files)" if len(missing) > 1 else ""
        raise InputError(f"{missing[0]}: not in {name}{more}; expected a row naming each file "
                         f"of DATA in one of the columns {', '.join(FILE_COLUMNS)}")
    rows = frame.iloc[matched].reset_index(drop=True)
    labels = rows["_label"].to_numpy(np.int8)
    periods = rows["_period_days"].to_numpy(float)
    snrs = rows["_snr"].to_numpy(float)
    labelled = [lc.replace(meta={"label": int(label),
                                 **({"label_period_days": float(period)}
                                    if np.isfinite(period) else {}),
                                 **({"label_snr": float(snr)} if np.isfinite(snr) else {})})
                for lc, label, period, snr in zip(data, labels, periods, snrs)]
    rows = rows.assign(label=labels).drop(columns=["_file", "_label", "_period_days", "_snr"])
    return labelled, rows
