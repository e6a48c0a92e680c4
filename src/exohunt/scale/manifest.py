"""The manifest of a scale run: what was asked, with which model, cut into which chunks.

``OUT/manifest.json`` is written once, atomically, before any work starts; a rerun (or another
shard) reads it and refuses to go on when the model, the settings or the listing differ, so
that results of two different scans never mix in one folder. The chunk list holds, per chunk,
the number of paths and a hash of them, not the paths: 2 × 10^6 light curves in chunks of 256
make a manifest of about 300 kB.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exohunt.errors import InputError

__all__ = ["MANIFEST_NAME", "Manifest", "atomic_write_bytes", "model_identity"]

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


def model_identity(run_dir: str | os.PathLike | None) -> str | None:
    """SHA-256 over every file of a run directory (relative names and contents), or None.

    Two run directories with the same files have the same identity wherever they lie, so a
    copy on a compute node's scratch counts as the same model; retraining changes it.
    """
    if run_dir is None:
        return None
    root = Path(run_dir)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(".") or "__pycache__" in relative:
            continue
        digest.update(relative.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary name beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Manifest:
    """``manifest.json`` of one output folder.

    Parameters
    ----------
    kind : {"predict", "search"}
    settings : dict
        Everything that changes the rows (chunk size, read options, threshold, search
        options …); JSON-serialisable.
    model : str or None
        :func:`model_identity` of the run directory (None for ``search``).
    chunks : list of [n_paths, hash]
        The chunking of the listing.
    inputs : list of str
        The inputs as given (for the record; the chunk hashes are what is checked).
    """

    def __init__(self, kind: str, settings: dict, model: str | None,
                 chunks: list[list], inputs: list[str]) -> None:
        self.kind, self.settings, self.model = kind, settings, model
        self.chunks, self.inputs = chunks, inputs

    @classmethod
    def build(cls, kind: str, settings: dict, model: str | None,
              chunk_hashes: Iterable[tuple[int, str]], inputs: list[str]) -> Manifest:
        """From ``(n_paths, hash)`` per chunk, in order."""
        return cls(kind, settings, model, [[n, h] for n, h in chunk_hashes], inputs)

    def as_dict(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "kind": self.kind, "model": self.model,
                "settings": self.settings, "inputs": self.inputs,
                "n_paths": sum(n for n, _ in self.chunks), "chunks": self.chunks}

    @classmethod
    def read(cls, directory: Path) -> Manifest | None:
        """The folder's manifest, or None when it has none."""
        path = Path(directory) / MANIFEST_NAME
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
            return cls(data["kind"], data["settings"], data["model"], data["chunks"],
                       data.get("inputs", []))
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"{path}: not an exohunt scale manifest ({error}); use another "
                             "--out folder") from None

    def write_or_check(self, directory: Path) -> Manifest:
        """Create the manifest, or check the one there against this one; return the one used.

        Creation is atomic and first-writer-wins (shards of an array job starting together
        all agree on one file).
        """
        directory = Path(directory)
        path = directory / MANIFEST_NAME
        existing = Manifest.read(directory)
        if existing is None:
            data = json.dumps(self.as_dict(), indent=1).encode()
            directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".manifest.", dir=directory)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            try:
                os.link(temporary, path)  # fails if another process created it meanwhile
            except FileExistsError:
                pass
            finally:
                os.unlink(temporary)
            existing = Manifest.read(directory)
        self.check_against(existing, path)
        return existing

    def check_against(self, other: Manifest, path: Path) -> None:
        """Raise a one-line :class:`InputError` unless ``other`` describes the same scan."""
        where = f"{path}: the folder holds results of"
        advice = "use another --out folder, or delete it to start over"
        if other.kind != self.kind:
            raise InputError(f"{where} 'exohunt {other.kind}', not {self.kind}; {advice}")
        if other.model != self.model:
            raise InputError(f"{where} another model (run directory files differ: "
                             f"{str(other.model)[:12]} there, {str(self.model)[:12]} now); "
                             f"{advice}")
        if other.settings != self.settings:
            changed = sorted(key for key in set(other.settings) | set(self.settings)
                             if other.settings.get(key) != self.settings.get(key))
            raise InputError(f"{where} other settings ({', '.join(changed)} differ); {advice}")
        if other.chunks != self.chunks:
            first = next((i for i, (a, b) in enumerate(zip(other.chunks, self.chunks))
                          if a != b), min(len(other.chunks), len(self.chunks)))
            raise InputError(f"{where} another input listing ({len(other.chunks)} chunks there, "
                             f"{len(self.chunks)} now; first difference at chunk {first}: files "
                             f"added, removed or renamed since); {advice}")
