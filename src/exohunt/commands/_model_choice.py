"""Which model a command scores with: a run directory given first, or a bundled model.

``exohunt predict FILE...`` and ``exohunt evaluate DATA...`` take an optional run directory as
their first argument. It is told from an input folder by its run files (``ensemble.json``,
``model.pt``/``model.skops``, or an exohunt ``config.json``); without one the bundled model
named by ``--model`` (default ``default``) scores the inputs, after its hashes are checked.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from exohunt.errors import InputError


@dataclass(frozen=True)
class ModelChoice:
    """The model directory to load and the remaining positional arguments.

    Attributes
    ----------
    directory : Path
        Run or ensemble directory (a bundled model's folder when ``bundled`` is set).
    inputs : list of str
        The positional arguments that are data.
    bundled : str or None
        Name of the bundled model, or None for a user's run directory.
    """

    directory: Path
    inputs: list[str]
    bundled: str | None

    @property
    def label(self) -> str:
        """How messages name the model."""
        return f"bundled model {self.bundled!r}" if self.bundled else str(self.directory)


def add_model_option(parser: argparse.ArgumentParser) -> None:
    """``--model NAME``: a bundled model instead of a run directory (``exohunt models``)."""
    parser.add_argument("--model", default=None, metavar="NAME",
                        help="bundled model to use when no RUN_DIR is given (default: "
                             "'default'; 'exohunt models' lists them)")


def _missing_run_name(text: str) -> bool:
    """A first argument that names nothing and cannot be an input pattern (no suffix, no glob,
    no @LIST, no URL) was meant as a run directory: say so instead of scoring no input."""
    if text.startswith("@") or "://" in text or any(c in text for c in "*?["):
        return False
    path = Path(text)
    return not path.exists() and path.suffix == ""


def choose_model(positionals: list[str], model: str | None) -> ModelChoice:
    """Split ``[RUN_DIR] INPUT...`` and pick the model.

    Parameters
    ----------
    positionals : list of str
        The command's positional arguments.
    model : str or None
        ``--model NAME``.

    Returns
    -------
    ModelChoice

    Raises
    ------
    InputError
        A run directory and ``--model`` together, a missing run directory, or an unknown
        bundled name (the message lists the bundled ones).
    """
    from exohunt.bundled import DEFAULT_BUNDLED, bundled_run_dir
    from exohunt.training.directory import is_run_directory

    first = positionals[0] if positionals else None
    if first is not None and is_run_directory(first):
        if model is not None:
            raise InputError(f"{first} is a run directory and --model {model} names a bundled "
                             "model: give one of them")
        return ModelChoice(Path(first), list(positionals[1:]), None)
    if first is not None and model is None and _missing_run_name(first):
        raise InputError(f"{first}: not found; expected a run directory made by 'exohunt "
                         "train' or input files (without a run directory the bundled model "
                         f"{DEFAULT_BUNDLED!r} scores them)")
    name = DEFAULT_BUNDLED if model is None else model
    return ModelChoice(bundled_run_dir(name), list(positionals), name)


def load_choice(choice: ModelChoice):
    """Load the chosen model; a bundled one only after :func:`exohunt.bundled.verify_bundled`.

    Returns
    -------
    exohunt.training.Run or exohunt.training.Ensemble
    """
    from exohunt.commands._common import load_run_or_fail

    if choice.bundled is not None:
        from exohunt.bundled import verify_bundled

        verify_bundled(choice.bundled)
    return load_run_or_fail(choice.directory)
