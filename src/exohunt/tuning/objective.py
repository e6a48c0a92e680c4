"""One trial of the search: a configuration, fitted and scored on every fold.

The objective is the mean, over the K folds, of the average precision on each fold's
held-out rows. Networks report to Optuna, after every epoch (step ``fold × 1000 + epoch``),
the best early-stopping AP of the fold so far — the AP of the checkpoint the fold would keep
if it stopped there — so that a hopeless configuration is pruned after a few epochs; the
trees report the running mean after each fold (step ``fold``).

Why the best so far, and no pruning before :data:`PRUNE_FROM_EPOCH` of *every* fold: the
early-stopping split of a fold holds few positives (about 50 planet candidates of
AstroNet-Triage with 3 folds), so one epoch's AP jumps by 0.1-0.2 from one epoch to the next
early in training (0.52 → 0.44 → 0.65 for the default ``twoview``; 0.56 → 0.32 → 0.63 for a
trial that went on to match it); the best so far is what the fold would keep, and the pruner
(:mod:`exohunt.tuning.pruning`) compares it with the other trials' best so far at the same
epoch of the same fold, allowing for the split's noise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from exohunt.models.space import Parameter, split_parameters, suggest
from exohunt.training.features import fit_preprocessing, to_inputs
from exohunt.training.loop import LoopSettings, predict_network, staged_probability
from exohunt.training.threshold import safe_average_precision
from exohunt.tuning.folds import Folds

__all__ = ["EPOCH_STEPS", "PRUNE_FROM_EPOCH", "SearchSetup", "best_settings", "epoch_reporter",
           "evaluate"]

#: Optuna step of epoch ``e`` of fold ``k``: ``k * EPOCH_STEPS + e`` (same across trials
#: whatever their number of epochs, so the pruner compares like with like).
EPOCH_STEPS = 1000

#: A network trial is never pruned before this epoch (1-based) of each fold.
PRUNE_FROM_EPOCH = 3


@dataclass(frozen=True)
class SearchSetup:
    """What a trial needs besides the folds; picklable, for worker processes."""

    model: str
    space: dict[str, Parameter]
    fixed: dict[str, Any]        # parameters held at a value (``--space '{"name": value}'``)
    base_config: dict[str, Any]  # the model config the search starts from
    base_loop: dict[str, Any]    # LoopSettings overrides the search starts from
    seed: int = 42
    device: str = "cpu"
    threads: int = 1
    base_name: str | None = None
    epochs: int | None = None    # cap on every trial's epochs (``--epochs``)
    extra: dict = field(default_factory=dict)

    def settings(self, params: dict[str, Any]) -> tuple[Any, LoopSettings, dict, dict]:
        """(model config, loop settings, config overrides, loop overrides) of a trial whose
        sampled values are ``params``."""
        from exohunt.models import config_from_dict, get_spec

        spec = get_spec(self.model)
        config_values, loop_values = split_parameters({**self.fixed, **params},
                                                      spec.config_class)
        config = config_from_dict(spec.config_class, {**self.base_config, **config_values})
        loop = LoopSettings(**{**self.base_loop, **loop_values})
        if self.epochs is not None:
            loop = replace(loop, epochs=min(loop.epochs, self.epochs))
        return config, loop, config_values, loop_values


def _inputs(folds: Folds, k: int, kind: str) -> dict:
    """Model inputs of fold ``k`` (scaling fitted on its training rows), made once per
    process: they do not depend on the trial."""
    if k not in folds.inputs:
        fold = folds.folds[k]
        raw_fit, y_fit = folds.raw.subset(fold.fit_rows), folds.labels[fold.fit_rows]
        if fold.extra is not None:
            raw_fit = raw_fit.concat(fold.extra)
            y_fit = np.concatenate([y_fit, fold.extra_labels]).astype(np.int8)
        fitted = fit_preprocessing(raw_fit, kind)
        if kind == "tabular":
            fitted["tabular_views"] = folds.tabular_views
        folds.inputs[k] = {
            "fit": to_inputs(raw_fit, kind, fitted), "y_fit": y_fit,
            "stop": to_inputs(folds.raw.subset(fold.stop_rows), kind, fitted),
            "y_stop": folds.labels[fold.stop_rows],
            "test": to_inputs(folds.raw.subset(fold.test_rows), kind, fitted),
            "y_test": folds.labels[fold.test_rows]}
    return folds.inputs[k]


def _score(labels: np.ndarray, probability: np.ndarray) -> float:
    """AP of held-out rows; a diverged model (NaN scores) gets 0, the worst possible."""
    if not np.isfinite(probability).all():
        return 0.0
    value = safe_average_precision(labels, probability)
    return 0.0 if math.isnan(value) else value


def epoch_reporter(trial: Any, fold: int,
                   n_positive: int | None = None) -> Callable[[int, float], None]:
    """The ``on_epoch(epoch, validation_ap)`` callback of a network's fold ``fold``: reports
    the fold's best early-stopping AP so far (a diverged epoch, NaN, counts as 0) at step
    ``fold × EPOCH_STEPS + epoch`` and, from epoch :data:`PRUNE_FROM_EPOCH` on, raises
    ``optuna.TrialPruned`` when the pruner says so. ``n_positive``: positives of the
    early-stopping split, which set the pruner's noise margin
    (:mod:`exohunt.tuning.pruning`)."""
    import optuna

    from exohunt.tuning.pruning import POSITIVES_ATTR

    if n_positive is not None:
        trial.set_user_attr(POSITIVES_ATTR, int(n_positive))
    best_so_far = 0.0

    def on_epoch(epoch: int, validation_ap: float) -> None:
        nonlocal best_so_far
        if not math.isnan(validation_ap):
            best_so_far = max(best_so_far, validation_ap)
        trial.report(best_so_far, fold * EPOCH_STEPS + epoch)
        if epoch >= PRUNE_FROM_EPOCH and trial.should_prune():
            raise optuna.TrialPruned(f"fold {fold}, epoch {epoch}: best AP so far "
                                     f"{best_so_far:.3f}")

    return on_epoch


def evaluate(trial: Any, setup: SearchSetup, folds: Folds) -> float:
    """Mean held-out AP over the folds of the configuration ``trial`` suggests.

    Raises ``optuna.TrialPruned`` when the pruner stops it. Per-fold APs and seconds are kept
    as the trial's user attributes ``fold_average_precision`` and ``seconds``.
    """
    import optuna

    from exohunt.models import get_spec
    from exohunt.training.api import _fit, _model_config
    from exohunt.tuning.pruning import POSITIVES_ATTR

    started = time.perf_counter()
    spec = get_spec(setup.model)
    config, loop, _, _ = setup.settings(suggest(trial, setup.space))
    values = []
    for k in range(len(folds.folds)):
        data = _inputs(folds, k, spec.inputs)
        fold_config = _model_config(spec, config, data["fit"], folds.imbalance, setup.seed)
        on_epoch = (epoch_reporter(trial, k, int(np.sum(data["y_stop"])))
                    if spec.inputs != "tabular" else None)
        model, fitted = _fit(setup.model, spec, fold_config, data["fit"], data["y_fit"],
                             data["stop"], data["y_stop"], loop, folds.imbalance, setup.seed,
                             setup.device, False, on_epoch,
                             refit=False)  # the trees: score the first best_epoch, no refit
        if spec.inputs == "tabular":
            probability = staged_probability(model, data["test"]["X"], fitted.best_epoch)
        else:
            probability = predict_network(model, data["test"], device=setup.device)
        values.append(_score(data["y_test"], probability))
        trial.set_user_attr("fold_average_precision", values)
        trial.set_user_attr("seconds", round(time.perf_counter() - started, 2))
        if spec.inputs == "tabular":
            trial.set_user_attr(POSITIVES_ATTR, int(sum(  # behind the running mean
                np.sum(folds.labels[folds.folds[j].test_rows]) for j in range(k + 1))))
            trial.report(float(np.mean(values)), k)
            if trial.should_prune():
                raise optuna.TrialPruned(f"after fold {k}: mean AP {np.mean(values):.3f}")
    return float(np.mean(values))


def best_settings(setup: SearchSetup, params: dict[str, Any]) -> dict[str, Any]:
    """``best_config.json``'s model and loop sections for the sampled ``params``."""
    from exohunt.models import get_spec

    config, loop, _, _ = setup.settings(params)
    loop_values = asdict(loop)
    for derived in ("pos_weight", "time_budget"):  # set from the labels / per run
        loop_values.pop(derived)
    if get_spec(setup.model).inputs == "tabular":
        loop_values = {}  # the trees have no training loop
    return {"config": asdict(config), "loop": loop_values}
