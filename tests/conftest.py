"""Shared fixtures: where the real data lives, and seeded random generators."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

# The tiny bundled model's fixtures (`tiny_root`, `tiny`), shared by the bundled-model tests.
pytest_plugins = ["_bundled_fixtures"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def _require(path: Path) -> Path:
    """Return ``path``; skip when absent, except in CI (``CI=true``) where absence fails."""
    if path.exists():
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{path} is missing; CI must have ../shared/data")
    pytest.skip(f"{path} not available")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real Kepler/K2/TESS light curves and AstroNet TFRecords)."""
    return _require(SHARED_DATA)


@pytest.fixture(scope="session")
def lightcurve_dir(shared_data: Path) -> Path:
    return _require(shared_data / "lightcurves")


@pytest.fixture(scope="session")
def triage_dir(shared_data: Path) -> Path:
    return _require(shared_data / "astronet_triage")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
