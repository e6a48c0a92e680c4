"""The bundled TCE-view models ``astronet-triage`` and ``astronet-vetting`` (issue 16).

Without the shared data: the committed files match the hashes their build recorded, each card
is its template rendered with the build's figures, the ensembles load (no code executed) with
the configuration chosen by cross-validation. With ``../shared/data``: they score real
Astronet-Triage records, and scoring the whole val shard repeats the card's AP.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exohunt.batch import ViewBatch
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


def _render(template: str, values: dict) -> str:
    try:
        from exohunt.bundled import render_card
    except ImportError:  # the bundle API is not on this branch: the build's stand-in renderer
        render_card = _module(BUILDERS / "_standin_build.py").render
    return render_card(template, values)


@pytest.mark.parametrize("name", NAMES)
def test_bundled_files_match_the_hashes_of_their_build(name):
    folder = BUNDLED / name
    record = _record(name)
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                     if p.is_file() and p.name != "bundle.json")
    assert sorted(record["files"]) == on_disk  # nothing unlisted, nothing missing
    for relative, digest in record["files"].items():
        assert hashlib.sha256((folder / relative).read_bytes()).hexdigest() == digest, relative
    assert record["name"] == name and record["kind"] == "views"
    assert record["build"]["quick"] is False
    # no pickle anywhere: skops archives and JSON (and the card)
    assert {Path(p).suffix for p in on_disk} <= {".skops", ".json", ".md"}


def test_bundled_astronet_models_stay_within_their_share_of_the_size_budget():
    total = sum(p.stat().st_size for name in NAMES for p in (BUNDLED / name).rglob("*")
                if p.is_file())
    assert total <= 8_000_000  # of the 20 MB for all bundled models


@pytest.mark.parametrize("name", NAMES)
def test_model_card_is_its_template_rendered_with_the_build_figures(name):
    record = _record(name)
    template = (BUILDERS / "cards" / f"{name}.md.in").read_text()
    values = {k: v for k, v in record.items() if k != "files"}
    card = (BUNDLED / name / "MODEL_CARD.md").read_text()
    assert _render(template, values) == card
    assert f"{record['metrics']['val']['ap']:.3f}" in card
    assert "GNU General Public License v3.0" in card and "Astronet-Triage" in card


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
def test_predict_cli_on_the_val_shard_repeats_the_cards_average_precision(name, triage_dir,
                                                                         tmp_path):
    out = tmp_path / "scores.csv"
    assert main(["predict", str(BUNDLED / name), str(triage_dir / "val-00000-of-00001"),
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
def test_quick_build_writes_a_verifiable_bundle(triage_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("EXOHUNT_ASTRONET_DATA", str(triage_dir))
    standin = _module(BUILDERS / "_standin_build.py")
    assert standin.main(["--quick", "--only", "astronet-vetting", "--out", str(tmp_path / "out"),
                         "--work", str(tmp_path / "work")]) == 0
    folder = tmp_path / "out" / "astronet-vetting"
    record = json.loads((folder / "bundle.json").read_text())
    assert record["files"] == standin.digests(folder)
    assert record["metrics"]["val"]["data"] == "train-00001-of-00008"  # quick never reads val
    assert len(load_model(folder, device="cpu").members) == 2
    assert "{{" not in (folder / "MODEL_CARD.md").read_text()
