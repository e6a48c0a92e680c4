"""Whether a folder is a run directory: files only, no model code imported (``exohunt
predict`` decides this before it starts its workers)."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["is_run_directory"]


def is_run_directory(path: str | Path) -> bool:
    """True when ``path`` is a folder with run files: ``ensemble.json``, ``model.pt`` or
    ``model.skops``, or a ``config.json`` in the run format (it may still fail to load).

    Tells a run directory from a folder of input files (``exohunt predict [RUN_DIR] INPUT``).
    """
    path = Path(path)
    if not path.is_dir():
        return False
    if any((path / name).is_file() for name in ("ensemble.json", "model.pt", "model.skops")):
        return True
    config = path / "config.json"
    try:
        return config.is_file() and json.loads(config.read_text()).get("format") == "exohunt-run"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        return False
