"""Search budget (exohunt.training.budget): fewer searched planet-free stars, weighted back."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import dipped_batch
from exohunt.batch import LightCurveBatch
from exohunt.errors import InputError
from exohunt.training import train
from exohunt.training.budget import SearchBudget, SearchedRows, sample_negatives


def test_sample_negatives_keeps_every_planet_and_weighs_back_to_the_true_count():
    labels = np.array([0] * 97 + [1] * 3)
    keep, weight = sample_negatives(labels, 0.2, seed=5)
    assert keep[labels == 1].all() and (weight[labels == 1] == 1).all()
    assert keep[labels == 0].sum() == 19  # round(0.2 * 97)
    assert weight[keep & (labels == 0)].sum() == pytest.approx(97)  # the true prevalence
    assert (weight[~keep] == 0).all()
    again, _ = sample_negatives(labels, 0.2, seed=5)
    other, _ = sample_negatives(labels, 0.2, seed=6)
    assert (again == keep).all() and (other != keep).any()  # seeded
    everything, ones = sample_negatives(labels, 1.0, seed=5)
    assert everything.all() and (ones == 1).all()


def test_searched_rows_draw_training_and_validation_shares_separately():
    labels = np.array(([0] * 45 + [1] * 5) * 2)
    train_rows, val_rows = np.arange(80), np.arange(80, 100)
    searched = SearchedRows.choose(labels, train_rows, val_rows,
                                   SearchBudget(negative_fraction=0.5), seed=1)
    n_train_neg = int((labels[train_rows] == 0).sum())
    n_val_neg = int((labels[val_rows] == 0).sum())
    assert searched.keep[train_rows].sum() == round(0.5 * n_train_neg) + 5
    assert searched.keep[val_rows].sum() == round(0.5 * n_val_neg) + 5
    kept_val = searched.kept(val_rows)
    assert searched.weight[kept_val][labels[kept_val] == 0].sum() == pytest.approx(n_val_neg)
    mask = searched.full_mask(np.ones(len(searched.rows), bool))
    assert (mask == searched.keep).all()
    assert SearchedRows.choose(labels, train_rows, val_rows, None, 1).full_mask(None) is None


def test_weighted_validation_metrics_equal_those_of_repeated_rows():
    """A planet-free star weighted k counts as k copies of it: the weighted AP, F1 and loss
    of a subsample are those of the full set the weights stand for."""
    from exohunt.training.threshold import choose_threshold, safe_average_precision

    rng = np.random.default_rng(2)
    labels = np.array([0] * 40 + [1] * 6)
    probability = np.concatenate([rng.uniform(0, 0.7, 40), rng.uniform(0.3, 1, 6)])
    weight = np.where(labels == 0, 3.0, 1.0)
    repeated = np.concatenate([np.repeat(np.flatnonzero(labels == 0), 3),
                               np.flatnonzero(labels == 1)])
    assert safe_average_precision(labels, probability, sample_weight=weight) == pytest.approx(
        safe_average_precision(labels[repeated], probability[repeated]))
    assert choose_threshold(labels, probability, sample_weight=weight).threshold == \
        pytest.approx(choose_threshold(labels[repeated], probability[repeated]).threshold)




def test_train_with_a_budget_searches_only_its_share_and_never_reads_the_rest():
    data = dipped_batch()
    budget = SearchBudget(negative_fraction=0.25, max_injected=8, binaries_per_planet=1.0,
                          threshold_injected=4)
    options = dict(model="gbm", config={"max_iter": 20}, jobs=1, seed=3, search_budget=budget)
    run = train(data, **options)
    described = run.config["training"]["search_budget"]
    val = np.asarray(run.config["split"]["val_rows"])
    train_rows = np.setdiff1d(np.arange(len(data)), val)
    negatives = [int((data.labels[rows] == 0).sum()) for rows in (train_rows, val)]
    assert described["n_searched"] == int(data.labels.sum()) + sum(
        round(0.25 * n) for n in negatives)
    assert described["negative_fraction"] == 0.25
    assert run.config["threshold"]["validation_rows"]["injected_positives"] <= 4
    # The stars left out are never read: garbage in them changes nothing.
    searched = SearchedRows.choose(data.labels, train_rows, val, budget, 3)
    flux = data.flux.copy()
    flux[~searched.keep] = np.random.default_rng(9).normal(0, 0.5, flux[~searched.keep].shape)
    again = train(LightCurveBatch(flux, data.labels, data.time, source="dipped"), **options)
    assert again.config["threshold"]["threshold"] == run.config["threshold"]["threshold"]
    np.testing.assert_array_equal(run.predict(data)["probability"],
                                  again.predict(data)["probability"])


def test_a_budget_is_refused_where_it_cannot_apply():
    with pytest.raises(InputError, match="negative_fraction"):
        SearchBudget(negative_fraction=0.0)
    with pytest.raises(InputError, match="max_injected"):
        SearchBudget(max_injected=-1)
    with pytest.raises(InputError, match="search budget applies"):
        train(dipped_batch(n=40, n_pos=6), model="gbm", imbalance="weights", jobs=1,
              search_budget=SearchBudget(negative_fraction=0.5))
