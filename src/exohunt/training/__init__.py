"""Honest training: validation split from the training data, early stopping and threshold
choice on validation, class-imbalance handling, self-describing run directories.

Public API: :func:`train`, :class:`Run`, :func:`load_run`, :data:`DEFAULT_MODEL`;
:func:`train_ensemble` / :func:`load_ensemble` for seed ensembles; :func:`load_model` loads
either kind of directory.

The names are imported on first use (PEP 562): loading and scoring a tree model goes through
:mod:`exohunt.training.run` and :mod:`exohunt.training.ensemble` only, and never imports torch
(1.2 s of CPU in every process of ``exohunt predict``, ``benchmarks/diag_predict_imports.py``);
training and the networks do.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name → the submodule that defines it.
_EXPORTS = {
    "DEFAULT_MODEL": "api", "MODEL_DEFAULTS": "api", "train": "api",
    "Ensemble": "ensemble", "load_ensemble": "ensemble", "load_model": "ensemble",
    "train_ensemble": "ensemble",
    "LoopSettings": "loop",
    "SequencePrep": "preprocess",
    "Run": "run", "load_run": "run",
    "ThresholdChoice": "threshold", "choose_threshold": "threshold",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
