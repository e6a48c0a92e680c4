"""Which SNR a ``recall:R@snrS`` threshold objective counts the planets by
(``train(objective_snr=...)``): the search's measurement, or a label table's SNR column."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from _search_synth import labelled_vetting_files
from exohunt.errors import DataQualityWarning, InputError
from exohunt.lightcurve import LightCurve
from exohunt.training.api import check_objective_snr, objective_snr_values
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
    by_search = out_of_fold_record(ensemble, data, labels, "recall:1@snr10", {})
    assert 0.1 < by_search["threshold"]["threshold"] < 0.2  # row 1 (0.2) counts, row 0 not
    assert "objective_snr" not in by_search["training"]
    by_labels = out_of_fold_record(ensemble, data, labels, "recall:1@snr10",
                                   {"objective_snr": "labels"})
    assert by_labels["threshold"]["threshold"] <= 0.05  # row 0 (0.05) counts now
    assert by_labels["training"]["objective_snr"] == "labels"
    only_strong = out_of_fold_record(ensemble, data, labels, "recall:0.6@snr10",
                                     {"objective_snr": "labels"})["threshold"]
    assert only_strong["recall"] >= 0.6


def out_of_fold_record(*args, **kwargs):
    from exohunt.training.ensemble import out_of_fold_record as record

    return record(*args, **kwargs)


@pytest.mark.parametrize("value", ["truth", "", None, 1])
def test_an_unknown_objective_snr_is_refused(value):
    with pytest.raises(InputError, match="objective_snr must be one of search, labels"):
        check_objective_snr(value, "recall:0.95@snr10", [_star(1)])


def test_labels_without_any_label_snr_warn_and_count_by_the_search():
    with pytest.warns(DataQualityWarning, match="no label table gives the planets' SNR"):
        check_objective_snr("labels", "recall:0.95@snr10", [_star(1), _star(0)])
    with warnings.catch_warnings():  # nothing to say: an SNR is given, or no @snrS objective
        warnings.simplefilter("error")
        check_objective_snr("labels", "recall:0.95@snr10", [_star(1, 12.0), _star(0)])
        check_objective_snr("labels", "recall:0.95", [_star(1), _star(0)])
        check_objective_snr("search", "recall:0.95@snr10", [_star(1), _star(0)])


@pytest.mark.slow
def test_a_run_counts_its_validation_planets_by_the_tables_snr(tmp_path):
    """End to end on single-star files: the table's SNR column reaches the threshold (every
    planet's label SNR below S leaves the objective nothing to count), the run records the
    choice, and the default reads the search's."""
    from exohunt.training import train

    kinds = ["planet", "eb", "quiet", "quiet", "quiet"] * 6
    curves, table = labelled_vetting_files(kinds)
    options = dict(jobs=1, cache_dir=tmp_path, imbalance="weights", seed=3, val_fraction=0.5,
                   objective="recall:0.9@snr8")
    strong = table.assign(snr=np.where(table["label"] == 1, 50.0, np.nan))
    run = train(curves, "gbm", labels=strong, objective_snr="labels", **options)
    assert run.config["training"]["objective_snr"] == "labels"
    assert run.config["threshold"]["recall"] >= 0.9
    default = train(curves, "gbm", labels=strong, **options)
    assert "objective_snr" not in default.config["training"]
    faint = table.assign(snr=np.where(table["label"] == 1, 3.0, np.nan))
    with pytest.raises(InputError, match="no validation planet has a search SNR >= 8"):
        train(curves, "gbm", labels=faint, objective_snr="labels", **options)
    train(curves, "gbm", labels=faint, **options)  # by the search's SNR they count


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
