"""``exohunt train`` on a Kaggle-layout CSV: writes a loadable run, errors are one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from exohunt.cli import main
from exohunt.training import load_run
from test_training import dipped_batch


@pytest.mark.slow
def test_train_command_writes_a_loadable_run(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=80, n_pos=16))
    status = main(["train", str(csv), "--out", str(tmp_path / "run"), "--model", "cnn",
                   "--epochs", "2", "--jobs", "1", "--no-progress", "--objective", "recall:0.75"])
    assert status == 0
    out = capsys.readouterr().out
    assert "validation: AP" in out and str(tmp_path / "run") in out
    run = load_run(tmp_path / "run", device="cpu")
    assert run.config["threshold"]["objective"] == "recall:0.75"
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["recall"] >= 0.75 and metrics["n_total"] == 16


def test_train_command_rejects_unknown_model(tmp_path, capsys):
    status = main(["train", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "r"),
                   "--model", "resnet"])
    assert status == 2
    assert "expected one of: seed-lstm" in capsys.readouterr().err


@pytest.mark.slow
def test_members_trains_a_seed_ensemble_that_predict_and_evaluate_take(tmp_path, capsys):
    import pandas as pd

    from exohunt.io import write_kaggle_csv
    from exohunt.training import Ensemble, load_model

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=80, n_pos=16))
    ens = tmp_path / "ens"
    assert main(["train", str(csv), "--out", str(ens), "--model", "gbm", "--members", "2",
                 "--imbalance", "none", "--jobs", "1", "--no-progress", "--folds"]) == 0
    out = capsys.readouterr().out
    assert "trained 2 gbm runs (seeds 42-43)" in out and "out of fold (80 rows)" in out
    ensemble = load_model(ens, device="cpu")
    assert isinstance(ensemble, Ensemble) and len(ensemble.members) == 2
    # predict through the worker pool (workers load the ensemble) and in process: same scores
    for jobs in ("1", "2"):
        assert main(["predict", str(ens), str(csv), "--out", str(tmp_path / f"p{jobs}.csv"),
                     "--jobs", jobs, "--no-progress"]) == 0
    one, two = (pd.read_csv(tmp_path / f"p{j}.csv") for j in ("1", "2"))
    np.testing.assert_allclose(one["probability"], two["probability"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(one["probability"], ensemble.score(csv, jobs=1), atol=1e-9)
    assert main(["evaluate", str(ens), str(csv), "--out", str(tmp_path / "report"),
                 "--no-progress", "--bootstrap", "50"]) == 0
    assert (tmp_path / "report" / "metrics.json").is_file()
    capsys.readouterr()
    assert main(["compare", str(ens)]) == 0
    table = capsys.readouterr().out
    assert "gbm ×2" in table and "train.csv" in table


def test_config_picks_a_named_configuration_or_json_overrides(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=60, n_pos=12))
    for config, leaves, name in (("large", 31, "large"),
                                 ('{"max_leaf_nodes": 7, "learning_rate": 0.1}', 7, "custom"),
                                 ('{"max_leaf_nodes": 31, "max_iter": 600}', 31, "large")):
        out = tmp_path / f"run-{leaves}-{name}"
        assert main(["train", str(csv), "--out", str(out), "--model", "gbm", "--config", config,
                     "--imbalance", "none", "--jobs", "1", "--no-progress"]) == 0
        saved = json.loads((out / "config.json").read_text())["model"]
        assert saved["config"]["max_leaf_nodes"] == leaves  # the resolved config is saved
        assert saved["config_name"] == name  # overrides that equal a named one get its name
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "run-31-large"), str(tmp_path / "run-7-custom")]) == 0
    table = capsys.readouterr().out
    assert "gbm (large)" in table and "gbm (custom)" in table


def test_a_configuration_name_reaches_train_as_the_name_so_its_loop_settings_apply():
    from exohunt.commands.train import _model_config
    from exohunt.models.gbm import GBMConfig

    # a dataclass here would lose twoview astronet's learning rate (NamedConfig.loop)
    assert _model_config("twoview", "astronet") == "astronet"
    assert _model_config("gbm", None) is None
    assert _model_config("gbm", '{"max_leaf_nodes": 7}') == GBMConfig(max_leaf_nodes=7)


@pytest.mark.parametrize("config, message", [
    ("huge", "model 'gbm' has no configuration 'huge'; expected one of: default, large"),
    ("{max_leaf_nodes: 7}", "--config: not a valid JSON object"),
    ("[1, 2]", "--config: expected a JSON object of config fields"),
    ('{"leaves": 7}', "unknown GBMConfig option(s) ['leaves']"),
    ('{"max_leaf_nodes": "7"}', "GBMConfig option 'max_leaf_nodes' must be int"),
])
def test_a_bad_config_is_a_one_line_error_before_the_data_is_read(tmp_path, capsys, config,
                                                                    message):
    # the data file does not exist: the config is checked first
    assert main(["train", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "r"),
                 "--model", "gbm", "--config", config]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_members_out_of_range_is_a_one_line_error(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=40, n_pos=8))
    assert main(["train", str(csv), "--out", str(tmp_path / "e"), "--members", "0"]) == 2
    err = capsys.readouterr().err
    assert "--members must be from 1 to 100, got 0" in err and "Traceback" not in err


@pytest.mark.parametrize("extra, message", [
    (["--signals", "0"], "--signals must be from 1 to 5, got 0"),
    (["--signals", "6"], "--signals must be from 1 to 5, got 6"),
    (["--signals", "2", "--model", "cnn"], "--signals applies to gbm (the boosted trees), not "
                                           "to cnn"),
])
def test_signals_out_of_range_is_a_one_line_error_before_the_data_is_read(tmp_path, capsys,
                                                                          extra, message):
    assert main(["train", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "r"),
                 *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_folds_without_members_is_a_one_line_error(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=40, n_pos=8))
    assert main(["train", str(csv), "--out", str(tmp_path / "e"), "--folds"]) == 2
    err = capsys.readouterr().err
    assert "--folds needs --members K" in err and "Traceback" not in err


@pytest.mark.parametrize("objective", ["recall:0.95@snr0", "recall:0.95@depth10"])
def test_train_command_rejects_a_malformed_strong_recall_objective(tmp_path, capsys, objective):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=20, n_pos=4))
    status = main(["train", str(csv), "--out", str(tmp_path / "r"), "--model", "cnn",
                   "--no-progress", "--objective", objective])
    assert status == 2
    err = capsys.readouterr().err
    assert "recall:0.95@snr10" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_prevalence_weight_where_it_cannot_apply_is_a_one_line_error(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=40, n_pos=8))
    assert main(["train", str(csv), "--out", str(tmp_path / "r"), "--model", "cnn",
                 "--prevalence", "weight"]) == 2
    err = capsys.readouterr().err
    assert "prevalence 'weight' applies to the boosted trees with injection" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


def test_weak_positive_weight_without_an_snr_objective_is_a_one_line_error(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=20, n_pos=4))
    status = main(["train", str(csv), "--out", str(tmp_path / "r"), "--model", "gbm",
                   "--no-progress", "--weak-positive-weight", "0.3", "--objective",
                   "expected-recall:0.95"])
    assert status == 2
    err = capsys.readouterr().err
    assert "recall:R@snrS" in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_weak_positive_weight_reaches_the_saved_run(tmp_path, capsys):
    from exohunt.io import write_kaggle_csv

    csv = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=60, n_pos=10))
    status = main(["train", str(csv), "--out", str(tmp_path / "run"), "--model", "gbm",
                   "--imbalance", "weights", "--config", '{"max_iter": 20}', "--jobs", "1",
                   "--no-progress", "--objective", "expected-recall:0.9@snr18",
                   "--weak-positive-weight", "0.3"])
    assert status == 0, capsys.readouterr().err
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["training"]["weak_positive_weight"] == 0.3
    assert config["threshold"]["objective"] == "expected-recall:0.9@snr18"
