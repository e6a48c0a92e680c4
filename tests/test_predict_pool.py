"""``predict`` with a worker pool: tasks sized by cadences, and the same rows as in-process."""

import numpy as np
import pandas as pd
import pytest

from _search_synth import dipped_batch, labelled_vetting_files
from exohunt import scoring_pool
from exohunt.batch import LightCurveBatch
from exohunt.lightcurve import LightCurve
from exohunt.predict import _chunks


def _curve(n: int) -> LightCurve:
    time = np.arange(n, dtype=float)
    return LightCurve(time, np.ones(n), None, {"source": f"{n}.fits"})


def test_chunks_hold_at_most_the_cadence_budget_but_at_least_one_star():
    curves = [_curve(n) for n in (400, 400, 900, 2500, 100, 100)]
    chunks = [[len(lc) for lc in chunk] for chunk, _ in _chunks(iter([curves]), 64, 1000)]
    # a chunk closes once it reaches the budget; a star longer than it goes alone
    assert chunks == [[400, 400, 900], [2500], [100, 100]]
    assert [[len(lc) for lc in c] for c, _ in _chunks(iter(curves), 2, None)] == [
        [400, 400], [900, 2500], [100, 100]]


def test_batch_rows_are_cut_by_the_cadence_budget_with_global_offsets():
    batch = LightCurveBatch(np.zeros((10, 300), np.float32), None, np.arange(300.0), "rows.csv")
    cut = list(_chunks(iter([batch]), 64, 1000))  # 3 rows of 300 cadences per chunk
    assert [len(chunk) for chunk, _ in cut] == [3, 3, 3, 1]
    assert [offset for _, offset in cut] == [0, 3, 6, 9]
    assert [len(chunk) for chunk, _ in _chunks(iter([batch]), 4, 10**6)] == [4, 4, 2]


@pytest.mark.slow
def test_worker_pool_writes_the_same_file_as_one_process(tmp_path, monkeypatch):
    from exohunt.bundled import bundled_run_dir
    from exohunt.io.writers import write_fits, write_kaggle_csv
    from exohunt.predict import predict
    from exohunt.training import load_model

    curves, _ = labelled_vetting_files(["planet", "eb", "quiet", "planet", "rotator"])
    files = [str(write_fits(tmp_path / f"s{i}.fits", lc)) for i, lc in enumerate(curves)]
    rows = write_kaggle_csv(tmp_path / "rows.csv", dipped_batch(n=9, n_pos=3, length=400))
    run = load_model(bundled_run_dir())  # an ensemble since round 12
    one = predict(run, [rows, *files], out=tmp_path / "one.csv", jobs=1, progress=False)

    packed = []
    monkeypatch.setattr(scoring_pool, "PARALLEL_CHUNK_CADENCES", 2000)  # several tasks
    monkeypatch.setattr(scoring_pool, "_pack",
                        lambda chunk, pack=scoring_pool._pack: packed.append(len(chunk))
                        or pack(chunk))
    # every chunk goes to the workers: wait for them rather than score here meanwhile
    monkeypatch.setattr(scoring_pool.ChunkScorer, "_pool_ready",
                        lambda self: all(f.result() > 0 for f in self._ready))
    two = predict(run, [rows, *files], out=tmp_path / "two.csv", jobs=2, progress=False)

    assert one.n_stars == two.n_stars == 14
    # 400-cadence rows by five; the files (~1,000-1,500 cadences each) by one or two
    assert packed[:2] == [5, 4] and sum(packed[2:]) == 5 and len(packed) >= 5
    a, b = pd.read_csv(tmp_path / "one.csv"), pd.read_csv(tmp_path / "two.csv")
    assert list(a.columns) == list(b.columns)
    # The trapezoid fit (scipy's MINPACK) can move in its last digits with where its arrays
    # lie in memory, in one process as across processes (found here, on main too), and the
    # probability reads fit statistics; everything else must be the same bits.
    noisy = [c for c in a.columns if c.startswith("fit_")] + ["probability"]
    pd.testing.assert_frame_equal(a.drop(columns=noisy), b.drop(columns=noisy),
                                  check_exact=True)
    for column in noisy:
        np.testing.assert_allclose(a[column], b[column], rtol=1e-3, atol=1e-3)


def test_a_star_without_a_signal_has_the_columns_of_one_with_a_signal():
    from exohunt.search import extract_features

    # predict writes the columns of its first chunk: a chunk of signal-less stars alone must
    # not drop the vetting columns
    found = extract_features(dipped_batch(n=2, n_pos=1, length=400), jobs=1).signals
    empty = extract_features([_curve(5)], jobs=1).signals  # too short to search
    assert list(empty.columns) == list(found.columns)
    assert empty.isna().all(axis=None)
