"""``expected-recall:R``: a threshold that finds R of *new* planets, not of the validation ones."""

from __future__ import annotations

import numpy as np
import pytest

from exohunt.errors import InputError
from exohunt.training.threshold import choose_threshold, parse_objective


def _split(rng, n_planets, n_free=400):
    labels = np.r_[np.ones(n_planets), np.zeros(n_free)].astype(int)
    scores = np.r_[rng.beta(5, 2, n_planets), rng.beta(2, 5, n_free)]
    return labels, scores


def test_expected_recall_keeps_one_gap_more_than_validation_recall():
    labels, scores = _split(np.random.default_rng(0), 20)
    planets = np.sort(scores[labels == 1])
    plain = choose_threshold(labels, scores, "recall:0.95")
    expected = choose_threshold(labels, scores, "expected-recall:0.95")
    # 20 planets: recall 0.95 stops at the second lowest; 0.95 x 21/20 asks for all 20
    assert planets[0] < plain.threshold <= planets[1]
    assert expected.threshold <= planets[0] and expected.recall == 1.0
    # 100 planets: 0.95 x 101/100 = 0.9595 keeps 96, the fifth lowest and up
    labels, scores = _split(np.random.default_rng(1), 100)
    planets = np.sort(scores[labels == 1])
    expected = choose_threshold(labels, scores, "expected-recall:0.95")
    assert planets[3] < expected.threshold <= planets[4]
    assert parse_objective("expected-recall:0.9@snr10") == ("expected-recall", 0.9)
    with pytest.raises(InputError, match="expected-recall"):
        parse_objective("expected-recal:0.9")


def test_expected_recall_meets_its_target_on_new_planets_and_recall_does_not():
    """Over many validation/test draws from one population, the held-out recall at the
    threshold is on average >= R for expected-recall and ~(n-1)/(n+1) for recall."""
    rng = np.random.default_rng(7)
    held_out = {"recall:0.95": [], "expected-recall:0.95": []}
    for _ in range(400):
        labels, scores = _split(rng, 20)
        new_planets = rng.beta(5, 2, 2000)
        for objective, out in held_out.items():
            threshold = choose_threshold(labels, scores, objective).threshold
            out.append(np.mean(new_planets >= threshold))
    assert np.mean(held_out["recall:0.95"]) == pytest.approx(19 / 21, abs=0.01)
    assert np.mean(held_out["expected-recall:0.95"]) == pytest.approx(20 / 21, abs=0.01)
    assert np.mean(held_out["expected-recall:0.95"]) >= 0.95 - 0.005


def test_uniform_weights_change_nothing_and_light_planets_count_less():
    rng = np.random.default_rng(3)
    labels, scores = _split(rng, 20, n_free=100)
    plain = choose_threshold(labels, scores, "expected-recall:0.95")
    # the same weight on every row, whatever it is: the unweighted answer (n + 1) / n
    for w in (0.5, 3.0):
        weighted = choose_threshold(labels, scores, "expected-recall:0.95",
                                    sample_weight=np.full(len(labels), w))
        assert weighted.threshold == pytest.approx(plain.threshold)
    # ten of the planets at weight 0.1 (e.g. injected): still 0.95 x 21/20 of the (weighted)
    # recall, which no planet can be left out of, so the lowest sets the threshold
    weights = np.ones(len(labels))
    weights[np.flatnonzero(labels == 1)[:10]] = 0.1
    light = choose_threshold(labels, scores, "expected-recall:0.95", sample_weight=weights)
    assert light.threshold <= np.sort(scores[labels == 1])[0]
