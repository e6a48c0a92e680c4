"""``exohunt tune``: honest folds, a resumable study, pruning, outputs that ``exohunt train``
reads, and one-line errors before any data is read."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from exohunt.batch import ViewBatch
from exohunt.cli import main
from exohunt.errors import InputError
from exohunt.models import MODELS
from exohunt.models.space import Choice, FloatRange, IntRange, allowed_names, override_space

optuna = pytest.importorskip("optuna")

from _views_synth import synthetic_views  # noqa: E402
from test_training import dipped_batch  # noqa: E402


def views_with_repeated_stars(n: int = 240, seed: int = 1) -> ViewBatch:
    """Synthetic folded views, two events per star (TIC id), labelled PC."""
    views = synthetic_views(n, seed=seed)
    table = views.table.copy()
    table["tic_id"] = np.arange(n) // 2
    return ViewBatch(views.global_view, views.local_view, None, table, "views").with_positive(
        ("PC",))


def test_every_model_declares_a_space_of_allowed_names_that_holds_its_defaults():
    from exohunt.training.api import MODEL_DEFAULTS
    from exohunt.training.loop import LoopSettings

    for name, spec in MODELS.items():
        allowed = allowed_names(spec.config_class, spec.inputs == "tabular")
        assert spec.space and set(spec.space) <= set(allowed), name
        defaults = {**vars(LoopSettings(**MODEL_DEFAULTS[name]["loop"])),
                    **vars(spec.config_class())}
        for parameter, kind in spec.space.items():
            value = defaults[parameter]
            inside = (value in kind.values if isinstance(kind, Choice)
                      else kind.low <= value <= kind.high)
            assert inside, (name, parameter, value, kind)
    assert "learning_rate" in MODELS["twoview"].space  # the loop is searched too
    assert "pos_weight_power" in MODELS["cnn"].space


def test_space_override_ranges_fixes_and_choices():
    space = MODELS["gbm"].space
    allowed = allowed_names(MODELS["gbm"].config_class, True)
    new, fixed = override_space(space, '{"learning_rate": [0.02, 0.2], "max_iter": 50, '
                                '"max_leaf_nodes": {"choices": [7, 15]}, '
                                '"min_samples_leaf": {"low": 2, "high": 9, "log": false}}',
                                allowed, {"max_iter": 400})
    assert new["learning_rate"] == FloatRange(0.02, 0.2, log=True)  # log as declared
    assert new["max_leaf_nodes"] == Choice((7, 15))
    assert new["min_samples_leaf"] == IntRange(2, 9, log=False)
    assert fixed == {"max_iter": 50} and "max_iter" not in new
    with pytest.raises(InputError, match=r"unknown parameter\(s\) \['patience'\]"):
        override_space(space, '{"patience": [2, 5]}', allowed, {})  # the trees have no loop
    with pytest.raises(InputError, match="low < high"):
        override_space(space, '{"learning_rate": [0.2, 0.02]}', allowed, {})
    with pytest.raises(InputError, match="--space: not a valid JSON object"):
        override_space(space, "{learning_rate: [0.02, 0.2]}", allowed, {})
    with pytest.raises(InputError, match="--space: expected a JSON object of parameter ranges"):
        override_space(space, "[0.02, 0.2]", allowed, {})


def test_folds_are_stratified_and_never_split_a_star(tmp_path):
    from exohunt.tuning.folds import load_folds, prepare_folds, star_groups

    views = views_with_repeated_stars()
    stars = star_groups(views)
    folds = prepare_folds(views, views.labels, "gbm", "none", 3, 7, cache_dir=tmp_path)
    tested = np.concatenate([f.test_rows for f in folds.folds])
    assert np.array_equal(np.sort(tested), np.arange(len(views)))  # each row scored once
    for fold in folds.folds:
        parts = [set(stars[rows]) for rows in (fold.fit_rows, fold.stop_rows, fold.test_rows)]
        assert not (parts[0] & parts[2]) and not (parts[1] & parts[2]) and not (
            parts[0] & parts[1])
        assert 0 < views.labels[fold.test_rows].mean() < 1
    again = load_folds(tmp_path / f"folds-{folds.key}")  # what parallel workers read
    assert np.array_equal(again.folds[2].stop_rows, folds.folds[2].stop_rows)
    assert again.raw.arrays["local"].shape == folds.raw.arrays["local"].shape


@pytest.mark.slow
def test_a_study_finishes_then_resumes_from_its_sqlite_file_without_repeats(tmp_path):
    from exohunt.tuning import tune

    views = views_with_repeated_stars(160)
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    options = dict(folds=3, jobs=1, storage=storage, progress=False, device="cpu",
                   space='{"max_iter": [10, 30], "max_leaf_nodes": [4, 15]}')
    first = tune(views, "gbm", tmp_path / "out", trials=4, retrain=False, **options)
    assert len(first.study.trials) == 4
    resumed = tune(views, "gbm", tmp_path / "out", trials=6, **options)
    trials = resumed.study.trials
    assert len(trials) == 6 and all(t.state.name in ("COMPLETE", "PRUNED") for t in trials)
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == 6  # no replay
    with open(tmp_path / "out" / "trials.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 6
    best = json.loads((tmp_path / "out" / "best_config.json").read_text())
    assert best["model"] == "gbm" and best["tuning"]["value"] == pytest.approx(
        resumed.best_value)
    assert len(best["tuning"]["fold_average_precision"]) == 3
    assert best["config"]["max_iter"] == resumed.best_params["max_iter"]
    run_config = json.loads((tmp_path / "out" / "run" / "config.json").read_text())
    assert run_config["model"]["config"]["max_leaf_nodes"] == best["config"]["max_leaf_nodes"]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "plots/history.png" in page and (tmp_path / "out" / "plots" / "history.png").is_file()
    with pytest.raises(InputError, match="was run with folds 3, not 4"):
        tune(views, "gbm", tmp_path / "out", trials=6, **{**options, "folds": 4})
    # the base configuration (15 leaves) is trial 0; none of it lies outside the space
    assert trials[0].params["max_leaf_nodes"] == 15


@pytest.mark.slow
def test_a_network_study_prunes_an_absurd_learning_rate_and_its_config_trains(tmp_path,
                                                                             capsys):
    from exohunt.io import write_kaggle_csv
    from exohunt.tuning import tune

    data = write_kaggle_csv(tmp_path / "train.csv", dipped_batch(n=120, n_pos=24))
    out = tmp_path / "tuned"
    common = ["--model", "cnn", "--folds", "2", "--epochs", "4", "--jobs", "1",
              "--out", str(out)]
    assert main(["tune", str(data), "--trials", "2", *common]) == 0
    printed = capsys.readouterr().out
    assert "trial    1:" in printed and "best" in printed and "elapsed" in printed
    with pytest.warns(UserWarning, match="out of range"):
        result = tune(str(data), "cnn", out, trials=3, folds=2, epochs=4, jobs=1,
                      progress=False, enqueue=({"learning_rate": 10.0},))
    absurd = result.study.trials[2]
    assert absurd.params["learning_rate"] == 10.0 and absurd.state.name == "PRUNED"
    best = json.loads((out / "best_config.json").read_text())
    assert best["loop"]["learning_rate"] < 1 and best["loop"]["epochs"] == 4
    assert main(["train", str(data), "--config", str(out / "best_config.json"), "--jobs", "1",
                 "--no-progress", "--out", str(tmp_path / "run")]) == 0
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["model"]["name"] == "cnn"  # the file's model, without --model
    assert saved["training"]["loop"]["learning_rate"] == best["loop"]["learning_rate"]
    assert saved["model"]["config"]["kernel_size"] == best["config"]["kernel_size"]


@pytest.mark.parametrize("options, message", [
    (["--model", "resnet"], "unknown model 'resnet'; expected one of: seed-lstm"),
    (["--model", "gbm", "--space", '{"patience": [2, 9]}'],
     "--space: unknown parameter(s) ['patience']; expected some of: max_iter"),
    (["--model", "gbm", "--storage", "sqlite:////no/such/folder/tune.db"],
     "--storage 'sqlite:////no/such/folder/tune.db' cannot be opened"),
    (["--model", "gbm", "--storage", "journal:/no/such/folder/tune.log"],
     "folder /no/such/folder does not exist"),
    (["--model", "gbm", "--trials", "0"], "--trials must be an integer from 1 to 100000, got 0"),
    (["--model", "twoview", "--config", "huge"], "model 'twoview' has no configuration 'huge'"),
])
def test_bad_options_are_one_line_errors_before_the_data_is_read(tmp_path, capsys, options,
                                                                 message):
    # DATA does not exist: reading it would be a different error
    status = main(["tune", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "t"),
                   *options])
    err = capsys.readouterr().err
    assert status == 2 and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_show_space_lists_the_models_parameters(capsys):
    assert main(["tune", "--show-space", "twoview"]) == 0
    out = capsys.readouterr().out
    assert "learning_rate" in out and "loop" in out and "dropout" in out
    assert main(["tune", "--show-space", "nope"]) == 2


def test_train_config_file_errors_are_one_line(tmp_path, capsys):
    tuned = tmp_path / "best_config.json"
    tuned.write_text(json.dumps({"model": "cnn", "config": {"hidden": 32}, "loop": {}}))
    for config, message in ((str(tmp_path / "none.json"), "none.json: no such file"),
                            (str(tuned), "is for model 'cnn', not 'gbm'")):
        assert main(["train", str(tmp_path / "missing.csv"), "--model", "gbm", "--config",
                     config, "--out", str(tmp_path / "r")]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1


def test_a_plain_config_file_is_read_like_inline_json(tmp_path):
    from exohunt.models.config_file import read_config_file

    plain = tmp_path / "leaves.json"
    plain.write_text('{"max_leaf_nodes": 7}')
    read = read_config_file(plain, "gbm")
    assert read.config == {"max_leaf_nodes": 7} and read.loop == {} and read.model == "gbm"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": "gbm", "config": {"leaves": 7}}))
    with pytest.raises(InputError, match=r"unknown GBMConfig option\(s\) \['leaves'\]"):
        read_config_file(bad)


@pytest.mark.slow
def test_parallel_trials_share_the_study_and_draw_different_parameters(tmp_path):
    from exohunt.tuning import tune

    result = tune(views_with_repeated_stars(160), "gbm", tmp_path / "out", trials=4, folds=2,
                  jobs=2, parallel_trials=2, progress=False, device="cpu", retrain=False,
                  space='{"max_iter": [10, 30]}')
    trials = result.study.trials
    # a worker may start one trial while the other's is being created: at most one extra
    assert 4 <= len(trials) <= 5 and all(t.state.name == "COMPLETE" for t in trials)
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == len(trials)
    assert (tmp_path / "out" / "best_config.json").is_file()


def test_networks_are_pruned_on_their_best_ap_so_far_beyond_the_noise_fold_by_fold():
    from exohunt.tuning.objective import EPOCH_STEPS, PRUNE_FROM_EPOCH, epoch_reporter
    from exohunt.tuning.pruning import noise_margin
    from exohunt.tuning.study import make_pruner

    study = optuna.create_study(direction="maximize", pruner=make_pruner(tabular=False))
    for fold_0 in (0.8, 0.9):  # two complete trials: AP ~0.8-0.9 in fold 0, 0.6 in fold 1
        done = study.ask()
        for epoch in range(1, 9):
            done.report(fold_0, epoch)
            done.report(0.6, EPOCH_STEPS + epoch)
        study.tell(done, 0.7)
    noisy = study.ask()
    for fold in range(2):
        report = epoch_reporter(noisy, fold, n_positive=50)
        # one epoch's AP dips far under the median (noise); the best so far does not
        for epoch, ap in enumerate([0.9, 0.30, float("nan"), 0.62, 0.64], start=1):
            report(epoch, ap)
    assert noisy.storage.get_trial(noisy._trial_id).intermediate_values[EPOCH_STEPS + 3] == 0.9
    # 0.02 under the median, well inside the noise of 50 positives (0.069): kept
    assert noise_margin(0.6, 50) == pytest.approx(0.0693, abs=1e-4)
    close = study.ask()
    for epoch in range(1, 6):
        epoch_reporter(close, 1, n_positive=50)(epoch, 0.58)
    hopeless = study.ask()
    epoch_reporter(hopeless, 0, n_positive=50)(1, 0.95)  # fold 0 fine …
    report = epoch_reporter(hopeless, 1, n_positive=50)  # … fold 1 hopeless from its start
    for epoch in range(1, PRUNE_FROM_EPOCH):  # warm-up in every fold, not only the first
        report(epoch, float("nan"))
    # compared with fold 1's median at that epoch, not with its own fold-0 best (0.95)
    with pytest.raises(optuna.TrialPruned, match=f"fold 1, epoch {PRUNE_FROM_EPOCH}"):
        report(PRUNE_FROM_EPOCH, 0.45)
