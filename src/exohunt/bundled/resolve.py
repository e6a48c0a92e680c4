"""Which model :func:`exohunt.predict` scores with: a loaded run, a run directory, or a bundled
model when none is given."""

from __future__ import annotations

import os
from typing import Any

from exohunt.errors import InputError

__all__ = ["resolve_model"]


def resolve_model(run: Any, inputs: Any, model: str | None) -> tuple[Any, Any]:
    """The model object and the inputs from :func:`exohunt.predict`'s arguments.

    Parameters
    ----------
    run : Run, Ensemble, path or None
        A loaded model, a run directory, or — when ``inputs`` is None — the inputs themselves.
    inputs : any or None
        What to score.
    model : str or None
        A bundled model's name, used when no run is given (default ``"default"``).

    Returns
    -------
    (model, inputs)
        ``model`` is loaded (a bundled one only after its hashes are checked).

    Raises
    ------
    InputError
        No inputs, a run and ``model`` together, a path that is no run directory, an unknown
        bundled name or a bundled model that fails its check.
    """
    from exohunt.training.ensemble import is_run_directory, load_model

    loaded = hasattr(run, "predict") and hasattr(run, "threshold")
    if inputs is None:  # predict(inputs, out=...): the bundled model scores them
        if loaded or run is None:
            raise InputError("no inputs given; expected predict([run,] inputs, out=...)")
        if isinstance(run, (str, os.PathLike)) and is_run_directory(run):
            raise InputError(f"{run} is a run directory; give the inputs to score after it")
        run, inputs = None, run
    if run is None:
        from exohunt.bundled import DEFAULT_BUNDLED, load_bundled

        return load_bundled(DEFAULT_BUNDLED if model is None else model), inputs
    if model is not None:
        raise InputError(f"give a run or model={model!r} (a bundled model), not both")
    if loaded:
        return run, inputs
    if isinstance(run, (str, os.PathLike)) and is_run_directory(run):
        return load_model(run), inputs
    raise InputError(f"{run}: is not a run directory or a loaded run; expected a folder made "
                     "by exohunt.train (config.json and model.pt/model.skops, or ensemble.json)")
