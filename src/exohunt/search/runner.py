"""Search many stars in worker processes, optionally writing a diagnostic plot for each."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from exohunt.lightcurve import LightCurve
from exohunt.search.core import search
from exohunt.search.features import resolve_jobs
from exohunt.search.junk import masking_notes

__all__ = ["search_one", "search_stars"]


def _one(task: tuple) -> list[dict[str, Any]]:
    source, index, fields, plot, options = task
    lc = LightCurve.from_payload(fields)
    try:
        result = search(lc, **options)
    except ValueError:  # too few usable cadences
        return []
    if plot is not None:
        from exohunt.search.plots import plot_diagnostics

        plot_diagnostics(lc, result, plot, title=f"{Path(source).name} #{index}")
    notes = masking_notes(result.detrended.meta)
    rows = [{"source": source, "index": index, "kind": "periodic", **s.as_row(), "notes": notes}
            for s in result.signals]
    rows += [{"source": source, "index": index, "kind": "single", "period_days": float("nan"),
              "t0_days": e.t0, "duration_hours": 24.0 * e.duration, "depth_ppm": e.depth_ppm,
              "snr": e.snr, "sde": float("nan"), "passes_vetting": False, "notes": notes}
             for e in result.single_events]
    return rows


#: One star's search (the task of a worker): ``(source, index, payload, plot, options)`` →
#: its candidate rows. Used by :mod:`exohunt.scale` as well.
search_one = _one


def search_stars(tasks: list[tuple[str, int, LightCurve, Path | None]], options: dict, *,
                 jobs: int = 0, progress: bool = False) -> list[dict[str, Any]]:
    """Run :func:`exohunt.search.search` on each ``(source, index, lc, plot_path)``.

    Parameters
    ----------
    tasks : list of tuple
        One per star; ``plot_path`` None for no figure.
    options : dict
        Keyword arguments of :func:`exohunt.search.search`.
    jobs : int
        Worker processes (0 = all cores, 1 = in this process).
    progress : bool
        Show a progress bar over stars.

    Returns
    -------
    list of dict
        Per star in input order, one row per periodic signal (``source, index``,
        ``kind="periodic"`` and :meth:`Signal.as_row`), then one per single transit-like
        event (``kind="single"``: ``period_days`` and ``sde`` NaN, ``passes_vetting`` False,
        no vetting statistics); each row's ``notes`` says what the junk masking removed
        (:func:`exohunt.search.junk.masking_notes`, '' when nothing).
    """
    from tqdm.auto import tqdm

    payload = [(source, index, lc.to_payload(), plot, options)
               for source, index, lc, plot in tasks]
    workers = min(resolve_jobs(jobs), len(payload))
    bar = tqdm(total=len(payload), desc="search", unit="star", disable=not progress)
    rows: list[dict[str, Any]] = []
    if workers <= 1:
        for item in payload:
            rows.extend(_one(item))
            bar.update()
    else:
        chunk = max(1, min(16, len(payload) // (4 * workers)))
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            for part in pool.map(_one, payload, chunksize=chunk):
                rows.extend(part)
                bar.update()
    bar.close()
    return rows
