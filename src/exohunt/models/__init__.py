"""Model registry: every classifier exohunt can train, by name.

Each model lives in its own file with a typed ``@dataclass`` config. Neural models are
``torch.nn.Module`` s whose ``forward(inputs)`` takes a dict of tensors and returns one
planet logit per star, shape (N,); ``gbm`` is a scikit-learn pipeline. ``MODELS[name].inputs``
says what the model reads:

- ``"sequence"``: the whole (preprocessed) flux series, ``inputs["flux"]`` (N, L);
- ``"views"``: phase-folded views from the search, ``inputs["global"]`` (N, C_g, G),
  ``inputs["local"]`` (N, C_l, L) and ``inputs["scalars"]`` (N, S);
- ``"tabular"``: a (N, F) feature matrix (search + vetting statistics).

Each model also has **named configurations** (``MODELS[name].configs``; ``exohunt train
--config NAME``), the first of which is its default — e.g. ``twoview``'s ``small`` and the
Astronet-Triage network ``astronet`` — each with the training-loop settings it was tuned with.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from exohunt.errors import InputError

__all__ = ["MODELS", "ModelSpec", "NamedConfig", "build_model", "config_from_dict", "get_spec",
           "model_label", "named_config", "named_loop", "resolve_config"]


@dataclass(frozen=True)
class ModelSpec:
    """How to build one registered model.

    The model's own file (``module``) is imported on first use of ``config_class``,
    ``factory``, ``configs`` or ``space``, not with the registry: the networks' files import
    torch (1.2 s of CPU, ``benchmarks/diag_predict_imports.py``), which scoring with a tree
    model never needs. The file defines the config class and factory named here, its
    ``SEARCH_SPACE`` (``exohunt tune``), and, when the model has named configurations,
    ``NAMED_CONFIGS`` (the default first)."""

    name: str
    module: str  # e.g. "exohunt.models.cnn"
    config_name: str  # the config dataclass in ``module``
    factory_name: str  # builds the model from its config
    inputs: str  # "sequence" | "views" | "tabular"
    description: str

    def _module(self) -> Any:
        return importlib.import_module(self.module)

    @property
    def config_class(self) -> type:
        """The model's typed config dataclass."""
        return getattr(self._module(), self.config_name)

    @property
    def factory(self) -> Callable[[Any], Any]:
        """Builds the model (a ``torch.nn.Module`` or scikit-learn pipeline) from its config."""
        return getattr(self._module(), self.factory_name)

    @property
    def configs(self) -> dict[str, NamedConfig]:
        """Named configurations of this model, the default first ("default", the config
        class's own defaults, when the model names none)."""
        named = getattr(self._module(), "NAMED_CONFIGS", None)
        return dict(named) if named else {"default": NamedConfig(self.config_class)}

    @property
    def space(self) -> dict[str, Any]:
        """The hyperparameter search space (``exohunt tune``), declared beside the config."""
        return dict(getattr(self._module(), "SEARCH_SPACE", {}))


@dataclass(frozen=True)
class NamedConfig:
    """A named configuration: how to make the model's config, and the training-loop settings
    (``LoopSettings`` field overrides) it was tuned with, applied when it is asked for by name."""

    make: Callable[[], Any]
    loop: Mapping[str, Any] = dataclasses.field(default_factory=dict)


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("seed-lstm", "exohunt.models.seed_lstm", "SeedLSTMConfig", "SeedLSTM",
                  "sequence",
                  "the seed notebook's Keras LSTM, faithfully (raw 3,197-step input)"),
        ModelSpec("lstm", "exohunt.models.lstm", "LSTMConfig", "LSTM", "sequence",
                  "bidirectional LSTM on the detrended, binned series, pooled over time"),
        ModelSpec("cnn", "exohunt.models.cnn", "CNNConfig", "CNN", "sequence",
                  "1D CNN on the detrended, normalised, binned series"),
        ModelSpec("cnn-lstm", "exohunt.models.cnn_lstm", "CNNLSTMConfig", "CNNLSTM", "sequence",
                  "conv front end feeding a bidirectional LSTM"),
        ModelSpec("twoview", "exohunt.models.twoview", "TwoViewConfig", "TwoView", "views",
                  "AstroNet-style CNN on global + local folded views and vetting statistics"),
        ModelSpec("lstm-views", "exohunt.models.view_lstm", "ViewLSTMConfig", "ViewLSTM",
                  "views",
                  "conv front end + bidirectional LSTMs on the folded views, with statistics"),
        ModelSpec("gbm", "exohunt.models.gbm", "GBMConfig", "build_gbm", "tabular",
                  "gradient boosting (scikit-learn) on search + vetting statistics"),
    )
}


def get_spec(name: str) -> ModelSpec:
    """The registry entry for ``name``; :class:`InputError` naming the allowed names."""
    if name not in MODELS:
        raise InputError(f"unknown model {name!r}; expected one of: {', '.join(MODELS)}")
    return MODELS[name]


def named_config(name: str, config_name: str) -> Any:
    """Model ``name``'s configuration called ``config_name``; :class:`InputError` naming the
    allowed names otherwise."""
    return _named(name, config_name).make()


def named_loop(name: str, config_name: str) -> dict[str, Any]:
    """The training-loop settings model ``name``'s configuration ``config_name`` was tuned
    with (``LoopSettings`` field overrides; empty for most)."""
    return dict(_named(name, config_name).loop)


def _named(name: str, config_name: str) -> NamedConfig:
    configs = get_spec(name).configs
    if config_name not in configs:
        raise InputError(f"model {name!r} has no configuration {config_name!r}; expected one "
                         f"of: {', '.join(configs)}")
    return configs[config_name]


def model_label(config: Mapping[str, Any], n_members: int | None = None) -> str:
    """How tables and reports name the model of a run's or an ensemble's saved config:
    ``gbm``, ``gbm (large)``, ``twoview (astronet) ×8``, or a mixed ensemble's own label
    (``gbm ×2 + twoview ×2``). The named configuration is shown
    unless it is the model's default; ``n_members`` overrides the ensemble's own member list.
    """
    model = config.get("model", config.get("model_name", "?"))
    if model == "mixed" and config.get("label"):  # exohunt.training.mixed: "gbm ×2 + twoview ×2"
        return str(config["label"])
    if isinstance(model, Mapping):  # a run: {"name", "config_name", …}
        name, config_name = str(model.get("name", "?")), model.get("config_name")
    else:  # an ensemble: the name, with the members' configuration beside it
        name, config_name = str(model), config.get("config_name")
    spec = MODELS.get(name)
    if config_name and spec is not None and config_name != next(iter(spec.configs)):
        name += f" ({config_name})"
    if n_members is None:
        members = config.get("members")
        n_members = len(members) if isinstance(members, list) else 0
    return f"{name} ×{n_members}" if n_members else name


def config_from_dict(config_class: type, values: Mapping[str, Any]) -> Any:
    """Build a config dataclass from a mapping, refusing unknown keys.

    Lists are turned back into tuples where the field default is a tuple (JSON has no tuples).
    """
    allowed = {f.name: f for f in dataclasses.fields(config_class)}
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise InputError(f"unknown {config_class.__name__} option(s) {unknown}; "
                         f"expected some of: {', '.join(allowed)}")
    defaults = config_class()
    kwargs = {}
    for key, value in values.items():
        default = getattr(defaults, key)
        if isinstance(default, tuple) and isinstance(value, list):
            value = tuple(value)
        if not _same_kind(default, value):
            raise InputError(f"{config_class.__name__} option {key!r} must be "
                             f"{type(default).__name__} like its default {default!r}, "
                             f"got {value!r}")
        kwargs[key] = value
    return config_class(**kwargs)


def _same_kind(default: Any, value: Any) -> bool:
    """Whether ``value`` may replace ``default`` (an int may stand for a float; a field whose
    default is None takes anything the config's own checks accept)."""
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def build_model(name: str, config: Any = None) -> Any:
    """Instantiate model ``name`` from a config dataclass, a dict of overrides, or defaults.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    config : dataclass, str, mapping or None
        The model's config (its ``config_class``), the name of one of its named
        configurations, a mapping of field overrides, or ``None`` for the defaults.

    Returns
    -------
    torch.nn.Module or sklearn.pipeline.Pipeline
    """
    return get_spec(name).factory(resolve_config(name, config))


def resolve_config(name: str, config: Any = None) -> Any:
    """Model ``name``'s config dataclass from ``config``: ``None`` (the defaults), the name of
    a named configuration, a mapping of field overrides, or the dataclass itself; anything
    else, an unknown name or field, or a field of the wrong type is an :class:`InputError`."""
    spec = get_spec(name)
    if config is None:
        return spec.config_class()
    if isinstance(config, str):
        return named_config(name, config)
    if isinstance(config, Mapping):
        return config_from_dict(spec.config_class, config)
    if not isinstance(config, spec.config_class):
        raise InputError(f"model {name!r} needs a {spec.config_class.__name__}, "
                         f"got {type(config).__name__}")
    return config
