"""Search budget: train the search-based trees on fewer searched light curves.

Searching a light curve is nearly all of the cost of training ``gbm`` (~45 ms of CPU for a
Kaggle-length row, against seconds for the whole tree fit). Most searched rows are planet-free
stars, which are plentiful and alike, so :class:`SearchBudget` lets training search only a
random share of them — in the training *and* the validation rows — and weight each searched one
by the inverse of that share. Every fit, early-stopping score, threshold and validation metric
then sees the true prevalence (an unbiased estimate of what the full set gives), while
planets, which are rare, are always all searched. It can also cap the injected planets and
background binaries (see :mod:`exohunt.training.augment`).

The choice of the rows is seeded and does not look at any feature, so no test data takes part
in it; ``exohunt demo`` uses :data:`DEMO_SIZES` (every star searched, fewer injected signals)
and, with ``--search-budget``, :data:`DEMO_BUDGET`, both chosen on simulated data of other
seeds than the demo's (``benchmarks/dev_demo_sizes.py``, ``benchmarks/dev_demo_recipe.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from exohunt.errors import InputError

__all__ = ["DEMO_BUDGET", "DEMO_SIZES", "SearchBudget", "SearchedRows", "sample_negatives"]


@dataclass(frozen=True)
class SearchBudget:
    """How many light curves training may search (``None``: the model's default).

    Attributes
    ----------
    negative_fraction : float
        Share (0, 1] of the planet-free stars (training and validation rows) that are searched;
        each searched one gets the sample weight ``1 / negative_fraction``.
    max_injected : int, optional
        Most planets injected into training stars.
    binaries_per_planet : float, optional
        Background eclipsing binaries injected per injected planet.
    threshold_injected : int, optional
        Most planets injected into validation stars for the threshold choice.
    """

    negative_fraction: float = 1.0
    max_injected: int | None = None
    binaries_per_planet: float | None = None
    threshold_injected: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.negative_fraction <= 1.0:
            raise InputError(f"search budget: negative_fraction must be in (0, 1], got "
                             f"{self.negative_fraction}")
        for name in ("max_injected", "threshold_injected"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InputError(f"search budget: {name} must be >= 0, got {value}")
        if self.binaries_per_planet is not None and self.binaries_per_planet < 0:
            raise InputError(f"search budget: binaries_per_planet must be >= 0, got "
                             f"{self.binaries_per_planet}")

    def augment_overrides(self) -> dict:
        """Keyword overrides for :func:`~exohunt.training.augment.injected_features`."""
        return {k: v for k, v in (("max_injected", self.max_injected),
                                  ("binaries_per_planet", self.binaries_per_planet))
                if v is not None}

    def to_dict(self) -> dict:
        return asdict(self)


#: ``exohunt demo --search-budget``: a fifth of the planet-free stars searched (weight 5), 450
#: injected planets with 1.5 background binaries each, 150 injected validation planets for the
#: threshold (2,352 searched light curves in the training stage instead of 8,927). Chosen on
#: the ``kaggle`` preset simulated with seed 43, never the demo's seed; it costs model quality
#: there and on seed 42 (benchmarks/results_demo_speed.md), so the demo does not use it by
#: default.
DEMO_BUDGET = SearchBudget(negative_fraction=0.2, max_injected=450, binaries_per_planet=1.5,
                           threshold_injected=150)


#: ``exohunt demo``'s default: every star searched, 300 injected planets with one background
#: binary each and 100 injected validation planets for the threshold (5,817 searched light
#: curves in the training stage instead of 8,927). With the planets weighted to the true
#: prevalence (``train(prevalence="auto")``) it was the smallest configuration within the
#: pre-registered tolerance of gbm's full injection sets on the ``kaggle`` preset of dev
#: seeds 43-45 (held-out F1 0.582 and AP 0.636 against 0.578 and 0.618;
#: benchmarks/results_demo_recipe.md), while searching fewer planet-free stars cost F1 and AP
#: at every share tried (0.2-0.5).
DEMO_SIZES = SearchBudget(negative_fraction=1.0, max_injected=300, binaries_per_planet=1.0,
                          threshold_injected=100)


def sample_negatives(labels: np.ndarray, fraction: float, seed: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Which stars to search and their sample weights.

    Parameters
    ----------
    labels : ndarray, shape (N,)
        1 = planet, 0 = planet-free.
    fraction : float
        Share of the planet-free stars kept (rounded to the nearest count, at least one).
    seed : int
        Seeds the choice (independent of every feature value).

    Returns
    -------
    keep : ndarray of bool, shape (N,)
        Every planet and ``round(fraction × n_planet_free)`` planet-free stars.
    weight : ndarray of float, shape (N,)
        1 for planets, ``n_planet_free / n_kept`` for kept planet-free stars (so that the kept
        ones weigh as much as all of them), 0 for the stars not kept.
    """
    labels = np.asarray(labels)
    negatives = np.flatnonzero(labels == 0)
    keep = labels != 0
    if fraction >= 1.0 or len(negatives) == 0:
        return np.ones(len(labels), bool), np.ones(len(labels))
    n_kept = max(1, round(fraction * len(negatives)))
    rng = np.random.default_rng([seed, 20])
    keep[rng.choice(negatives, size=n_kept, replace=False)] = True
    weight = np.where(keep, 1.0, 0.0)
    weight[keep & (labels == 0)] = len(negatives) / n_kept
    return keep, weight


class SearchedRows:
    """The stars of a labelled set that training searches, and where they sit.

    ``keep`` (N,) marks the searched stars, ``weight`` (N,) their sample weights,
    ``position`` (N,) each searched star's row in the searched subset (-1 elsewhere).
    """

    def __init__(self, keep: np.ndarray, weight: np.ndarray) -> None:
        self.keep, self.weight = keep, weight
        self.rows = np.flatnonzero(keep)
        self.position = np.full(len(keep), -1)
        self.position[self.rows] = np.arange(len(self.rows))

    @classmethod
    def choose(cls, labels: np.ndarray, train_rows: np.ndarray, val_rows: np.ndarray,
               budget: SearchBudget | None, seed: int) -> SearchedRows:
        """All stars without a budget; else every planet and the budget's share of the
        planet-free stars, drawn separately in the training and the validation rows (so that
        each keeps its share and its own weight)."""
        n = len(labels)
        if budget is None or budget.negative_fraction >= 1.0:
            return cls(np.ones(n, bool), np.ones(n))
        keep, weight = np.zeros(n, bool), np.zeros(n)
        for part, rows in enumerate((train_rows, val_rows)):
            keep[rows], weight[rows] = sample_negatives(labels[rows], budget.negative_fraction,
                                                        seed + part)
        return cls(keep, weight)

    @property
    def everything(self) -> bool:
        return bool(self.keep.all())

    def rows_of(self, data):
        """``data`` (a batch or a list of light curves) restricted to the searched stars."""
        if self.everything:
            return data
        if isinstance(data, list):
            return [data[i] for i in self.rows]
        return data.subset(self.rows)

    def kept(self, rows: np.ndarray) -> np.ndarray:
        """The searched ones among ``rows`` (indices into the full set)."""
        return rows[self.keep[rows]]

    def full_mask(self, mask: np.ndarray | None) -> np.ndarray | None:
        """A per-searched-star mask as one over all N stars (False where not searched)."""
        if mask is None:
            return None if self.everything else self.keep.copy()
        if self.everything:
            return mask
        out = np.zeros(len(self.keep), bool)
        out[self.rows] = mask
        return out
