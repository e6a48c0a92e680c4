"""Small batches are scored by the trees in one thread: the same scores, less CPU."""

from __future__ import annotations

import numpy as np

from exohunt.training import run as run_module
from exohunt.training import train


def test_small_batches_score_in_one_thread_with_the_same_result(monkeypatch):
    from test_training import view_batch

    data = view_batch()
    run = train(data, model="gbm", config={"max_iter": 20}, jobs=1)
    raw = run._features(data, jobs=1, progress=False)
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    seen = []
    predict_proba = run.model.predict_proba

    def spy(x):
        # the thread count the trees' prediction itself uses (scikit-learn's own OpenMP
        # runtime; another library's, e.g. numba's, loaded later is not theirs to limit)
        seen.append(_openmp_effective_n_threads())
        return predict_proba(x)

    monkeypatch.setattr(run.model, "predict_proba", spy)
    small = run._score_raw(raw)
    monkeypatch.setattr(run_module, "_TREE_THREADED_ROWS", 0)  # as a big batch
    big = run._score_raw(raw)
    np.testing.assert_array_equal(small, big)
    assert seen[0] == 1
