"""The search's pruner: a median rule that compares like with like and ignores the noise.

Optuna's ``MedianPruner`` compares a trial's best value over *all* its steps with the median
of the complete trials' values at the *current* step. The search's steps are epochs of
successive folds (``fold × 1000 + epoch``) or successive folds, so that rule set a trial's
best epoch of fold 0 against the others' epochs of fold 2, and — with two complete trials,
as a short study has — pruned anything a hair under their mean: on AstroNet-Triage vetting
10 of 12 ``twoview`` trials were pruned, three of them within 0.01 AP of the median
(benchmarks/results_tune.md, round 9), a sixth or less of what a ~50-positive early-stopping
split can resolve.

:class:`NoiseMarginPruner` compares the trial's value at its last step with the median of the
complete trials' values at that same step, and prunes only when it is lower by more than a
rough standard error of an average precision measured on ``n`` positives,
``sqrt(m (1 - m) / n)`` (``m`` the median; about 0.07 for AP 0.65 on 50 positives). ``n``
is the trial's user attribute :data:`POSITIVES_ATTR`, which the objective sets for every
fold (the early-stopping split's positives for networks, the held-out parts' so far for the
trees); without it the margin is 0, the plain median rule on same-step values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["POSITIVES_ATTR", "NoiseMarginPruner", "noise_margin"]

#: Trial user attribute: positives behind the value reported at the trial's last step.
POSITIVES_ATTR = "pruning_positives"


def noise_margin(median: float, n_positive: int | None) -> float:
    """Rough standard error of an average precision near ``median`` measured on
    ``n_positive`` positives (0 when ``n_positive`` is unknown)."""
    if not n_positive or n_positive <= 0:
        return 0.0
    median = min(max(median, 0.0), 1.0)
    return math.sqrt(median * (1.0 - median) / n_positive)


def _base() -> type:
    import optuna

    return optuna.pruners.BasePruner


class NoiseMarginPruner(_base()):
    """Prune a maximised trial whose value at its last step is under the median of the
    complete trials' values at that step by more than :func:`noise_margin`.

    Parameters
    ----------
    n_startup_trials : int
        Complete trials needed before anything is pruned.
    """

    def __init__(self, n_startup_trials: int = 2) -> None:
        self.n_startup_trials = n_startup_trials

    def prune(self, study: Any, trial: Any) -> bool:
        from optuna.trial import TrialState

        step = trial.last_step
        if step is None:
            return False
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) < self.n_startup_trials:
            return False
        value = trial.intermediate_values[step]
        if math.isnan(value):
            return True
        others = [t.intermediate_values[step] for t in complete
                  if step in t.intermediate_values]
        if not others:
            return False
        median = float(np.median(others))
        return value < median - noise_margin(median, trial.user_attrs.get(POSITIVES_ATTR))
