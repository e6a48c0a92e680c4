"""Training on a star's later signals (``train(..., signals_per_star=K)``): how the later
signals are labelled, how a star is scored by its best signal, and what is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _search_synth import labelled_vetting_files
from exohunt.errors import InputError
from exohunt.lightcurve import LightCurve
from exohunt.training.features import RawFeatures, best_per_star, split_later_signals


def multi_signal_raw(stars: list[int], ranks: list[int], periods: list[float]) -> RawFeatures:
    """A multi-signal extraction's shape: rows (star, signal rank, period), one view."""
    n = len(stars)
    signals = pd.DataFrame({"period_days": periods, "snr": np.arange(n, dtype=float),
                            "star": stars, "signal": ranks})
    return RawFeatures({"local": np.arange(n, dtype=np.float32)[:, None]},
                       pd.DataFrame({"snr": np.arange(n, dtype=float)}), signals, "search-x")


def test_split_later_signals_and_best_per_star():
    raw = multi_signal_raw([0, 0, 0, 1, 2, 2], [0, 1, 2, 0, 0, 1],
                           [3.0, 5.0, 7.0, 2.0, 4.0, 9.0])
    top, later = split_later_signals(raw)
    assert top.signals["period_days"].tolist() == [3.0, 2.0, 4.0]
    assert "star" not in top.signals and "signal" not in top.signals
    assert later.signals["star"].tolist() == [0, 0, 2]
    assert later.signals["period_days"].tolist() == [5.0, 7.0, 9.0]
    p = np.array([0.1, 0.7, 0.2, 0.3, 0.9, 0.4])
    np.testing.assert_allclose(best_per_star(raw, p), [0.7, 0.3, 0.9])
    # one row per star: unchanged, and split into itself and no later signals
    single = top
    assert split_later_signals(single) == (single, None)
    np.testing.assert_allclose(best_per_star(single, [0.2, 0.5, 0.1]), [0.2, 0.5, 0.1])


def test_later_signals_are_labelled_by_the_known_planet_period():
    """At the planet's period (or 2x / 1/2x) a later signal is a planet; at another period on
    a planet's star, or on any other star, it is not; on a planet's star whose period is not
    known its label is unknown (left out)."""
    from exohunt.training.api import _later_labels

    def star(label, period=None):
        meta = {"source": "x.fits", "label": label}
        if period is not None:
            meta["label_period_days"] = period
        return LightCurve(np.arange(3.0), np.ones(3), None, meta)

    data = [star(1, 10.0), star(0), star(1, float("nan")), star(1, 4.0)]
    labels = np.array([1, 0, 1, 1], np.int8)
    # later rows: stars 0 (at 10 d, at 3 d), 1 (at 10 d), 2 (5 d), 3 (at 8 d = 2x)
    later = multi_signal_raw([0, 0, 1, 2, 3], [1, 2, 1, 1, 1], [10.02, 3.0, 10.0, 5.0, 8.0])
    searched_rows = np.arange(4)
    rows, y, known = _later_labels(data, labels, later, searched_rows)
    assert rows.tolist() == [0, 0, 1, 2, 3]
    assert y.tolist() == [1, 0, 0, 0, 1]
    assert known.tolist() == [True, True, True, False, True]


def test_a_validation_star_takes_its_best_signal(monkeypatch):
    """The threshold is chosen on each validation star's best signal: its top signal's
    probability or a higher one of its later signals (labelled or not); later signals of
    stars outside validation do not count."""
    from exohunt.training import api

    later = multi_signal_raw([0, 1, 1, 2], [1, 1, 2, 1], [5.0, 6.0, 7.0, 8.0])
    later_probability = np.array([0.4, 0.6, 0.1, 0.99])
    monkeypatch.setattr(api, "to_inputs", lambda raw, kind, fitted: {
        "X": raw.stats[["snr"]].to_numpy()})  # the rows' positions in ``later``

    class Model:
        def predict_proba(self, x):
            p = later_probability[x[:, 0].astype(int)]
            return np.column_stack([1 - p, p])

    # data rows of the later signals' stars: 3, 9, 9 (validation) and 4 (training)
    later_star = np.array([3, 9, 9, 4])
    best = api._best_validation_signal(Model(), np.array([0.1, 0.5, 0.2]), later, later_star,
                                       np.array([7, 3, 9]), fitted={})
    np.testing.assert_allclose(best, [0.1, 0.5, 0.6])


@pytest.mark.parametrize("value", [0, 6, 2.5, True, "3"])
def test_signals_per_star_out_of_range_is_refused(value):
    from exohunt.batch import LightCurveBatch
    from exohunt.training import train

    batch = LightCurveBatch(np.ones((4, 50)), np.array([0, 1, 0, 1], np.int8))
    with pytest.raises(InputError, match="signals_per_star must be an integer from 1 to 5"):
        train(batch, "gbm", signals_per_star=value)


def test_signals_per_star_is_for_the_trees():
    from exohunt.batch import LightCurveBatch
    from exohunt.training import train

    batch = LightCurveBatch(np.ones((4, 50)), np.array([0, 1, 0, 1], np.int8))
    with pytest.raises(InputError, match="applies to the boosted trees"):
        train(batch, "cnn", signals_per_star=2)


@pytest.mark.slow
def test_a_run_trained_on_later_signals_scores_each_star_by_its_best(tmp_path):
    """The run records its signals per star; ``score`` is each star's best signal's
    probability (as ``predict(signals_per_star=K)`` shows every signal's); more rows than
    stars were trained on; an ensemble on folds scores and chooses its threshold the same
    way."""
    from exohunt.training import train, train_ensemble

    kinds = ["planet", "eb", "quiet", "quiet", "background-eb"] * 5
    curves, table = labelled_vetting_files(kinds, periods=True)
    # a deep box-shaped dip every 3.37 d on every star: the top signal, so that the planets
    # (and the binaries' eclipses) come second
    curves = [lc.replace(flux=lc.flux * (1 - 0.004 * (np.abs(
        (lc.time - 0.5 + 1.685) % 3.37 - 1.685) < 0.08))) for lc in curves]
    options = dict(labels=table, jobs=1, cache_dir=tmp_path, imbalance="weights", seed=3,
                   signals_per_star=2)
    run = train(curves, "gbm", val_fraction=0.4, **options)
    assert run.config["preprocessing"]["signals_per_star"] == 2
    assert run.signals_per_star == 2
    scores = run.score(curves, jobs=1, cache_dir=tmp_path)
    assert scores.shape == (len(curves),) and np.isfinite(scores).all()
    rows = run.predict(curves, jobs=1, cache_dir=tmp_path, signals_per_star=2)
    assert len(rows) > len(curves)  # some stars have a second signal here
    best = rows.groupby("star")["probability"].max().to_numpy()
    np.testing.assert_allclose(scores, best)
    # exohunt predict shows as many signals per star as the run was trained on by default
    from exohunt.predict import predict

    predict(run, curves, out=tmp_path / "p.csv", jobs=1, progress=False)
    written = pd.read_csv(tmp_path / "p.csv")
    assert len(written) == len(rows) and "signal" in written
    np.testing.assert_allclose(written["probability"], rows["probability"], rtol=1e-6)
    training = run.config["training"]  # the later signals were trained on, planets among them
    assert 0 < training["later_signals_trained"] <= len(curves)
    assert training["later_signals_planets"] >= 1
    plain = train(curves, "gbm", val_fraction=0.4, **{**options, "signals_per_star": 1})
    assert "signals_per_star" not in plain.config["preprocessing"]
    assert plain.signals_per_star == 1
    # the later rows reached the fit: the same stars' top signals score differently
    top = run.predict(curves, jobs=1, cache_dir=tmp_path, signals_per_star=1)["probability"]
    assert not np.allclose(top, plain.predict(curves, jobs=1, cache_dir=tmp_path)["probability"])
    ensemble = train_ensemble(curves, "gbm", n_members=2, folds=True, **options)
    assert ensemble.signals_per_star == 2
    assert ensemble.config["threshold"]["out_of_fold_rows"] == len(curves)
    both = np.mean([m.predict(curves, jobs=1, cache_dir=tmp_path, signals_per_star=2)
                    ["probability"].to_numpy() for m in ensemble.members], axis=0)
    np.testing.assert_allclose(ensemble.score(curves, jobs=1, cache_dir=tmp_path),
                               best_per_star(_stars_of(rows), both))


def _stars_of(rows: pd.DataFrame) -> RawFeatures:
    """A RawFeatures whose signals table has ``rows``' star column (for best_per_star)."""
    return RawFeatures({}, pd.DataFrame(index=range(len(rows))),
                       rows[["star"]].reset_index(drop=True))


@pytest.mark.slow
def test_injected_stars_later_signals_are_trained_on(tmp_path, monkeypatch):
    """With injection and two signals per star the injected stars' second signals are
    training rows too where the model's file augmentation sets ``later_signals`` (reported in
    the run's config); without it (the default) they keep to their top signal."""
    from exohunt.training import api, train

    kinds = ["planet", "quiet", "quiet", "quiet", "eb"] * 4
    curves, table = labelled_vetting_files(kinds, periods=True)
    monkeypatch.setitem(api.MODEL_DEFAULTS["gbm"], "augment",
                        {"binaries_per_planet": 1.0, "per_positive": 1})
    monkeypatch.setitem(api.MODEL_DEFAULTS["gbm"], "file_augment",
                        {"target_binaries_per_planet": 1.0, "later_signals": True})
    options = dict(labels=table, jobs=1, cache_dir=tmp_path, imbalance="inject", seed=3,
                   signals_per_star=2, val_fraction=0.25)
    run = train(curves, "gbm", **options)
    injections = run.config["training"]["injections"]
    assert injections["later_signals_injected"] >= 1
    assert 0 <= injections["later_signals_injected_planets"] <= injections[
        "later_signals_injected"]
    assert np.isfinite(run.score(curves, jobs=1, cache_dir=tmp_path)).all()
    monkeypatch.setitem(api.MODEL_DEFAULTS["gbm"], "file_augment",
                        {"target_binaries_per_planet": 1.0})
    top_only = train(curves, "gbm", **options)
    assert "later_signals_injected" not in top_only.config["training"].get("injections", {})
    # the later rows reached the fit: the same seed, stars and injections score differently
    assert not np.allclose(run.score(curves, jobs=1, cache_dir=tmp_path),
                           top_only.score(curves, jobs=1, cache_dir=tmp_path))
