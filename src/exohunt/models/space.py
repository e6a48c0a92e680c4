"""Hyperparameter search spaces, declared by each model beside its config dataclass.

Every model module holds a ``SEARCH_SPACE``: a mapping from a parameter name to a
:class:`FloatRange`, :class:`IntRange` or :class:`Choice`. A name is either a field of the
model's config dataclass or a tunable training-loop setting (:data:`LOOP_PARAMETERS`, fields of
``exohunt.training.loop.LoopSettings``); the model's config wins where both exist (``gbm``'s
``learning_rate`` is the trees' shrinkage, not Adam's step). ``exohunt tune --show-space NAME``
prints a model's space; ``--space JSON`` overrides parts of it (:func:`override_space`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exohunt.errors import InputError

__all__ = ["LOOP_PARAMETERS", "NETWORK_LOOP_SPACE", "Choice", "FloatRange", "IntRange",
           "describe_space", "json_object", "override_space", "space_defaults", "split_parameters",
           "suggest"]

#: Training-loop settings a search may vary (networks only; the trees ignore the loop).
LOOP_PARAMETERS = ("learning_rate", "weight_decay", "patience", "batch_size", "epochs",
                   "pos_weight_power", "grad_clip", "reverse_augment")

# Config fields set from the data or by ``train`` itself, never searched.
_NOT_SEARCHED = {"global_bins", "local_bins", "n_global_channels", "n_local_channels",
                 "n_scalars", "input_length", "class_weight", "random_state"}


@dataclass(frozen=True)
class FloatRange:
    """A real parameter in ``[low, high]``, sampled uniformly or (``log``) log-uniformly."""

    low: float
    high: float
    log: bool = False

    def suggest(self, trial: Any, name: str) -> float:
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def __str__(self) -> str:
        return f"float in [{self.low:g}, {self.high:g}]" + (" (log)" if self.log else "")


@dataclass(frozen=True)
class IntRange:
    """An integer parameter in ``[low, high]`` (both included)."""

    low: int
    high: int
    log: bool = False

    def suggest(self, trial: Any, name: str) -> int:
        return trial.suggest_int(name, self.low, self.high, log=self.log)

    def __str__(self) -> str:
        return f"int in [{self.low}, {self.high}]" + (" (log)" if self.log else "")


@dataclass(frozen=True)
class Choice:
    """One of ``values`` (numbers, strings, booleans or None)."""

    values: tuple

    def suggest(self, trial: Any, name: str) -> Any:
        return trial.suggest_categorical(name, list(self.values))

    def __str__(self) -> str:
        return "one of " + ", ".join(json.dumps(v) for v in self.values)


Parameter = FloatRange | IntRange | Choice

#: The training-loop part of every network's search space (the same loop trains them all).
NETWORK_LOOP_SPACE: dict[str, Parameter] = {
    "learning_rate": FloatRange(1e-4, 1e-2, log=True),
    "weight_decay": Choice((0.0, 1e-5, 1e-4, 1e-3)),
    "patience": IntRange(3, 12),
    "batch_size": Choice((32, 64, 128)),
    "pos_weight_power": FloatRange(0.0, 1.0),
}


def allowed_names(config_class: type, tabular: bool) -> tuple[str, ...]:
    """Names a space of this model may hold: its config fields (not those set from the data),
    then, for networks, the loop settings."""
    fields = [f.name for f in dataclasses.fields(config_class) if f.name not in _NOT_SEARCHED]
    loop = () if tabular else tuple(n for n in LOOP_PARAMETERS if n not in fields)
    return (*fields, *loop)


def split_parameters(values: Mapping[str, Any], config_class: type
                     ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``values`` split into (config field overrides, loop setting overrides)."""
    fields = {f.name for f in dataclasses.fields(config_class)}
    config = {k: v for k, v in values.items() if k in fields}
    return config, {k: v for k, v in values.items() if k not in fields}


def suggest(trial: Any, space: Mapping[str, Parameter]) -> dict[str, Any]:
    """One value per parameter of ``space``, asked of an Optuna ``trial``."""
    return {name: parameter.suggest(trial, name) for name, parameter in space.items()}


def json_object(text: str, option: str, what: str) -> dict:
    """``text`` parsed as a JSON object; an ``InputError`` naming ``option`` otherwise."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{option}: not a valid JSON object ({error})") from None
    if not isinstance(value, dict):
        raise InputError(f"{option}: expected a JSON object of {what}")
    return value


def override_space(space: Mapping[str, Parameter], text: str | Mapping, allowed: tuple[str, ...],
                   defaults: Mapping[str, Any]) -> tuple[dict[str, Parameter], dict[str, Any]]:
    """Apply a ``--space`` override (a JSON object, or the parsed mapping) to ``space``.

    Each entry is ``[low, high]`` (a range of the kind of the parameter's default, log-scaled
    as declared, or when ``low > 0`` and ``high / low >= 100``), ``{"low", "high", "log"}``,
    ``{"choices": [...]}``, or a single value, which fixes the parameter (removed from the
    search). Returns (the new space, the fixed values). Names outside ``allowed`` are refused.
    """
    if isinstance(text, str):
        text = json_object(text, "--space", "parameter ranges")
    if not isinstance(text, Mapping):
        raise InputError("--space: expected a JSON object of parameter ranges")
    unknown = sorted(set(text) - set(allowed))
    if unknown:
        raise InputError(f"--space: unknown parameter(s) {unknown}; expected some of: "
                         f"{', '.join(allowed)}")
    space, fixed = dict(space), {}
    for name, value in text.items():
        declared = space.pop(name, None)
        if isinstance(value, Mapping) and "choices" in value:
            space[name] = Choice(tuple(_choices(name, value["choices"])))
        elif isinstance(value, (list, Mapping)):
            space[name] = _range(name, value, declared, defaults.get(name))
        else:
            fixed[name] = value
    return space, fixed


def _choices(name: str, values: Any) -> list:
    if not isinstance(values, list) or not values or any(
            v is not None and not isinstance(v, (bool, int, float, str)) for v in values):
        raise InputError(f"--space {name}: choices must be a non-empty list of numbers, "
                         "strings, booleans or null")
    return values


def _range(name: str, value: Any, declared: Parameter | None, default: Any) -> Parameter:
    if isinstance(value, Mapping):
        extra = sorted(set(value) - {"low", "high", "log"})
        if extra or not {"low", "high"} <= set(value):
            raise InputError(f"--space {name}: a range is [low, high] or "
                             f"{{\"low\": …, \"high\": …, \"log\": true|false}}, got {value}")
        low, high, log = value["low"], value["high"], value.get("log")
    elif len(value) == 2:
        (low, high), log = value, None
    else:
        raise InputError(f"--space {name}: a range is [low, high], got {value}")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)) \
            or not low < high:
        raise InputError(f"--space {name}: expected numbers low < high, got [{low}, {high}]")
    if log is None:
        log = declared.log if isinstance(declared, (FloatRange, IntRange)) else (
            low > 0 and high / low >= 100)
    if log and low <= 0:
        raise InputError(f"--space {name}: a log range needs low > 0, got {low}")
    integer = isinstance(declared, IntRange) or (
        declared is None and isinstance(default, int) and not isinstance(default, bool))
    if integer:
        if not (float(low).is_integer() and float(high).is_integer()):
            raise InputError(f"--space {name}: an integer parameter needs whole bounds")
        return IntRange(int(low), int(high), bool(log))
    return FloatRange(float(low), float(high), bool(log))


def space_defaults(space: Mapping[str, Parameter], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``space``'s parameters in ``values`` (a base configuration and its loop),
    those that lie inside the space: the base configuration as an Optuna trial."""
    inside = {}
    for name, parameter in space.items():
        value = values.get(name)
        if isinstance(parameter, Choice):
            if value in parameter.values:
                inside[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(value) and parameter.low <= value <= parameter.high:
            inside[name] = value
    return inside


def describe_space(model: str, space: Mapping[str, Parameter], allowed: tuple[str, ...],
                   config_class: type) -> str:
    """Lines describing ``space`` for ``exohunt tune --show-space``."""
    fields = {f.name for f in dataclasses.fields(config_class)}
    width = max(len(n) for n in allowed)
    lines = [f"search space of {model} (override with --space JSON):"]
    for name, parameter in space.items():
        where = "model" if name in fields else "loop"
        lines.append(f"  {name:<{width}}  {where:<5}  {parameter}")
    rest = [n for n in allowed if n not in space]
    if rest:
        lines.append("also allowed in --space: " + ", ".join(rest))
    return "\n".join(lines)
