"""``gbm``: the classical baseline — gradient-boosted trees on search + vetting statistics.

A scikit-learn :class:`~sklearn.pipeline.Pipeline` (an ``impute`` step, then
:class:`~sklearn.ensemble.HistGradientBoostingClassifier`), so it follows sklearn conventions:
``fit`` returns self, ``predict_proba``, fitted attributes end in ``_``. Trees need no feature
scaling and shrug off the heavy tails of SNR and depth. Saved with ``skops.io``, never pickle.

Missing statistics: the centroid and host-star statistics are NaN where they were not
measured (no centroids, no catalogue, a depth too shallow to place the source). The trees
handle NaN natively, learning on which side of each split "not measured" belongs, which a
median fill cannot (a background EB whose offset could not be measured would look like the
median star, a planet). So the ``impute`` step passes the values through unless
``impute_missing`` is set (runs saved before keep their median imputer).
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from exohunt.models import NamedConfig
from exohunt.models.space import FloatRange, IntRange, Parameter

__all__ = ["NAMED_CONFIGS", "SEARCH_SPACE", "GBMConfig", "build_gbm"]


@dataclass
class GBMConfig:
    """Hyper-parameters of the boosted trees (``max_iter`` is an upper bound: the number of
    trees kept is chosen on validation average precision)."""

    max_iter: int = 400
    learning_rate: float = 0.05
    max_leaf_nodes: int = 15
    min_samples_leaf: int = 10
    l2_regularization: float = 1.0
    class_weight: str | None = None  # "balanced" under --imbalance weights
    random_state: int = 42
    impute_missing: bool = False  # True: median-fill NaN first (the behaviour before round 7)
    #: Statistics (names of the search's columns) that the planet probability may not rise
    #: with, all else equal: sklearn's monotonic constraints (-1). Physics says a larger
    #: odd/even difference, secondary eclipse or source offset never makes a signal more
    #: planet-like; unconstrained trees may still learn such a rise from a few training
    #: rows and carry it to values beyond them (round 30). Names the run does not read
    #: (e.g. the centroid's in a flux-only run) are ignored.
    decreasing: tuple[str, ...] = ()
    #: ``decreasing`` resolved at training, one entry per input column (-1 or 0), saved so
    #: that the run records exactly which columns were constrained. Not set by hand.
    monotonic_cst: tuple[int, ...] | None = None

    @classmethod
    def large(cls, **overrides) -> GBMConfig:
        """Twice the leaves and up to 600 trees, for ~10,000-row sets such as AstroNet-Triage.

        Five-fold cross-validation on its train shards preferred it (with the view
        statistics and local-view moments: triage AP 0.974 → 0.976, vetting 0.693 → 0.711;
        ``benchmarks/explore_view_stats.py``). On the simulated development set it did not
        help (``benchmarks/dev_gbm.py --seeds 42 43 --config '"large"'``: mean F1 0.642
        against 0.647, EB false positives 1.7 % against 1.3 %), so it is not the default.
        """
        return cls(**{"max_iter": 600, "max_leaf_nodes": 31, **overrides})


#: The search space of ``exohunt tune`` (exohunt.models.space): model config fields, then
#: training-loop settings (the trees have no loop). Ranges hold the defaults.
#: Named configurations (``exohunt train --config NAME``), the default first.
NAMED_CONFIGS = {"default": NamedConfig(GBMConfig), "large": NamedConfig(GBMConfig.large)}

SEARCH_SPACE: dict[str, Parameter] = {
    "learning_rate": FloatRange(0.01, 0.3, log=True),
    "max_leaf_nodes": IntRange(7, 63, log=True),
    "max_iter": IntRange(100, 800, log=True),
    "min_samples_leaf": IntRange(5, 80, log=True),
    "l2_regularization": FloatRange(1e-3, 10.0, log=True),
}


def build_gbm(config: GBMConfig) -> Pipeline:
    """An unfitted pipeline ``impute → HistGradientBoostingClassifier`` for ``config``
    (``impute`` is ``"passthrough"`` unless ``config.impute_missing``)."""
    trees = HistGradientBoostingClassifier(
        max_iter=config.max_iter, learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes, min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization, class_weight=config.class_weight,
        early_stopping=False, random_state=config.random_state,
        monotonic_cst=list(config.monotonic_cst) if config.monotonic_cst else None,
    )
    impute = SimpleImputer(strategy="median") if config.impute_missing else "passthrough"
    return Pipeline([("impute", impute), ("trees", trees)])
