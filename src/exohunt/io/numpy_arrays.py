"""numpy arrays as the seed notebook saved them: ``X_train.npy`` with ``y_train.npy`` beside it.

``X_*.npy`` holds the flux, (N, T) or (N, T, 1); its labels are the ``y_*.npy`` of the same
suffix in the same folder (``X_test.npy`` ↔ ``y_test.npy``, ``X.npy`` ↔ ``y.npy``), {1, 2}
(Kaggle, 2 = planet) or {0, 1}; without one the batch is unlabelled. A ``.npz`` works the
same with keys: one ``X…`` array (or a single 2-D array of any name) and its ``y…``
partner. An ``.npz`` holding several X arrays (``X_train`` and ``X_test``) is refused as
ambiguous: use :func:`read_npz` with ``key=``. Pickled object arrays are never loaded.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from exohunt.batch import LightCurveBatch
from exohunt.io._common import ReadOptions, batch_flux, fail, labels_from_values

__all__ = ["READERS", "drop_label_partners", "label_partner", "read_npy", "read_npz"]

_NPY_MAGIC = b"\x93NUMPY"


def detect_npy(path: Path, head: bytes) -> bool:
    return head.startswith(_NPY_MAGIC) or path.suffix.lower() == ".npy"


def detect_npz(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".npz" and (head.startswith(b"PK") or not head)


def label_partner(path: Path) -> Path | None:
    """``y_train.npy`` for ``X_train.npy`` (same folder, same suffix), if that file exists."""
    stem = path.stem
    if not stem or stem[0] not in "Xx":
        return None
    for first in ("y", "Y"):
        candidate = path.with_name(first + stem[1:] + path.suffix)
        if candidate.is_file():
            return candidate
    return None


def drop_label_partners(files: list[Path]) -> list[Path]:
    """``files`` without the ``y_*.npy`` files that are read with their ``X_*.npy``."""
    partners = {label_partner(f) for f in files if f.suffix.lower() == ".npy"}
    return [f for f in files if f not in partners]


def read_npy(path: Path, options: ReadOptions | None = None) -> LightCurveBatch:
    """Read ``X_*.npy`` (and its ``y_*.npy``) into a :class:`LightCurveBatch`."""
    options = options or ReadOptions()
    path = Path(path)
    flux = _load(path)
    if flux.ndim == 1 and path.stem[:1] in "yY":
        raise fail(path, f"a 1-D array of {len(flux)} values looks like labels; expected the "
                         f"flux array X{path.stem[1:]}.npy (read it and this file is used as "
                         "its labels)")
    partner = label_partner(path)
    labels = _load(partner) if partner is not None else None
    return _batch(path, flux, labels, partner, options)


def read_npz(path: Path, options: ReadOptions | None = None, key: str | None = None
             ) -> LightCurveBatch:
    """Read an ``.npz``: the X array named ``key`` (or the only one) with its y partner."""
    options = options or ReadOptions()
    path = Path(path)
    with np.load(path, allow_pickle=False) as archive:
        names = list(archive.files)
        key = key or _pick_key(path, archive, names)
        if key not in names:
            raise fail(path, f"no array {key!r}; arrays: {', '.join(names)}")
        label_key = next((k for k in (f"y{key[1:]}", f"Y{key[1:]}", "labels", "label")
                          if k in names and k != key and key[:1] in "Xx"), None)
        if label_key is None and "labels" in names:
            label_key = "labels"
        flux = _checked(path, archive, key)
        labels = _checked(path, archive, label_key) if label_key else None
    return _batch(path, flux, labels, f"{path.name}[{label_key}]" if label_key else None,
                  options, key)


def _pick_key(path: Path, archive, names: list[str]) -> str:
    x_keys = [k for k in names if k[:1] in "Xx"]
    if len(x_keys) == 1:
        return x_keys[0]
    if len(x_keys) > 1:
        raise fail(path, f"holds several flux arrays ({', '.join(x_keys)}); expected one X "
                         "array per file (or exohunt.io.numpy_arrays.read_npz(path, key=...))")
    two_d = [k for k in names if archive[k].ndim in (2, 3)]
    if len(two_d) == 1:
        return two_d[0]
    raise fail(path, f"cannot tell which array is the flux (arrays: {', '.join(names)}); "
                     "expected one named X or X_<name>")


def _load(path: Path) -> np.ndarray:
    from exohunt.io import archives

    try:
        if archives.describe(path) is None:
            return np.load(path, allow_pickle=False, mmap_mode=None)
        with archives.open_binary(path) as handle:  # X.npy.gz, or an archive member
            return np.load(io.BytesIO(handle.read()), allow_pickle=False)
    except ValueError as error:
        if "pickle" in str(error).lower():
            raise fail(path, "holds Python objects (pickle), which exohunt never loads; "
                             "expected a numeric array") from None
        raise fail(path, f"not a valid .npy file: {error}") from None
    except EOFError as error:
        raise fail(path, f"truncated .npy file: {error}") from None


def _checked(path: Path, archive, key: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as error:
        raise fail(path, f"array {key!r} cannot be loaded without pickle ({error}); expected "
                         "a numeric array") from None


def _batch(path: Path, flux: np.ndarray, labels: np.ndarray | None, label_source,
           options: ReadOptions, key: str | None = None) -> LightCurveBatch:
    where = f" array {key!r}" if key else ""
    if not np.issubdtype(flux.dtype, np.number) or np.issubdtype(flux.dtype, np.complexfloating):
        raise fail(path, f"{where.strip() or 'the array'} has dtype {flux.dtype}; expected "
                         "real numbers")
    if flux.ndim == 3 and flux.shape[2] == 1:
        flux = flux[:, :, 0]
    if flux.ndim != 2:
        raise fail(path, f"{where.strip() or 'the array'} has shape {flux.shape}; expected "
                         "(stars, cadences) or (stars, cadences, 1)")
    flux = np.array(flux, dtype=np.float32, order="C", copy=True)
    flux, n_bad = batch_flux(path, flux, options)
    convention = None
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.shape != (flux.shape[0],):
            raise fail(path, f"labels {label_source} have shape {labels.shape}; expected "
                             f"({flux.shape[0]},), one per row of the flux array")
        if not np.issubdtype(labels.dtype, np.number):
            raise fail(path, f"labels {label_source} have dtype {labels.dtype}; expected numbers")
        labels, convention = labels_from_values(path, labels, f"label in {label_source}")
    meta = {"format": "npz" if path.suffix.lower() == ".npz" else "npy",
            "label_convention": convention, "label_source": str(label_source or ""),
            "n_nonfinite": n_bad, "array": key or path.stem}
    return LightCurveBatch(flux, labels, None, str(path), meta)


READERS = [("npy", detect_npy, read_npy), ("npz", detect_npz, read_npz)]
