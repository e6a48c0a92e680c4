"""Models with the centroid and host-star inputs (issue 15): gbm, twoview and lstm-views read
them when the data has them, run unchanged without (Kaggle layout), and the injections used for
training move the centroids the way the simulator's physics says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from threadpoolctl import threadpool_limits

from _search_synth import labelled_vetting_files
from exohunt.errors import InputError
from exohunt.models import build_model
from exohunt.search.centroid import CENTROID_COLUMNS
from exohunt.search.stellar import STELLAR_COLUMNS
from exohunt.training.context import check_context, context_selection
from exohunt.training.features import RawFeatures, fit_preprocessing, to_inputs
from exohunt.training.loop import fit_gbm

N_GLOBAL, N_LOCAL = 201, 61
FLUX_VIEWS = ("global", "local", "secondary", "odd", "even")


def raw_features(n: int = 64, *, context: bool = True, seed: int = 0) -> tuple[RawFeatures,
                                                                                np.ndarray]:
    """Search-like features where only the context separates the classes: label 1 has a
    centroid offset ~0 and a dip-free centroid view; label 0 (a background EB) an offset of
    ~2 px and a 2-px step in its centroid views. Without ``context`` the centroid statistics
    are NaN and the centroid views zero (the Kaggle layout)."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 2).astype(np.int8)
    arrays = {name: rng.normal(0, 0.1, (n, N_GLOBAL if name == "global" else N_LOCAL))
              .astype(np.float32) for name in FLUX_VIEWS}
    stats = pd.DataFrame({"snr": rng.uniform(7, 50, n), "depth_ppm": rng.uniform(100, 900, n)})
    for column in CENTROID_COLUMNS + STELLAR_COLUMNS:
        stats[column] = np.nan
    glob, loc = np.zeros((n, N_GLOBAL), np.float32), np.zeros((n, N_LOCAL), np.float32)
    if context:
        offset = np.where(labels == 1, 0.0, 2.0) + rng.normal(0, 0.1, n)
        stats["centroid_offset_pixels"] = np.abs(offset)
        stats["centroid_offset_sigma"] = np.abs(offset) / 0.2
        stats["density_mismatch_sigma"] = rng.normal(0, 1, n)
        glob[:, 95:106] = offset[:, None]
        loc[:, 25:36] = offset[:, None]
        glob += rng.normal(0, 0.05, glob.shape).astype(np.float32)
        loc += rng.normal(0, 0.05, loc.shape).astype(np.float32)
    arrays.update(centroid_global=glob, centroid_local=loc)
    signals = pd.DataFrame({"period_days": np.ones(n)})
    return RawFeatures(arrays, stats, signals, "search-13"), labels


def test_context_auto_reads_what_the_data_has():
    raw, _ = raw_features()
    fitted = fit_preprocessing(raw, "views")
    assert {"centroid_offset_pixels", "density_mismatch_sigma"} <= set(fitted["stat_columns"])
    assert "centroid_global" in fitted["global_views"]
    assert fitted["local_views"][0] == "local" and "centroid_local" in fitted["local_views"]
    assert fitted["context"]["centroid_views"] == ["centroid_global", "centroid_local"]
    inputs = to_inputs(raw, "views", fitted)
    assert inputs["global"].shape == (64, 2, N_GLOBAL)
    assert inputs["local"].shape == (64, 5, N_LOCAL)


def test_kaggle_layout_reads_no_context():
    raw, _ = raw_features(context=False)
    fitted = fit_preprocessing(raw, "views")
    assert fitted["stat_columns"] == ["snr", "depth_ppm"]
    assert fitted["global_views"] == ["global"] and "centroid_local" not in fitted["local_views"]
    assert fitted["context"] == {"requested": "auto", "centroid_stats": [], "stellar_stats": [],
                                 "centroid_views": []}


@pytest.mark.parametrize("context, centroid, stellar, views", [
    ("none", False, False, False), ("centroid", True, False, True),
    ("stellar", False, True, False), ("auto", True, True, True)])
def test_context_choices(context, centroid, stellar, views):
    raw, _ = raw_features()
    fitted = fit_preprocessing(raw, "tabular", context)
    columns = set(fitted["stat_columns"])
    assert ("centroid_offset_pixels" in columns) is centroid
    assert ("density_mismatch_sigma" in columns) is stellar
    assert ("centroid_global" in fitted["global_views"]) is views
    assert {"snr", "depth_ppm"} <= columns


def test_bad_context_is_one_line_input_error():
    with pytest.raises(InputError, match=r"unknown context 'centroids'.*auto, none"):
        check_context("centroids")
    raw, _ = raw_features()
    with pytest.raises(InputError, match="unknown context"):
        fit_preprocessing(raw, "views", "all-of-it")


def test_runs_fitted_before_the_context_option_still_score():
    """A run saved before round 7 names its own views and columns (no "context" key): new
    features with centroid views and context statistics score with exactly those."""
    raw, _ = raw_features()
    old = {"stat_columns": ["snr", "depth_ppm"], "stat_centre": [0.0, 0.0],
           "stat_scale": [1.0, 1.0], "global_views": ["global"],
           "local_views": ["local", "secondary", "odd", "even"], "local_bins": N_LOCAL}
    inputs = to_inputs(raw, "views", old)
    assert inputs["global"].shape == (64, 1, N_GLOBAL) and inputs["scalars"].shape == (64, 2)
    assert to_inputs(raw, "tabular", {**old, "tabular_views": ["local"]})["X"].shape == (
        64, 2 + N_LOCAL)


def test_context_selection_ignores_zero_centroid_views():
    _columns, views, described = context_selection(
        ["snr"], {"global": np.ones((3, 5)), "centroid_global": np.zeros((3, 5))}, "centroid")
    assert views == ["global"] and described["centroid_views"] == []


def test_gbm_trains_and_predicts_with_nan_context():
    """NaN context statistics go to the trees as NaN (not median-filled); predictions finite,
    on inputs with and without the context."""
    raw, labels = raw_features(200)
    raw.stats.loc[::7, "centroid_offset_pixels"] = np.nan  # offsets not measurable here
    fitted = fit_preprocessing(raw, "tabular")
    X = to_inputs(raw, "tabular", {**fitted, "tabular_views": []})["X"]
    assert np.isnan(X).any()
    with threadpool_limits(1):  # (OpenMP threads on a busy machine only slow it down)
        model, _ = fit_gbm(build_model("gbm", {"max_iter": 30}), X, labels, X, labels)
    p = model.predict_proba(X)[:, 1]
    assert np.isfinite(p).all() and ((p > 0.5) == labels).mean() > 0.95
    flux_only, _ = raw_features(200, context=False)
    fitted = fit_preprocessing(flux_only, "tabular")
    X = to_inputs(flux_only, "tabular", {**fitted, "tabular_views": []})["X"]
    with threadpool_limits(1):
        model, _ = fit_gbm(build_model("gbm", {"max_iter": 10}), X, labels, X, labels)
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.parametrize("name", ["twoview", "lstm-views"])
@pytest.mark.parametrize("context", [True, False])
def test_view_models_with_and_without_centroid_views(name, context):
    """Shapes, finite outputs, and the gradient reaching the centroid channel's weights; a
    tiny overfit on labels that only the centroid views carry."""
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _check_view_model(name, context)
    finally:
        torch.set_num_threads(threads)


def _check_view_model(name: str, context: bool) -> None:
    raw, labels = raw_features(32, context=context)
    fitted = fit_preprocessing(raw, "views")
    arrays = {k: torch.from_numpy(np.ascontiguousarray(v))
              for k, v in to_inputs(raw, "views", fitted).items()}
    sample = {k: v.shape for k, v in arrays.items()}
    small = {"twoview": {"global_widths": [8], "local_widths": [8], "hidden": 16},
             "lstm-views": {"conv_channels": 8, "hidden": 8, "head_hidden": 16}}[name]
    model = build_model(name, {**small, "global_bins": sample["global"][2],
                               "local_bins": sample["local"][2],
                               "n_global_channels": sample["global"][1],
                               "n_local_channels": sample["local"][1],
                               "n_scalars": sample["scalars"][1], "dropout": 0.0})
    logits = model(arrays)
    assert logits.shape == (32,) and torch.isfinite(logits).all()
    if not context:
        assert sample["global"][1] == 1 and sample["scalars"][1] == 2
        return
    target = torch.from_numpy(labels.astype(np.float32))
    first_conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv1d))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(arrays), target)
    loss.backward()
    assert first_conv.weight.grad[:, 1].abs().sum() > 0  # the centroid_global channel
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-2)
    for _ in range(25):
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(arrays), target)
        loss.backward()
        optimiser.step()
    assert loss.item() < 0.1


@pytest.mark.slow
def test_train_on_files_records_context_and_reloads(tmp_path):
    """gbm and twoview trained on simulated single-star files with centroids and catalogue:
    the run records what it read, ``context="none"`` reads no context, and the saved run
    reloads and scores (cached features: one search per star)."""
    from exohunt.training import load_run, train

    kinds = ["planet", "background-eb", "quiet", "quiet"] * 6
    curves, table = labelled_vetting_files(kinds, prefix="star")
    options = {"labels": table, "jobs": 1, "cache_dir": tmp_path / "cache", "val_fraction": 0.3}
    run = train(curves, "gbm", out=tmp_path / "auto", **options)
    read = run.config["preprocessing"]["fitted"]["context"]
    assert read["requested"] == "auto" and "centroid_offset_pixels" in read["centroid_stats"]
    assert "density_mismatch_sigma" in read["stellar_stats"]
    flux_only = train(curves, "gbm", context="none", **options)
    fitted = flux_only.config["preprocessing"]["fitted"]
    assert fitted["context"]["centroid_stats"] == fitted["context"]["stellar_stats"] == []
    assert not set(fitted["stat_columns"]) & {"centroid_offset_pixels", "planet_radius_earth"}
    p = load_run(tmp_path / "auto").score(curves, jobs=1, cache_dir=tmp_path / "cache")
    assert p.shape == (len(curves),) and np.isfinite(p).all()
    views = train(curves, "twoview", epochs=2, **options)
    fitted = views.config["preprocessing"]["fitted"]
    assert "centroid_global" in fitted["global_views"]
    assert views.config["model"]["config"]["n_global_channels"] == 2
    assert np.isfinite(views.score(curves, jobs=1, cache_dir=tmp_path / "cache")).all()


@pytest.mark.slow
def test_inject_on_files_with_a_strong_recall_objective(tmp_path):
    """``imbalance="inject"`` on single-star files (on-target EBs among the injections) with a
    ``recall:R@snrS`` objective: the threshold meets R on the real validation planets of
    search SNR >= S (files get no injected validation planets)."""
    from exohunt.training import train

    kinds = ["planet", "eb", "quiet", "quiet", "quiet"] * 5
    curves, table = labelled_vetting_files(kinds)
    run = train(curves, "gbm", labels=table, jobs=1, cache_dir=tmp_path, val_fraction=0.4,
                imbalance="inject", objective="recall:0.9@snr8")
    threshold = run.config["threshold"]
    assert threshold["objective"] == "recall:0.9@snr8" and threshold["recall"] >= 0.9
    assert threshold["validation_rows"]["injected_positives"] == 0


@pytest.mark.slow
def test_training_planets_the_search_misses_at_their_labelled_period_are_left_out(tmp_path):
    """``unfound_planets="leave-out"`` with a label table's periods: a training planet whose
    search did not find it at that period is left out (its features describe another signal)
    and the run says how many; a table without periods leaves everything in; periods no planet
    is found at are an InputError; the default keeps every planet."""
    from exohunt.errors import InputError
    from exohunt.training import train

    kinds = ["planet", "eb", "quiet", "quiet", "quiet"] * 5
    curves, table = labelled_vetting_files(kinds)
    options = dict(labels=table, jobs=1, cache_dir=tmp_path, val_fraction=0.4, seed=3,
                   unfound_planets="leave-out")
    plain = train(curves, "gbm", **options)
    assert "unfound_planets_left_out" not in plain.config["training"]
    val_rows = set(plain.config["split"]["val_rows"])
    training_planets = [i for i, kind in enumerate(kinds) if kind == "planet"
                        and i not in val_rows]
    # a period (17.3 d) at which the search finds no planet here; the others unknown (blank)
    one_wrong = table.assign(period_days=[17.3 if i == training_planets[0] else np.nan
                                          for i in range(len(kinds))])
    run = train(curves, "gbm", **{**options, "labels": one_wrong})
    assert run.config["training"]["unfound_planets_left_out"] == 1
    assert run.config["split"] == plain.config["split"]
    all_wrong = table.assign(period_days=[17.3 if kind == "planet" else np.nan
                                          for kind in kinds])
    with pytest.raises(InputError, match="found none of the 3 training planets"):
        train(curves, "gbm", **{**options, "labels": all_wrong})
    # the default keeps them all (and says nothing)
    kept = train(curves, "gbm", **{**options, "labels": all_wrong, "unfound_planets": "keep"})
    assert "unfound_planets" not in kept.config["training"]
    with pytest.raises(InputError, match="unfound_planets must be one of keep, leave-out"):
        train(curves, "gbm", **{**options, "unfound_planets": "drop"})


def test_gbm_injects_on_target_ebs_into_files_only():
    """On-target EBs are a file-training default (centroids exist there); a Kaggle-layout
    batch's injections are unchanged."""
    from exohunt.batch import LightCurveBatch
    from exohunt.training.api import _augment_options

    batch = LightCurveBatch(np.ones((4, 32)), np.zeros(4, np.int8))
    assert _augment_options("gbm", [object()])["target_binaries_per_planet"] > 0
    assert "target_binaries_per_planet" not in _augment_options("gbm", batch)
    assert _augment_options("gbm", batch)["binaries_per_planet"] == 3.0
