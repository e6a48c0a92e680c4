"""Models shipped inside the package, so that ``exohunt predict FILE`` works with no training.

Each bundled model is an ordinary run (or ensemble) directory, exactly what ``exohunt train``
writes, under ``exohunt/bundled/<name>/``, plus two files written only by the rebuild command
(``python benchmarks/build_bundled_models.py``):

``bundle.json``
    ``name``, ``summary`` (one line), ``kind`` (``"lightcurve"`` or ``"views"``),
    ``feature_version``, ``files`` (relative path → SHA-256 of every other file of the folder),
    ``metrics`` (the figures of the model card) and ``build`` (command, seed, git commit, wall
    and CPU seconds, CPU model, date, rebuild tolerance).
``MODEL_CARD.md``
    Rendered from ``benchmarks/bundled/cards/<name>.md.in`` with :func:`render_card`.

A bundled model is loaded only after :func:`verify_bundled` has checked every listed file
against its hash and the recorded feature version against the installed code's, and then by
the run loader, which executes no code (skops with trusted types, ``torch.load`` with
``weights_only``, JSON). ``EXOHUNT_BUNDLED_DIR`` points the lookup at another folder of bundled
models (e.g. a rebuild written with ``--out``, tried before it is committed).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exohunt.errors import InputError

__all__ = [
    "BUNDLE_FILE",
    "CARD_FILE",
    "DEFAULT_BUNDLED",
    "MAX_TOTAL_BYTES",
    "BundledModel",
    "bundle_root",
    "bundled_run_dir",
    "check_feature_version",
    "file_digests",
    "list_bundled",
    "load_bundled",
    "render_card",
    "verify_bundled",
]

#: The model ``exohunt predict`` uses when given no run directory and no ``--model``.
DEFAULT_BUNDLED = "default"
BUNDLE_FILE = "bundle.json"
CARD_FILE = "MODEL_CARD.md"
#: All bundled files together stay under this many bytes (20 MB), so the wheel stays small.
MAX_TOTAL_BYTES = 20_000_000
_ENVIRONMENT = "EXOHUNT_BUNDLED_DIR"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*(?::([^}]*))?\}\}")


@dataclass(frozen=True)
class BundledModel:
    """One bundled model as its ``bundle.json`` describes it.

    Attributes
    ----------
    name, kind, summary : str
        Folder name; ``"lightcurve"`` or ``"views"``; one line for ``exohunt models``.
    directory : Path
        The run (or ensemble) directory.
    size_bytes : int
        Bytes of every file of the folder, ``bundle.json`` included.
    record : dict
        The whole ``bundle.json``.
    """

    name: str
    kind: str
    summary: str
    directory: Path
    size_bytes: int
    record: dict


def bundle_root() -> Path:
    """Folder holding the bundled models: ``$EXOHUNT_BUNDLED_DIR`` if set, else this package."""
    override = os.environ.get(_ENVIRONMENT)
    return Path(override) if override else Path(__file__).resolve().parent


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_digests(directory: str | os.PathLike) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` except ``bundle.json``.

    Parameters
    ----------
    directory : path
        A bundled model's folder.

    Returns
    -------
    dict
        POSIX relative path → hex digest, sorted by path (what ``bundle.json`` records).
    """
    directory = Path(directory)
    record = directory / BUNDLE_FILE
    paths = sorted(p for p in directory.rglob("*") if p.is_file() and p != record)
    return {p.relative_to(directory).as_posix(): _sha256(p) for p in paths}


def _names(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    names = sorted(p.name for p in root.iterdir() if (p / BUNDLE_FILE).is_file())
    return sorted(names, key=lambda n: n != DEFAULT_BUNDLED)  # the default first


def _read_record(directory: Path) -> dict:
    path = directory / BUNDLE_FILE
    try:
        record = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot be read as the bundle record ({error}); reinstall "
                         "exohunt or rebuild the model") from None
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        raise InputError(f"{path}: is not a bundle record (no 'files' table); rebuild it with "
                         "python benchmarks/build_bundled_models.py")
    return record


def _describe(directory: Path, record: dict) -> BundledModel:
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    return BundledModel(directory.name, str(record.get("kind", "?")),
                        str(record.get("summary", "")).splitlines()[0] if record.get("summary")
                        else "", directory, size, record)


def list_bundled() -> list[BundledModel]:
    """Every bundled model (the default first, then by name), read from its ``bundle.json``.

    Hashes are not checked here (:func:`verify_bundled` does that).
    """
    root = bundle_root()
    return [_describe(root / name, _read_record(root / name)) for name in _names(root)]


def bundled_run_dir(name: str = DEFAULT_BUNDLED) -> Path:
    """The directory of bundled model ``name``.

    Raises
    ------
    InputError
        ``name`` is not bundled; the message lists the bundled names.
    """
    root = bundle_root()
    names = _names(root)
    if not names:
        raise InputError(f"no bundled model {name!r}: no bundled models are installed (in "
                         f"{root}); give a run directory made by 'exohunt train' instead")
    if name not in names:
        raise InputError(f"unknown bundled model {name!r}; bundled models: {', '.join(names)} "
                         "('exohunt models' lists them)")
    return root / name


def check_feature_version(version: str | None, what: str, remedy: str) -> None:
    """Refuse features the installed code does not compute alike.

    Parameters
    ----------
    version : str or None
        A recorded feature version (see
        :func:`exohunt.training.features.feature_version_problem`).
    what : str
        What recorded it, for the message (a bundled model).
    remedy : str
        What the user should do (rebuild).

    Raises
    ------
    InputError
        ``version`` is neither the installed one nor one it declares compatible.
    """
    from exohunt.training.features import feature_version_problem

    problem = feature_version_problem(version)
    if problem is not None:
        raise InputError(f"{what} {problem}; {remedy}")


def _run_feature_versions(directory: Path) -> set:
    configs = [directory / "config.json", *sorted(directory.glob("member-*/config.json"))]
    versions = set()
    for path in configs:
        if path.is_file():
            prep = json.loads(path.read_text()).get("preprocessing") or {}
            versions.add(prep.get("feature_version"))
    return versions


def verify_bundled(name: str = DEFAULT_BUNDLED) -> BundledModel:
    """Check bundled model ``name`` before it is loaded.

    Every file ``bundle.json`` lists must exist with its recorded SHA-256 (files it does not
    list are never read by the loader), the record must name this folder, and its feature
    version must be one the installed code computes alike and the one its run records.

    Returns
    -------
    BundledModel

    Raises
    ------
    InputError
        One line naming the model and the file: unknown name, missing or modified file,
        unreadable record, or features of another version (rebuild the model).
    """
    directory = bundled_run_dir(name)
    record = _read_record(directory)
    remedy = f"rebuild it: python benchmarks/build_bundled_models.py --only {name}"
    if record.get("name") != name:
        raise InputError(f"bundled model {name!r}: {BUNDLE_FILE} names {record.get('name')!r}; "
                         f"{remedy}")
    for relative, digest in record["files"].items():
        path = directory / relative
        if not path.is_file():
            raise InputError(f"bundled model {name!r}: {path} is missing; reinstall exohunt or "
                             f"{remedy}")
        if _sha256(path) != digest:
            raise InputError(f"bundled model {name!r}: {path} does not match its SHA-256 in "
                             f"{BUNDLE_FILE} (modified or corrupted); reinstall exohunt or "
                             f"{remedy}")
    version = record.get("feature_version")
    check_feature_version(version, f"bundled model {name!r}", remedy)
    recorded = _run_feature_versions(directory)
    if recorded and recorded != {version}:
        raise InputError(f"bundled model {name!r}: {BUNDLE_FILE} records feature version "
                         f"{version!r} but its run records {sorted(map(str, recorded))}; "
                         f"{remedy}")
    return _describe(directory, record)


def load_bundled(name: str = DEFAULT_BUNDLED, device: str = "auto") -> Any:
    """Verify (:func:`verify_bundled`) and load bundled model ``name``.

    Returns
    -------
    exohunt.training.Run or exohunt.training.Ensemble
    """
    from exohunt.training import load_model

    return load_model(verify_bundled(name).directory, device=device)


def _lookup(values: Any, dotted: str) -> Any:
    value = values
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(part)
    return value


def render_card(template: str, values: dict) -> str:
    """Fill ``{{dotted.path}}`` / ``{{dotted.path:fmt}}`` placeholders of a model-card template.

    Parameters
    ----------
    template : str
        Markdown with placeholders such as ``{{metrics.val.ap:.3f}}``: a dotted path into
        ``values`` (dict keys, or list indices as digits) and an optional Python format spec.
    values : dict
        Usually ``{"name", "summary", "kind", "metrics", "build", ...}`` from ``bundle.json``.

    Returns
    -------
    str
        The card. The same template and values always give the same text.

    Raises
    ------
    InputError
        A placeholder names a missing key, or its value does not take the format spec; the
        message gives the placeholder and its line.
    """
    def fill(match: re.Match) -> str:
        path, spec = match.group(1), (match.group(2) or "").strip()
        line = template.count("\n", 0, match.start()) + 1
        try:
            value = _lookup(values, path)
        except KeyError as error:
            raise InputError(f"model card line {line}: {match.group(0)} names {path!r}, "
                             f"which has no key {error.args[0]!r}") from None
        try:
            return format(value, spec)
        except (TypeError, ValueError) as error:
            raise InputError(f"model card line {line}: cannot format {path}={value!r} with "
                             f"{spec!r} ({error})") from None

    return _PLACEHOLDER.sub(fill, template)
