"""Writers for the formats exohunt reads: Kaggle-layout CSV and Kepler-like FITS light curves.

Kaggle layout: a header ``LABEL,FLUX.1,...,FLUX.N`` and one row per star, ``LABEL`` 2 = planet
host, 1 = not. A batch whose float32 flux lies on a 0.01 grid (the Kaggle Kepler files, the
simulator's ``kaggle`` style) is written with two decimals like the Kaggle files; any other
(e.g. normalised flux) with the shortest decimal that reads back as the same float32. Either way
the file reads back as exactly the batch's numbers. NaN is written as an empty field.

FITS: :func:`write_fits` (in :mod:`exohunt.io.fits_writer`) writes the layout of Kepler
``*_llc.fits`` and TESS SPOC ``*_lc.fits`` products, centroids, SAP flux, background, catalogue
parameters and the aperture's WCS included when the light curve has them.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.io.fits_writer import GAP_QUALITY_FLAG, write_fits

__all__ = ["GAP_QUALITY_FLAG", "KaggleCsvWriter", "on_cent_grid", "write_fits",
           "write_kaggle_csv"]


def _kaggle_values(flux: np.ndarray) -> np.ndarray:
    """float64, rounded to 0.01, with -0.0 turned into 0.0."""
    return np.round(np.asarray(flux, dtype=np.float64), 2) + 0.0


def on_cent_grid(flux: np.ndarray) -> bool:
    """True when every finite float32 value is the float32 of a number with two decimals."""
    flux = np.asarray(flux, dtype=np.float32)
    finite = np.isfinite(flux)
    return bool(np.array_equal(_kaggle_values(flux[finite]).astype(np.float32), flux[finite]))


class KaggleCsvWriter:
    """Write a Kaggle-layout CSV in chunks (memory: one chunk).

    Parameters
    ----------
    path : str or Path
        Output file (overwritten).
    n_points : int
        Number of flux columns.
    decimals : {2, None}
        2: round to 0.01 (Kaggle style); None: shortest exact float32 decimal.

    Examples
    --------
    >>> with KaggleCsvWriter("train.csv", 3197) as writer:   # doctest: +SKIP
    ...     writer.write(flux_chunk, labels_chunk)
    """

    def __init__(self, path: str | os.PathLike, n_points: int, decimals: int | None = 2) -> None:
        if decimals not in (2, None):
            raise ValueError(f"decimals must be 2 or None, got {decimals!r}")
        self.decimals = decimals
        self.path = Path(path)
        self.n_points = int(n_points)
        self.n_rows = 0
        self._handle = open(self.path, "wb")
        header = "LABEL," + ",".join(f"FLUX.{i}" for i in range(1, self.n_points + 1)) + "\n"
        self._handle.write(header.encode("ascii"))

    def write(self, flux: np.ndarray, labels: np.ndarray) -> None:
        """Append rows: ``flux`` (n, n_points), ``labels`` (n,) with 1 = planet, 0 = not."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        flux = np.atleast_2d(flux)
        labels = np.asarray(labels).reshape(-1)
        if flux.shape[1] != self.n_points or labels.shape[0] != flux.shape[0]:
            raise ValueError(f"expected flux (n, {self.n_points}) and labels (n,), "
                             f"got {flux.shape} and {labels.shape}")
        if not np.isin(labels, (0, 1)).all():
            raise ValueError("labels must be 0 (not a planet host) or 1 (planet host)")
        if self.decimals is None:
            values = np.asfortranarray(np.asarray(flux, dtype=np.float32) + np.float32(0.0))
        else:
            values = np.asfortranarray(_kaggle_values(flux))
        columns = [pa.array(labels.astype(np.int64) + 1)]
        columns += [pa.array(values[:, j], from_pandas=True) for j in range(self.n_points)]
        names = ["LABEL"] + [f"FLUX.{i}" for i in range(1, self.n_points + 1)]
        self._handle.flush()
        pacsv.write_csv(pa.Table.from_arrays(columns, names=names), self._handle,
                        pacsv.WriteOptions(include_header=False, batch_size=4096))
        self.n_rows += flux.shape[0]

    def close(self) -> None:
        """Flush and close the file."""
        self._handle.close()

    def __enter__(self) -> KaggleCsvWriter:
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_kaggle_csv(path: str | os.PathLike, batch: LightCurveBatch, *,
                     chunk_size: int = 512) -> Path:
    """Write a labelled batch as a Kaggle-layout CSV (``LABEL`` 2 = planet host, 1 = not).

    Parameters
    ----------
    path : str or Path
        Output file (overwritten).
    batch : LightCurveBatch
        Must have labels (0/1). Flux on a 0.01 grid is written with two decimals, other flux
        with full float32 precision (see the module docstring).
    chunk_size : int
        Rows formatted at a time.

    Returns
    -------
    Path
    """
    if batch.labels is None:
        raise ValueError("a Kaggle-layout CSV needs labels; this batch has none")
    decimals = 2 if on_cent_grid(batch.flux) else None
    with KaggleCsvWriter(path, batch.flux.shape[1], decimals) as writer:
        for start in range(0, len(batch), chunk_size):
            stop = start + chunk_size
            writer.write(batch.flux[start:stop], batch.labels[start:stop])
    return Path(path)
