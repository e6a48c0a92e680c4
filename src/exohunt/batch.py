"""Containers for many light curves or many folded views at once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from exohunt.lightcurve import LightCurve

__all__ = ["KEPLER_LONG_CADENCE_DAYS", "LightCurveBatch", "ViewBatch"]

KEPLER_LONG_CADENCE_DAYS = 29.4244 / (60 * 24)


@dataclass(frozen=True, eq=False)
class LightCurveBatch:
    """Equal-length light curves on one cadence grid, e.g. the Kaggle Kepler CSVs.

    Parameters
    ----------
    flux : ndarray, shape (N, T), float32
        One row per star. NaN marks a missing cadence.
    labels : ndarray, shape (N,), int8, optional
        1 = planet host, 0 = not. ``None`` for unlabelled data.
    time : ndarray, shape (T,), optional
        Shared time stamps in days. Defaults to Kepler long cadence from 0.
    source : str
        Where the batch came from (a path, or ``"simulated"``).
    meta : mapping
        Free-form provenance (``format``, ``label_convention`` …).
    """

    flux: np.ndarray
    labels: np.ndarray | None = None
    time: np.ndarray | None = None
    source: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        flux = np.asarray(self.flux, dtype=np.float32)
        if flux.ndim != 2:
            raise ValueError(f"flux must be 2-D (stars × cadences), got shape {flux.shape}")
        object.__setattr__(self, "flux", flux)
        if self.labels is not None:
            labels = np.asarray(self.labels, dtype=np.int8)
            if labels.shape != (flux.shape[0],):
                raise ValueError(f"labels must have shape ({flux.shape[0]},), got {labels.shape}")
            object.__setattr__(self, "labels", labels)
        time = self.time
        if time is None:
            time = np.arange(flux.shape[1], dtype=float) * KEPLER_LONG_CADENCE_DAYS
        time = np.asarray(time, dtype=float)
        if time.shape != (flux.shape[1],):
            raise ValueError(f"time must have shape ({flux.shape[1]},), got {time.shape}")
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "meta", dict(self.meta))

    def __len__(self) -> int:
        return self.flux.shape[0]

    def __repr__(self) -> str:
        n_pos = "?" if self.labels is None else int(self.labels.sum())
        return f"LightCurveBatch(n={len(self)}, length={self.flux.shape[1]}, planets={n_pos})"

    def lightcurve(self, index: int) -> LightCurve:
        """Row ``index`` as a :class:`LightCurve` (non-finite cadences dropped)."""
        meta = {"source": self.source, "index": int(index), "target_id": f"{self.source}#{index}"}
        return LightCurve(self.time, self.flux[index], None, meta).remove_nans()

    def __iter__(self) -> Iterator[LightCurve]:
        for index in range(len(self)):
            yield self.lightcurve(index)

    def subset(self, indices: np.ndarray) -> LightCurveBatch:
        """Rows ``indices`` as a new batch (``meta['indices']`` keeps the original rows)."""
        indices = np.asarray(indices)
        labels = None if self.labels is None else self.labels[indices]
        return LightCurveBatch(self.flux[indices], labels, self.time, self.source,
                               {**self.meta, "indices": indices})


@dataclass(frozen=True, eq=False)
class ViewBatch:
    """Already-folded views of threshold-crossing events (e.g. AstroNet TFRecords).

    Parameters
    ----------
    global_view : ndarray, shape (N, G), float32
    local_view : ndarray, shape (N, L), float32
    labels : ndarray, shape (N,), int8, optional
        1 = positive class under the chosen ``positive`` dispositions.
    table : DataFrame
        One row per event: ``disposition``, ``tic_id``, ``period_days``, ``t0_days``,
        ``duration_hours``, ``depth_ppm``, ``snr`` and any other scalar fields.
    """

    global_view: np.ndarray
    local_view: np.ndarray
    labels: np.ndarray | None = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = ""

    def __len__(self) -> int:
        return self.global_view.shape[0]

    def with_positive(self, dispositions: tuple[str, ...] | list[str]) -> ViewBatch:
        """Relabel: 1 where ``table.disposition`` is in ``dispositions``, else 0."""
        labels = self.table["disposition"].isin(list(dispositions)).to_numpy().astype(np.int8)
        return ViewBatch(self.global_view, self.local_view, labels, self.table, self.source)
