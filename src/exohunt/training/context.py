"""Which of the "context" inputs (centroids, host-star catalogue) a run reads.

Real light-curve files carry more than flux: flux-weighted centroids and the host star's
catalogue parameters. The search turns them into per-signal statistics
(:data:`exohunt.search.context.CONTEXT_COLUMNS`, NaN when the input has none) and into
centroid views (:data:`exohunt.search.views.CENTROID_VIEW_NAMES`, zeros without centroids).
A run chooses which of them it reads with ``context``:

- ``"auto"`` (default): whatever the training data has — the statistics that are not NaN
  throughout and the centroid views unless they are zero throughout. On the Kaggle layout
  this is nothing, and the run is exactly a flux-only run;
- ``"none"``: flux only (the comparison model of ``benchmarks/bench_context_models.py``);
- ``"centroid"`` / ``"stellar"``: only the centroid statistics and views, or only the
  catalogue (density, planet radius) statistics (the ablations).

The choice and what it resolved to are stored in the run's ``config.json``
(``preprocessing.fitted.context``). Runs saved before this option select their columns and
views by name, so they load and score unchanged.
"""

from __future__ import annotations

import numpy as np

from exohunt.errors import InputError
from exohunt.search.centroid import CENTROID_COLUMNS
from exohunt.search.stellar import STELLAR_COLUMNS
from exohunt.search.views import CENTROID_VIEW_NAMES

__all__ = ["CONTEXT_CHOICES", "CONTEXT_GROUPS", "check_context", "context_selection"]

CONTEXT_CHOICES = ("auto", "none", "centroid", "stellar")
#: Statistic columns of each context group.
CONTEXT_GROUPS = {"centroid": tuple(CENTROID_COLUMNS), "stellar": tuple(STELLAR_COLUMNS)}


def check_context(context: str) -> str:
    """``context`` if it is one of :data:`CONTEXT_CHOICES`, else an :class:`InputError`."""
    if context not in CONTEXT_CHOICES:
        raise InputError(f"unknown context {context!r}; expected one of: "
                         f"{', '.join(CONTEXT_CHOICES)}")
    return context


def context_selection(stat_columns: list[str], arrays: dict[str, np.ndarray],
                      context: str = "auto") -> tuple[list[str], list[str], dict]:
    """The statistic columns and view names a run with ``context`` reads.

    Parameters
    ----------
    stat_columns : list of str
        The training rows' statistic columns that are not NaN throughout.
    arrays : dict of str to ndarray, each (N, bins)
        The training rows' views (flux views and, from the search, centroid views).
    context : str
        One of :data:`CONTEXT_CHOICES`.

    Returns
    -------
    columns : list of str
        ``stat_columns`` without the context groups left out.
    views : list of str
        The names in ``arrays`` to read: the centroid views only when the centroid group is
        in and they are not zero throughout.
    described : dict
        ``{"requested", "centroid_stats", "stellar_stats", "centroid_views"}`` for the run's
        config: what the run actually reads.
    """
    wanted = {"auto": {"centroid", "stellar"}, "none": set()}.get(check_context(context),
                                                                  {context})
    dropped = {c for group, names in CONTEXT_GROUPS.items() if group not in wanted
               for c in names}
    columns = [c for c in stat_columns if c not in dropped]
    has_centroid_views = "centroid" in wanted and any(
        name in arrays and bool(np.any(arrays[name])) for name in CENTROID_VIEW_NAMES)
    views = [n for n in arrays if n not in CENTROID_VIEW_NAMES or has_centroid_views]
    described = {"requested": context,
                 **{f"{group}_stats": [c for c in columns if c in names]
                    for group, names in CONTEXT_GROUPS.items()},
                 "centroid_views": [n for n in views if n in CENTROID_VIEW_NAMES]}
    return columns, views, described
