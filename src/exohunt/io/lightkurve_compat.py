"""lightkurve objects as exohunt's own, converted once where they enter exohunt.

Every public entry point (``exohunt.read``, ``search``, ``make_views``, ``train``,
``Run.predict``/``score``, ``evaluate``, ``predict``) passes its data through
:func:`as_exohunt`, so that a ``lightkurve.LightCurve`` (``KeplerLightCurve``,
``TessLightCurve``, stitched, flattened or folded back into time order), a
``LightCurveCollection`` (→ a list) or a list of either works wherever an exohunt
:class:`~exohunt.LightCurve` does. lightkurve itself is never imported: objects are
recognised by the module their class comes from, and read through their public attributes
(``time``, ``flux``, ``flux_err``, ``meta`` and the columns the file had; see
:meth:`exohunt.LightCurve.from_lightkurve`), so lightkurve stays an optional dependency.

The cadences are those the lightkurve object kept: ``lk.read`` applies *lightkurve's*
quality bitmask, whose TESS ``"default"`` (17087 in lightkurve 2.6) drops more flags than
exohunt's (175, :mod:`exohunt.io.quality`); ``lk.read(path, quality_bitmask=175)`` and
``exohunt.read(path)`` give the same light curve.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from exohunt.lightcurve import LightCurve

__all__ = ["as_exohunt", "as_lightcurve", "from_lightkurve", "is_lightkurve"]

def is_lightkurve(obj: Any) -> bool:
    """Whether ``obj`` is an instance of a lightkurve class (without importing lightkurve)."""
    return any(cls.__module__.split(".")[0] == "lightkurve" for cls in type(obj).__mro__)


def as_exohunt(obj: Any) -> Any:
    """``obj`` with every lightkurve object in it converted; anything else unchanged.

    A ``LightCurve`` (any lightkurve subclass) → :class:`exohunt.LightCurve`; a
    ``LightCurveCollection``, or a list/tuple holding lightkurve objects, → a list of
    :class:`exohunt.LightCurve` (collections inside it flattened, in order). Paths, exohunt
    objects and lists without lightkurve objects are returned as they are.
    """
    if isinstance(obj, (list, tuple)):
        if not any(is_lightkurve(item) for item in obj):
            return obj
        out: list[Any] = []
        for item in obj:
            converted = as_exohunt(item)
            out.extend(converted if isinstance(converted, list) and is_lightkurve(item)
                       else [converted])
        return out
    if not is_lightkurve(obj):
        return obj
    if hasattr(obj, "time") and hasattr(obj, "flux"):
        return from_lightkurve(obj)
    if hasattr(obj, "data") and isinstance(getattr(obj, "data", None), list):  # a collection
        return [as_exohunt(item) for item in obj.data]
    from exohunt.errors import InputError

    raise InputError(f"cannot use a lightkurve {type(obj).__name__}; expected a LightCurve or "
                     "a LightCurveCollection (pixel files: make a light curve with "
                     "to_lightcurve() first)")


def as_lightcurve(obj: Any, what: str) -> Any:
    """One light curve for ``what`` (a function taking a single star): a lightkurve
    ``LightCurve`` converted; an exohunt one (or anything else) unchanged."""
    converted = as_exohunt(obj)
    if isinstance(converted, list):
        from exohunt.errors import InputError

        raise InputError(f"{what} takes one light curve; got {len(converted)} (a collection or "
                         f"a list): call it on each, or use exohunt.search.extract_features")
    return converted


def from_lightkurve(lk_lc: Any) -> LightCurve:
    """One lightkurve ``LightCurve`` as an exohunt :class:`LightCurve`, with the metadata the
    FITS reader gives for the same file.

    :meth:`LightCurve.from_lightkurve` takes the flux (converted to relative flux when its
    unit says ppm/ppt/mag), the per-cadence columns, the star's catalogue parameters and
    the crowding (:mod:`exohunt.io.lightkurve_extras`); this adds the provenance keys
    (``source``: the file lightkurve read, ``mission``, ``target_id``, ``flux_column``,
    ``cadence_days``, ``time_offset``, ``quality_bitmask``), a user's ``meta["label"]``,
    and puts stitched segments in time order.
    """
    lc = LightCurve.from_lightkurve(lk_lc)
    if len(lc) > 1 and np.any(np.diff(lc.time) < 0):  # a stitch of unordered sectors
        lc = lc[np.argsort(lc.time, kind="stable")].replace(meta={"sorted_by_reader": True})
    meta_in: Mapping[str, Any] = dict(getattr(lk_lc, "meta", {}) or {})
    return lc.replace(meta={**_meta(lk_lc, meta_in), "cadence_days": _cadence(meta_in, lc)})


def _meta(lk_lc: Any, meta_in: Mapping[str, Any]) -> dict[str, Any]:
    from exohunt.io.fits import _mission, _target, _time_offset

    origin = meta_in.get("FLUX_ORIGIN")
    source = str(meta_in.get("FILENAME") or "lightkurve")
    meta: dict[str, Any] = {
        "format": "lightkurve", "lightkurve_class": type(lk_lc).__name__, "source": source,
        "mission": _mission(meta_in, meta_in),
        "target_id": _target(_Named(source), meta_in, meta_in),
        "flux_column": str(origin).upper() if origin else "flux",
        "quality_bitmask": meta_in.get("QUALITY_BITMASK"),
        "time_offset": _time_offset(meta_in, meta_in) if "BJDREFI" in meta_in else None,
    }
    # a user's own 0/1 label, for train and evaluate (the files' LABEL card is a name)
    if meta_in.get("label") in (0, 1, True, False):
        meta["label"] = int(meta_in["label"])
    if meta_in.get("NORMALIZED"):
        meta["normalized"] = True
    return meta


class _Named:
    """What ``exohunt.io.fits._target`` needs of a path: its name."""

    def __init__(self, source: str) -> None:
        self.name = source.replace("\\", "/").rsplit("/", 1)[-1]


def _cadence(meta_in: Mapping[str, Any], lc: LightCurve) -> float:
    try:
        timedel = float(meta_in.get("TIMEDEL"))
    except (TypeError, ValueError):
        timedel = float("nan")
    return timedel if np.isfinite(timedel) and timedel > 0 else lc.cadence
