"""Mixed ensembles (trees + view network): weights, out-of-fold threshold, round trip and the
checks ``load_ensemble`` makes on a mixed ``ensemble.json``."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from _views_synth import synthetic_views
from exohunt.errors import InputError, RunDirectoryError
from exohunt.evaluation.evaluator import model_name
from exohunt.training import load_model
from exohunt.training.ensemble import _out_of_fold
from exohunt.training.mixed import train_mixed_ensemble

NET = {"global_widths": (4,), "local_widths": (4,), "hidden": 8}
TREES = {"max_iter": 20}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    data = synthetic_views(120, 0, global_bins=41, local_bins=21, pc_half=2, eb_half=5,
                           secondary=False)
    out = tmp_path_factory.mktemp("mixed") / "ens"
    ensemble = train_mixed_ensemble(data, [("gbm", TREES, 2), ("twoview", NET, 1)], out,
                                    seed=3, positive=("PC", "EB"), epochs=2, jobs=1,
                                    device="cpu")
    return data, ensemble, out


def test_out_of_fold_weights_each_member():
    members = [type("M", (), {"config": {"split": {"val_rows": [0, 1]}}})() for _ in range(2)]
    rows, oof = _out_of_fold(members, np.array([[0.2, 0.4], [0.8, 1.0]]), np.array([3.0, 1.0]))
    np.testing.assert_array_equal(rows, [0, 1])
    np.testing.assert_allclose(oof, [0.35, 0.55])


def test_each_model_weighs_the_same_and_the_directory_round_trips(mixed):
    data, ensemble, out = mixed
    assert ensemble.config["member_models"] == ["gbm", "gbm", "twoview"]
    assert ensemble.config["weights"] == pytest.approx([0.25, 0.25, 0.5])
    assert ensemble.config["seeds"] == [3, 4, 3]
    members = np.stack([m.score(data) for m in ensemble.members])
    expected = 0.5 * members[:2].mean(axis=0) + 0.5 * members[2]
    np.testing.assert_allclose(ensemble.score(data), expected, atol=1e-12)
    loaded = load_model(out, device="cpu")
    np.testing.assert_allclose(loaded.score(data), expected, atol=1e-6)
    assert loaded.threshold == pytest.approx(ensemble.threshold)
    table = loaded.predict(data)
    np.testing.assert_allclose(table["probability"], expected, atol=1e-6)
    assert model_name(loaded) == "gbm (custom) ×2 + twoview (custom) ×1"


def test_a_mixed_ensemble_json_that_disagrees_with_its_members_is_refused(mixed, tmp_path):
    _, _, out = mixed
    changes = [({"member_models": ["gbm", "twoview", "gbm"]}, "member_models"),
               ({"weights": [0.5, 0.5]}, "weight per member"),
               ({"weights": [0.5, -0.1, 0.6]}, "weight per member")]
    for k, (change, message) in enumerate(changes):
        copy = tmp_path / f"copy-{k}"
        shutil.copytree(out, copy)
        config = json.loads((copy / "ensemble.json").read_text())
        config.update(change)
        (copy / "ensemble.json").write_text(json.dumps(config))
        with pytest.raises(RunDirectoryError, match=message):
            load_model(copy, device="cpu")


def test_sequence_models_and_single_parts_cannot_be_mixed():
    data = synthetic_views(40, 1, global_bins=41, local_bins=21)
    with pytest.raises(InputError, match="at least two parts"):
        train_mixed_ensemble(data, [("gbm", None, 2)])
    with pytest.raises(InputError, match="sequence inputs"):
        train_mixed_ensemble(data, [("gbm", None, 1), ("cnn", None, 1)])
    with pytest.raises(InputError, match="members must be"):
        train_mixed_ensemble(data, [("gbm", None, 0), ("twoview", None, 1)])


def test_networks_saved_as_safetensors_load_without_pickle_and_score_alike(mixed, tmp_path):
    data, ensemble, _ = mixed
    out = ensemble.save(tmp_path / "safe", weights_format="safetensors")
    files = {p.name for p in out.rglob("*") if p.is_file()}
    assert "model.safetensors" in files and "model.pt" not in files
    loaded = load_model(out, device="cpu")
    np.testing.assert_allclose(loaded.score(data), ensemble.score(data), atol=1e-6)
    weights = out / "member-02" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-40] + bytes(40))
    with pytest.raises(RunDirectoryError, match="checksum"):
        load_model(out, device="cpu")


def test_a_safetensors_file_of_another_model_or_not_safetensors_is_refused(mixed, tmp_path):
    from exohunt.training.run import RUN_FORMAT
    from exohunt.training.safe_weights import load_safetensors, save_safetensors

    network = mixed[1].members[2].model
    path = tmp_path / "model.safetensors"
    save_safetensors(network, path, run_format=RUN_FORMAT, name="twoview", config={})
    config, state = load_safetensors(path, run_format=RUN_FORMAT, name="twoview")
    assert config == {} and set(state) == set(network.state_dict())
    with pytest.raises(RunDirectoryError, match="not an exohunt 'lstm-views' checkpoint"):
        load_safetensors(path, run_format=RUN_FORMAT, name="lstm-views")
    path.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(RunDirectoryError, match="not a safetensors weights file"):
        load_safetensors(path, run_format=RUN_FORMAT, name="twoview")
    with pytest.raises(InputError, match="weights_format"):
        mixed[1].members[2].save(tmp_path / "bad", weights_format="pickle")
