"""Ensembles on K disjoint folds: the folds, explicit validation rows, and the out-of-fold
threshold of a ``recall:R@snrS`` objective (search SNR of the out-of-fold rows)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from _search_synth import labelled_vetting_files
from _views_synth import synthetic_views
from exohunt.errors import InputError
from exohunt.training import train
from exohunt.training.api import _split
from exohunt.training.ensemble import Ensemble, fold_rows, out_of_fold_record


def test_folds_partition_the_rows_stratified_and_fold_0_is_the_single_runs_split():
    labels = np.r_[np.ones(23), np.zeros(477)].astype(np.int8)
    np.random.default_rng(3).shuffle(labels)
    folds = fold_rows(labels, 5, seed=42)
    assert len(folds) == 5
    np.testing.assert_array_equal(np.sort(np.concatenate(folds)), np.arange(500))
    assert all(len(f) == 100 for f in folds)
    assert all(4 <= labels[f].sum() <= 5 for f in folds)  # 23 planets over 5 folds
    np.testing.assert_array_equal(folds[0], _split(labels, 0.2, 42)[1])
    assert not np.array_equal(fold_rows(labels, 5, seed=7)[0], folds[0])


@pytest.mark.parametrize("rows, match", [([0, 0, 1], "distinct"), ([-1, 2], "distinct"),
                                         ([0.5, 2], "distinct"), ([10_000], "distinct"),
                                         ([], "distinct")])
def test_bad_explicit_validation_rows_are_one_line_input_errors(rows, match):
    with pytest.raises(InputError, match=match):
        train(synthetic_views(40, 0, global_bins=41, local_bins=21), "twoview",
              positive=("PC",), val_rows=rows, epochs=1, jobs=1, device="cpu")


def test_validation_rows_without_both_classes_are_refused():
    data = synthetic_views(40, 0, global_bins=41, local_bins=21).with_positive(("PC",))
    negatives = np.flatnonzero(np.asarray(data.labels) == 0)[:5]
    with pytest.raises(InputError, match="validation rows without both classes"):
        train(data, "twoview", val_rows=negatives, epochs=1, jobs=1, device="cpu")


def _fake_ensemble(val_rows: list[list[int]], scores: np.ndarray, snr: np.ndarray) -> Ensemble:
    members = [SimpleNamespace(config={"split": {"val_rows": rows},
                                       "training": {"positive": None}},
                               metrics={"average_precision": 0.5}, signals_per_star=1)
               for rows in val_rows]
    ensemble = Ensemble(members, {})
    raw = SimpleNamespace(stats=pd.DataFrame({"snr": snr}),
                          signals=pd.DataFrame(index=range(len(snr))))
    ensemble._member_scores = lambda *args, **kwargs: (raw, scores)
    return ensemble


def test_out_of_fold_threshold_counts_only_planets_above_the_snr():
    # rows 0-3 planets (row 0 faint: SNR 6), rows 4-7 planet-free; two members, two folds
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0], np.int8)
    snr = np.array([6.0, 15.0, 12.0, 20.0, 8.0, np.nan, 9.0, 7.0])
    member = np.array([0.05, 0.8, 0.7, 0.9, 0.3, 0.1, 0.2, 0.4])
    scores = np.stack([member, member])
    ensemble = _fake_ensemble([[0, 1, 4, 5], [2, 3, 6, 7]], scores, snr)
    strong = out_of_fold_record(ensemble, None, labels, "recall:1@snr10", {})["threshold"]
    assert strong["out_of_fold_rows"] == 8
    assert 0.4 < strong["threshold"] < 0.7  # the faint planet (0.05) does not drag it down
    assert strong["recall"] == 1.0
    plain = out_of_fold_record(ensemble, None, labels, "recall:1", {})["threshold"]
    assert plain["threshold"] <= 0.05  # every planet, the faint one too


def test_out_of_fold_snr_objective_without_search_statistics_is_an_input_error():
    ensemble = _fake_ensemble([[0, 2], [1, 3]], np.full((2, 4), 0.5), np.zeros(4))
    ensemble._member_scores = lambda *a, **k: (
        SimpleNamespace(stats=pd.DataFrame(), signals=pd.DataFrame(index=range(4))),
        np.full((2, 4), 0.5))
    with pytest.raises(InputError, match="search SNR"):
        out_of_fold_record(ensemble, None, np.array([1, 0, 1, 0]), "recall:0.9@snr10", {})


@pytest.mark.slow
def test_file_ensemble_on_folds_with_injection_and_snr_objective(tmp_path):
    """Single-star files + ``labels`` + injection + ``recall:R@snrS``: every member holds out
    its own fold, every file is scored out of fold, the threshold meets R on them."""
    from exohunt.training import load_ensemble, train_ensemble

    kinds = ["planet", "eb", "quiet", "quiet", "quiet"] * 6
    curves, table = labelled_vetting_files(kinds)
    ensemble = train_ensemble(curves, "gbm", n_members=2, folds=True, labels=table, jobs=1,
                              cache_dir=tmp_path / "cache", imbalance="inject",
                              objective="recall:0.9@snr8", out=tmp_path / "ens")
    held = [set(m.config["split"]["val_rows"]) for m in ensemble.members]
    assert not held[0] & held[1] and held[0] | held[1] == set(range(len(curves)))
    threshold = ensemble.config["threshold"]
    assert threshold["out_of_fold_rows"] == len(curves)
    assert threshold["objective"] == "recall:0.9@snr8" and threshold["recall"] >= 0.9
    assert ensemble.config["validation_splits"] == "folds"
    p = load_ensemble(tmp_path / "ens").score(curves, jobs=1, cache_dir=tmp_path / "cache")
    assert p.shape == (len(curves),) and np.isfinite(p).all()
