"""Planet-class metrics, intervals and tables against scikit-learn and hand counts."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from exohunt.evaluation import (
    best_threshold,
    classification_metrics,
    classification_report_text,
    format_confusion,
    format_headline,
    fp_rate_by_kind,
    ranking_metrics,
    recall_by_snr,
    threshold_sweep,
    wilson_interval,
)


def _kaggle_like(rng, n_pos=5, n_neg=565):
    y = np.r_[np.ones(n_pos), np.zeros(n_neg)].astype(int)
    p = np.round(np.r_[rng.uniform(0.3, 1, n_pos), rng.uniform(0, 0.7, n_neg)], 2)  # ties
    return y, p


def test_point_estimates_match_sklearn(rng):
    y, p = _kaggle_like(rng, 20, 500)
    m = classification_metrics(y, p, 0.5, n_bootstrap=0)
    pred = p >= 0.5
    assert m["precision"] == pytest.approx(precision_score(y, pred))
    assert m["recall"] == pytest.approx(recall_score(y, pred))
    assert m["f1"] == pytest.approx(f1_score(y, pred))
    assert m["average_precision"] == pytest.approx(average_precision_score(y, p))
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, p))
    (tn, fp), (fn, tp) = m["confusion_matrix"]
    assert (tp, fp, fn, tn) == (int(np.sum(pred & (y == 1))), int(np.sum(pred & (y == 0))),
                                int(np.sum(~pred & (y == 1))), int(np.sum(~pred & (y == 0))))
    assert (m["n_positive"], m["n_total"], m["threshold"]) == (20, 520, 0.5)


def test_weighted_ranking_metrics_match_sklearn_sample_weight(rng):
    y, p = _kaggle_like(rng, 7, 200)
    weights = rng.integers(0, 3, size=(4, y.size)).astype(float)
    ap, auc = ranking_metrics(y, p, weights)
    for b, w in enumerate(weights):
        assert ap[b] == pytest.approx(average_precision_score(y, p, sample_weight=w))
        assert auc[b] == pytest.approx(roc_auc_score(y, p, sample_weight=w))


def test_intervals_contain_estimate_and_shrink_with_more_data(rng):
    small_y, small_p = _kaggle_like(rng, 10, 300)
    big_y = np.tile(small_y, 10)
    big_p = np.tile(small_p, 10)
    small = classification_metrics(small_y, small_p, 0.5, seed=1)
    big = classification_metrics(big_y, big_p, 0.5, seed=1)
    for name in ("precision", "recall", "f1", "average_precision", "roc_auc"):
        low, high = small[f"{name}_ci"]
        assert low <= small[name] + 1e-9 and small[name] <= high + 1e-9
        assert big[f"{name}_ci"][1] - big[f"{name}_ci"][0] < high - low


def test_five_positive_all_found_recall_interval_is_not_a_point(rng):
    y, p = _kaggle_like(rng)
    p[:5] = 0.99
    m = classification_metrics(y, p, 0.9, seed=0)
    assert m["recall"] == 1.0
    low, high = m["recall_ci"]
    assert high == 1.0
    assert low == pytest.approx(wilson_interval(5, 5)[0])
    assert 0.5 < low < 0.6  # Wilson 5/5 at 95%: 0.566


def test_bootstrap_is_seeded_and_vectorised_fast(rng):
    import time

    y, p = _kaggle_like(rng, 100, 4900)
    start = time.perf_counter()
    a = classification_metrics(y, p, 0.5, seed=3)
    elapsed = time.perf_counter() - start
    b = classification_metrics(y, p, 0.5, seed=3)
    assert a["f1_ci"] == b["f1_ci"] and a["n_bootstrap"] == 1000
    assert elapsed < 20  # generous on a shared 2-core box; a Python loop takes minutes


def test_no_positives_gives_nan_rates_not_errors():
    y = np.zeros(50, dtype=int)
    m = classification_metrics(y, np.linspace(0, 1, 50), 0.5, n_bootstrap=50)
    assert np.isnan(m["recall"]) and np.isnan(m["average_precision"])
    assert m["precision"] == 0.0 and m["confusion_matrix"][0][1] == 25


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match=r"0 .* and 1"):
        classification_metrics([0, 2], [0.1, 0.2], 0.5)
    with pytest.raises(ValueError, match="has 2 values"):
        classification_metrics([0, 1], [0.1, 0.2, 0.3], 0.5)


def test_classification_report_has_both_classes_and_averages():
    text = classification_report_text([0, 0, 0, 1], [0.1, 0.2, 0.9, 0.8], 0.5)
    for word in ("not planet", "planet", "accuracy", "macro avg", "weighted avg", "support"):
        assert word in text


def test_threshold_sweep_and_best_threshold():
    y = np.array([0, 0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.65, 0.7, 0.9])
    sweep = threshold_sweep(y, p)
    assert len(sweep) == 99
    row = sweep.set_index("threshold").loc[0.5]
    assert (row.precision, row.recall) == (pytest.approx(2 / 3), 1.0)
    best = best_threshold(sweep)
    assert 0.65 < best.threshold <= 0.70 and best.f1 == 1.0
    assert "not for model selection" in best.line()


def test_recall_by_snr_and_fp_by_kind():
    truth = pd.DataFrame({
        "label": [1, 1, 1, 1, 0, 0, 0, 0, 0],
        "kind": ["planet"] * 4 + ["eb", "eb", "quiet", "quiet", "rotator"],
        "snr": [6.0, 8.0, 12.0, 40.0, np.nan, np.nan, np.nan, np.nan, np.nan],
    })
    predicted = np.array([0, 1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    snr = recall_by_snr(truth, predicted, bins=(0, 10, np.inf))
    assert snr["n_planets"].tolist() == [2, 2] and snr["recall"].tolist() == [0.5, 1.0]
    assert (snr["recall_ci_low"] <= snr["recall"]).all()
    kinds = fp_rate_by_kind(truth, predicted).set_index("kind")
    assert kinds.loc["eb", "fp_rate"] == 0.5 and kinds.loc["quiet", "n_flagged"] == 0
    assert kinds.index[0] == "eb"
    with pytest.raises(ValueError, match="9 rows"):
        recall_by_snr(truth, predicted[:3])


def test_text_formatting():
    m = classification_metrics([0, 0, 1, 1], [0.1, 0.6, 0.7, 0.2], 0.5, n_bootstrap=20)
    head = format_headline(m)
    assert "precision" in head and "ROC AUC" in head and "2 planets among 4" in head
    assert "[" in head
    confusion = format_confusion(m)
    assert confusion.splitlines()[2].split()[-2:] == ["1", "1"]
