"""The true planet prevalence for models trained on injected planets.

Injection augmentation (:mod:`exohunt.training.augment`) adds ~900 planets to ~30 real ones,
so the boosted trees are fitted on a set whose planet share (~12 %) is about sixteen times the
real one (~0.7 % on the Kaggle layout), and their "probability" is inflated by as much: a star
where the search found nothing at all scored 0.26 in the demo. Two remedies:

* :func:`prevalence_weights`: sample weights under which the training set's weighted planet
  share is the real rows' own (every planet row, real or injected, weighs the same);
* :func:`prior_shift`: the standard correction of a probability for a change of class prior
  (Saerens, Latinne & Decaestecker 2002), a monotone map that leaves every ranking unchanged.
"""

from __future__ import annotations

import numpy as np

from exohunt.errors import InputError

__all__ = ["PREVALENCE_CHOICES", "check_prevalence", "positive_share", "prevalence_weights",
           "prior_shift", "resolve_prevalence"]

#: ``train(..., prevalence=...)``: ``"none"`` fits the injected planets at full weight (the
#: planet share of the fitted set, ~12 % for gbm's defaults, inflates every probability);
#: ``"weight"`` weights them with :func:`prevalence_weights`; ``"auto"`` (the default) is
#: ``"weight"`` for the boosted trees with injection into a light-curve batch (the Kaggle
#: layout, simulated sets) and ``"none"`` for everything else — single-star files included,
#: whose injection recipe was chosen without the weights (benchmarks/results_context_models.md)
#: and has not been measured with them. On the
#: ``kaggle`` preset of dev seeds 43-45 (benchmarks/results_demo_recipe.md) ``"weight"`` raised
#: held-out AP 0.595 → 0.618 and F1 0.565 → 0.578, and brought the mean probability of stars
#: without any signal from 0.085 to 0.005.
PREVALENCE_CHOICES = ("auto", "none", "weight")


def check_prevalence(prevalence: str) -> str:
    """``prevalence`` if it is one of :data:`PREVALENCE_CHOICES`, else InputError."""
    if prevalence not in PREVALENCE_CHOICES:
        raise InputError(f"unknown prevalence handling {prevalence!r}; expected one of: "
                         f"{', '.join(PREVALENCE_CHOICES)}")
    return prevalence


def resolve_prevalence(prevalence: str, inputs: str, imbalance: str, *,
                       files: bool = False) -> str:
    """``"none"`` or ``"weight"`` for a model with ``inputs`` trained with ``imbalance``.

    Parameters
    ----------
    prevalence : {"auto", "none", "weight"}
        The choice asked for.
    inputs : str
        The model's input kind (``"tabular"``, ``"views"``, ``"sequence"``).
    imbalance : str
        The resolved imbalance handling.
    files : bool
        True when training on single-star files: ``"auto"`` is ``"none"`` there.

    Returns
    -------
    str
        ``"auto"`` becomes ``"weight"`` where injection inflates the planet share of a tabular
        model fitted on a light-curve batch; an explicit ``"weight"`` where the model has no
        injected planets is an InputError.
    """
    check_prevalence(prevalence)
    applies = inputs == "tabular" and imbalance == "inject"
    if prevalence == "auto":
        return "weight" if applies and not files else "none"
    if prevalence == "weight" and not applies:
        raise InputError(f"prevalence 'weight' applies to the boosted trees with injection "
                         f"(gbm, --imbalance inject), not to {inputs} inputs with {imbalance}")
    return prevalence


def positive_share(labels: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted share of label-1 rows.

    Parameters
    ----------
    labels : ndarray, shape (N,)
        1 = planet, 0 = not.
    weights : ndarray, shape (N,), optional
        Sample weights (default 1 each).

    Returns
    -------
    float
        ``sum(w · y) / sum(w)`` in [0, 1].
    """
    labels = np.asarray(labels, float)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, float)
    total = float(weights.sum())
    if not total > 0:
        raise InputError("positive share: the weights sum to zero")
    return float(np.sum(weights * labels) / total)


def prevalence_weights(labels: np.ndarray, weights: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Sample weights under which the planet share of all rows is that of the ``real`` rows.

    Every planet row (real or injected) is scaled by one factor, then all weights by another
    so that they sum to the number of rows (the trees' regularisation then acts as on
    unweighted data).

    Parameters
    ----------
    labels : ndarray, shape (N,)
        1 = planet, 0 = not (injected background binaries are 0).
    weights : ndarray, shape (N,)
        Sample weights before the correction (e.g. planet-free stars searched in part,
        :mod:`exohunt.training.budget`).
    real : ndarray of bool, shape (N,)
        True for the rows of the data itself, False for injected ones; the real rows'
        weighted planet share is the prevalence to restore.

    Returns
    -------
    ndarray of float, shape (N,)
        The new weights; ``positive_share(labels, result)`` equals
        ``positive_share(labels[real], weights[real])``.
    """
    labels = np.asarray(labels).astype(bool)
    weights = np.asarray(weights, float)
    real = np.asarray(real, bool)
    if not (len(labels) == len(weights) == len(real)):
        raise InputError(f"prevalence weights: labels, weights and real differ in length "
                         f"({len(labels)}, {len(weights)}, {len(real)})")
    target = positive_share(labels[real], weights[real])
    positives, negatives = weights[labels].sum(), weights[~labels].sum()
    if not (0.0 < target < 1.0 and positives > 0 and negatives > 0):
        raise InputError("prevalence weights need planets and planet-free stars among the "
                         f"real rows and in all rows (real planet share {target:.3g})")
    scale = target * negatives / ((1.0 - target) * positives)
    out = np.where(labels, weights * scale, weights)
    return out * (len(out) / out.sum())


def prior_shift(probability: np.ndarray, fitted_share: float, true_share: float) -> np.ndarray:
    """Probabilities of a model fitted at planet share ``fitted_share`` moved to ``true_share``.

    ``odds' = odds × [true / (1 − true)] / [fitted / (1 − fitted)]``: exact for a calibrated
    model when only the class prior differs between the fitted and the real data.

    Parameters
    ----------
    probability : ndarray, shape (N,)
        Planet probabilities in [0, 1].
    fitted_share, true_share : float
        Planet shares in (0, 1) of the fitted set and of the real data.

    Returns
    -------
    ndarray of float, shape (N,)
        Same ordering as ``probability``; 0 and 1 stay 0 and 1.
    """
    for name, share in (("fitted_share", fitted_share), ("true_share", true_share)):
        if not 0.0 < share < 1.0:
            raise InputError(f"prior shift: {name} must be in (0, 1), got {share}")
    p = np.asarray(probability, float)
    factor = (true_share / (1.0 - true_share)) / (fitted_share / (1.0 - fitted_share))
    odds_times = p * factor
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p >= 1.0, 1.0, odds_times / (1.0 - p + odds_times))
