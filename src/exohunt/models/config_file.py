"""Configuration files: ``exohunt train --config best_config.json``.

A configuration file is a JSON object. Two layouts are read:

- what ``exohunt tune`` writes (``best_config.json``): ``{"model": NAME, "config": {…model
  config fields…}, "loop": {…LoopSettings fields…}, …}`` — the loop settings the config was
  tuned with come along, as with a named configuration;
- a plain object of model config fields, like inline ``--config '{…}'``.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exohunt.errors import InputError

__all__ = ["ConfigFile", "is_config_path", "read_config_file"]

# Loop settings a file may set; pos_weight is derived from the labels and time_budget is a
# property of one run, so neither is carried over.
_LOOP_KEYS = ("epochs", "batch_size", "learning_rate", "weight_decay", "patience",
              "pos_weight_power", "reverse_augment", "grad_clip")


@dataclass(frozen=True)
class ConfigFile:
    """A configuration read from a file: the model it is for (None when the file does not
    say), model config field values and training-loop settings."""

    path: Path
    model: str | None
    config: dict[str, Any]
    loop: dict[str, Any]


def is_config_path(value: Any) -> bool:
    """Whether a ``--config`` value names a file rather than a configuration or inline JSON:
    a :class:`~pathlib.Path`, or text ending in ``.json`` or naming an existing file."""
    if isinstance(value, Path):
        return True
    if not isinstance(value, str) or value.lstrip().startswith(("{", "[")):
        return False
    return value.lower().endswith(".json") or os.path.isfile(value)


def read_config_file(path: str | Path, model: str | None = None) -> ConfigFile:
    """Read and check a configuration file (see the module doc).

    Parameters
    ----------
    path : path
        The JSON file.
    model : str, optional
        The model it must be for; a file written for another model is an :class:`InputError`.

    Returns
    -------
    ConfigFile
    """
    from exohunt.models import get_spec, resolve_config

    path = Path(path)
    try:
        values = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"--config {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"--config {path}: not a readable JSON file ({error})") from None
    if not isinstance(values, dict):
        raise InputError(f"--config {path}: expected a JSON object")
    tuned = "config" in values and isinstance(values["config"], dict)
    file_model = values.get("model") if tuned else None
    if file_model is not None and model is not None and file_model != model:
        raise InputError(f"--config {path} is for model {file_model!r}, not {model!r}")
    name = model or file_model
    if name is None:
        raise InputError(f"--config {path}: the file names no model; pass --model")
    spec = get_spec(name)
    config = dict(values["config"]) if tuned else values
    loop = dict(values.get("loop") or {}) if tuned else {}
    unknown = sorted(set(loop) - {f.name for f in dataclasses.fields(_loop_class())})
    if unknown:
        raise InputError(f"--config {path}: unknown loop setting(s) {unknown}")
    loop = {k: v for k, v in loop.items() if k in _LOOP_KEYS}
    resolve_config(spec.name, config)  # unknown fields and wrong types fail here
    return ConfigFile(path, name, config, loop)


def _loop_class() -> type:
    from exohunt.training.loop import LoopSettings

    return LoopSettings
