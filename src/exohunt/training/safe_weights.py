"""Network weights as ``model.safetensors``: tensors plus string metadata, no pickle at all.

``model.pt`` (``torch.load(weights_only=True)``) is the default of ``exohunt train``; the
bundled models store their networks as safetensors
(``Run.save(..., weights_format="safetensors")``), which cannot hold anything but named tensors
and a ``str -> str`` header, so loading one executes no code by construction. The header
carries what ``model.pt``'s dict carries: the run format, the model's registry name and its
configuration as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from exohunt.errors import RunDirectoryError

__all__ = ["SAFETENSORS_FILE", "load_safetensors", "save_safetensors"]

SAFETENSORS_FILE = "model.safetensors"


def save_safetensors(model: torch.nn.Module, path: Path, *, run_format: str, name: str,
                     config: dict) -> None:
    """Write ``model``'s state dict to ``path`` with the run format, model name and config."""
    from safetensors.torch import save_file

    # contiguous, CPU and unshared: safetensors refuses views of one storage
    state = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={"format": run_format, "model": name,
                                          "config": json.dumps(config)})


def load_safetensors(path: Path, *, run_format: str, name: str):
    """The header's model config and the state dict of ``path``, shape-checked by the caller.

    Raises
    ------
    RunDirectoryError
        Not a safetensors file, or one of another format or model.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file, safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
        state = load_file(str(path), device="cpu")
        config = json.loads(header.get("config", "null"))
    except (SafetensorError, OSError, ValueError) as error:
        raise RunDirectoryError(f"{path} is not a safetensors weights file ({error})") from error
    if header.get("format") != run_format or header.get("model") != name \
            or not isinstance(config, dict):
        raise RunDirectoryError(f"{path} is not an exohunt {name!r} checkpoint")
    return config, state
