"""exohunt: find transiting exoplanets in stellar light curves.

The notebook-facing API::

    import exohunt
    lc = exohunt.read("kplr011442793-2009350155506_llc.fits")   # LightCurve
    signals = exohunt.search(lc)                                  # named result records
    data = exohunt.simulate(preset="kaggle", seed=42)
    run = exohunt.train(data.train, model="twoview", out="runs/a")
    scores = run.predict(data.test)

Heavy modules (torch, astropy) are imported on first use, so ``import exohunt`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.errors import ExohuntError, InputError
from exohunt.lightcurve import LightCurve

# name -> "module:attribute", resolved lazily on first access.
_LAZY = {
    "read": "exohunt.io:read",
    "search": "exohunt.search:search",
    "simulate": "exohunt.simulate:simulate",
    "inject": "exohunt.simulate:inject",
    "train": "exohunt.training:train",
    "Run": "exohunt.training:Run",
    "load_run": "exohunt.training:load_run",
    "evaluate": "exohunt.evaluation:evaluate",
    "predict": "exohunt.predict:predict",
    "load_bundled": "exohunt.bundled:load_bundled",
}

__all__ = [
    "ExohuntError",
    "InputError",
    "LightCurve",
    "LightCurveBatch",
    "ViewBatch",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attribute = _LAZY[name].split(":")
        return getattr(importlib.import_module(module_name), attribute)
    raise AttributeError(f"module 'exohunt' has no attribute {name!r}")
