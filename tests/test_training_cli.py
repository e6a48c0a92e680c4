"""``exohunt train`` on a Kaggle-layout CSV: writes a loadable run, errors are one line."""

from __future__ import annotations

import json

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
