"""A tiny bundled model built by the real driver (benchmarks/build_bundled_models.py).

The builder below trains the scale tests' gbm (40 short synthetic light curves, ~2 s); the
driver renders its card, hashes it and writes bundle.json exactly as for the shipped models.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

BUILDER = f'''
import json
import sys

sys.path.insert(0, {str(TESTS)!r})
from _scale_fixtures import tiny_run


def build(run_dir, *, work, seed, quick):
    assert quick and work.is_dir()
    tiny_run(run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {{"summary": "tiny gbm on 40 synthetic light curves (tests only)",
            "kind": "lightcurve", "tolerance": "identical files",
            "metrics": {{"val": {{"ap": metrics["average_precision"],
                                  "n": metrics["n_total"]}}, "grid": [0.5, 0.25]}}}}


BUILDS = {{"default": build}}
'''

CARD = """# Model card: {{name}}

{{summary}} (kind {{kind}}).

| metric | value |
|---|---|
| validation AP | {{metrics.val.ap:.3f}} |
| validation stars | {{metrics.val.n:d}} |
| second grid value | {{metrics.grid.1}} |

Built by `{{build.command}}` (seed {{build.seed}}, commit {{build.git_commit}}) in
{{build.wall_s:.1f}} s wall, {{build.cpu_s:.1f}} s CPU on {{build.cpu_model}}.
Features: {{feature_version}}. Rebuild tolerance: {{build.tolerance}}.
"""


def load_driver():
    """The ``build_bundled_models`` module, imported from its file."""
    path = REPO / "benchmarks" / "build_bundled_models.py"
    spec = importlib.util.spec_from_file_location("build_bundled_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_builders(folder: Path) -> Path:
    """A builder folder (module + card template) for model ``default``."""
    (folder / "cards").mkdir(parents=True, exist_ok=True)
    (folder / "tiny.py").write_text(BUILDER)
    (folder / "cards" / "default.md.in").write_text(CARD)
    return folder


def build_tiny(base: Path) -> Path:
    """Run the driver with the tiny builder; returns the bundle root (holding ``default/``)."""
    builders = write_builders(base / "builders")
    out = base / "bundled"
    code = load_driver().main(["--builders", str(builders), "--quick", "--out", str(out),
                               "--work", str(base / "work")])
    assert code == 0
    return out



def cached_tiny_root(base: Path) -> Path:
    """The tiny bundle root under ``base`` (a pytest session's temporary root), built once."""
    root = base / "tiny-bundle" / "bundled"
    if not (root / "default" / "bundle.json").is_file():
        shutil.rmtree(base / "tiny-bundle", ignore_errors=True)
        build_tiny(base / "tiny-bundle")
    return root


def use_copy(root: Path, target: Path, monkeypatch) -> Path:
    """A private copy of bundle root ``root`` at ``target``, made the one exohunt looks in."""
    shutil.copytree(root, target)
    monkeypatch.setenv("EXOHUNT_BUNDLED_DIR", str(target))
    return target


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory) -> Path:
    return cached_tiny_root(tmp_path_factory.getbasetemp())


@pytest.fixture
def tiny(tiny_root, tmp_path, monkeypatch) -> Path:
    return use_copy(tiny_root, tmp_path / "bundled", monkeypatch)
