"""The training loop: honest splits, early stopping, checkpoints, thresholds, run directories."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

import exohunt
from exohunt.batch import LightCurveBatch, ViewBatch
from exohunt.errors import InputError, RunDirectoryError
from exohunt.training import LoopSettings, SequencePrep, choose_threshold, load_run, train
from exohunt.training.threshold import safe_average_precision

PREP = SequencePrep(detrend_window=31, n_bins=64)
SMALL_CNN = {"channels": (4, 8), "hidden": 8}


def dipped_batch(n: int = 120, length: int = 256, n_pos: int = 24, seed: int = 0,
                 depth: float = 4.0) -> LightCurveBatch:
    """White noise (σ=1) plus a slow trend; positives get periodic box dips."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    flux = rng.normal(0, 1, (n, length)) + 3 * np.sin(t / 40.0 + rng.uniform(0, 6, (n, 1)))
    labels = np.zeros(n, np.int8)
    labels[rng.choice(n, n_pos, replace=False)] = 1
    for row in np.flatnonzero(labels):
        period, start = rng.integers(40, 90), rng.integers(0, 40)
        for s in range(start, length, period):
            flux[row, s:s + 6] -= depth
    return LightCurveBatch(flux.astype(np.float32), labels, source="dipped")


def test_threshold_maximises_f1_or_meets_recall():
    labels = np.array([0, 0, 0, 1, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.8, 0.9])
    best = choose_threshold(labels, scores)
    assert best.threshold == pytest.approx(0.35) and best.f1 == pytest.approx(6 / 7)
    strict = choose_threshold(labels, scores, "recall:0.6")
    assert strict.threshold == pytest.approx(0.65) and strict.recall == pytest.approx(2 / 3)
    assert choose_threshold(labels, scores, "recall:1").recall == 1.0
    with pytest.raises(InputError, match="recall:R"):
        choose_threshold(labels, scores, "accuracy")


def test_run_roundtrip_gives_identical_predictions(tmp_path):
    data = dipped_batch()
    run = train(data, model="cnn", out=tmp_path / "run", epochs=6, prep=PREP,
                config=SMALL_CNN, jobs=1)
    for name in ("model.pt", "config.json", "history.json", "metrics.json"):
        assert (tmp_path / "run" / name).is_file()
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["model"]["name"] == "cnn" and config["seed"] == 42
    assert config["threshold"]["objective"] == "f1"
    assert config["preprocessing"]["sequence"]["n_bins"] == 64
    assert {"exohunt", "torch", "numpy"} <= set(config["versions"])
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert {"epoch", "train_loss", "val_loss", "val_average_precision", "seconds"} <= set(
        history[0])
    loaded = load_run(tmp_path / "run", device="cpu")
    np.testing.assert_array_equal(run.score(data), loaded.score(data))
    assert loaded.threshold == run.threshold
    table = loaded.predict(data)
    assert list(table.columns[:9]) == ["source", "index", "probability", "is_candidate",
                                       "period_days", "t0_days", "duration_hours",
                                       "depth_ppm", "snr"]
    assert table["period_days"].isna().all()
    assert (table["is_candidate"] == (table["probability"] >= run.threshold)).all()
    single = loaded.predict(data.lightcurve(3))  # one LightCurve is one star, not a sequence
    assert len(single) == 1
    assert abs(single["probability"].iloc[0] - table["probability"].iloc[3]) < 1e-5
    # The dips are easy: the network must have learned them.
    assert run.metrics["average_precision"] > 0.8


def test_same_seed_same_model():
    data = dipped_batch(n=80, n_pos=16)
    first = train(data, model="cnn", epochs=2, prep=PREP, config=SMALL_CNN, jobs=1)
    second = train(data, model="cnn", epochs=2, prep=PREP, config=SMALL_CNN, jobs=1)
    np.testing.assert_array_equal(first.score(data), second.score(data))


def test_early_stopping_restores_the_best_checkpoint():
    data = dipped_batch(n=100, n_pos=20, depth=0.0)  # no signal: validation AP cannot climb
    run = train(data, model="cnn", epochs=40, prep=PREP, config=SMALL_CNN, jobs=1,
                loop={"patience": 2, "learning_rate": 3e-3})
    assert run.metrics["stopped"] == "early_stopping"
    assert run.metrics["epochs_run"] < 40
    aps = [h["val_average_precision"] for h in run.history]
    best = run.metrics["best_epoch"]
    assert aps[best - 1] == max(aps)
    assert run.metrics["epochs_run"] == best + 2
    val_rows = np.array(run.config["split"]["val_rows"])
    restored = safe_average_precision(data.labels[val_rows], run.score(data.subset(val_rows)))
    assert restored == pytest.approx(aps[best - 1], abs=1e-9)


def test_validation_is_stratified_and_disjoint():
    data = dipped_batch(n=100, n_pos=20)
    run = train(data, model="cnn", epochs=1, prep=PREP, config=SMALL_CNN, jobs=1)
    val = np.array(run.config["split"]["val_rows"])
    assert len(val) == 20 and data.labels[val].sum() == 4
    assert run.config["data"]["n_train"] == 80


def test_smote_never_touches_validation_rows(monkeypatch):
    import exohunt.training.api as api

    seen = {}
    real = api.smote_inputs

    def spy(inputs, labels, *, seed):
        seen["flux"], seen["labels"] = inputs["flux"].copy(), labels.copy()
        return real(inputs, labels, seed=seed)

    monkeypatch.setattr(api, "smote_inputs", spy)
    data = dipped_batch(n=100, n_pos=20)
    run = train(data, model="cnn", epochs=1, prep=PREP, config=SMALL_CNN, imbalance="smote",
                jobs=1)
    val = np.array(run.config["split"]["val_rows"])
    assert len(seen["labels"]) == 100 - len(val)
    from exohunt.training.preprocess import prepare_sequences

    all_rows = prepare_sequences(data.flux, PREP)
    for row in all_rows[val]:  # no validation star was given to SMOTE
        assert not np.any(np.all(np.isclose(seen["flux"], row), axis=1))


def _tamper(directory, name, mutate):
    path = directory / name
    path.write_bytes(mutate(path.read_bytes()))


def test_tampered_or_foreign_run_directories_are_refused(tmp_path):
    data = dipped_batch(n=60, n_pos=12)
    train(data, model="cnn", out=tmp_path / "run", epochs=1, prep=PREP, config=SMALL_CNN,
          jobs=1)
    run_dir = tmp_path / "run"
    original = (run_dir / "model.pt").read_bytes()
    _tamper(run_dir, "model.pt", lambda b: b[:-20] + bytes(20))
    with pytest.raises(RunDirectoryError, match="checksum"):
        load_run(run_dir)
    # A pickle that would run code, with a matching checksum: weights_only refuses it.
    (run_dir / "model.pt").write_bytes(original)
    torch.save({"format": "exohunt-run", "model": "cnn", "payload": pd.Timestamp(0)},
               run_dir / "model.pt")
    config = json.loads((run_dir / "config.json").read_text())
    import hashlib

    config["files"] = {"model.pt": hashlib.sha256((run_dir / "model.pt").read_bytes()).hexdigest()}
    (run_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(RunDirectoryError, match="not a plain weights file"):
        load_run(run_dir)
    config["preprocessing"]["sequence"]["version"] = "seq-0"
    (run_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(RunDirectoryError, match="retrain"):
        load_run(run_dir)
    (run_dir / "config.json").write_text("{not json")
    with pytest.raises(RunDirectoryError, match="not valid JSON"):
        load_run(run_dir)
    with pytest.raises(RunDirectoryError, match="not a directory"):
        load_run(tmp_path / "nowhere")


def view_batch(n: int = 200, seed: int = 0) -> ViewBatch:
    """AstroNet-like views: PC = U-shaped local dip, EB = deep V, J = noise."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["PC", "EB", "J"], size=n, p=[0.2, 0.2, 0.6])
    g = rng.normal(0, 0.2, (n, 201)).astype(np.float32)
    local = rng.normal(0, 0.2, (n, 61)).astype(np.float32)
    local[kinds == "PC", 25:36] -= 1.0
    local[kinds == "EB", 20:41] -= np.abs(np.linspace(-1, 1, 21)) - 1.0
    g[kinds == "EB", 145:155] -= 0.5  # secondary eclipse
    table = pd.DataFrame({"disposition": kinds, "tic_id": np.arange(n),
                          "period_days": rng.uniform(1, 10, n), "snr": rng.uniform(7, 30, n)})
    return ViewBatch(g, local, None, table, source="views")


@pytest.mark.parametrize("model", ["twoview", "gbm"])
def test_view_models_train_on_astronet_views(tmp_path, model):
    views = view_batch()
    config = {"global_widths": (4,), "local_widths": (4,), "hidden": 16} \
        if model == "twoview" else {"max_iter": 60}
    run = train(views, model=model, out=tmp_path / model, positive=("PC",), epochs=8,
                config=config, jobs=1)
    assert run.config["training"]["positive"] == ["PC"]
    assert run.metrics["average_precision"] > 0.9
    loaded = load_run(tmp_path / model, device="cpu")
    np.testing.assert_allclose(loaded.score(views), run.score(views), rtol=0, atol=1e-12)
    table = loaded.predict(views)
    assert table["period_days"].notna().all()


def test_a_configuration_asked_for_by_name_brings_its_loop_settings():
    views = view_batch()
    run = train(views, model="twoview", positive=("PC",), config="astronet", epochs=1, jobs=1,
                loop={"batch_size": 128})
    loop = run.config["training"]["loop"]
    assert loop["learning_rate"] == 1e-4 and loop["patience"] == 10  # the named config's
    assert loop["batch_size"] == 128 and loop["epochs"] == 1  # the caller's still win
    assert run.config["model"]["config_name"] == "astronet"
    assert run.config["model"]["config"]["hidden"] == 512
    # the same config as a dataclass is the same network, but without the loop settings
    from exohunt.models.twoview import TwoViewConfig

    plain = train(views, model="twoview", positive=("PC",), config=TwoViewConfig.astronet(),
                  epochs=1, jobs=1)
    assert plain.config["training"]["loop"]["learning_rate"] == 1e-3
    assert plain.config["model"]["config_name"] == "astronet"


def test_jobs_bounds_the_threads_of_the_trees_too(monkeypatch):
    from threadpoolctl import threadpool_info

    import exohunt.training.api as api

    seen = []

    def fit_and_count(*args, **kwargs):
        seen.extend(pool["num_threads"] for pool in threadpool_info()
                    if pool["user_api"] == "openmp")
        return fitted(*args, **kwargs)

    fitted = api.fit_gbm
    monkeypatch.setattr(api, "fit_gbm", fit_and_count)
    train(view_batch(), model="gbm", config={"max_iter": 20}, jobs=1)
    assert seen and set(seen) == {1}


def test_gbm_weights_file_tampering_is_refused(tmp_path):
    train(view_batch(), model="gbm", out=tmp_path / "gbm", config={"max_iter": 20}, jobs=1)
    _tamper(tmp_path / "gbm", "model.skops", lambda b: b + b"x")
    with pytest.raises(RunDirectoryError, match="checksum"):
        load_run(tmp_path / "gbm")


def test_bad_options_are_input_errors():
    data = dipped_batch(n=60, n_pos=12)
    with pytest.raises(InputError, match="weights, smote, inject, none"):
        train(data, model="cnn", imbalance="oversample")
    with pytest.raises(InputError, match="expected one of"):
        train(data, model="transformer")
    with pytest.raises(InputError, match="labelled"):
        train(LightCurveBatch(data.flux), model="cnn")
    with pytest.raises(InputError, match="positive"):
        train(data, model="cnn", positive=("PC",))


def test_top_level_names_are_the_training_api():
    assert exohunt.train is train and exohunt.load_run is load_run
    assert exohunt.Run is exohunt.training.Run
    assert exohunt.training.DEFAULT_MODEL in exohunt.models.MODELS


@pytest.mark.slow
def test_injection_uses_training_negatives_only_and_adds_real_dips():
    from exohunt.training.augment import injected_features, white_noise

    data = dipped_batch(n=60, n_pos=12, length=400)
    time = np.arange(400) * 0.0204  # Kepler long cadence, days
    data = LightCurveBatch(data.flux, data.labels, time, source="dipped")
    train_rows = np.arange(40)
    hosts = np.ones(len(data), bool)
    hosts[:10] = False  # e.g. stars with a strong signal of their own
    extra, extra_labels = injected_features(
        data, train_rows, data.labels, "sequence",
        prep=SequencePrep(detrend_window=0, scale="zscore", clip_upper=None, compress=False,
                          n_bins=400), seed=3, per_positive=2, binaries_per_planet=0.5,
        hosts=hosts)
    n_pos = int(data.labels[train_rows].sum())
    # injected planets + reversed positives (label 1), then injected binaries (label 0)
    assert len(extra) == len(extra_labels) == 2 * n_pos + n_pos + n_pos
    assert extra_labels.tolist() == [1] * (3 * n_pos) + [0] * n_pos
    # Rows outside the training split are never read: scrambling them changes nothing.
    scrambled = data.flux.copy()
    scrambled[40:] = np.nan
    scrambled[np.flatnonzero(~hosts & (data.labels == 0))] = np.nan  # nor excluded hosts
    again, _ = injected_features(LightCurveBatch(scrambled, data.labels, time), train_rows,
                                 data.labels, "sequence", prep=SequencePrep(
                                     detrend_window=0, scale="zscore", clip_upper=None,
                                     compress=False, n_bins=400), seed=3, per_positive=2,
                                 binaries_per_planet=0.5, hosts=hosts)
    np.testing.assert_array_equal(extra.arrays["flux"], again.arrays["flux"])
    assert white_noise(np.random.default_rng(0).normal(0, 5.0, 4000)) == pytest.approx(5, rel=0.1)


def test_reversed_positives_only_on_a_mirror_symmetric_batch_grid():
    """A batch's rows share one time grid: its positives are added reversed only where the
    grid reads the same backwards (reversed flux on it is then the mirrored light curve)."""
    from exohunt.training.augment import injected_features, mirror_symmetric

    uniform = np.arange(400) * 0.0204
    centred_gap = np.concatenate([uniform[:150], uniform[250:]])
    off_centre = np.concatenate([uniform[:100], uniform[200:]])
    assert mirror_symmetric(uniform) and mirror_symmetric(centred_gap)
    assert not mirror_symmetric(off_centre)
    data = dipped_batch(n=24, n_pos=6, length=300)
    prep = SequencePrep(detrend_window=0, scale="zscore", clip_upper=None, compress=False,
                        n_bins=300)
    rows = np.arange(24)
    n_pos = int(data.labels.sum())
    counts = {}
    for name, time in (("uniform", uniform[:300]), ("off-centre", off_centre)):
        batch = LightCurveBatch(data.flux, data.labels, time, source="dipped")
        _, labels = injected_features(batch, rows, data.labels, "sequence", prep=prep, seed=3,
                                      per_positive=1)
        counts[name] = len(labels)
    assert counts == {"uniform": 2 * n_pos, "off-centre": n_pos}


def test_injected_transit_has_the_requested_snr():
    from exohunt.training.augment import inject_rows

    rng = np.random.default_rng(1)
    time = np.arange(3197) * 0.0204
    flux = rng.normal(0, 50.0, (4, 3197))
    dips = inject_rows(flux, time, rng, snr_range=(20.0, 20.0), day_side=False) - flux
    for dip in dips:
        # The simulator's convention: the matched-filter SNR √Σ dip² / σ.
        snr = np.sqrt(np.sum(dip**2)) / 50.0
        assert snr == pytest.approx(20.0, rel=0.05)


def test_bright_share_injects_high_snr_planets():
    """``bright_share`` rows get SNR 150-2,000 (capped where Rp/R* would exceed 0.3)."""
    from exohunt.training.augment import inject_rows

    rng = np.random.default_rng(3)
    time = np.arange(3197) * 0.0204
    flux = rng.normal(0, 50.0, (5, 3197))
    dips = inject_rows(flux, time, rng, snr_range=(20.0, 20.0), day_side=False,
                       bright_share=1.0) - flux
    for dip in dips:
        assert np.sqrt(np.sum(dip**2)) / 50.0 > 140.0


def test_occultation_of_a_hot_jupiter():
    """The day side's occultation (the simulator's, which the injections use): depth
    A (Rp/a)², half a period after the transit, as long as the transit; HAT-P-7 b-like
    numbers give the observed ~70 ppm."""
    from dataclasses import replace

    from exohunt.simulate import PlanetParams
    from exohunt.simulate.signals import signal_model

    time = np.arange(3197) * 0.0204
    planet = PlanetParams(period=2.2047, t0=1.0, rp_rs=0.0776, impact=0.5,
                          stellar_density=0.27)  # HAT-P-7: a/R* ≈ 4.1
    phase = (time - planet.t0) % planet.period / planet.period
    far = np.abs(phase - 0.5) < 0.4  # away from the transit
    with_day = signal_model(time, replace(planet, albedo=0.4))
    model = with_day / signal_model(time, planet)
    depth = model[far].max() - model[far].min()
    assert depth == pytest.approx(0.4 * 0.0776**2 / planet.a_rs**2, rel=0.05)
    assert 50e-6 < depth < 200e-6
    dipped = far & (model < model[far].max() - 0.5 * depth)
    assert np.all(np.abs(phase[dipped] - 0.5) < 0.5 * planet.t14 / planet.period + 0.02)
    assert dipped.mean() == pytest.approx(planet.t14 / planet.period, rel=0.15)


def test_injected_planets_carry_their_occultation():
    """Same random planets with and without the day side: they differ only near phase 0.5,
    by at most a few per cent of the transit depth."""
    from exohunt.training.augment import inject_rows

    time = np.arange(3197) * 0.0204
    flux = np.random.default_rng(2).normal(0, 50.0, (6, 3197))
    with_day = inject_rows(flux, time, np.random.default_rng(4), snr_range=(40.0, 40.0))
    without = inject_rows(flux, time, np.random.default_rng(4), snr_range=(40.0, 40.0),
                          day_side=False)
    extra = with_day - without
    transit_depth = -(without - flux).min(axis=1)
    # the day side only dims (its occultation); the transit, relative to star + day side,
    # is shallower by a factor 1/(1 + fp) ≈ 1 - 1e-4 at most
    assert np.all(extra <= 1e-3 * transit_depth[:, None])
    assert np.all(-extra.min(axis=1) < 0.15 * transit_depth)
    assert (extra < -1e-6).any()
    # The occultation is away from the transit (half an orbit later), never on top of it.
    transit = (without - flux) < -1e-9
    assert not np.any(transit & (extra < -1e-9))


def test_injected_binary_is_an_eclipse_diluted_to_the_requested_snr():
    from exohunt.training.augment import inject_rows

    rng = np.random.default_rng(5)
    time = np.arange(3197) * 0.0204
    flux = rng.normal(0, 50.0, (40, 3197))
    dips = inject_rows(flux, time, rng, snr_range=(30.0, 30.0), kind="binary") - flux
    snrs = []
    for dip in dips:
        in_eclipse = dip < 0.05 * dip.min()  # not the shallow ellipsoidal variation
        snrs.append(np.sqrt(np.sum(dip[in_eclipse] ** 2)) / 50.0)
    # Diluted to a matched-filter SNR of 30 counting primary eclipses; secondaries add to
    # this crude measure.
    assert np.median(snrs) == pytest.approx(30.0, rel=0.25)
    assert min(snrs) > 15.0
    with pytest.raises(ValueError, match="binary"):
        inject_rows(flux[:1], time, rng, kind="moon")


@pytest.mark.slow
def test_search_models_use_views_and_statistics_from_the_search(monkeypatch, tmp_path):
    import exohunt.search as search
    from exohunt.search import FEATURE_VERSION

    def fake_extract_features(data, *, jobs=0, progress=False, signals_per_star=1,
                              **search_options):
        """A FeatureSet of the documented shapes; the 'search' sees the dips directly."""
        depth = -np.min(data.flux, axis=1) - 2.5
        n = len(data.flux)
        local = np.zeros((n, 21), np.float32)
        local[:, 8:13] = -np.clip(depth, 0, None)[:, None]
        views = {"global": np.repeat(local[:, :1], 41, axis=1), "local": local,
                 "secondary": np.zeros((n, 21), np.float32), "odd": local, "even": local}
        stats = pd.DataFrame({"snr": depth, "sde": depth / 2, "odd_even_sigma": np.zeros(n)})
        signals = pd.DataFrame({"period_days": np.full(n, 3.0), "t0_days": 1.0,
                                "duration_hours": 2.0, "depth_ppm": depth, "snr": depth})
        return type("FS", (), {"views": views, "stats": stats, "signals": signals})()

    monkeypatch.setattr(search, "extract_features", fake_extract_features)
    data = dipped_batch(n=100, n_pos=20)
    run = train(data, model="twoview", out=tmp_path / "tv", epochs=4, jobs=1,
                config={"global_widths": (4,), "local_widths": (4,), "hidden": 8})
    prep = run.config["preprocessing"]
    assert prep["feature_version"] == FEATURE_VERSION
    assert prep["fitted"]["global_views"] == ["global"]
    assert prep["fitted"]["local_views"] == ["local", "even", "odd", "secondary"]
    assert run.config["model"]["config"]["n_scalars"] == 3
    table = load_run(tmp_path / "tv", device="cpu").predict(data)
    assert list(table.columns[4:9]) == ["period_days", "t0_days", "duration_hours",
                                        "depth_ppm", "snr"]
    assert "odd_even_sigma" in table.columns and "sde" in table.columns
    gbm = train(data, model="gbm", config={"max_iter": 30}, jobs=1)
    assert gbm.config["preprocessing"]["fitted"]["stat_columns"] == ["snr", "sde",
                                                                     "odd_even_sigma"]


def test_threshold_weights_keep_the_real_prevalence():
    """Down-weighted injected positives must not drag the threshold towards them."""
    from exohunt.training.threshold import choose_threshold

    labels = np.array([0] * 96 + [1] * 4)
    probability = np.concatenate([np.linspace(0.0, 0.5, 96), [0.6, 0.7, 0.8, 0.9]])
    # Many injected positives scored just above the bulk of negatives (0.45).
    injected = np.full(200, 0.45)
    all_labels = np.concatenate([labels, np.ones(200, int)])
    all_probability = np.concatenate([probability, injected])
    unweighted = choose_threshold(all_labels, all_probability)
    weights = np.concatenate([np.where(labels == 1, 0.5, 1.0), np.full(200, 0.5 * 4 / 200)])
    weighted = choose_threshold(all_labels, all_probability, sample_weight=weights)
    assert unweighted.threshold < 0.45  # swamped by the injected rows
    assert weighted.threshold > 0.5     # real prevalence: only the clear planets pass


def test_feature_cache_key_follows_data_version_and_search_code(monkeypatch):
    from exohunt.batch import LightCurveBatch
    from exohunt.training import features

    batch = LightCurveBatch(np.zeros((2, 150), np.float32), np.array([0, 1]))
    other = LightCurveBatch(np.ones((2, 150), np.float32), np.array([0, 1]))
    key = features._cache_key(batch, "v1")
    assert key == features._cache_key(batch, "v1")
    assert key != features._cache_key(other, "v1")
    assert key != features._cache_key(batch, "v2")
    monkeypatch.setattr(features, "_search_source_digest", lambda: b"edited search code")
    assert key != features._cache_key(batch, "v1")


def test_every_registered_model_has_training_defaults():
    from exohunt.models import MODELS
    from exohunt.training import MODEL_DEFAULTS

    assert set(MODELS) <= set(MODEL_DEFAULTS)
    for name, defaults in MODEL_DEFAULTS.items():
        LoopSettings(**defaults["loop"])  # every loop override names a real setting
        assert defaults["imbalance"] in ("weights", "smote", "inject", "none"), name



def test_search_features_keep_the_search_vetting_columns_for_predictions():
    """predictions.csv promises the signal columns, then the vetting statistics: the
    search's own columns (odd/even, secondary, shape, trapezoid fit, passes_vetting) must
    survive into ``RawFeatures.signals``, after the five signal columns."""
    from exohunt.simulate import simulate
    from exohunt.training.features import SIGNAL_COLUMNS, extract

    data = simulate(preset="kaggle", seed=5, n_train=3, n_test=1).train
    signals = extract(data, "tabular", jobs=1).signals
    assert list(signals.columns[:5]) == list(SIGNAL_COLUMNS)
    for column in ("sde", "odd_even_sigma", "secondary_sigma", "v_shape_sigma",
                   "fit_duration_hours", "fit_ingress_fraction", "passes_vetting"):
        assert column in signals.columns
    assert len(signals) == 3 and signals.columns.is_unique


def test_recall_objective_on_strong_signals_ignores_the_weak_planets():
    """recall:R@snrS: planets whose search SNR is below S neither count nor hurt."""
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    probability = np.array([0.9, 0.8, 0.05, 0.01, 0.6, 0.3, 0.2, 0.02])
    snr = np.array([30.0, 12.0, 8.0, np.nan, 9.0, 20.0, 7.0, np.nan])
    plain = choose_threshold(labels, probability, "recall:1.0")
    strong = choose_threshold(labels, probability, "recall:1.0@snr10", signal_snr=snr)
    assert plain.threshold <= 0.01 and plain.precision == 0.5
    assert strong.threshold == pytest.approx(0.7)  # halfway between 0.8 and the next score
    assert strong.recall == 1.0 and strong.precision == 1.0
    assert strong.objective == "recall:1.0@snr10"


@pytest.mark.parametrize("objective", ["recall:0.9@snr", "recall:0.9@snr-3", "recall:0.9@x10",
                                       "recall:0.9@snrnan", "recall:2@snr10"])
def test_malformed_strong_recall_objectives_are_refused(objective):
    from exohunt.training.threshold import parse_objective

    with pytest.raises(InputError, match=r"recall:0\.95@snr10"):
        parse_objective(objective)


def test_strong_recall_objective_needs_search_snr():
    labels, probability = np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.8, 0.2])
    with pytest.raises(InputError, match="search SNR"):
        choose_threshold(labels, probability, "recall:0.9@snr10")
    with pytest.raises(InputError, match="no validation planet"):
        choose_threshold(labels, probability, "recall:0.9@snr10",
                         signal_snr=np.array([5.0, 50.0, 3.0, 9.0]))
    with pytest.raises(InputError, match="search-based models"):
        train(LightCurveBatch(np.random.default_rng(0).normal(size=(20, 64)),
                              np.array([0, 1] * 10, np.int8)), "cnn",
              objective="recall:0.9@snr10")
