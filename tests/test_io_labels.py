"""Label tables for single-star files: ``exohunt train/evaluate DATA --labels TABLE``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import exohunt
from exohunt.cli import main
from exohunt.errors import InputError
from exohunt.io.labels import apply_labels, read_label_table
from exohunt.lightcurve import LightCurve


def _lcs(*sources: str) -> list[LightCurve]:
    time = np.arange(200) * 0.02
    return [LightCurve(time, np.ones(200), None, {"source": s}) for s in sources]


def test_trailing_path_components_match_and_order_follows_data():
    table = pd.DataFrame({"file": ["q2/a.fits", "q1/a.fits", "b.fits", "other.fits"],
                          "label": [1, 0, "true", 0]})
    data = _lcs("/data/q1/a.fits", "/data/x/b.fits", "/data/q2/a.fits")
    labelled, rows = apply_labels(data, table)
    assert [lc.meta["label"] for lc in labelled] == [0, 1, 1]
    assert rows["file"].tolist() == ["q1/a.fits", "b.fits", "q2/a.fits"]
    assert labelled[0].meta["source"] == "/data/q1/a.fits"


def test_dispositions_with_positive_are_case_insensitive():
    table = pd.DataFrame({"filename": ["a.fits", "b.fits", "c.fits"],
                          "koi_disposition": ["CONFIRMED", "false positive", "Candidate"]})
    labelled, _ = apply_labels(_lcs("a.fits", "b.fits", "c.fits"), table,
                               positive=("confirmed", "CANDIDATE"))
    assert [lc.meta["label"] for lc in labelled] == [1, 0, 1]


@pytest.mark.parametrize("table,positive,message", [
    (pd.DataFrame({"star": ["a.fits"], "label": [1]}), None, "column naming the files"),
    (pd.DataFrame({"file": ["a.fits"], "kind": ["planet"]}), None, "pass --positive"),
    (pd.DataFrame({"file": ["a.fits"], "label": [1]}), ("PC",), "disposition column"),
    (pd.DataFrame({"file": ["a.fits", "b.fits"], "label": [1, 2]}), None, "row 3: label '2'"),
    (pd.DataFrame({"file": ["x/a.fits", "a.fits"], "label": [1, 0]}), None, "both name"),
])
def test_bad_tables_are_one_line_errors(table, positive, message):
    with pytest.raises(InputError, match=message) as error:
        apply_labels(_lcs("x/a.fits"), table, positive=positive)
    assert "\n" not in str(error.value)


def test_a_period_column_rides_along_where_given():
    """``koi_period`` (days; blank where unknown) reaches ``meta["label_period_days"]``."""
    table = pd.DataFrame({"file": ["a.fits", "b.fits", "c.fits"], "label": [1, 1, 0],
                          "koi_period": [3.5, None, 12.0]})
    labelled, rows = apply_labels(_lcs("a.fits", "b.fits", "c.fits"), table)
    assert labelled[0].meta["label_period_days"] == 3.5
    assert "label_period_days" not in labelled[1].meta
    assert labelled[2].meta["label_period_days"] == 12.0
    assert "_period_days" not in rows


@pytest.mark.parametrize("column, value, expected", [
    ("period_days", "soon", "a period in days"), ("period_days", -2.0, "a period in days"),
    ("period_days", 0, "a period in days"),
    ("snr", "loud", "a signal-to-noise ratio"), ("snr", -1.0, "a signal-to-noise ratio"),
    ("snr", "inf", "a signal-to-noise ratio")])
def test_a_period_or_snr_out_of_range_is_named(column, value, expected):
    """A period must be > 0, an SNR >= 0 (both finite); the error names row, column, value."""
    table = pd.DataFrame({"file": ["a.fits", "b.fits"], "label": [1, 0], column: [4.0, value]})
    with pytest.raises(InputError, match=rf"row 3: {column} .* not {expected}") as error:
        read_label_table(table)
    assert "\n" not in str(error.value)


def test_an_snr_column_rides_along_where_given():
    """``koi_model_snr`` (blank where unknown) reaches ``meta["label_snr"]``; zero is allowed
    (a planet whose transits fall in gaps)."""
    table = pd.DataFrame({"file": ["a.fits", "b.fits", "c.fits"], "label": [1, 1, 0],
                          "koi_model_snr": [12.5, None, 0.0]})
    labelled, rows = apply_labels(_lcs("a.fits", "b.fits", "c.fits"), table)
    assert labelled[0].meta["label_snr"] == 12.5
    assert "label_snr" not in labelled[1].meta
    assert labelled[2].meta["label_snr"] == 0.0
    assert "_snr" not in rows and "koi_model_snr" in rows


def test_files_missing_from_the_table_are_named():
    table = pd.DataFrame({"file": ["a.fits"], "label": [1]})
    with pytest.raises(InputError, match=r"^d/b\.fits: not in label table \(and 1 more files\)"):
        apply_labels(_lcs("d/a.fits", "d/b.fits", "d/c.fits"), table)


def test_batches_carry_their_own_labels(tmp_path):
    from exohunt.batch import LightCurveBatch

    batch = LightCurveBatch(np.ones((3, 100), np.float32), np.array([0, 1, 0], np.int8),
                            np.arange(100) * 0.02, "three rows")
    with pytest.raises(InputError, match="single-star files"):
        apply_labels(batch, pd.DataFrame())
    with pytest.raises(InputError, match="not found"):
        read_label_table(tmp_path / "none.csv")


def test_simulator_truth_table_labels_its_fits_files(tmp_path):
    out = tmp_path / "sim"
    assert main(["simulate", str(out), "--format", "fits", "--preset", "vetting",
                 "--n-train", "6", "--n-test", "1", "--quiet", "--seed", "4"]) == 0
    truth = pd.read_csv(out / "train_truth.csv")
    labelled, rows = apply_labels(exohunt.read(out / "train"), out / "train_truth.csv")
    assert [lc.meta["label"] for lc in labelled] == truth["label"].tolist()
    assert rows["kind"].tolist() == truth["kind"].tolist()
    by_kind, _ = apply_labels(exohunt.read(out / "train"), out / "train_truth.csv",
                              positive=("planet", "eb"))
    assert [lc.meta["label"] for lc in by_kind] == truth["kind"].isin(["planet", "eb"]).astype(
        int).tolist()


@pytest.mark.slow
def test_cli_train_and_evaluate_on_labelled_fits_files(tmp_path, capsys):
    out = tmp_path / "sim"
    assert main(["simulate", str(out), "--format", "fits", "--preset", "vetting",
                 "--n-train", "14", "--n-test", "6", "--quiet", "--seed", "6"]) == 0
    table = pd.read_csv(out / "train_truth.csv")
    table["label"] = (np.arange(len(table)) % 2).astype(int)  # enough positives to train on
    table[["file", "label"]].to_csv(tmp_path / "labels.csv", index=False)
    run_dir = tmp_path / "run"
    assert main(["train", str(out / "train"), "--labels", str(tmp_path / "labels.csv"),
                 "--out", str(run_dir), "--quiet", "--jobs", "1",
                 "--unfound-planets", "leave-out"]) == 0
    config = json.loads((run_dir / "config.json").read_text())
    assert config["training"]["unfound_planets"] == "leave-out"
    assert main(["evaluate", str(run_dir), str(out / "test"), "--labels",
                 str(out / "test_truth.csv"), "--out", str(tmp_path / "report"), "--quiet",
                 "--jobs", "1", "--bootstrap", "50"]) == 0
    assert "False-positive rate by kind" in capsys.readouterr().out
    assert main(["evaluate", str(run_dir), str(out / "test"), "--labels",
                 str(out / "train_truth.csv"), "--out", str(tmp_path / "r2"), "--quiet"]) == 2
    assert "not in" in capsys.readouterr().err
    assert main(["evaluate", str(run_dir), str(out / "test"), "--positive", "planet",
                 "--out", str(tmp_path / "r3"), "--quiet"]) == 2
    capsys.readouterr()
    table.assign(period_days="soon")[["file", "label", "period_days"]].to_csv(
        tmp_path / "bad.csv", index=False)
    assert main(["train", str(out / "train"), "--labels", str(tmp_path / "bad.csv"),
                 "--out", str(tmp_path / "run2"), "--quiet", "--jobs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad.csv row 2: period_days 'soon' is not a period in days" in err
    assert "\n" not in err and "Traceback" not in err
