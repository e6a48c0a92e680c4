"""The true planet prevalence for injection-trained models (exohunt.training.prevalence)."""

from __future__ import annotations

import numpy as np
import pytest

from _search_synth import dipped_batch
from exohunt.errors import InputError
from exohunt.training.prevalence import positive_share, prevalence_weights, prior_shift


def test_prevalence_weights_restore_the_real_rows_planet_share():
    # 1,000 real stars with 7 planets (planet-free ones searched in part: weight 2), then 300
    # injected planets and 900 injected binaries: a 14 % planet share before the correction.
    labels = np.r_[np.ones(7), np.zeros(497), np.ones(300), np.zeros(900)].astype(int)
    weights = np.r_[np.ones(7), np.full(497, 2.0), np.ones(1200)]
    real = np.r_[np.ones(504, bool), np.zeros(1200, bool)]
    true_share = 7 / (7 + 2 * 497)
    assert positive_share(labels, weights) > 0.13
    out = prevalence_weights(labels, weights, real)
    assert positive_share(labels, out) == pytest.approx(true_share, rel=1e-12)
    assert out.sum() == pytest.approx(len(out))  # the trees' regularisation sees unit weights
    # every planet row scaled alike, every planet-free row alike: ratios within a class kept
    assert np.ptp(out[labels == 1] / weights[labels == 1]) == pytest.approx(0, abs=1e-12)
    assert np.ptp(out[labels == 0] / weights[labels == 0]) == pytest.approx(0, abs=1e-12)


def test_prevalence_weights_refuse_what_has_no_prevalence():
    labels, weights = np.array([0, 0, 1, 1]), np.ones(4)
    with pytest.raises(InputError, match="planets and planet-free"):
        prevalence_weights(labels, weights, np.array([True, True, False, False]))
    with pytest.raises(InputError, match="differ in length"):
        prevalence_weights(labels, weights, np.ones(3, bool))


def test_prior_shift_is_monotone_and_exact_for_a_change_of_prior():
    rng = np.random.default_rng(0)
    p = np.sort(rng.uniform(0, 1, 200))
    shifted = prior_shift(p, fitted_share=0.2, true_share=0.01)
    assert np.all(np.diff(shifted) >= 0) and np.all(shifted <= p)
    # a calibrated model at a 20 % share says 0.2 where the evidence is neutral (likelihood
    # ratio 1): at a 1 % share the same evidence means 1 %.
    assert prior_shift(np.array([0.2]), 0.2, 0.01)[0] == pytest.approx(0.01)
    assert prior_shift(np.array([0.0, 1.0]), 0.2, 0.01).tolist() == [0.0, 1.0]
    assert np.allclose(prior_shift(p, 0.3, 0.3), p)
    with pytest.raises(InputError, match="fitted_share must be in"):
        prior_shift(p, 0.0, 0.01)




@pytest.mark.slow
def test_train_with_prevalence_weights_scores_planet_free_stars_near_the_prevalence():
    from exohunt.batch import LightCurveBatch
    from exohunt.training import train

    data = dipped_batch(n=150, n_pos=8, seed=1)
    options = dict(model="gbm", config={"max_iter": 30}, jobs=1, seed=3)
    plain = train(data, prevalence="none", **options)
    weighted = train(data, **options)  # "auto": weighted for gbm with injection
    assert weighted.config["training"]["prevalence"] == "weight"
    assert "prevalence" not in plain.config["training"]  # runs without it: unchanged config
    noise = LightCurveBatch(np.random.default_rng(5).normal(0, 1e-3, (40, 400)), None,
                            data.time, source="noise")
    prevalence = 8 / 150
    p_plain, p_weighted = plain.score(noise, jobs=1), weighted.score(noise, jobs=1)
    # ~150 injected planets made the plain model's fitted planet share ~30 %
    assert p_weighted.mean() < 2 * prevalence < p_plain.mean()


def test_auto_weights_only_injection_into_a_light_curve_batch():
    from exohunt.training.prevalence import resolve_prevalence

    assert resolve_prevalence("auto", "tabular", "inject") == "weight"
    assert resolve_prevalence("auto", "tabular", "inject", files=True) == "none"
    assert resolve_prevalence("auto", "tabular", "weights") == "none"  # the bundled default
    assert resolve_prevalence("auto", "views", "inject") == "none"
    assert resolve_prevalence("weight", "tabular", "inject", files=True) == "weight"
    assert resolve_prevalence("none", "tabular", "inject") == "none"


def test_train_refuses_prevalence_where_it_cannot_apply():
    from exohunt.training import train

    with pytest.raises(InputError, match="unknown prevalence handling 'true'; expected one "
                                         "of: auto, none, weight"):
        train(dipped_batch(n=40, n_pos=6), model="gbm", prevalence="true", jobs=1)
    with pytest.raises(InputError, match="prevalence 'weight' applies to the boosted trees"):
        train(dipped_batch(n=40, n_pos=6), model="gbm", imbalance="weights", prevalence="weight",
              jobs=1)
