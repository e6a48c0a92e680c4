"""Reading light curves from the files people have.

``read(path)`` picks a reader by extension and content (``available_formats()`` lists them,
``register_reader`` adds one) and returns exohunt's core types; ``iter_inputs(paths)`` reads
many inputs one by one and yields errors instead of raising them. See :mod:`exohunt.io.api`
for what each kind of input gives, and one module per format for its details:
:mod:`~exohunt.io.fits`, :mod:`~exohunt.io.kaggle_csv`, :mod:`~exohunt.io.table`,
:mod:`~exohunt.io.numpy_arrays`, :mod:`~exohunt.io.astronet_records`.

Writers (``write_kaggle_csv``, ``write_fits``) live in :mod:`exohunt.io.writers` and are
importable from here too.

What files carry beyond flux (centroids, aperture flux, background, the host star, crowding,
the target's pixel, flux units): :mod:`~exohunt.io.fits_extras`, :mod:`~exohunt.io.series`,
:mod:`~exohunt.io.stellar` (with :func:`catalogue_uncertainty`, the typical errors of each
input catalogue), :mod:`~exohunt.io.flux_units`.
"""

from __future__ import annotations

import importlib
from typing import Any

from exohunt.io._common import MIN_CADENCES, ReadOptions
from exohunt.io.api import iter_inputs, read
from exohunt.io.registry import available_formats, detect_format, register_reader
from exohunt.io.stellar import CATALOGUE_UNCERTAINTIES, catalogue_uncertainty

__all__ = [
    "CATALOGUE_UNCERTAINTIES",
    "MIN_CADENCES",
    "ReadOptions",
    "available_formats",
    "catalogue_uncertainty",
    "detect_format",
    "iter_inputs",
    "read",
    "register_reader",
    "write_fits",
    "write_kaggle_csv",
]

_WRITERS = ("write_kaggle_csv", "write_fits")


def __getattr__(name: str) -> Any:
    if name in _WRITERS:
        return getattr(importlib.import_module("exohunt.io.writers"), name)
    raise AttributeError(f"module 'exohunt.io' has no attribute {name!r}")
