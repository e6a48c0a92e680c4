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
    bad = tmp_path / "broken.fits"  # read by a worker (FITS files are), skipped all the same
    bad.write_bytes(b"SIMPLE  = not a FITS header" * 200)
    files.insert(2, str(bad))
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
    assert one.n_inputs == two.n_inputs == 6  # the CSV and five FITS files
    assert [s for s, _ in one.skipped] == [s for s, _ in two.skipped] == [str(bad)]
    assert "broken.fits" in two.skipped[0][1]
    # 400-cadence rows by five; the FITS files (~1,000-1,500 cadences each, estimated from
    # their size: the workers read them) by one or two
    assert packed[:2] == [5, 4] and sum(packed[2:]) == 6 and len(packed) >= 5
    a, b = pd.read_csv(tmp_path / "one.csv"), pd.read_csv(tmp_path / "two.csv")
    assert list(a.columns) == list(b.columns)
    # the same bits, fit statistics and probabilities included (round 13: the trapezoid fit
    # no longer depends on where MINPACK's arrays lay in memory)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.slow
def test_strict_stops_at_a_file_a_worker_cannot_read(tmp_path, monkeypatch):
    from exohunt.bundled import bundled_run_dir
    from exohunt.errors import InputError
    from exohunt.io.writers import write_fits
    from exohunt.predict import predict
    from exohunt.training import load_model

    curves, _ = labelled_vetting_files(["quiet", "planet"])
    files = [str(write_fits(tmp_path / f"s{i}.fits", lc)) for i, lc in enumerate(curves)]
    bad = tmp_path / "broken.fits"
    bad.write_bytes(b"\x00" * 5000)
    monkeypatch.setattr(scoring_pool.ChunkScorer, "_pool_ready",
                        lambda self: all(f.result() > 0 for f in self._ready))
    out = tmp_path / "p.csv"
    with pytest.raises(InputError, match=r"broken\.fits"):
        predict(load_model(bundled_run_dir()), [files[0], str(bad), files[1]], out=out,
                jobs=2, strict=True, progress=False)
    assert not out.exists() and not out.with_name("p.csv.partial").exists()


def test_a_star_without_a_signal_has_the_columns_of_one_with_a_signal():
    from exohunt.search import extract_features

    # predict writes the columns of its first chunk: a chunk of signal-less stars alone must
    # not drop the vetting columns
    found = extract_features(dipped_batch(n=2, n_pos=1, length=400), jobs=1).signals
    empty = extract_features([_curve(5)], jobs=1).signals  # too short to search
    assert list(empty.columns) == list(found.columns)
    assert empty.isna().all(axis=None)


def test_files_left_to_the_workers_are_chunked_by_their_size_in_input_order(tmp_path):
    from exohunt.io import iter_inputs
    from exohunt.io.api import DeferredRead
    from exohunt.io.writers import write_fits
    from exohunt.scoring_pool import DeferredChunk

    for i, n in enumerate((1000, 1000, 3000)):
        lc = LightCurve(np.arange(n) * 0.02, 1 + 1e-3 * np.random.default_rng(i).normal(size=n))
        write_fits(tmp_path / f"s{i}.fits", lc)
    (tmp_path / "notes.txt").write_text("not a light curve")
    items = list(iter_inputs(str(tmp_path / "*"), defer=lambda p: p.suffix == ".fits"))
    deferred = [obj for _, obj in items if isinstance(obj, DeferredRead)]
    assert [d.path.name for d in deferred] == ["s0.fits", "s1.fits", "s2.fits"]
    # reading later gives what reading now gives
    read_now = dict(iter_inputs(str(tmp_path / "s2.fits")))
    now = read_now[str(tmp_path / "s2.fits")]
    np.testing.assert_array_equal(deferred[2].read().flux, now.flux)
    # in-memory curves and deferred files never share a chunk; order is kept
    stream = [_curve(500), *deferred, _curve(700)]
    chunks = list(_chunks(iter(stream), 64, 2000))  # rows counted from the headers
    kinds = [(type(c).__name__, len(c)) for c, _ in chunks]
    assert kinds == [("list", 1), ("DeferredChunk", 2), ("DeferredChunk", 1), ("list", 1)]
    assert all(isinstance(c, DeferredChunk) == (k == "DeferredChunk") for (c, _), (k, _n)
               in zip(chunks, kinds))
