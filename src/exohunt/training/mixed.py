"""Mixed ensembles: seed ensembles of *several* models averaged together.

Trees on the view statistics and a convolutional network on the folded views err on different
records, so their average can rank better than either (issue 16: the bundled
``astronet-triage`` is such a mix, chosen by cross-validation on the train shards). Every part
is a seed ensemble of one model, trained as :func:`exohunt.training.train_ensemble` trains its
members (member ``k`` of every part with seed ``seed + k``); the ensemble's probability is the
mean of the parts' mean probabilities — each *model* weighs the same, however many seeds it
has. The threshold is chosen out of fold as for a seed ensemble, with the same weights.

Only models that read the same features can be mixed (``tabular`` trees and ``views``
networks: both are fed from one extraction); raw-sequence models cannot. The directory is an
ordinary ensemble directory whose ``ensemble.json`` has ``"model": "mixed"`` and lists each
member's model and weight; :func:`exohunt.training.load_ensemble` checks both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from exohunt.errors import InputError, RunDirectoryError
from exohunt.training.api import _labelled, train
from exohunt.training.ensemble import ENSEMBLE_FORMAT, MIXED, Ensemble, out_of_fold_record
from exohunt.training.run import Run, coerce_data

__all__ = ["MIXABLE_INPUTS", "check_mixed", "train_mixed_ensemble"]

#: Model input kinds that come from one feature extraction, so their members can be mixed.
MIXABLE_INPUTS = ("tabular", "views")


def _part_label(model: str, config: Any, n: int) -> str:
    named = f" ({config})" if isinstance(config, str) else " (custom)" if config else ""
    return f"{model}{named} ×{n}"


def train_mixed_ensemble(data: Any, parts: Sequence[tuple[str, Any, int]],
                         out: str | Path | None = None, *, seed: int = 42,
                         positive: Sequence[str] | None = None, objective: str = "f1",
                         weights_format: str = "pt", **train_options: Any) -> Ensemble:
    """Train every part's seed ensemble and average the parts with equal weight.

    Parameters
    ----------
    data : path, ViewBatch or LightCurveBatch
        Labelled training data, as for :func:`exohunt.training.train`.
    parts : sequence of (model, config, n_members)
        E.g. ``[("gbm", None, 2), ("twoview", None, 2)]``; ``config`` is what
        :func:`exohunt.training.train` takes (a named configuration such as ``"large"``, a
        dict of overrides) or None for the model's default; ``n_members`` ≥ 1.
    out : path, optional
        Ensemble directory to write.
    seed, positive, objective, **train_options :
        As in :func:`exohunt.training.train_ensemble`.
    weights_format : {"pt", "safetensors"}
        How the networks' weights are written (:meth:`exohunt.training.Run.save`).

    Returns
    -------
    Ensemble
        ``config["weights"]`` holds each member's weight (1 / (parts × that part's members)).
    """
    from exohunt.models import get_spec

    if len(parts) < 2:
        raise InputError(f"a mixed ensemble needs at least two parts, got {len(parts)}")
    for model, _, n in parts:
        if get_spec(model).inputs not in MIXABLE_INPUTS:
            raise InputError(f"{model} reads {get_spec(model).inputs} inputs; only "
                             f"{' and '.join(MIXABLE_INPUTS)} models can be mixed")
        if not isinstance(n, int) or n < 1:
            raise InputError(f"{model}: members must be an integer >= 1, got {n!r}")
    data = coerce_data(data)
    labelled, labels = _labelled(data, tuple(positive) if positive else None)
    members: list[Run] = []
    weights: list[float] = []
    for model, config, n in parts:
        for k in range(n):
            members.append(train(data, model=model, seed=seed + k, positive=positive,
                                 objective=objective, config=config, **train_options))
            weights.append(1.0 / (len(parts) * n))
    ensemble = Ensemble(members, {"weights": weights})
    record = out_of_fold_record(ensemble, labelled, labels, objective, train_options,
                                np.asarray(weights))
    ensemble.config = {
        "format": ENSEMBLE_FORMAT, "format_version": 1, "model": MIXED, "config_name": None,
        "label": " + ".join(_part_label(*part) for part in parts),
        "parts": [{"model": m, "config": c, "members": n} for m, c, n in parts],
        "member_models": [m.name for m in members], "weights": weights,
        "seeds": [seed + k for _, _, n in parts for k in range(n)], **record,
    }
    if out is not None:
        ensemble.save(out, weights_format=weights_format)
    return ensemble


def check_mixed(config: dict, members: list[Run], directory: Path) -> None:
    """Refuse a mixed ``ensemble.json`` whose member models, weights or trained-positive
    classes do not match the loaded members (:class:`RunDirectoryError`, one line)."""
    models, weights = config.get("member_models"), config.get("weights")
    if not isinstance(models, list) or models != [m.name for m in members]:
        raise RunDirectoryError(f"{directory}: ensemble.json's member_models {models!r} do not "
                                f"match its members {[m.name for m in members]}")
    if (not isinstance(weights, list) or len(weights) != len(members)
            or not all(isinstance(w, (int, float)) and np.isfinite(w) and w > 0
                       for w in weights)):
        raise RunDirectoryError(f"{directory}: ensemble.json needs one finite positive weight "
                                f"per member, got {weights!r}")
    if any(m.kind not in MIXABLE_INPUTS for m in members):
        raise RunDirectoryError(f"{directory}: a mixed ensemble's members must read "
                                f"{' or '.join(MIXABLE_INPUTS)} inputs")
    positives = {tuple(m.config["training"]["positive"] or ()) for m in members}
    if len(positives) != 1:
        raise RunDirectoryError(f"{directory}: members were trained on different positive "
                                f"classes {sorted(positives)}")
