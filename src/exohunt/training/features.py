"""From data to model inputs: computed once per dataset, then sliced, never per epoch.

Two stages, so that fitted preprocessing is fitted on the training split only:

1. :func:`extract` turns data into :class:`RawFeatures` — preprocessed sequences for
   raw-sequence models, or the search's views + statistics (``exohunt.search.extract_features``)
   for search-then-vet models, or the views and table of an AstroNet :class:`ViewBatch`;
2. :func:`fit_preprocessing` (training rows only) fixes view channels, statistic columns and the
   robust scaling of the statistics; :func:`to_inputs` applies it to any rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve
from exohunt.training.preprocess import SequencePrep, bin_series, prepare_sequences
from exohunt.training.view_stats import view_statistics

__all__ = ["SIGNAL_COLUMNS", "VIEWBATCH_COMPATIBLE", "VIEWBATCH_FEATURE_VERSION",
           "VIEWBATCH_SCALARS", "RawFeatures", "best_per_star", "cache_joined", "extract",
           "feature_version_problem", "fit_preprocessing", "split_later_signals", "to_inputs"]

#: Metadata a ``--labels`` table attaches (:func:`exohunt.io.labels.apply_labels`), which the
#: search does not read: left out of the feature cache's key.
LABEL_META = frozenset({"label", "label_period_days", "label_snr"})
SIGNAL_COLUMNS = ("period_days", "t0_days", "duration_hours", "depth_ppm", "snr")
#: Features of folded-view records: "viewbatch" (the four scalars), "viewbatch-2" (+ the
#: shape statistics of :mod:`exohunt.training.view_stats`), "viewbatch-3" (+ its local-view
#: moments). Runs select their own columns, so a run of any version scores with this code.
VIEWBATCH_FEATURE_VERSION = "viewbatch-3"
#: Folded-view feature versions this code scores: every one so far only added columns.
VIEWBATCH_COMPATIBLE = frozenset({"viewbatch", "viewbatch-2", VIEWBATCH_FEATURE_VERSION})
#: The physical scalars of a folded-view record that models read (never identifiers).
VIEWBATCH_SCALARS = ("period_days", "duration_hours", "depth_ppm", "snr")


@dataclass
class RawFeatures:
    """Per-star features before any fitted scaling; all members have N rows."""

    arrays: dict[str, np.ndarray]  # "flux" (N, L) or view name -> (N, bins)
    stats: pd.DataFrame            # numeric statistics (may have no columns)
    signals: pd.DataFrame          # SIGNAL_COLUMNS then vetting columns (NaN when no search)
    feature_version: str | None = None

    def __len__(self) -> int:
        return len(self.signals)

    def subset(self, rows: np.ndarray) -> RawFeatures:
        return RawFeatures({k: v[rows] for k, v in self.arrays.items()},
                           self.stats.iloc[rows].reset_index(drop=True),
                           self.signals.iloc[rows].reset_index(drop=True), self.feature_version)

    def concat(self, other: RawFeatures) -> RawFeatures:
        arrays = {k: np.concatenate([v, other.arrays[k]]) for k, v in self.arrays.items()}
        return RawFeatures(arrays,
                           pd.concat([self.stats, other.stats], ignore_index=True),
                           pd.concat([self.signals, other.signals], ignore_index=True),
                           self.feature_version)


def split_later_signals(raw: RawFeatures) -> tuple[RawFeatures, RawFeatures | None]:
    """A multi-signal extraction (``extract(..., signals_per_star=K)``, K > 1) split into its
    top signals and its later ones.

    Returns ``(top, later)``: ``top`` has one row per star, the star's strongest signal, as a
    one-signal extraction describes it (:func:`exohunt.search.features.star_signal_features`
    makes it so), without the ``star``/``signal`` columns; ``later`` has the second and later
    signals, their ``signals["star"]`` the star's position in the extracted data. A one-signal
    extraction is returned as ``(raw, None)``.
    """
    if "star" not in raw.signals:
        return raw, None
    rank = raw.signals["signal"].to_numpy(int)
    return signal_rows(raw, np.flatnonzero(rank == 0)), raw.subset(np.flatnonzero(rank > 0))


def signal_rows(raw: RawFeatures, rows: np.ndarray) -> RawFeatures:
    """``raw``'s ``rows`` without a multi-signal extraction's ``star``/``signal`` columns: rows
    that concatenate with (and are scored like) one-row-per-star features."""
    out = raw.subset(rows)
    out.signals = out.signals.drop(columns=["star", "signal"], errors="ignore")
    return out


def best_per_star(raw: RawFeatures, probability: np.ndarray) -> np.ndarray:
    """Each star's highest probability over its signals, shape (N stars,), from one
    ``probability`` per row of ``raw``; ``probability`` itself (as float) when ``raw`` has one
    row per star (no ``star`` column)."""
    probability = np.asarray(probability, float)
    if "star" not in raw.signals:
        return probability
    star = raw.signals["star"].to_numpy(int)
    # every star has its top row (zeros where the search found nothing): N = max + 1
    best = np.full(int(star.max()) + 1 if star.size else 0, -np.inf)
    np.maximum.at(best, star, probability)
    return best


def feature_version_problem(version: str | None) -> str | None:
    """Why a model trained on features ``version`` must not be scored by this code, or None.

    Parameters
    ----------
    version : str or None
        A run's ``preprocessing.feature_version``: ``search-…`` (light curves searched by
        :mod:`exohunt.search`; accepted when it is ``FEATURE_VERSION`` or one of
        ``COMPATIBLE_FEATURE_VERSIONS``), ``viewbatch…`` (folded-view records; accepted when
        in :data:`VIEWBATCH_COMPATIBLE`) or None (raw sequences, which carry their own
        preprocessing version).

    Returns
    -------
    str or None
        e.g. ``"was made with features 'search-11…' but this exohunt computes 'search-14…'"``.
    """
    if version is None:
        return None
    version = str(version)
    if version.startswith("viewbatch"):
        accepted, current = VIEWBATCH_COMPATIBLE, VIEWBATCH_FEATURE_VERSION
    else:
        from exohunt.search.features import COMPATIBLE_FEATURE_VERSIONS, FEATURE_VERSION

        accepted, current = COMPATIBLE_FEATURE_VERSIONS | {FEATURE_VERSION}, FEATURE_VERSION
    if version in accepted:
        return None
    return (f"was made with features {version.split(':')[0]!r} but this exohunt computes "
            f"{current.split(':')[0]!r} (scores would be meaningless)")


def _empty_signals(n: int) -> pd.DataFrame:
    return pd.DataFrame({c: np.full(n, np.nan) for c in SIGNAL_COLUMNS})


def _sequence_features(data, prep: SequencePrep) -> RawFeatures:
    if isinstance(data, LightCurveBatch):
        flux = prepare_sequences(data.flux, prep)
    elif isinstance(data, LightCurve):
        flux = prepare_sequences(np.asarray(data.flux)[None, :], prep)
    elif isinstance(data, list) and all(isinstance(x, LightCurve) for x in data):
        flux = np.concatenate([prepare_sequences(np.asarray(lc.flux)[None, :], prep)
                               for lc in data]) if data else np.zeros((0, prep.n_bins), np.float32)
    else:
        raise InputError(f"raw-sequence models read light curves, not {type(data).__name__} "
                         "(folded views need model 'twoview' or 'gbm')")
    return RawFeatures({"flux": flux}, pd.DataFrame(index=range(len(flux))),
                       _empty_signals(len(flux)))


def _viewbatch_features(data: ViewBatch) -> RawFeatures:
    table = data.table.reset_index(drop=True)
    signals = _empty_signals(len(data))
    for column in SIGNAL_COLUMNS:
        if column in table:
            signals[column] = pd.to_numeric(table[column], errors="coerce").to_numpy(float)
    # Physical scalars only: identifiers and the disposition itself must never be inputs.
    stats = signals[[c for c in VIEWBATCH_SCALARS if c in table]].copy()
    arrays = {"global": np.asarray(data.global_view, np.float32),
              "local": np.asarray(data.local_view, np.float32)}
    # The records carry no light curve for the search's vetting: measure it off the views.
    measured = view_statistics(arrays["global"], arrays["local"], signals["period_days"],
                               signals["duration_hours"], signals["depth_ppm"])
    stats = pd.concat([stats, pd.DataFrame(measured, index=stats.index)], axis=1)
    return RawFeatures(arrays, stats, signals, VIEWBATCH_FEATURE_VERSION)


def _search_source_digest() -> bytes:
    """Digest of the search package's source: a cache must not outlive a code change, and
    ``FEATURE_VERSION`` is bumped by hand (it once was not, and stale features were served)."""
    import exohunt.search

    digest = hashlib.sha256()
    for source in sorted(Path(exohunt.search.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.digest()


def _cache_key(data, version: str, signals_per_star: int = 1, variability: bool = True) -> str:
    """Key of the search features of ``data``: a :class:`LightCurveBatch` by its flux and
    time; single-star light curves by their time, flux, errors, per-cadence columns
    (centroids …) and metadata (catalogue parameters, target pixel …), all of which the
    statistics read."""
    digest = hashlib.sha256()
    if signals_per_star > 1:  # (one signal per star keeps the keys of existing caches)
        digest.update(f"signals_per_star={signals_per_star}".encode())
    if not variability:  # the signals table without the variability statistics
        digest.update(b"variability=False")
    if isinstance(data, LightCurveBatch):
        digest.update(np.ascontiguousarray(data.flux).tobytes())
        digest.update(np.ascontiguousarray(data.time).tobytes())
    else:
        for lc in data:
            digest.update(b"lightcurve")
            for values in (lc.time, lc.flux, lc.flux_err,
                           *(lc.columns[name] for name in sorted(lc.columns))):
                if values is not None:
                    digest.update(np.ascontiguousarray(values).tobytes())
            digest.update(repr(sorted(lc.columns)).encode())
            # (not what a --labels table attached: the features do not depend on it)
            digest.update(repr(sorted((k, repr(v)) for k, v in lc.meta.items()
                                      if k not in LABEL_META)).encode())
    digest.update(version.encode())
    digest.update(_search_source_digest())
    return digest.hexdigest()[:24]


def _search_features(data, jobs: int, progress: bool, cache_dir: str | Path | None,
                     signals_per_star: int = 1, variability: bool = True) -> RawFeatures:
    from exohunt.search import FEATURE_VERSION, extract_features

    path = None
    if isinstance(data, LightCurve):
        data = [data]
    if cache_dir is not None and (isinstance(data, LightCurveBatch) or (
            isinstance(data, list) and all(isinstance(lc, LightCurve) for lc in data))):
        path = _cache_path(data, cache_dir, signals_per_star, variability)
        cached = _read_cache(path)
        if cached is not None:
            return cached
    fs = extract_features(data, jobs=jobs, progress=progress, signals_per_star=signals_per_star,
                          variability=variability)
    stats = fs.stats.reset_index(drop=True).astype(float)
    signals = fs.signals.reset_index(drop=True).copy()
    for column in SIGNAL_COLUMNS:
        if column not in signals:
            signals[column] = np.nan
    # The search's own columns (vetting statistics, fit_*, passes_vetting: what predictions.csv
    # promises after the signal columns), then the model statistics it does not already have.
    search_columns = [c for c in signals.columns if c not in SIGNAL_COLUMNS]
    vetting = stats[[c for c in stats.columns if c not in signals.columns]]
    signals = pd.concat([signals[list(SIGNAL_COLUMNS) + search_columns], vetting], axis=1)
    # The centroid views travel with the flux views; fit_preprocessing decides whether a run
    # reads them (exohunt.training.context).
    raw = RawFeatures({k: np.asarray(v, np.float32)
                       for k, v in {**fs.views, **getattr(fs, "centroid_views", {})}.items()},
                      stats,
                      signals, FEATURE_VERSION)
    if path is not None:
        _write_cache(path, raw)
    return raw


def _cache_path(curves, cache_dir: str | Path, signals_per_star: int = 1,
                variability: bool = True) -> Path:
    from exohunt.search import FEATURE_VERSION

    key = _cache_key(curves, FEATURE_VERSION, signals_per_star, variability)
    return Path(cache_dir) / f"features-{key}"


def _read_cache(path: Path) -> RawFeatures | None:
    from exohunt.search import FEATURE_VERSION

    if not (path / "views.npz").exists():
        return None
    with np.load(path / "views.npz", allow_pickle=False) as views:
        arrays = {k: views[k] for k in views.files}
    return RawFeatures(arrays, pd.read_parquet(path / "stats.parquet"),
                       pd.read_parquet(path / "signals.parquet"), FEATURE_VERSION)


def _write_cache(path: Path, raw: RawFeatures) -> None:
    path.mkdir(parents=True, exist_ok=True)
    np.savez(path / "views.npz", **raw.arrays)
    raw.stats.to_parquet(path / "stats.parquet")
    raw.signals.to_parquet(path / "signals.parquet")


def cache_joined(parts: list[list[LightCurve]], cache_dir: str | Path, *, jobs: int = 0,
                 variability: bool = True) -> None:
    """Cache the features of the concatenated ``parts`` under the joined list's key.

    Large sets are searched in pieces (possibly by separate processes), each cached under its
    own key; training and scoring look the whole list up under one key. This joins the pieces'
    cached features (searching any piece not cached yet) without searching anything twice.

    Parameters
    ----------
    parts : list of lists of LightCurve
        The pieces, in the order of the joined list.
    cache_dir : str or Path
        The feature cache folder (``extract(..., cache_dir=)``).
    jobs : int
        Worker processes for pieces that still need a search.
    variability : bool
        As in :func:`extract`: False for the features training reads, True for scoring's.
    """
    path = _cache_path([lc for part in parts for lc in part], cache_dir,
                       variability=variability)
    if _read_cache(path) is not None:
        return
    pieces = [_search_features(part, jobs, False, cache_dir, variability=variability)
              for part in parts]
    raw = pieces[0]
    for piece in pieces[1:]:
        raw = raw.concat(piece)
    _write_cache(path, raw)


def extract(data, kind: str, *, prep: SequencePrep | None = None, jobs: int = 0,
            progress: bool = False, cache_dir: str | Path | None = None,
            signals_per_star: int = 1, variability: bool = True) -> RawFeatures:
    """Features of every star in ``data`` for a model reading ``kind`` inputs.

    Parameters
    ----------
    data : LightCurveBatch, ViewBatch, LightCurve or list of LightCurve
    kind : {"sequence", "views", "tabular"}
    prep : SequencePrep
        Required for ``kind="sequence"``.
    jobs, progress : passed to the search.
    cache_dir : path, optional
        Where search features are cached between calls (keyed by the light curves' bytes,
        ``FEATURE_VERSION`` and the search's source).
    signals_per_star : int
        Search-based kinds only: rows for up to this many signals per star (``signals`` then
        has ``star`` and ``signal`` columns; see :func:`exohunt.search.extract_features`).
    variability : bool
        Search-based kinds: fill the signals table's variability statistics
        (:mod:`exohunt.search.variability`). They are vetting outputs that no model reads, so
        training passes False (NaN) and saves their cost; scoring keeps them for the
        predictions table.
    """
    if signals_per_star != 1 and (kind == "sequence" or isinstance(data, ViewBatch)):
        raise InputError("several signals per star need a search-based model reading light "
                         f"curves (gbm, twoview, lstm-views), not {kind} inputs"
                         + (" from folded views" if isinstance(data, ViewBatch) else ""))
    if kind == "sequence":
        return _sequence_features(data, prep or SequencePrep())
    if isinstance(data, ViewBatch):
        return _viewbatch_features(data)
    return _search_features(data, jobs, progress, cache_dir, signals_per_star, variability)


def fit_preprocessing(raw: RawFeatures, kind: str, context: str = "auto") -> dict:
    """Fitted preprocessing (JSON-ready) from the *training* rows ``raw``.

    ``context`` chooses which centroid and host-star inputs the run reads
    (:mod:`exohunt.training.context`); the choice is stored under ``"context"``.
    """
    from exohunt.training.context import context_selection

    if kind == "sequence":
        return {}
    columns = [c for c in raw.stats.columns if raw.stats[c].notna().any()]
    columns, view_names, described = context_selection(columns, raw.arrays, context)
    values = raw.stats[columns].to_numpy(float)
    centre = np.nan_to_num(np.nanmedian(values, axis=0)) if columns else np.zeros(0)
    q75, q25 = (np.nanpercentile(values, q, axis=0) for q in (75, 25)) if columns else (0, 0)
    scale = np.where(np.nan_to_num(q75 - q25) > 1e-12, np.nan_to_num(q75 - q25), 1.0)
    names = view_names
    first = names[0] if "global" not in names else "global"
    global_bins = raw.arrays[first].shape[1]
    global_views = [n for n in names if raw.arrays[n].shape[1] == global_bins]
    local_views = [n for n in names if n not in global_views]
    local_views.sort(key=lambda n: (n != "local", n))
    return {"stat_columns": columns, "stat_centre": np.atleast_1d(centre).tolist(),
            "stat_scale": np.atleast_1d(scale).tolist(), "global_views": global_views,
            "local_views": local_views,
            "local_bins": raw.arrays[local_views[0]].shape[1] if local_views else 0,
            "context": described}


def _stat_matrix(raw: RawFeatures, fitted: dict) -> np.ndarray:
    columns = fitted["stat_columns"]
    missing = [c for c in columns if c not in raw.stats]
    if missing:
        raise InputError(f"data lacks the statistics {missing} that this run was trained on")
    return raw.stats[columns].to_numpy(float) if columns else np.zeros((len(raw), 0))


def to_inputs(raw: RawFeatures, kind: str, fitted: dict) -> dict[str, np.ndarray]:
    """Model-ready arrays: ``{"flux"}``, ``{"global", "local", "scalars"}`` or ``{"X"}``."""
    if kind == "sequence":
        return {"flux": raw.arrays["flux"]}
    stats = _stat_matrix(raw, fitted)
    if kind == "tabular":
        views = [raw.arrays[n] for n in fitted.get("tabular_views", [])]
        return {"X": np.concatenate([stats, *views], axis=1)}
    scaled = np.arcsinh((stats - np.asarray(fitted["stat_centre"]))
                        / np.asarray(fitted["stat_scale"]))
    missing = [n for n in fitted["global_views"] + fitted["local_views"] if n not in raw.arrays]
    if missing:
        raise InputError(f"data lacks the views {missing} that this run was trained on")
    local = [bin_series(raw.arrays[n], fitted["local_bins"]) for n in fitted["local_views"]]
    return {
        "global": np.nan_to_num(np.stack([raw.arrays[n] for n in fitted["global_views"]], 1)),
        "local": np.nan_to_num(np.stack(local, axis=1)).astype(np.float32),
        "scalars": np.nan_to_num(scaled).astype(np.float32),
    }
