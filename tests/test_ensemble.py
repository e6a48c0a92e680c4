"""Seed ensembles: averaging, out-of-fold threshold, save/load round trip, refusals."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from _views_synth import synthetic_views
from exohunt.batch import ViewBatch
from exohunt.errors import InputError, RunDirectoryError
from exohunt.training.ensemble import _out_of_fold, load_ensemble, train_ensemble

SMALL = {"global_widths": (4,), "local_widths": (4,), "hidden": 8}


def views(n: int = 120, seed: int = 0) -> ViewBatch:
    """Small views (41/21 bins): PC = box dip in the local view, EB = V dip, J = noise."""
    return synthetic_views(n, seed, global_bins=41, local_bins=21, pc_half=2, eb_half=5,
                           secondary=False)


def test_out_of_fold_averages_only_the_members_that_held_a_row_out():
    members = [SimpleNamespace(config={"split": {"val_rows": [0, 1]}}),
               SimpleNamespace(config={"split": {"val_rows": [1, 2]}})]
    scores = np.array([[0.1, 0.2, 0.9, 0.5], [0.7, 0.4, 0.6, 0.5]])
    rows, oof = _out_of_fold(members, scores)
    np.testing.assert_array_equal(rows, [0, 1, 2])  # row 3 was trained on by both: left out
    np.testing.assert_allclose(oof, [0.1, 0.3, 0.6])


@pytest.mark.slow
def test_ensemble_averages_members_and_round_trips(tmp_path):
    data = views()
    ensemble = train_ensemble(data, n_members=3, out=tmp_path / "ens", positive=("PC",),
                              epochs=3, config=SMALL, jobs=1, device="cpu")
    assert ensemble.config["seeds"] == [42, 43, 44]
    assert [m.config["seed"] for m in ensemble.members] == [42, 43, 44]
    members = np.stack([m.score(data) for m in ensemble.members])
    np.testing.assert_allclose(ensemble.score(data), members.mean(axis=0), atol=1e-12)
    assert 0 < ensemble.config["threshold"]["out_of_fold_rows"] <= len(data)
    loaded = load_ensemble(tmp_path / "ens", device="cpu")
    np.testing.assert_allclose(loaded.score(data), ensemble.score(data), atol=1e-12)
    table = loaded.predict(data)
    assert list(table.columns[:4]) == ["source", "index", "probability", "is_candidate"]
    assert (table["is_candidate"] == (table["probability"] >= loaded.threshold)).all()
    assert table["period_days"].notna().all()


def test_bad_member_counts_and_directories_are_refused(tmp_path):
    with pytest.raises(InputError, match="n_members"):
        train_ensemble(views(), n_members=1)
    with pytest.raises(RunDirectoryError, match=r"ensemble\.json is missing"):
        load_ensemble(tmp_path)
    (tmp_path / "ensemble.json").write_text(json.dumps(
        {"format": "exohunt-ensemble", "model": "twoview", "members": ["../elsewhere"]}))
    with pytest.raises(RunDirectoryError, match="plain directory names"):
        load_ensemble(tmp_path)
    (tmp_path / "ensemble.json").write_text(json.dumps(
        {"format": "exohunt-ensemble", "model": "twoview", "members": ["member-00"]}))
    with pytest.raises(RunDirectoryError, match="member-00"):
        load_ensemble(tmp_path)
