"""The :class:`LightCurve` container.

A light curve is immutable: every method returns a new object and delegates the numerics to
small pure functions (here or in :mod:`exohunt.search`), so that the same code serves arrays,
batches and single stars. Time is in days (BJD minus the mission's offset for real data),
flux in whatever unit the source used until :meth:`LightCurve.normalize` is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["COLUMN_NAMES", "STAR_FIELDS", "FoldedLightCurve", "LightCurve", "fold_phase"]

#: Per-cadence columns that readers and the simulator fill when the source has them.
#: ``centroid_col``/``centroid_row``: flux-weighted centroid (pixels, CCD column and row);
#: ``sap_flux``/``sap_flux_err``: the aperture's own flux (crowding not removed), in the unit
#: of ``flux``; ``background``: the background flux summed over the aperture.
COLUMN_NAMES = ("centroid_col", "centroid_row", "sap_flux", "sap_flux_err", "background")

#: The host star's catalogue parameters kept in ``meta["star"]`` (NaN where absent):
#: ``teff`` (K), ``logg`` (cgs, dex), ``radius`` (R_sun), ``feh`` (dex), ``mag`` (the
#: mission's band, ``mag_band``), with ``catalog`` naming the source catalogue (KIC, TIC, EPIC).
STAR_FIELDS = ("teff", "logg", "radius", "feh", "mag")


def _readonly(array: np.ndarray | None, dtype: type = np.float64) -> np.ndarray | None:
    if array is None:
        return None
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


def fold_phase(time: np.ndarray, period: float, t0: float) -> np.ndarray:
    """Phase of each time stamp in days from the nearest transit centre.

    Parameters
    ----------
    time : ndarray, shape (T,)
        Times in days.
    period, t0 : float
        Orbital period and a reference mid-transit time, in days.

    Returns
    -------
    ndarray, shape (T,)
        Time from mid-transit in days, in ``[-period/2, period/2)``.
    """
    if period <= 0:
        raise ValueError(f"period must be positive, got {period}")
    return (np.asarray(time, dtype=float) - t0 + 0.5 * period) % period - 0.5 * period


@dataclass(frozen=True)
class FoldedLightCurve:
    """A light curve folded on a period: ``phase`` in days from mid-transit, sorted."""

    phase: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray | None
    period: float
    t0: float
    cycle: np.ndarray  # transit number of each point, for odd/even splits

    def __len__(self) -> int:
        return len(self.phase)


@dataclass(frozen=True, eq=False)
class LightCurve:
    """A single star's time series.

    Parameters
    ----------
    time : array_like, shape (T,)
        Time stamps in days, increasing.
    flux : array_like, shape (T,)
        Flux, any unit (relative after :meth:`normalize`).
    flux_err : array_like, shape (T,), optional
        One-sigma flux uncertainty in the unit of ``flux``.
    meta : mapping, optional
        Provenance: ``mission``, ``target_id``, ``cadence_days``, ``source``, ``flux_column``,
        ``quality_bitmask``, ``n_dropped_nonfinite`` … and the host star's catalogue
        parameters under ``meta["star"]`` (see :data:`STAR_FIELDS`; NaN where absent).
        Copied and frozen.
    columns : mapping of str to array_like, shape (T,) each, optional
        Further per-cadence series aligned with ``time`` and sliced with it by every method:
        see :data:`COLUMN_NAMES` for the names exohunt itself fills (centroids in pixels,
        the aperture's own flux). Copied and frozen.
    """

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    columns: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        time = _readonly(self.time)
        flux = _readonly(self.flux)
        flux_err = _readonly(self.flux_err)
        if time.ndim != 1 or flux.shape != time.shape:
            raise ValueError(
                f"time and flux must be 1-D of equal length, got {time.shape} and {flux.shape}"
            )
        if flux_err is not None and flux_err.shape != time.shape:
            raise ValueError(f"flux_err must match time's shape {time.shape}, got {flux_err.shape}")
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "flux", flux)
        object.__setattr__(self, "flux_err", flux_err)
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))
        columns = {}
        for name, values in dict(self.columns or {}).items():
            column = _readonly(values)
            if column.shape != time.shape:
                raise ValueError(f"column {name!r} must match time's shape {time.shape}, "
                                 f"got {column.shape}")
            columns[str(name)] = column
        object.__setattr__(self, "columns", MappingProxyType(columns))

    # -- basics ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.time)

    def __repr__(self) -> str:
        target = self.meta.get("target_id", "?")
        span = self.time_span if len(self) else 0.0
        return f"LightCurve(target={target!r}, n={len(self)}, span={span:.2f} d)"

    @property
    def time_span(self) -> float:
        """Baseline in days (last minus first time stamp)."""
        return float(self.time[-1] - self.time[0]) if len(self) else 0.0

    @property
    def cadence(self) -> float:
        """Median spacing between consecutive time stamps, in days."""
        return float(np.median(np.diff(self.time))) if len(self) > 1 else float("nan")

    def replace(self, **changes: Any) -> LightCurve:
        """A copy with some fields replaced; ``meta`` given here is merged into the old one."""
        meta = dict(self.meta)
        meta.update(changes.pop("meta", {}))
        fields = {"time": self.time, "flux": self.flux, "flux_err": self.flux_err, "meta": meta,
                  "columns": self.columns}
        fields.update(changes)
        return LightCurve(**fields)

    def _take(self, index: np.ndarray | slice) -> LightCurve:
        err = None if self.flux_err is None else self.flux_err[index]
        columns = {name: values[index] for name, values in self.columns.items()}
        return LightCurve(self.time[index], self.flux[index], err, self.meta, columns)

    def to_payload(self) -> tuple:
        """Plain picklable fields (the read-only mappings do not pickle) for worker
        processes; :meth:`from_payload` rebuilds the light curve."""
        return (self.time, self.flux, self.flux_err, dict(self.meta), dict(self.columns))

    @classmethod
    def from_payload(cls, payload: tuple) -> LightCurve:
        """Inverse of :meth:`to_payload` (also takes the older 4-tuple without columns)."""
        return cls(*payload)

    def __getitem__(self, index: np.ndarray | slice) -> LightCurve:
        return self._take(index)

    # -- cleaning ---------------------------------------------------------------------------
    def remove_nans(self) -> LightCurve:
        """Drop cadences whose time, flux or flux_err is not finite; count them in ``meta``."""
        good = np.isfinite(self.time) & np.isfinite(self.flux)
        if self.flux_err is not None:
            good &= np.isfinite(self.flux_err)
        dropped = int((~good).sum())
        out = self._take(good)
        previous = int(self.meta.get("n_dropped_nonfinite", 0))
        return out.replace(meta={"n_dropped_nonfinite": previous + dropped})

    def normalize(self) -> LightCurve:
        """Divide flux (and error) by the median flux, giving relative flux around 1."""
        median = float(np.nanmedian(self.flux))
        if not np.isfinite(median) or median == 0:
            raise ValueError("cannot normalise a light curve whose median flux is 0 or NaN")
        err = None if self.flux_err is None else self.flux_err / abs(median)
        return self.replace(flux=self.flux / median, flux_err=err, meta={"normalized": True})

    def head(self, n: int = 5) -> LightCurve:
        """The first ``n`` cadences."""
        return self._take(slice(0, n))

    def tail(self, n: int = 5) -> LightCurve:
        """The last ``n`` cadences."""
        return self._take(slice(max(len(self) - n, 0), None))

    def between(self, start: float | None = None, stop: float | None = None) -> LightCurve:
        """Cadences with ``start <= time < stop`` (days); ``None`` leaves a side open."""
        keep = np.ones(len(self), dtype=bool)
        if start is not None:
            keep &= self.time >= start
        if stop is not None:
            keep &= self.time < stop
        return self._take(keep)

    # -- analysis ---------------------------------------------------------------------------
    def flatten(self, **options: Any) -> LightCurve:
        """Divide out stellar variability; see :func:`exohunt.search.detrend.detrend`."""
        from exohunt.search.detrend import detrend

        return detrend(self, **options)

    def fold(self, period: float, t0: float) -> FoldedLightCurve:
        """Fold on ``period`` (days) around mid-transit ``t0`` (days), sorted by phase."""
        phase = fold_phase(self.time, period, t0)
        order = np.argsort(phase, kind="stable")
        cycle = np.round((self.time - t0) / period).astype(np.int64)
        err = None if self.flux_err is None else self.flux_err[order]
        return FoldedLightCurve(phase[order], self.flux[order], err, period, t0, cycle[order])

    # -- interoperability ---------------------------------------------------------------------
    @classmethod
    def from_lightkurve(cls, lk_lightcurve: Any) -> LightCurve:
        """Convert a ``lightkurve.LightCurve`` (lightkurve itself is not needed to call this).

        Besides time and flux this keeps what exohunt's FITS reader keeps (see
        :mod:`exohunt.io.lightkurve_extras`): the centroid, SAP flux and background columns in
        :attr:`columns`, the host star's catalogue parameters and the crowding in ``meta``,
        and flux in ppm/ppt/mag converted to relative flux (``meta["flux_conversion"]``).
        """
        from exohunt.io.flux_units import to_relative_flux
        from exohunt.io.lightkurve_extras import _values as values
        from exohunt.io.lightkurve_extras import lightkurve_extras
        from exohunt.io.series import settle_data_quality

        time = values(lk_lightcurve.time)
        flux = values(lk_lightcurve.flux)
        err_column = getattr(lk_lightcurve, "flux_err", None)
        flux_err = None if err_column is None else values(err_column)
        if flux_err is not None and not np.isfinite(flux_err).any():
            flux_err = None
        lk_meta = dict(getattr(lk_lightcurve, "meta", {}) or {})
        columns, extras, problems = lightkurve_extras(lk_lightcurve)
        for name in [k for k, v in columns.items() if v.shape != time.shape]:
            problems.append(f"{name} has shape {columns.pop(name).shape}; expected "
                            f"{time.shape} like the time axis")
        flux, flux_err, conversion = to_relative_flux(flux, flux_err, extras["flux_unit"])
        meta = {
            "mission": lk_meta.get("MISSION", lk_meta.get("TELESCOP")),
            "target_id": lk_meta.get("OBJECT", lk_meta.get("TARGETID")),
            "source": "lightkurve", **extras, "flux_conversion": conversion,
        }
        lc = cls(time, flux, flux_err, meta, columns).remove_nans()
        source = lk_meta.get("FILENAME") or meta["target_id"] or "lightkurve object"
        return settle_data_quality(lc, source, problems)
