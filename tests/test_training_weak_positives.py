"""Weak planets in training (``train(..., weak_positive_weight=W)``): the planets a
``recall:R@snrS`` objective does not count carry weight W in the trees' fit."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import dipped_batch
from exohunt.errors import InputError
from exohunt.training.api import _weak_positive_weights


def test_only_planets_below_the_objective_snr_are_down_weighted():
    labels = np.array([1, 1, 1, 0, 0, 1])
    snr = np.array([12.0, 9.9, np.nan, 4.0, 30.0, 10.0])  # NaN: no signal found
    weights = np.array([1.0, 2.0, 1.0, 2.0, 1.0, 1.0])
    out = _weak_positive_weights(weights, labels, snr, 10.0, 0.3)
    # the weak planet keeps its own weight's share; planet-free rows are never touched,
    # however weak their signal, and a planet at exactly S counts as strong
    assert out.tolist() == pytest.approx([1.0, 0.6, 0.3, 2.0, 1.0, 1.0])
    assert weights.tolist() == [1.0, 2.0, 1.0, 2.0, 1.0, 1.0]  # the caller's array kept
    assert _weak_positive_weights(None, labels, snr, 10.0, 0.0).tolist() == [1, 0, 0, 1, 1, 1]


@pytest.mark.parametrize("options, message", [
    ({"weak_positive_weight": 0.3}, "needs a threshold objective"),
    ({"weak_positive_weight": 1.5, "objective": "recall:0.9@snr10"}, "from 0 to 1"),
    ({"weak_positive_weight": "x", "objective": "recall:0.9@snr10"}, "a number from 0 to 1"),
    ({"weak_positive_weight": 0.3, "objective": "recall:0.9@snr10", "model": "twoview"},
     "boosted trees"),
])
def test_weak_positive_weight_where_it_cannot_apply_is_an_input_error(options, message):
    from exohunt.training import train

    options = {"model": "gbm", **options}
    with pytest.raises(InputError, match=message):
        train(dipped_batch(n=20, n_pos=4), jobs=1, **options)


@pytest.mark.slow
def test_weak_planets_weigh_less_and_the_run_records_it():
    from exohunt.training import train
    from exohunt.training.features import extract

    data = dipped_batch(n=120, n_pos=10, seed=2)
    held_out = dipped_batch(n=120, n_pos=20, seed=7)
    # the synthetic planets' search SNRs span ~15-20: at S = 18 about half are weak
    snr = extract(data, "tabular", jobs=1).stats["snr"].to_numpy()
    assert 3 <= np.sum((data.labels == 1) & (snr < 18)) <= 7
    options = dict(model="gbm", config={"max_iter": 30}, jobs=1, seed=3,
                   objective="recall:0.9@snr18", imbalance="weights")
    plain = train(data, **options)
    weighted = train(data, weak_positive_weight=0.0, **options)
    assert weighted.config["training"]["weak_positive_weight"] == 0.0
    assert "weak_positive_weight" not in plain.config["training"]  # runs without it: as before
    p_plain, p_weighted = plain.score(held_out, jobs=1), weighted.score(held_out, jobs=1)
    assert np.all(np.isfinite(p_weighted))
    free = held_out.labels == 0
    # half the planets no longer taught: the planet-free stars score lower
    assert p_weighted[free].mean() < 0.8 * p_plain[free].mean()
