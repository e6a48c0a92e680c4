"""Choosing the decision threshold on validation data, by a named objective.

Objectives: ``"f1"`` (maximise planet-class F1, the default), ``"recall:R"`` (the highest
threshold whose recall is at least R, e.g. ``"recall:0.95"``: as many candidates as needed to
find 95% of the validation planets, and no more) or ``"recall:R@snrS"`` (the same counting
only the validation planets whose *detected* signal has a search SNR of at least S; the weaker
planets neither count nor hurt, e.g. ``"recall:0.95@snr10"``: a threshold for the planets the
search finds clearly, not one dragged to ~0 by the faint ones it barely sees).

``"expected-recall:R"`` (and ``"expected-recall:R@snrS"``) asks for recall R on *new* planets
rather than on the validation planets themselves. A threshold placed at the k-th lowest of n
validation planet scores keeps, on average, a share (n − k + 1) / (n + 1) of new planets from
the same population (the split-conformal argument: a new score is equally likely to fall in
any of the n + 1 gaps). ``"recall:0.95"`` on 20 validation planets stops at the second lowest,
which keeps 19/21 = 0.905 of new planets on average; ``"expected-recall:0.95"`` asks the
validation planets for recall R (n + 1) / n instead, here all 20, which keeps 20/21 = 0.952.
Row weights (injected validation planets) do not change the factor: a new planet of the mean
weight W / n adds W / n to the total W, and (W + W / n) / W = (n + 1) / n. When even every
validation planet is too few for R (n + 1 < 1 / (1 − R)), the lowest is kept.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve

from exohunt.errors import InputError

__all__ = ["OPERATING_RECALLS", "RECALL_KINDS", "ThresholdChoice", "choose_threshold",
           "objective_min_snr", "operating_points", "parse_objective", "safe_average_precision"]

#: Validation recalls at which a run records its threshold and precision, so that a user can
#: trade precision for recall (``exohunt predict --threshold``) without touching test data.
OPERATING_RECALLS = (0.5, 0.7, 0.8, 0.9, 0.95)


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold and what it achieves on the data it was chosen on."""

    threshold: float
    objective: str
    precision: float
    recall: float
    f1: float

    def to_dict(self) -> dict:
        return asdict(self)


RECALL_KINDS = ("recall", "expected-recall")


def parse_objective(objective: str) -> tuple[str, float | None]:
    """``"f1"`` → ("f1", None); ``"recall:0.95"`` (or ``"recall:0.95@snr10"``) → ("recall",
    0.95); ``"expected-recall:0.95[@snrS]"`` → ("expected-recall", 0.95); else InputError.
    :func:`objective_min_snr` reads the ``@snrS`` part."""
    if objective == "f1":
        return "f1", None
    kind = objective.split(":", 1)[0]
    if kind in RECALL_KINDS and ":" in objective:
        body, _, _ = objective.split(":", 1)[1].partition("@")
        try:
            target = float(body)
        except ValueError:
            target = -1.0
        if 0.0 < target <= 1.0:
            objective_min_snr(objective)  # checks the @snrS part
            return kind, target
    raise InputError(f"unknown threshold objective {objective!r}; expected 'f1', 'recall:R' "
                     "with 0 < R <= 1 (e.g. 'recall:0.95'), 'recall:R@snrS' with S > 0 "
                     "(e.g. 'recall:0.95@snr10') or the same with 'expected-recall' (recall R "
                     "on new planets, e.g. 'expected-recall:0.95@snr10')")


def objective_min_snr(objective: str) -> float | None:
    """The search SNR S of a ``"recall:R@snrS"`` objective (None without ``@``); InputError
    for a malformed or non-positive S."""
    _, at, part = objective.partition("@")
    if not at:
        return None
    try:
        value = float(part[3:]) if part.startswith("snr") else -1.0
    except ValueError:
        value = -1.0
    if not (np.isfinite(value) and value > 0):
        raise InputError(f"threshold objective {objective!r}: the part after '@' must be "
                         "'snrS' with a search SNR S > 0 (e.g. 'recall:0.95@snr10')")
    return value


def safe_average_precision(labels: np.ndarray, probability: np.ndarray,
                           sample_weight: np.ndarray | None = None) -> float:
    """Average precision (weighted by ``sample_weight``, one per row, if given), or NaN when
    ``labels`` holds a single class."""
    if len(np.unique(labels)) < 2:
        return float("nan")
    return float(average_precision_score(labels, probability, sample_weight=sample_weight))


def choose_threshold(labels: np.ndarray, probability: np.ndarray,
                     objective: str = "f1", *,
                     sample_weight: np.ndarray | None = None,
                     signal_snr: np.ndarray | None = None) -> ThresholdChoice:
    """Pick the decision threshold on (validation) ``labels`` (N,) and ``probability`` (N,).

    A star is a candidate when ``probability >= threshold``. Thresholds sit halfway between
    neighbouring distinct scores, so that a tiny change of a score does not flip a decision.
    ``sample_weight`` (N,) weights the rows, e.g. injected validation planets down-weighted so
    that the positives keep the real prevalence. ``signal_snr`` (N,): the SNR of each row's
    planet (the search's measurement of its detected signal, NaN without one, or a label
    table's SNR: ``train(objective_snr=...)``), needed by a ``"recall:R@snrS"`` objective,
    which leaves out the planets below S; the precision, recall and F1 it reports are those
    of the rows kept.
    """
    kind, target = parse_objective(objective)
    labels = np.asarray(labels).astype(int)
    probability = np.asarray(probability, dtype=float)
    min_snr = objective_min_snr(objective)
    if min_snr is not None:
        if signal_snr is None or len(signal_snr) != len(labels):
            raise InputError(f"threshold objective {objective!r} needs the search SNR of every "
                             "validation star (search-based models such as gbm)")
        keep = (labels == 0) | (np.nan_to_num(np.asarray(signal_snr, float), nan=-1.0)
                                >= min_snr)
        if not np.any(labels[keep] == 1):
            raise InputError(f"threshold objective {objective!r}: no validation planet has an "
                             f"SNR >= {min_snr:g} (a label table's SNR where it gives one, "
                             "else the search's); use 'recall:R' or a lower S")
        labels, probability = labels[keep], probability[keep]
        sample_weight = None if sample_weight is None else np.asarray(sample_weight)[keep]
    if labels.sum() == 0 or labels.sum() == len(labels):
        raise InputError("cannot choose a threshold: the validation split holds a single class")
    precision, recall, cuts = precision_recall_curve(labels, probability,
                                                     sample_weight=sample_weight)
    precision, recall = precision[:-1], recall[:-1]  # drop the (1, 0) end point
    f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall + 1e-300), 0)
    if kind == "f1":
        best = int(np.argmax(f1))
    else:
        if kind == "expected-recall":
            n_planets = int(labels.sum())  # rows, whatever their weights (module docstring)
            target = min(1.0, target * (n_planets + 1) / n_planets)
        meets = np.flatnonzero(recall >= target - 1e-12)
        best = int(meets[-1])  # cuts increase: the last one meeting the target is the highest
    scores = np.unique(probability)
    below = scores[scores < cuts[best]]
    threshold = float(0.5 * (cuts[best] + below[-1])) if below.size else float(cuts[best])
    return ThresholdChoice(threshold, objective, float(precision[best]), float(recall[best]),
                           float(f1[best]))


def operating_points(labels: np.ndarray, probability: np.ndarray, *,
                     sample_weight: np.ndarray | None = None,
                     recalls: tuple[float, ...] = OPERATING_RECALLS) -> list[dict]:
    """The threshold and validation precision for each target recall in ``recalls``.

    Parameters
    ----------
    labels, probability : ndarray, shape (N,)
        Validation labels (1 = planet) and scores.
    sample_weight : ndarray, shape (N,), optional
        As in :func:`choose_threshold`.
    recalls : tuple of float
        Target recalls in (0, 1].

    Returns
    -------
    list of dict
        One :class:`ThresholdChoice` as a dict per target (objective ``"recall:R"``).
    """
    return [choose_threshold(labels, probability, f"recall:{r:g}",
                             sample_weight=sample_weight).to_dict() for r in recalls]
