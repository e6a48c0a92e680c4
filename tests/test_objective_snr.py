"""Which SNR a ``recall:R@snrS`` threshold objective counts the planets by
(``train(objective_snr=...)``): the search's measurement, or a label table's SNR column."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import labelled_vetting_files
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve
from exohunt.training.api import (
    check_objective_snr,
    objective_snr_record,
    objective_snr_values,
)
from test_ensemble_folds import _fake_ensemble


def _star(label: int, snr: float | None = None) -> LightCurve:
    meta = {"source": "x.fits", "label": label}
    if snr is not None:
        meta["label_snr"] = snr
    return LightCurve(np.arange(3.0), np.ones(3), None, meta)


def test_label_snr_replaces_the_search_snr_of_planets_that_have_one():
    data = [_star(1, 12.0), _star(1), _star(0, 30.0), _star(1, 0.0)]
    labels = np.array([1, 1, 0, 1], np.int8)
    search = np.array([8.0, 9.0, 11.0, np.nan])
    out = objective_snr_values(data, labels, np.arange(4), search, "labels")
    # planets with a label SNR take it; a planet without one and a planet-free star keep the
    # search's (a planet-free star is never filtered by the objective anyway)
    np.testing.assert_array_equal(out, [12.0, 9.0, 11.0, 0.0])
    np.testing.assert_array_equal(search, [8.0, 9.0, 11.0, np.nan])  # not modified
    # rows: a subset, in their own order
    np.testing.assert_array_equal(
        objective_snr_values(data, labels, np.array([3, 0]), search[[3, 0]], "labels"),
        [0.0, 12.0])
    same = objective_snr_values(data, labels, np.arange(4), search, "search")
    np.testing.assert_array_equal(same, search)
    assert objective_snr_values(data, labels, np.arange(4), None, "labels") is None


def test_out_of_fold_threshold_counts_planets_by_their_label_snr():
    """A planet the search reads at SNR 6 but whose table gives 14 counts under "labels" and
    pulls the threshold below its score; one the search reads at 15 but the table at 7 stops
    counting."""
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0], np.int8)
    search = np.array([6.0, 15.0, 12.0, 20.0, 8.0, np.nan, 9.0, 7.0])
    member = np.array([0.05, 0.2, 0.7, 0.9, 0.3, 0.1, 0.25, 0.4])
    ensemble = _fake_ensemble([[0, 1, 4, 5], [2, 3, 6, 7]], np.stack([member, member]), search)
    data = [_star(1, 14.0), _star(1, 7.0), _star(1, 12.0), _star(1), *[_star(0)] * 4]
    by_search = out_of_fold_record(ensemble, data, labels, "recall:1@snr10",
                                   {"objective_snr": "search"})["threshold"]
    assert 0.1 < by_search["threshold"] < 0.2  # row 1 (0.2) counts, row 0 not
    assert by_search["objective_snr"] == "search" and by_search["label_snr_planets"] == 0
    by_labels = out_of_fold_record(ensemble, data, labels, "recall:1@snr10", {})["threshold"]
    assert by_labels["threshold"] <= 0.05  # the default: row 0 (0.05) counts now
    assert by_labels["objective_snr"] == "labels" and by_labels["label_snr_planets"] == 3
    only_strong = out_of_fold_record(ensemble, data, labels, "recall:0.6@snr10",
                                     {"objective_snr": "labels"})["threshold"]
    assert only_strong["recall"] >= 0.6


def out_of_fold_record(*args, **kwargs):
    from exohunt.training.ensemble import out_of_fold_record as record

    return record(*args, **kwargs)


@pytest.mark.parametrize("value", ["truth", "", None, 1])
def test_an_unknown_objective_snr_is_refused(value):
    with pytest.raises(InputError, match="objective_snr must be one of labels, search"):
        check_objective_snr(value)


def test_the_threshold_record_says_how_the_planets_were_counted():
    data = [_star(1, 12.0), _star(1), _star(0), _star(1, 4.0)]
    labels = np.array([1, 1, 0, 1], np.int8)
    assert objective_snr_record(data, labels, np.array([0, 1, 2]), "recall:0.95@snr10",
                                "labels") == {"objective_snr": "labels", "label_snr_planets": 1}
    assert objective_snr_record(data, labels, np.arange(4), "recall:0.95@snr10",
                                "search") == {"objective_snr": "search", "label_snr_planets": 0}
    assert objective_snr_record(data, labels, np.arange(4), "recall:0.95", "labels") == {}


@pytest.mark.slow
def test_a_run_counts_its_validation_planets_by_the_tables_snr(tmp_path):
    """End to end on single-star files: the table's SNR column reaches the threshold (every
    planet's label SNR below S leaves the objective nothing to count), the run records the
    choice, and "search" reads the search's."""
    from exohunt.training import train

    kinds = ["planet", "eb", "quiet", "quiet", "quiet"] * 6
    curves, table = labelled_vetting_files(kinds)
    options = dict(jobs=1, cache_dir=tmp_path, imbalance="weights", seed=3, val_fraction=0.5,
                   objective="recall:0.9@snr8")
    strong = table.assign(snr=np.where(table["label"] == 1, 50.0, np.nan))
    run = train(curves, "gbm", labels=strong, **options)  # objective_snr="labels": default
    threshold = run.config["threshold"]
    assert threshold["objective_snr"] == "labels" and threshold["recall"] >= 0.9
    assert threshold["label_snr_planets"] == int(table["label"].iloc[
        run.config["split"]["val_rows"]].sum())
    faint = table.assign(snr=np.where(table["label"] == 1, 3.0, np.nan))
    with pytest.raises(InputError, match="no validation planet has an SNR >= 8"):
        train(curves, "gbm", labels=faint, **options)
    by_search = train(curves, "gbm", labels=faint, objective_snr="search", **options)
    assert by_search.config["threshold"]["objective_snr"] == "search"
    assert by_search.config["threshold"]["label_snr_planets"] == 0
    # without an SNR column the labels' way counts by the search's, as "search" does
    plain = train(curves, "gbm", labels=table, **options).config["threshold"]
    assert plain["threshold"] == by_search.config["threshold"]["threshold"]
    assert plain["label_snr_planets"] == 0


def test_the_cli_refuses_an_unknown_objective_snr(capsys):
    from exohunt.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["train", "x.fits", "--out", "r", "--objective-snr", "truth"])
    assert exit_.value.code != 0
    assert "--objective-snr" in capsys.readouterr().err


def test_the_label_snr_does_not_change_the_feature_cache_key():
    from exohunt.training.features import _cache_key

    plain, with_snr = _star(1), _star(1, 12.0)
    assert _cache_key([plain], "v") == _cache_key([with_snr], "v")


@pytest.mark.parametrize("extra, expected", [([], "labels"), (["--objective-snr", "search"],
                                                               "search")])
@pytest.mark.parametrize("members", [1, 2])
def test_the_cli_passes_objective_snr_to_training(tmp_path, monkeypatch, extra, expected,
                                                   members):
    """``exohunt train --objective-snr`` reaches ``train`` / ``train_ensemble`` (default
    labels), and the table's SNR column reaches the light curves' metadata."""
    import exohunt.training as training
    from exohunt.cli import main

    time = np.arange(300) * 0.02
    for name in ("a", "b"):
        np.savetxt(tmp_path / f"{name}.csv", np.column_stack([time, np.ones_like(time)]),
                   delimiter=",", header="time,flux", comments="")
    table = tmp_path / "labels.csv"
    table.write_text("file,label,snr\na.csv,1,12.5\nb.csv,0,\n")
    seen = {}

    def fake(data, **kwargs):
        seen.update(kwargs, snr=[lc.meta.get("label_snr") for lc in data])
        raise SystemExit(0)

    monkeypatch.setattr(training, "train", fake)
    monkeypatch.setattr(training, "train_ensemble", fake)
    with pytest.raises(SystemExit):
        main(["train", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--labels",
              str(table), "--out", str(tmp_path / "run"), "--model", "gbm",
              "--members", str(members), *extra])
    assert seen["objective_snr"] == expected
    assert seen["snr"] == [12.5, None]
