"""``exohunt predict FILE`` with no run, ``--model``, ``exohunt models`` and the one-line errors
of bundled models, on a tiny bundle built by the real driver."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exohunt.cli import main


@pytest.fixture(scope="module")
def fits_files(tmp_path_factory) -> list[Path]:
    from _scale_fixtures import write_fits_files

    return write_fits_files(tmp_path_factory.mktemp("fits"), 3)


def _one_line_error(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(f"exohunt {command}: error: ")
    return err


def test_predict_with_no_run_scores_with_the_bundled_default(tiny, fits_files, tmp_path,
                                                             monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["predict", *map(str, fits_files), "--jobs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    rows = pd.read_csv(tmp_path / "predictions.csv")  # the default --out
    assert len(rows) == 3 and "(bundled model 'default')" in out
    assert fits_files[0].name in out and "probability" in out  # a few rows are printed
    run_dir = tiny / "default"  # a run directory first still works, with the same scores
    assert main(["predict", str(run_dir), *map(str, fits_files), "--out", "run.csv",
                 "--jobs", "1", "--quiet"]) == 0
    assert np.array_equal(pd.read_csv("run.csv")["probability"], rows["probability"])
    assert "bundled model" not in capsys.readouterr().out
    assert main(["predict", str(fits_files[0].parent), "--model", "default", "--out",
                 "folder.csv", "--jobs", "1", "--quiet"]) == 0  # an input folder is no run
    assert len(pd.read_csv("folder.csv")) == 3
    assert main(["predict", str(run_dir), str(fits_files[0]), "--model", "default"]) == 2
    assert "give one of them" in _one_line_error(capsys, "predict")


@pytest.mark.parametrize("command", ["predict", "evaluate", "models"])
def test_an_unknown_model_name_lists_the_bundled_ones(tiny, command, fits_files, tmp_path,
                                                      capsys):
    args = {"predict": ["predict", str(fits_files[0]), "--model", "nope"],
            "evaluate": ["evaluate", str(fits_files[0]), "--model", "nope", "--out",
                         str(tmp_path / "rep")],
            "models": ["models", "nope"]}[command]
    assert main(args) == 2
    err = _one_line_error(capsys, command)
    assert "unknown bundled model 'nope'; bundled models: default" in err


def test_a_tampered_bundled_file_is_one_line_exit_2(tiny, fits_files, tmp_path, capsys):
    weights = tiny / "default" / "model.skops"
    weights.write_bytes(weights.read_bytes()[:-3] + b"abc")
    out = tmp_path / "p.csv"
    assert main(["predict", str(fits_files[0]), "--out", str(out)]) == 2
    err = _one_line_error(capsys, "predict")
    assert "bundled model 'default'" in err and "model.skops" in err and "SHA-256" in err
    assert not out.exists()
    assert main(["models", "--verify"]) == 2
    captured = capsys.readouterr()
    assert "FAILED default" in captured.out and "failed their check: default" in captured.err


def test_models_lists_prints_cards_and_verifies(tiny, tmp_path, capsys, monkeypatch):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    name, kind, size, unit, *summary = lines[0].split()
    record = json.loads((tiny / "default" / "bundle.json").read_text())
    assert (name, kind, unit) == ("default", "lightcurve", "kB")
    # (the tiny run is ~65 kB since Run.save deflates model.skops)
    assert " ".join(summary) == record["summary"] and 10 < float(size) < 1000
    assert main(["models", "default"]) == 0
    assert capsys.readouterr().out == (tiny / "default" / "MODEL_CARD.md").read_text()
    assert main(["models", "--verify"]) == 0
    assert capsys.readouterr().out.startswith("ok     default: 5 files match bundle.json")
    monkeypatch.setenv("EXOHUNT_BUNDLED_DIR", str(tmp_path / "none"))
    assert main(["models"]) == 0
    assert "no bundled models are installed" in capsys.readouterr().err


def test_a_run_of_another_feature_version_is_refused_not_scored(tiny, fits_files, tmp_path,
                                                                capsys):
    run_dir = shutil.copytree(tiny / "default", tmp_path / "old-run")
    config = json.loads((run_dir / "config.json").read_text())
    config["preprocessing"]["feature_version"] = "search-11:older"
    (run_dir / "config.json").write_text(json.dumps(config))
    out = tmp_path / "p.csv"
    assert main(["predict", str(run_dir), str(fits_files[0]), "--out", str(out)]) == 2
    err = _one_line_error(capsys, "predict")
    assert "'search-11'" in err and "retrain" in err and not out.exists()
    bundle = tiny / "default" / "bundle.json"  # the bundled record: rebuild, never score
    record = json.loads(bundle.read_text())
    bundle.write_text(json.dumps({**record, "feature_version": "search-11:older"}))
    assert main(["predict", str(fits_files[0]), "--out", str(out)]) == 2
    assert "build_bundled_models.py --only default" in _one_line_error(capsys, "predict")


def test_evaluate_accepts_a_bundled_model_and_leaves_it_untouched(tiny, tmp_path, capsys):
    from _scale_fixtures import N_POINTS
    from _search_synth import noise_lightcurve, planet_lightcurve
    from exohunt.batch import LightCurveBatch
    from exohunt.io.writers import write_kaggle_csv

    rng = np.random.default_rng(11)
    curves = [planet_lightcurve(rng, period=2.0 + i / 3, snr=25.0, n_points=N_POINTS)[0]
              for i in range(4)] + [noise_lightcurve(rng, n_points=N_POINTS) for _ in range(8)]
    batch = LightCurveBatch(np.stack([lc.flux for lc in curves]),
                            np.array([1] * 4 + [0] * 8, np.int8), curves[0].time)
    data = write_kaggle_csv(tmp_path / "labelled.csv", batch)
    before = sorted(p.name for p in (tiny / "default").rglob("*"))
    assert main(["evaluate", str(data), "--model", "default", "--out", str(tmp_path / "rep"),
                 "--bootstrap", "50", "--jobs", "1", "--quiet"]) == 0
    metrics = json.loads((tmp_path / "rep" / "metrics.json").read_text())
    assert metrics["n_total"] == 12 and metrics["n_positive"] == 4
    assert sorted(p.name for p in (tiny / "default").rglob("*")) == before  # nothing recorded
    assert main(["models", "--verify"]) == 0
    assert main(["evaluate", str(tmp_path / "no-such-run"), str(data), "--out",
                 str(tmp_path / "rep2")]) == 2
    assert "no-such-run: not found" in capsys.readouterr().err


def test_demo_ends_by_scoring_a_tess_file_with_the_bundled_model(tiny, tmp_path, capsys,
                                                                 monkeypatch):
    from exohunt import read
    from exohunt.commands.demo import EXAMPLE_PLANET, score_example

    score_example(tmp_path / "a", seed=1, jobs=1, days=10.0)  # 3 transits, 7,200 cadences
    out = capsys.readouterr().out
    assert "the bundled model 'default' scored" in out and "exohunt predict your_file.fits" in out
    row = pd.read_csv(tmp_path / "a" / "example_predictions.csv").iloc[0]
    assert abs(row["period_days"] - EXAMPLE_PLANET["period"]) < 0.02
    assert f"probability {row['probability']:.3f}" in out
    lc = read(tmp_path / "a" / "data" / "tess-example_lc.fits")
    assert lc.meta["mission"] == "TESS" and abs(lc.cadence * 1440 - 2.0) < 1e-6
    (tiny / "default" / "metrics.json").write_text("{}")  # a broken bundle: noted, not fatal
    score_example(tmp_path / "b", seed=1, jobs=1, days=10.0)
    assert "with the bundled model was skipped: bundled model 'default'" in (
        capsys.readouterr().out)
    monkeypatch.setenv("EXOHUNT_BUNDLED_DIR", str(tmp_path / "none"))
    score_example(tmp_path / "c", seed=1, jobs=1)
    assert "No bundled model is installed" in capsys.readouterr().out
    assert not (tmp_path / "c").exists()
