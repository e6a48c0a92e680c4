"""Hyperparameter search (``exohunt tune``) on Optuna: honest, resumable, parallel.

:func:`tune` searches one model's space (declared beside its config, ``SEARCH_SPACE`` in each
``exohunt.models`` module) by K-fold cross-validation on the training data only, then retrains
the best configuration exactly as ``exohunt train --config best_config.json`` does. Optuna is
an optional dependency (``pip install exohunt[tune]``), imported only when a search runs.
"""

from __future__ import annotations

from exohunt.errors import InputError

__all__ = ["TuneResult", "require_optuna", "tune"]


def require_optuna() -> None:
    """:class:`InputError` with the install command when Optuna is missing."""
    try:
        import optuna  # noqa: F401
    except ImportError:
        raise InputError("exohunt tune needs Optuna: pip install 'exohunt[tune]'") from None


def __getattr__(name: str):
    if name in ("tune", "TuneResult"):
        require_optuna()
        from exohunt.tuning import api

        return getattr(api, name)
    raise AttributeError(name)
