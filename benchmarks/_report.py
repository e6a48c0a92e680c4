"""Small helpers the diagnosis scripts share: reading a file quietly, matching periods, and
printing and writing a report."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np


def read_quietly(path: Path):
    """``exohunt.read(path)`` with its data-quality warnings (e.g. catalogue values out of
    range, set aside) silenced."""
    import exohunt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return exohunt.read(path)


def at_period(found: np.ndarray, true: np.ndarray, factors=(1.0,)) -> np.ndarray:
    """Whether ``found`` is within 1 % of ``true`` times one of ``factors``."""
    ratio = found / true
    return np.any([np.abs(ratio / f - 1) < 0.01 for f in factors], axis=0)


def emit(lines: list[str], out: str | None) -> None:
    """Print the report and, with ``out``, write it there."""
    text = "\n".join(lines)
    print(text)
    if out:
        Path(out).write_text(text + "\n")
