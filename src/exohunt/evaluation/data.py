"""Getting labelled data, truth tables and per-star predictions ready for evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.errors import InputError

__all__ = ["find_sibling_truth", "labels_of", "load_truth", "per_star", "star_arrays",
           "star_count"]

SIGNAL_COLUMNS = ("period_days", "t0_days", "duration_hours", "depth_ppm", "snr")


def star_count(data) -> int:
    """Number of stars in a batch, view batch, list of light curves or single light curve."""
    if isinstance(data, (LightCurveBatch, ViewBatch, list, tuple)):
        return len(data)
    return 1


def labels_of(data, source: str = "DATA") -> np.ndarray:
    """The 0/1 planet labels of ``data``; :class:`InputError` when it has none.

    Parameters
    ----------
    data : LightCurveBatch, ViewBatch or list of LightCurve
        Single light curves carry their label in ``meta["label"]``.
    source : str
        Named in the error message.
    """
    if isinstance(data, (LightCurveBatch, ViewBatch)):
        labels = data.labels
    else:
        stars = data if isinstance(data, (list, tuple)) else [data]
        values = [getattr(lc, "meta", {}).get("label") for lc in stars]
        labels = None if any(v is None for v in values) else np.asarray(values)
    if labels is None and getattr(data, "meta", {}).get("format") == "kaggle_csv":
        raise InputError(f"{source}: no LABEL column; evaluate needs labels (a LABEL column, "
                         "2 = planet host, 1 = not); unlabelled stars are for predict")
    if labels is None:
        raise InputError(f"{source}: has no labels; evaluate needs labelled data (a Kaggle-layout "
                         "CSV with LABEL, a simulated set, or views with dispositions)")
    return np.asarray(labels).astype(np.int8)


def find_sibling_truth(path: str | Path) -> Path | None:
    """``test.csv`` → ``test_truth.csv`` next to it, if that file exists."""
    path = Path(path)
    candidate = path.with_name(f"{path.stem}_truth.csv")
    return candidate if path.is_file() and candidate.is_file() else None


def load_truth(truth: str | Path | pd.DataFrame, labels: np.ndarray) -> pd.DataFrame:
    """Read and check a truth table against the data's labels.

    Parameters
    ----------
    truth : path or DataFrame
        One row per star: ``index`` (row in DATA, optional), ``label``, ``kind``, ``snr`` …
    labels : ndarray, shape (N,)
        The data's labels; the truth table must have N rows with the same labels.

    Returns
    -------
    DataFrame
        Sorted by ``index`` (when present) so that row i describes star i.
    """
    name = "truth table" if isinstance(truth, pd.DataFrame) else str(truth)
    if not isinstance(truth, pd.DataFrame):
        try:
            truth = pd.read_csv(truth)
        except (OSError, ValueError) as error:
            raise InputError(f"{name}: cannot be read as a CSV truth table ({error})") from None
    missing = [c for c in ("label", "kind", "snr") if c not in truth.columns]
    if missing:
        raise InputError(f"{name}: expected columns label, kind and snr; missing "
                         f"{', '.join(missing)}")
    if "index" in truth.columns:
        truth = truth.sort_values("index", kind="mergesort")
    truth = truth.reset_index(drop=True)
    if len(truth) != labels.size:
        raise InputError(f"{name}: has {len(truth)} rows but DATA has {labels.size} stars")
    mismatch = int(np.sum(truth["label"].to_numpy().astype(int) != labels))
    if mismatch:
        raise InputError(f"{name}: labels differ from DATA's in {mismatch} rows; is it the truth "
                         "table of this file?")
    return truth


def per_star(frame: pd.DataFrame, n_stars: int) -> pd.DataFrame:
    """Collapse ``Run.predict`` output to one row per star (its most probable signal).

    Parameters
    ----------
    frame : DataFrame
        ``Run.predict`` output: one row per star, or per signal, with ``index`` (row within the
        data) or, for lists of single-star files, one row per file in input order.
    n_stars : int
        Stars in the data.

    Returns
    -------
    DataFrame
        Exactly ``n_stars`` rows in data order: ``probability`` and the signal columns.
    """
    frame = frame.reset_index(drop=True)
    if "index" in frame and frame["index"].nunique() == n_stars and \
            frame["index"].between(0, n_stars - 1).all():
        key = frame["index"].to_numpy()
    elif "source" in frame and frame["source"].nunique() == n_stars:
        key = pd.factorize(frame["source"])[0]
    elif len(frame) == n_stars:
        key = np.arange(n_stars)
    else:
        raise RuntimeError(f"cannot match {len(frame)} prediction rows to {n_stars} stars")
    frame = frame.assign(_star=key).sort_values(["_star", "probability"],
                                                ascending=[True, False], kind="mergesort")
    best = frame.drop_duplicates("_star").set_index("_star").sort_index()
    columns = ["probability", *[c for c in SIGNAL_COLUMNS if c in best]]
    return best[columns].reset_index(drop=True)


def star_arrays(data, index: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Something to plot for star ``index``: ``(x, y, kind)``.

    ``kind`` is ``"time"`` (days, raw flux) for light curves, or ``"views"`` for an already
    folded :class:`ViewBatch` (x = bin, y = global view followed by local view).
    """
    if isinstance(data, LightCurveBatch):
        lc = data.lightcurve(index)
        return np.asarray(lc.time), np.asarray(lc.flux), "time"
    if isinstance(data, ViewBatch):
        y = np.concatenate([data.global_view[index], [np.nan], data.local_view[index]])
        return np.arange(y.size, dtype=float), y, "views"
    lc = data[index] if isinstance(data, (list, tuple)) else data
    return np.asarray(lc.time), np.asarray(lc.flux), "time"
