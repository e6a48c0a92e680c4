"""Scale-out scans: ``exohunt predict`` and ``exohunt search`` over survey-size listings.

Runs on a Dask cluster (``--scheduler``; optional extra ``exohunt[dask]``), on this machine's
process pool, or as shards of an array job (``--shard I/N``), always into an output folder of
Parquet parts with a manifest, so that a rerun resumes. Dask is imported only when asked for.

- :func:`scan` — the engine (:mod:`exohunt.scale.engine`);
- :func:`predict_scale`, :func:`search_scale` — the two commands' Python entry points;
- :func:`read_results`, :func:`read_errors`, :func:`merge` — the output folder.
"""

from __future__ import annotations

from exohunt.scale.engine import DEFAULT_SCALE_CHUNK, ScaleSummary, scan
from exohunt.scale.shards import merge, read_errors, read_results

__all__ = ["DEFAULT_SCALE_CHUNK", "ScaleSummary", "merge", "predict_scale", "read_errors",
           "read_results", "scan", "search_scale"]


def _folder(path) -> str | None:
    from pathlib import Path

    return None if path is None else str(Path(path).resolve())


def predict_scale(run_dir, inputs, out, *, client=None, scheduler=None, threshold=None,
                  signals_per_star: int | None = None, read_options: dict | None = None,
                  plots=None, **options) -> ScaleSummary:
    """Score ``inputs`` with the run in ``run_dir`` into the folder ``out``.

    ``client`` (a ``distributed.Client``) or ``scheduler`` (address or ``"local"``) choose
    Dask; ``plots`` is a folder for one PNG per candidate (written by the workers); other
    keyword arguments are those of :func:`scan` (``chunk_size``, ``jobs``, ``shard``,
    ``input_list``, ``progress``, ``csv``, ``file_timeout``). ``signals_per_star``: as in
    :func:`exohunt.predict.predict` (default: the run's own).
    """
    from exohunt.errors import InputError

    if threshold is not None and not 0.0 < float(threshold) < 1.0:
        raise InputError(f"threshold must be between 0 and 1, got {threshold}")
    settings = {"read_options": dict(read_options or {}),
                "threshold": None if threshold is None else float(threshold),
                "signals_per_star": None if signals_per_star is None else int(signals_per_star),
                "plots": _folder(plots)}
    return scan("predict", inputs, out, run_dir=run_dir, settings=settings, client=client,
                scheduler=scheduler, **options)


def search_scale(inputs, out, *, search_options: dict | None = None, client=None,
                 scheduler=None, read_options: dict | None = None, plots=None,
                 **options) -> ScaleSummary:
    """Search ``inputs`` (no model) into the folder ``out``; see :func:`predict_scale`."""
    settings = {"read_options": dict(read_options or {}), "search": dict(search_options or {}),
                "plots": _folder(plots)}
    return scan("search", inputs, out, settings=settings, client=client, scheduler=scheduler,
                csv=True, **options)
