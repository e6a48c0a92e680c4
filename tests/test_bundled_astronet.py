"""The bundled TCE-view models ``astronet-triage`` and ``astronet-vetting`` (issue 16).

(``tests/test_bundled.py`` checks every committed bundle's hashes and card.) Here, without the
shared data: both verify, stay within their share of the size budget, carry the GPL-3.0
notice, and load (no code executed) as the configuration chosen by cross-validation. With
``../shared/data``: they score real Astronet-Triage records through ``exohunt predict --model``,
scoring the whole val shard repeats the card's AP, and a quick build through the real driver
writes a bundle that verifies.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exohunt.batch import ViewBatch
from exohunt.bundled import list_bundled, verify_bundled
from exohunt.cli import main
from exohunt.io import read
from exohunt.training import Ensemble, load_model
from exohunt.training.threshold import safe_average_precision

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "src" / "exohunt" / "bundled"
BUILDERS = REPO / "benchmarks" / "bundled"
NAMES = ("astronet-triage", "astronet-vetting")
POSITIVE = {"astronet-triage": ("PC", "EB"), "astronet-vetting": ("PC",)}


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(f"_test_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(name: str) -> dict:
    return json.loads((BUNDLED / name / "bundle.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_bundled_astronet_model_verifies_and_is_a_views_model(name):
    described = verify_bundled(name)
    assert described.kind == "views" and described.record["build"]["quick"] is False
    assert described.record["metrics"]["task"]["positive"] == list(POSITIVE[name])
    # no pickle anywhere: skops archives, JSON and the card
    assert {Path(p).suffix for p in described.record["files"]} <= {".skops", ".json", ".md"}
    assert name in [m.name for m in list_bundled()]


def test_bundled_astronet_models_stay_within_their_share_of_the_size_budget():
    total = sum(p.stat().st_size for name in NAMES for p in (BUNDLED / name).rglob("*")
                if p.is_file())
    assert total <= 9_500_000  # ~8.9 MB built, of the 20 MB for all bundled models


@pytest.mark.parametrize("name", NAMES)
def test_model_card_carries_the_licence_and_the_build_figures(name):
    card = (BUNDLED / name / "MODEL_CARD.md").read_text()
    record = _record(name)
    assert f"{record['metrics']['val']['ap']:.3f}" in card
    assert "GNU General Public License v3.0" in card
    assert "yuliang419/Astronet-Triage" in card
    assert record["build"]["command"] in card


@pytest.mark.parametrize("name", NAMES)
def test_bundled_ensemble_loads_with_the_configuration_chosen_by_cross_validation(name):
    chosen = _module(BUILDERS / "astronet.py").CHOSEN[name]
    model = load_model(BUNDLED / name, device="cpu")
    assert isinstance(model, Ensemble)
    assert len(model.members) == chosen["members"]
    assert {m.config["model"]["config_name"] for m in model.members} == {chosen["config"]}
    assert model.config["training"]["positive"] == list(POSITIVE[name])
    assert model.threshold == pytest.approx(_record(name)["metrics"]["ensemble"]["threshold"])


@pytest.mark.shared
@pytest.mark.parametrize("name", NAMES)
def test_bundled_model_scores_real_val_records(name, triage_dir):
    views = read(triage_dir / "val-00000-of-00001")
    # the first 300 records: a few seconds, and positives of both tasks among them
    rows = np.arange(300)
    subset = ViewBatch(views.global_view[rows], views.local_view[rows], None,
                       views.table.iloc[rows].reset_index(drop=True), views.source)
    labels = subset.table["disposition"].isin(POSITIVE[name]).to_numpy()
    assert labels.sum() >= 5
    table = load_model(BUNDLED / name, device="cpu").predict(subset, jobs=1)
    assert len(table) == 300
    probability = table["probability"].to_numpy()
    assert np.all((probability >= 0) & (probability <= 1))
    # far better than chance (prevalence ~0.14 triage, ~0.03 vetting) on real records
    assert safe_average_precision(labels.astype(int), probability) > 3 * labels.mean()


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_predict_model_on_the_val_shard_repeats_the_cards_average_precision(name, triage_dir,
                                                                         tmp_path):
    out = tmp_path / "scores.csv"
    assert main(["predict", str(triage_dir / "val-00000-of-00001"), "--model", name,
                 "--out", str(out), "--jobs", "1"]) == 0
    scores = pd.read_csv(out)
    views = read(triage_dir / "val-00000-of-00001")
    assert len(scores) == len(views)
    labels = views.table["disposition"].isin(POSITIVE[name]).to_numpy().astype(int)
    probability = scores.sort_values("index")["probability"].to_numpy()
    assert safe_average_precision(labels, probability) == pytest.approx(
        _record(name)["metrics"]["val"]["ap"], abs=1e-9)


@pytest.mark.shared
@pytest.mark.slow
def test_quick_build_through_the_driver_writes_a_bundle_that_verifies(triage_dir, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("EXOHUNT_ASTRONET_DATA", str(triage_dir))
    driver = _module(REPO / "benchmarks" / "build_bundled_models.py")
    assert driver.main(["--quick", "--only", "astronet-vetting", "--out", str(tmp_path / "out"),
                        "--work", str(tmp_path / "work")]) == 0
    monkeypatch.setenv("EXOHUNT_BUNDLED_DIR", str(tmp_path / "out"))
    described = verify_bundled("astronet-vetting")
    assert described.record["metrics"]["val"]["data"] == "train-00001-of-00008"  # not val
    assert len(load_model(described.directory, device="cpu").members) == 2
    assert "{{" not in (described.directory / "MODEL_CARD.md").read_text()
