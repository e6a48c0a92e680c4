"""A trained model and everything needed to use it again: :class:`Run` and :func:`load_run`.

A run directory is data, never code. ``model.pt`` is a plain dict of tensors and strings loaded
with ``torch.load(weights_only=True)`` (or ``model.safetensors``: tensors and a string header,
:mod:`exohunt.training.safe_weights`); ``model.skops`` (the ``gbm`` baseline) is loaded by
``skops.io`` after checking that every type in it comes from scikit-learn or NumPy. JSON holds
the rest. ``config.json`` records the SHA-256 of the weights file; a mismatch (a tampered or
swapped file) is refused with a :class:`RunDirectoryError`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exohunt.batch import LightCurveBatch
from exohunt.errors import InputError, RunDirectoryError
from exohunt.lightcurve import LightCurve
from exohunt.models import MODELS, build_model
from exohunt.training.features import (
    SIGNAL_COLUMNS,
    best_per_star,
    extract,
    feature_version_problem,
    to_inputs,
)
from exohunt.training.preprocess import SEQUENCE_PREP_VERSION, SequencePrep

if TYPE_CHECKING:  # imported where a network needs it: trees score without torch
    import torch

__all__ = ["RUN_FORMAT", "Run", "load_run", "prediction_table", "resolve_device"]

RUN_FORMAT = "exohunt-run"
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "builtins.")
#: Types beyond skops' own trusted set that exohunt's scikit-learn models hold, tried first:
#: skops refuses a file with any other type, which then goes through the full audit. Saves
#: skops' audit pass: the bundled default loads in 0.91 instead of 1.79 s of CPU
#: (benchmarks/diag_predict_overhead.py), in every process that loads it.
_KNOWN_SKOPS_TYPES = ("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",)


def resolve_device(device: str = "auto") -> torch.device:
    """``"auto"`` → CUDA when present (then MPS), else CPU; anything else as torch reads it."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        return torch.device(device)
    except (RuntimeError, ValueError) as error:
        raise InputError(f"unknown device {device!r}; expected auto, cpu, cuda, cuda:N or mps"
                         ) from error


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def coerce_data(data: Any) -> Any:
    """A path is read with :func:`exohunt.io.read`; lightkurve objects are converted
    (:func:`exohunt.io.lightkurve_compat.as_exohunt`); exohunt data passes through."""
    from exohunt.io.lightkurve_compat import as_exohunt

    data = as_exohunt(data)
    if isinstance(data, (str, Path)):
        from exohunt.io import read

        return read(data)
    if hasattr(data, "train") and hasattr(data, "test"):
        raise InputError("got a whole simulated dataset; pass data.train or data.test")
    if isinstance(data, LightCurve):  # one star is a list of one
        return [data]
    return data


@dataclass
class Run:
    """A trained classifier with its preprocessing, threshold and training record."""

    model: Any
    config: dict
    history: list[dict] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    directory: Path | None = None
    # A network's device (torch.device); a tree model's stays "cpu", so scoring with trees
    # never imports torch (1.2 s of CPU in every process: diag_predict_imports.py).
    device: torch.device | str = "cpu"

    @property
    def name(self) -> str:
        return self.config["model"]["name"]

    @property
    def threshold(self) -> float:
        return float(self.config["threshold"]["threshold"])

    @property
    def kind(self) -> str:
        return self.config["model"]["inputs"]

    @property
    def signals_per_star(self) -> int:
        """How many of a star's signals the run was trained on and scores it by (its best):
        1 unless trained with ``train(..., signals_per_star=K)``."""
        return int(self.config["preprocessing"].get("signals_per_star", 1))

    def _features(self, data, jobs: int, progress: bool, cache_dir=None,
                  signals_per_star: int = 1, variability: bool = True):
        prep = self.config["preprocessing"]
        sequence = None
        if self.kind == "sequence":
            sequence = SequencePrep(**{k: v for k, v in prep["sequence"].items()
                                       if k != "version"})
        return extract(coerce_data(data), self.kind, prep=sequence, jobs=jobs,
                       progress=progress, cache_dir=cache_dir, signals_per_star=signals_per_star,
                       variability=variability)

    def _score_raw(self, raw) -> np.ndarray:
        inputs = to_inputs(raw, self.kind, self.config["preprocessing"]["fitted"])
        if self.kind == "tabular":
            if len(inputs["X"]) > _TREE_THREADED_ROWS:
                return self.model.predict_proba(inputs["X"])[:, 1].astype(float)
            # Small batches (a prediction chunk) in one thread: OpenMP's start-up and spinning
            # in each of the ~400 trees' parallel regions cost 4-40x the scoring itself
            # (9 vs 36-340 ms of CPU per 64 stars on 2 cores); each row's score is the same.
            with _openmp_controller().limit(limits=1, user_api="openmp"):
                return self.model.predict_proba(inputs["X"])[:, 1].astype(float)
        from exohunt.training.loop import predict_network

        return predict_network(self.model, inputs, device=self.device)

    def score(self, data, jobs: int = 0, progress: bool = False, cache_dir=None) -> np.ndarray:
        """Planet probability of every star in ``data``, shape (N,).

        ``data``: a path readable by :func:`exohunt.read`, a LightCurveBatch, a ViewBatch (view
        models), a LightCurve or a list of them. A run trained on several signals per star
        (:attr:`signals_per_star`) gives each star its best signal's probability.
        """
        raw = self._features(data, jobs, progress, cache_dir, self.signals_per_star)
        return best_per_star(raw, self._score_raw(raw))

    def predict(self, data, jobs: int = 0, progress: bool = False,
                cache_dir=None, signals_per_star: int | None = None) -> pd.DataFrame:
        """One row per star: ``source, index, probability, is_candidate``, the signal columns
        (``period_days, t0_days, duration_hours, depth_ppm, snr``; NaN for raw-sequence models)
        and then the vetting statistics of search-then-vet models.

        With ``signals_per_star`` > 1 (search-then-vet models), one row per signal instead: up
        to that many per star, each scored on its own, with ``star`` and ``signal`` (0 = the
        strongest) among the last columns. Default: :attr:`signals_per_star`."""
        data = coerce_data(data)
        raw = self._features(data, jobs, progress, cache_dir,
                             signals_per_star or self.signals_per_star)
        return prediction_table(data, raw, self._score_raw(raw), self.threshold)

    def save(self, directory: str | Path, weights_format: str = "pt") -> Path:
        """Write ``model.pt``/``model.skops``, ``config.json``, ``history.json``,
        ``metrics.json`` into ``directory`` (created if needed); a network's weights go to
        ``model.safetensors`` instead with ``weights_format="safetensors"``."""
        if weights_format not in ("pt", "safetensors"):
            raise InputError(f"weights_format must be 'pt' or 'safetensors', got "
                             f"{weights_format!r}")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self.kind == "tabular":
            import zipfile

            from exohunt._imports import import_without_torch

            sio = import_without_torch("skops.io")  # skops' own import would pull in torch
            weights = directory / "model.skops"
            # deflated: half the bytes (bundled models have a size budget), loaded alike
            sio.dump(self.model, weights, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        elif weights_format == "safetensors":
            from exohunt.training.safe_weights import SAFETENSORS_FILE, save_safetensors

            weights = directory / SAFETENSORS_FILE
            save_safetensors(self.model, weights, run_format=RUN_FORMAT, name=self.name,
                             config=self.config["model"]["config"])
        else:
            import torch

            weights = directory / "model.pt"
            state = {k: v.detach().cpu() for k, v in self.model.state_dict().items()}
            torch.save({"format": RUN_FORMAT, "model": self.name,
                        "config": json.dumps(self.config["model"]["config"]),
                        "state_dict": state}, weights)
        self.config["files"] = {weights.name: _sha256(weights)}
        for name, content in (("config.json", self.config), ("history.json", self.history),
                              ("metrics.json", self.metrics)):
            (directory / name).write_text(json.dumps(content, indent=2, default=_json_default))
        self.directory = directory
        return directory


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


#: Above this many rows the trees score with OpenMP threads (Run._score_raw).
_TREE_THREADED_ROWS = 4096


def prediction_table(data, raw, probability: np.ndarray, threshold: float) -> pd.DataFrame:
    """``source, index, probability, is_candidate``, then ``raw``'s signal columns and the
    rest of its signal table, one row per row of ``raw`` (a star, or a signal of a star when
    ``raw.signals`` has a ``star`` column)."""
    signals = raw.signals.reset_index(drop=True)
    if "star" in signals:
        stars = signals["star"].to_numpy(int)
        source, index = _provenance(data, int(stars.max()) + 1 if stars.size else 0)
        source, index = [source[i] for i in stars], np.asarray(index)[stars]
    else:
        source, index = _provenance(data, len(probability))
    table = pd.DataFrame({"source": source, "index": index, "probability": probability,
                          "is_candidate": probability >= threshold})
    ordered = list(SIGNAL_COLUMNS) + [c for c in signals.columns if c not in SIGNAL_COLUMNS]
    return pd.concat([table, signals[ordered]], axis=1)


def _provenance(data, n: int) -> tuple[list, np.ndarray]:
    if isinstance(data, LightCurve):
        return [data.meta.get("source", "")], np.array([int(data.meta.get("index", 0))])
    if isinstance(data, list):
        return ([lc.meta.get("source", "") for lc in data],
                np.array([int(lc.meta.get("index", 0)) for lc in data]))
    index = np.arange(n)
    if isinstance(data, LightCurveBatch) and "indices" in data.meta:
        index = np.asarray(data.meta["indices"])
    return [getattr(data, "source", "")] * n, index


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise RunDirectoryError(f"{path} is missing: not an exohunt run directory")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunDirectoryError(f"{path} is not valid JSON ({error})") from error


_CONTROLLER: list = []


def _openmp_controller():
    """A threadpoolctl controller, made again only when modules were imported since the last
    one: ``threadpool_limits`` scans every loaded library on each call (2.8 ms against 0.015 ms
    for a cached controller, ``benchmarks/diag_predict_overhead.py``; five calls per chunk for
    a 5-member ensemble), while a scan is only needed when a new library (an OpenMP runtime
    with it) may have come in."""
    import sys

    if not _CONTROLLER or _CONTROLLER[1] != len(sys.modules):
        from threadpoolctl import ThreadpoolController

        _CONTROLLER[:] = [ThreadpoolController(), len(sys.modules)]
    return _CONTROLLER[0]


def _load_weights(directory: Path, config: dict) -> Any:
    files = config.get("files") or {}
    if len(files) != 1:
        raise RunDirectoryError(f"{directory}/config.json names no weights file")
    (name, digest), = files.items()
    path = directory / name
    if name not in ("model.pt", "model.skops", "model.safetensors") or not path.is_file():
        raise RunDirectoryError(f"{path} is missing")
    if _sha256(path) != digest:
        raise RunDirectoryError(f"{path} does not match the checksum in config.json: "
                                "the file was modified or comes from another run")
    model_name = config["model"]["name"]
    if name == "model.skops":
        from exohunt._imports import import_without_torch

        sio = import_without_torch("skops.io")  # skops' own import would pull in torch
        from skops.io.exceptions import UntrustedTypesFoundException

        try:  # the one type a gradient-boosting model holds beyond skops' defaults
            return sio.load(path, trusted=list(_KNOWN_SKOPS_TYPES))
        except UntrustedTypesFoundException:
            pass  # other types: audit them all (twice the work: skops walks the file again)
        untrusted = sio.get_untrusted_types(file=path)
        foreign = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
        if foreign:
            raise RunDirectoryError(f"{path} contains types outside scikit-learn/NumPy: {foreign}")
        return sio.load(path, trusted=untrusted)
    if name == "model.safetensors":
        from exohunt.training.safe_weights import load_safetensors

        model_config, state = load_safetensors(path, run_format=RUN_FORMAT, name=model_name)
        payload = {"config": json.dumps(model_config), "state_dict": state}
        return _network(model_name, payload, path)
    import torch

    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # any unpickling failure means "not our file"
        raise RunDirectoryError(f"{path} is not a plain weights file ({error})") from error
    if not isinstance(payload, dict) or payload.get("format") != RUN_FORMAT \
            or payload.get("model") != model_name:
        raise RunDirectoryError(f"{path} is not an exohunt {model_name!r} checkpoint")
    return _network(model_name, payload, path)


def _network(model_name: str, payload: dict, path: Path) -> torch.nn.Module:
    model = build_model(model_name, json.loads(payload["config"]))
    try:
        model.load_state_dict(payload["state_dict"], strict=True)
    except RuntimeError as error:
        raise RunDirectoryError(f"{path} does not fit model {model_name!r}: {error}") from error
    return model.eval()


def _check_preprocessing(config: dict, directory: Path) -> None:
    prep = config["preprocessing"]
    if prep["kind"] == "sequence" and prep["sequence"].get("version") != SEQUENCE_PREP_VERSION:
        raise RunDirectoryError(f"{directory} was made with sequence preprocessing "
                                f"{prep['sequence'].get('version')!r}; this exohunt uses "
                                f"{SEQUENCE_PREP_VERSION!r}: retrain the model")
    # Folded-view runs of any version this code knows ("viewbatch" … "-3") select their own
    # statistics; a search-feature run must be of this FEATURE_VERSION or a compatible one:
    # anything else is refused, never silently scored.
    version = prep.get("feature_version")
    if prep["kind"] != "sequence" and version is None:
        version = "viewbatch"  # runs from before the version was recorded read views
    problem = feature_version_problem(version) if prep["kind"] != "sequence" else None
    if problem is not None:
        raise RunDirectoryError(f"{directory} {problem}: retrain it with this exohunt "
                                "('exohunt train'), or use the bundled model")


def load_run(path: str | Path, device: str = "auto") -> Run:
    """Load a run directory written by :func:`exohunt.train` without executing any code.

    Raises
    ------
    RunDirectoryError
        Missing/invalid files, a checksum mismatch, foreign types, or incompatible
        preprocessing.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise RunDirectoryError(f"{directory} is not a directory")
    config = _read_json(directory / "config.json")
    if not isinstance(config, dict) or config.get("format") != RUN_FORMAT:
        raise RunDirectoryError(f"{directory}/config.json is not an exohunt run config")
    if config.get("model", {}).get("name") not in MODELS:
        raise RunDirectoryError(f"{directory}: unknown model {config.get('model')!r}")
    _check_preprocessing(config, directory)
    model = _load_weights(directory, config)
    run = Run(model, config, _read_json(directory / "history.json"),
              _read_json(directory / "metrics.json"), directory)
    if config["model"]["inputs"] != "tabular":
        run.device = resolve_device(device)
        run.model.to(run.device)
    return run
