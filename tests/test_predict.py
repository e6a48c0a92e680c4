"""predict(): streamed, chunked scoring to CSV with a fake run (no training needed)."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from evaluation_fakes import FakeRun, make_batch
from exohunt.batch import LightCurveBatch
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve
from exohunt.predict import predict


def test_rows_match_unchunked_scores_and_indices_are_global(tmp_path):
    batch, _ = make_batch(n_stars=50, n_planets=5)
    run = FakeRun()
    summary = predict(run, batch, out=tmp_path / "p.csv", chunk_size=16, progress=False)
    rows = pd.read_csv(tmp_path / "p.csv")
    assert run.calls == [16, 16, 16, 2]
    assert rows["index"].tolist() == list(range(50))
    np.testing.assert_allclose(rows["probability"], run.score(batch), rtol=1e-12)
    assert list(rows.columns[:9]) == ["source", "index", "probability", "is_candidate",
                                      "period_days", "t0_days", "duration_hours", "depth_ppm",
                                      "snr"]
    assert (summary.n_stars, summary.n_rows, summary.n_inputs) == (50, 50, 1)
    assert summary.n_candidates == int(np.sum(run.score(batch) >= 0.5)) > 0
    assert not (tmp_path / "p.csv.partial").exists()


def test_sorted_output_and_candidate_plots(tmp_path):
    batch, _ = make_batch(n_stars=30, n_planets=4)
    summary = predict(FakeRun(), batch, out=tmp_path / "p.csv", sort=True, progress=False,
                      plots=tmp_path / "plots", chunk_size=7)
    rows = pd.read_csv(tmp_path / "p.csv")
    assert rows["probability"].is_monotonic_decreasing
    assert len(summary.plots) == summary.n_candidates == int(rows["is_candidate"].sum()) >= 1
    assert all(p.stat().st_size > 1000 for p in summary.plots)


def test_unreadable_inputs_are_skipped_or_fatal(tmp_path, monkeypatch):
    batch, _ = make_batch(n_stars=10, n_planets=2)

    def fake_iter_inputs(paths, **options):
        for path in paths:
            if "bad" in path:
                yield path, InputError(f"{path}: not a light curve")
            else:
                yield path, batch

    import exohunt.io as io

    monkeypatch.setattr(io, "iter_inputs", fake_iter_inputs, raising=False)
    seen = []
    summary = predict(FakeRun(), ["good.csv", "bad.fits", "good2.csv"], out=tmp_path / "p.csv",
                      progress=False, report=lambda s, m: seen.append(s))
    assert summary.skipped == [("bad.fits", "bad.fits: not a light curve")] and seen == ["bad.fits"]
    assert summary.n_stars == 20
    with pytest.raises(InputError, match=r"bad\.fits"):
        predict(FakeRun(), ["good.csv", "bad.fits"], out=tmp_path / "q.csv", strict=True,
                progress=False)
    assert not (tmp_path / "q.csv").exists() and not (tmp_path / "q.csv.partial").exists()
    with pytest.raises(InputError, match="no readable input"):
        predict(FakeRun(), ["bad.fits"], out=tmp_path / "r.csv", progress=False)


def test_out_must_not_be_a_directory(tmp_path):
    batch, _ = make_batch(n_stars=4, n_planets=1)
    with pytest.raises(InputError, match="is a directory"):
        predict(FakeRun(), batch, out=tmp_path, progress=False)


def _peak_bytes(n_stars: int, tmp_path) -> int:
    rng = np.random.default_rng(0)
    batch = LightCurveBatch(1 + rng.normal(0, 1e-3, (n_stars, 64)).astype(np.float32),
                            None, None, "big.csv")
    tracemalloc.start()
    predict(FakeRun(), batch, out=tmp_path / f"p{n_stars}.csv", chunk_size=500, progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_stays_flat_as_stars_grow(tmp_path):
    _peak_bytes(500, tmp_path)  # warm-up: first-call imports and caches
    small = _peak_bytes(2_000, tmp_path)
    large = _peak_bytes(20_000, tmp_path)  # 10× the stars, already in memory as input
    assert large < 1.5 * small, (small, large)


def test_signals_per_star_out_of_range_is_refused(tmp_path):
    batch, _ = make_batch(n_stars=4, n_planets=1)
    for bad in (0, 6):
        with pytest.raises(InputError, match="signals per star"):
            predict(FakeRun(), batch, out=tmp_path / "p.csv", progress=False,
                    signals_per_star=bad)


def test_a_row_per_signal_scores_both_planets_of_a_star(tmp_path):
    """With signals_per_star=2 a two-planet star gets two rows, one per period, each scored;
    its first row is the one-signal-per-star row."""
    from _search_synth import noise_lightcurve
    from test_search_features import _two_planets

    rng = np.random.default_rng(9)
    run = _tiny_gbm_run(rng, tmp_path / "run")
    stars = [LightCurve(lc.time, lc.flux, None, {"source": name})
             for lc, name in ((_two_planets(rng), "two-planets"), (noise_lightcurve(rng), "quiet"))]
    one = run.predict(stars, jobs=1)
    predict(run, stars, out=tmp_path / "p.csv", jobs=1, progress=False, signals_per_star=2)
    rows = pd.read_csv(tmp_path / "p.csv")
    assert "star" not in rows  # source and index name the star, whatever the chunking
    first = rows[rows["source"] == "two-planets"]
    assert first["signal"].tolist() == [0, 1]
    assert sorted(np.round(first["period_days"], 1)) == [3.3, 7.7]
    assert first["probability"].iloc[0] == pytest.approx(one["probability"].iloc[0])
    assert list(rows.columns[:9]) == ["source", "index", "probability", "is_candidate",
                                      "period_days", "t0_days", "duration_hours", "depth_ppm",
                                      "snr"]


def _tiny_gbm_run(rng, out):
    """A gbm trained in about a second on 16 synthetic planets and 24 noise stars."""
    from _search_synth import noise_lightcurve, planet_lightcurve
    from exohunt.training import train

    curves = [planet_lightcurve(rng, period=float(p), snr=float(snr))[0]
              for p, snr in zip(rng.uniform(1.5, 9.0, 16), rng.uniform(8, 30, 16))]
    curves += [noise_lightcurve(rng) for _ in range(24)]
    labels = np.array([1] * 16 + [0] * 24, np.int8)
    data = LightCurveBatch(np.stack([lc.flux for lc in curves]), labels, curves[0].time,
                           source="synthetic")
    return train(data, model="gbm", imbalance="weights", config={"max_iter": 20}, jobs=1,
                 out=out)


def test_operating_points_and_threshold_override(tmp_path):
    """A run records, for each target recall, the validation threshold reaching it and the
    precision there; predict --threshold uses another threshold than the stored one."""
    from exohunt.training.threshold import OPERATING_RECALLS

    rng = np.random.default_rng(4)
    run = _tiny_gbm_run(rng, tmp_path / "run")
    points = run.config["threshold"]["operating_points"]
    assert [p["objective"] for p in points] == [f"recall:{r:g}" for r in OPERATING_RECALLS]
    for point, target in zip(points, OPERATING_RECALLS):
        assert point["recall"] >= target - 1e-9 and 0 <= point["precision"] <= 1
    thresholds = [p["threshold"] for p in points]
    assert thresholds == sorted(thresholds, reverse=True)  # more recall, lower threshold
    batch, _ = make_batch(n_stars=30, n_planets=6)
    stored = predict(run, batch, out=tmp_path / "a.csv", jobs=1, progress=False)
    everything = predict(run, batch, out=tmp_path / "b.csv", jobs=1, progress=False,
                         threshold=1e-9)
    assert everything.n_candidates == 30 >= stored.n_candidates
    rows = pd.read_csv(tmp_path / "b.csv")
    assert rows["is_candidate"].all()
    np.testing.assert_allclose(rows["probability"], pd.read_csv(tmp_path / "a.csv")["probability"])
    with pytest.raises(InputError, match="threshold"):
        predict(run, batch, out=tmp_path / "c.csv", jobs=1, progress=False, threshold=1.5)
