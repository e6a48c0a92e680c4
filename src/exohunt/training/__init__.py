"""Honest training: validation split from the training data, early stopping and threshold
choice on validation, class-imbalance handling, self-describing run directories.

Public API: :func:`train`, :class:`Run`, :func:`load_run`, :data:`DEFAULT_MODEL`;
:func:`train_ensemble` / :func:`load_ensemble` for seed ensembles; :func:`load_model` loads
either kind of directory.
"""

from exohunt.training.api import DEFAULT_MODEL, MODEL_DEFAULTS, train
from exohunt.training.ensemble import Ensemble, load_ensemble, load_model, train_ensemble
from exohunt.training.loop import LoopSettings
from exohunt.training.preprocess import SequencePrep
from exohunt.training.run import Run, load_run
from exohunt.training.threshold import ThresholdChoice, choose_threshold

__all__ = ["DEFAULT_MODEL", "MODEL_DEFAULTS", "Ensemble", "LoopSettings", "Run", "SequencePrep",
           "ThresholdChoice", "choose_threshold", "load_ensemble", "load_model", "load_run",
           "train",
           "train_ensemble"]
