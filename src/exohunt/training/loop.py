"""The training loops: a PyTorch loop for the networks, a staged fit for the boosted trees.

Both select their checkpoint (epoch, or number of trees) on validation average precision —
never on the test set — and the network loop stops early when validation AP has not improved
for ``patience`` epochs, or when the wall-clock ``time_budget`` is spent.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from exohunt.training.threshold import safe_average_precision

if TYPE_CHECKING:  # torch is imported where a network is trained: trees never need it
    import torch

__all__ = ["FitResult", "LoopSettings", "fit_gbm", "fit_network", "predict_network",
           "staged_probability"]


@dataclass
class LoopSettings:
    """Optimisation settings of one training run (stored in ``config.json``)."""

    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 1e-3
    weight_decay: float = 0.0
    patience: int = 8
    pos_weight: float = 1.0          # class-weighted loss (1 = unweighted)
    # With class weights (imbalance "weights"/"inject") pos_weight is set from the training
    # labels as (n_negative / n_positive) ** pos_weight_power: 0 unweighted, 1 fully balanced.
    pos_weight_power: float = 0.5
    reverse_augment: bool = False    # flip half of each batch in time (transits are symmetric)
    grad_clip: float | None = 1.0
    time_budget: float | None = None  # seconds of training, checked every batch


@dataclass
class FitResult:
    """What a loop returns: the per-epoch history and the chosen checkpoint."""

    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    val_probability: np.ndarray | None = None
    seconds: float = 0.0
    stopped: str = "max_epochs"
    seconds_per_batch: float = float("nan")


def _to_device(inputs: dict[str, np.ndarray], rows, device) -> dict[str, torch.Tensor]:
    import torch

    return {k: torch.as_tensor(v[rows], dtype=torch.float32, device=device)
            for k, v in inputs.items()}


def predict_network(model: torch.nn.Module, inputs: dict[str, np.ndarray], *, device="cpu",
                    batch_size: int = 512) -> np.ndarray:
    """Planet probabilities (N,) of a network on model-ready ``inputs``."""
    import torch

    model.eval()
    n = len(next(iter(inputs.values())))
    with torch.no_grad():
        out = [torch.sigmoid(model(_to_device(inputs, slice(s, s + batch_size), device))).cpu()
               for s in range(0, n, batch_size)]
    return torch.cat(out).double().numpy() if out else np.zeros(0)


def _reverse_half(batch: dict[str, torch.Tensor], generator: np.random.Generator) -> None:
    import torch

    flip = torch.as_tensor(generator.random(len(next(iter(batch.values())))) < 0.5)
    for key, value in batch.items():
        if key in ("flux", "global", "local") and flip.any():
            value[flip.to(value.device)] = value[flip.to(value.device)].flip(-1)


def _train_epoch(model, optimizer, inputs, labels, settings, rng, device, deadline) -> tuple:
    import torch
    import torch.nn.functional as F

    model.train()
    order = rng.permutation(len(labels))
    total, batches, start = 0.0, 0, time.perf_counter()
    pos_weight = torch.tensor(settings.pos_weight, device=device)
    for first in range(0, len(order), settings.batch_size):
        rows = order[first:first + settings.batch_size]
        batch = _to_device(inputs, rows, device)
        if settings.reverse_augment:
            _reverse_half(batch, rng)
        target = torch.as_tensor(labels[rows], dtype=torch.float32, device=device)
        loss = F.binary_cross_entropy_with_logits(model(batch), target, pos_weight=pos_weight)
        optimizer.zero_grad()
        loss.backward()
        if settings.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimizer.step()
        total += loss.item() * len(rows)
        batches += 1
        if deadline is not None and time.perf_counter() > deadline:
            break
    seen = min(len(order), batches * settings.batch_size)
    return total / max(seen, 1), (time.perf_counter() - start) / max(batches, 1)


def fit_network(model: torch.nn.Module, train_inputs: dict[str, np.ndarray],
                train_labels: np.ndarray, val_inputs: dict[str, np.ndarray],
                val_labels: np.ndarray, settings: LoopSettings, *, seed: int = 42,
                device: str | torch.device = "cpu", progress: bool = False,
                on_epoch: Callable[[int, float], None] | None = None) -> FitResult:
    """Train ``model`` in place; on return it holds the best-validation-AP weights.

    ``on_epoch(epoch, validation_ap)``, when given, is called after every epoch (1-based) with
    that epoch's validation average precision (NaN when the network diverged); it may raise to
    stop training, e.g. ``optuna.TrialPruned`` from a hyperparameter search.
    """
    import torch

    rng = np.random.default_rng(seed)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate,
                                 weight_decay=settings.weight_decay)
    result, best_key, best_state, waited = FitResult(), None, None, 0
    started = time.perf_counter()
    deadline = None if settings.time_budget is None else started + settings.time_budget
    bar = tqdm(range(1, settings.epochs + 1), desc="train", unit="epoch", disable=not progress)
    for epoch in bar:
        tick = time.perf_counter()
        train_loss, per_batch = _train_epoch(model, optimizer, train_inputs, train_labels,
                                             settings, rng, device, deadline)
        probability = predict_network(model, val_inputs, device=device)
        clipped = np.clip(probability, 1e-7, 1 - 1e-7)
        val_loss = float(-np.mean(val_labels * np.log(clipped)
                                  + (1 - val_labels) * np.log(1 - clipped)))
        # a diverged network (e.g. a learning rate far too high) predicts NaN: no AP
        val_ap = (safe_average_precision(val_labels, probability)
                  if np.isfinite(probability).all() else float("nan"))
        result.history.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss,
                               "val_average_precision": val_ap,
                               "seconds": time.perf_counter() - tick,
                               "seconds_per_batch": per_batch})
        bar.set_postfix(loss=f"{train_loss:.4f}", val_ap=f"{val_ap:.3f}")
        if on_epoch is not None:
            on_epoch(epoch, val_ap)
        key = (np.nan_to_num(val_ap, nan=-1.0), -val_loss)  # AP first, loss breaks ties
        if best_key is None or key > best_key:
            best_key, best_state, waited = key, copy.deepcopy(model.state_dict()), 0
            result.best_epoch, result.val_probability = epoch, probability
        else:
            waited += 1
        if deadline is not None and time.perf_counter() > deadline:
            result.stopped = "time_budget"
            break
        if waited >= settings.patience:
            result.stopped = "early_stopping"
            break
    bar.close()
    model.load_state_dict(best_state)
    result.seconds = time.perf_counter() - started
    result.seconds_per_batch = float(np.median([h["seconds_per_batch"] for h in result.history]))
    return result


def fit_gbm(pipeline, train_x: np.ndarray, train_labels: np.ndarray, val_x: np.ndarray,
            val_labels: np.ndarray, *, sample_weight: np.ndarray | None = None,
            val_weight: np.ndarray | None = None, every: int = 10, refit: bool = True):
    """Fit the boosted trees, then keep the number of trees with the best validation AP.

    Returns the refitted pipeline and a :class:`FitResult` whose history has one entry per
    ``every`` trees (``epoch`` = number of trees). With ``refit=False`` the pipeline keeps
    all its trees (score with :func:`staged_probability` at ``best_epoch``), which halves the
    cost when only scores are wanted, as in a hyperparameter search. ``val_weight`` (one per
    validation row) weights the validation loss and AP, e.g. planet-free stars searched in
    part (:mod:`exohunt.training.budget`).
    """
    from exohunt.training.fast_binning import exact_weighted_binning

    started = time.perf_counter()
    weights = {} if sample_weight is None else {"trees__sample_weight": sample_weight}
    with exact_weighted_binning():  # scikit-learn's bins, without its 254 sorts per feature
        pipeline.fit(train_x, train_labels, **weights)
    imputed = pipeline[:-1].transform(val_x)
    result = FitResult()
    best_key = None
    for n_trees, probability in enumerate(pipeline[-1].staged_predict_proba(imputed), start=1):
        if n_trees % every and n_trees != pipeline[-1].n_iter_:
            continue
        p = probability[:, 1]
        clipped = np.clip(p, 1e-7, 1 - 1e-7)
        val_loss = float(-np.average(val_labels * np.log(clipped)
                                     + (1 - val_labels) * np.log(1 - clipped),
                                     weights=val_weight))
        val_ap = safe_average_precision(val_labels, p, sample_weight=val_weight)
        result.history.append({"epoch": n_trees, "train_loss": float("nan"),
                               "val_loss": val_loss, "val_average_precision": val_ap,
                               "seconds": float("nan")})
        key = (np.nan_to_num(val_ap, nan=-1.0), -val_loss)
        if best_key is None or key > best_key:
            best_key, result.best_epoch = key, n_trees
    if not refit:
        result.val_probability = staged_probability(pipeline, val_x, result.best_epoch)
        result.seconds = time.perf_counter() - started
        result.stopped = "best_n_trees"
        return pipeline, result
    # Refit with exactly the chosen number of trees (same seed → the same first trees).
    pipeline.set_params(trees__max_iter=result.best_epoch)
    with exact_weighted_binning():
        pipeline.fit(train_x, train_labels, **weights)
    result.val_probability = pipeline.predict_proba(val_x)[:, 1]
    result.seconds = time.perf_counter() - started
    result.stopped = "best_n_trees"
    return pipeline, result


def staged_probability(pipeline, x: np.ndarray, n_trees: int) -> np.ndarray:
    """Planet probabilities (N,) of the first ``n_trees`` trees of a fitted pipeline — what
    the pipeline refitted with ``max_iter=n_trees`` predicts (same seed, same first trees)."""
    imputed = pipeline[:-1].transform(x)
    for n, probability in enumerate(pipeline[-1].staged_predict_proba(imputed), start=1):
        if n == n_trees:
            return probability[:, 1]
    raise ValueError(f"the pipeline has fewer than {n_trees} trees")
