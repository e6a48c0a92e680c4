"""Class imbalance: ~1 planet host in 140 stars in the Kaggle Kepler set.

- ``weights``: a class-weighted loss. The positive weight is ``(n_neg / n_pos) ** power``;
  ``power=0.5`` (default) sits between unweighted and fully balanced, which keeps the gradient
  noise of ~30 heavily weighted examples in check. The threshold is chosen on validation data
  afterwards anyway, so calibration is not the goal.
- ``smote``: the seed notebook's method, SMOTE (imbalanced-learn), applied to the *training
  split only* — here, after the validation rows have been set aside, so synthetic planets are
  never interpolated from (or evaluated against) validation stars.
- ``inject``: see :mod:`exohunt.training.augment`.
"""

from __future__ import annotations

import numpy as np

from exohunt.errors import InputError

__all__ = ["IMBALANCE_METHODS", "check_imbalance", "positive_weight", "smote_inputs"]

IMBALANCE_METHODS = ("weights", "smote", "inject", "none")


def check_imbalance(method: str) -> str:
    """Return ``method`` if allowed, else :class:`InputError` naming the allowed values."""
    if method not in IMBALANCE_METHODS:
        raise InputError(f"unknown imbalance method {method!r}; "
                         f"expected one of: {', '.join(IMBALANCE_METHODS)}")
    return method


def positive_weight(labels: np.ndarray, power: float = 0.5) -> float:
    """Loss weight of the positive class: ``(n_negative / n_positive) ** power``."""
    n_pos = int(np.sum(labels == 1))
    n_neg = int(np.sum(labels == 0))
    return float((n_neg / max(n_pos, 1)) ** power) if n_pos else 1.0


def smote_inputs(inputs: dict[str, np.ndarray], labels: np.ndarray, *,
                 seed: int = 42) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Balance training ``inputs`` (dict of (N, ...) arrays) with SMOTE to 1:1.

    All arrays are flattened side by side so that one synthetic star interpolates all of its
    inputs between the same two real neighbours; the result is split back into the same keys.
    Returns the original rows first, then the synthetic positives.
    """
    from imblearn.over_sampling import SMOTE

    n_pos = int(np.sum(labels == 1))
    if n_pos < 2:
        raise InputError(f"SMOTE needs at least 2 positive training examples, got {n_pos}")
    keys = list(inputs)
    shapes = [inputs[k].shape[1:] for k in keys]
    sizes = [int(np.prod(s)) for s in shapes]
    flat = np.concatenate([inputs[k].reshape(len(labels), -1) for k in keys], axis=1)
    sampler = SMOTE(k_neighbors=min(5, n_pos - 1), random_state=seed)
    flat_out, labels_out = sampler.fit_resample(flat, np.asarray(labels).astype(int))
    parts = np.split(flat_out, np.cumsum(sizes)[:-1], axis=1)
    out = {k: p.reshape(-1, *s).astype(inputs[k].dtype) for k, p, s in zip(keys, parts, shapes)}
    return out, labels_out.astype(np.int8)
