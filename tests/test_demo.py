"""End to end through the command line: demo, then evaluate, predict and compare on its output.

One tiny demo (hidden size options) is shared by all tests of this module; it trains the real
default model on simulated stars, so the module is marked slow.
"""

import json

import pandas as pd
import pytest

from exohunt.cli import main

pytestmark = pytest.mark.slow

TINY = ["--n-train", "700", "--n-test", "120", "--n-points", "700", "--jobs", "1"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e") / "demo"
    assert main(["demo", "--out", str(out), "--seed", "3", *TINY]) == 0
    return out


def test_demo_writes_run_report_and_data(demo):
    for path in ("run/config.json", "run/metrics.json", "report/report.html",
                 "report/metrics.json", "data/test.csv", "data/test_truth.csv", ".exohunt-demo"):
        assert (demo / path).is_file(), path
    metrics = json.loads((demo / "report" / "metrics.json").read_text())
    assert metrics["n_total"] == 120 and metrics["n_positive"] >= 1
    assert 0 <= metrics["roc_auc"] <= 1 and metrics["recall_by_snr"]
    # By default the demo searches every star, injects DEMO_SIZES' signals and weights the
    # planets to the true prevalence
    from exohunt.training.budget import DEMO_SIZES

    config = json.loads((demo / "run" / "config.json").read_text())
    budget = config["training"]["search_budget"]
    assert budget["negative_fraction"] == 1.0 and budget["n_searched"] == config["data"]["n_total"]
    assert budget["max_injected"] == DEMO_SIZES.max_injected
    assert config["training"]["prevalence"] == "weight"


def test_demo_search_budget_searches_its_share(tmp_path):
    """``--search-budget``: DEMO_BUDGET's share of the planet-free stars, the rest unread."""
    from exohunt.training.budget import DEMO_BUDGET

    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--seed", "3", *TINY, "--search-budget"]) == 0
    config = json.loads((out / "run" / "config.json").read_text())
    budget = config["training"]["search_budget"]
    assert budget["negative_fraction"] == DEMO_BUDGET.negative_fraction
    assert budget["n_searched"] < 0.5 * config["data"]["n_total"]


def test_demo_refuses_unrelated_nonempty_dir_and_reuses_its_own(tmp_path, capsys, demo):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["demo", "--out", str(tmp_path), *TINY]) == 2
    err = capsys.readouterr().err
    assert "not made by 'exohunt demo'" in err and "Traceback" not in err
    assert (tmp_path / "notes.txt").read_text() == "mine"
    from exohunt.commands.demo import prepare_out

    prepare_out(demo)  # an earlier demo's directory is fine


def test_evaluate_cli_finds_sibling_truth_and_prints_report(demo, tmp_path, capsys):
    code = main(["evaluate", str(demo / "run"), str(demo / "data" / "test.csv"),
                 "--out", str(tmp_path / "rep"), "--bootstrap", "100"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Using truth table" in captured.err and "test_truth.csv" in captured.err
    out = captured.out
    assert out.index("average precision") < out.index("Confusion matrix") < out.index("macro avg")
    assert "Recall by injected SNR" in out and "not for model selection" in out
    assert (tmp_path / "rep" / "report.html").is_file()
    again = json.loads((tmp_path / "rep" / "metrics.json").read_text())
    first = json.loads((demo / "report" / "metrics.json").read_text())
    assert again["confusion_matrix"] == first["confusion_matrix"]  # the demo is reproducible
    assert again["average_precision"] == first["average_precision"]
    assert (demo / "run" / "evaluations" / "test.json").is_file()


def test_predict_cli_scores_and_reports_skipped(demo, tmp_path, capsys):
    bad = tmp_path / "garbage.csv"
    bad.write_text("this is not,a light curve\n1,2,x\n")
    out = tmp_path / "pred.csv"
    code = main(["predict", str(demo / "run"), str(demo / "data" / "test.csv"), str(bad),
                 "--out", str(out), "--sort", "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    rows = pd.read_csv(out)
    assert len(rows) == 120 and rows["probability"].is_monotonic_decreasing
    assert "1 unreadable inputs skipped" in captured.out and "garbage.csv" in captured.err
    assert main(["predict", str(demo / "run"), str(bad), str(demo / "data" / "test.csv"),
                 "--out", str(tmp_path / "strict.csv"), "--strict"]) == 2
    assert "garbage.csv" in capsys.readouterr().err
    assert not (tmp_path / "strict.csv").exists()


def test_predict_with_a_worker_pool_matches_in_process(demo, tmp_path):
    args = ["predict", str(demo / "run"), str(demo / "data" / "test.csv"), "--chunk-size", "50"]
    assert main([*args, "--out", str(tmp_path / "one.csv"), "--jobs", "1"]) == 0
    assert main([*args, "--out", str(tmp_path / "two.csv"), "--jobs", "2"]) == 0
    one, two = pd.read_csv(tmp_path / "one.csv"), pd.read_csv(tmp_path / "two.csv")
    assert one["index"].tolist() == list(range(120))
    pd.testing.assert_frame_equal(one, two)


def test_compare_cli_on_demo_run(demo, capsys):
    assert main(["compare", str(demo / "run"), str(demo / "report")]) == 0
    out = capsys.readouterr().out
    assert out.count("gbm") >= 2 or out.count("|") == 0


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_user_errors_are_one_line_exit_2(demo, tmp_path, capsys, command):
    data = str(demo / "data" / "test.csv")
    out = ["--out", str(tmp_path / ("r" if command == "evaluate" else "p.csv"))]
    assert main([command, str(tmp_path / "no-such-run"), data, *out]) == 2
    err = capsys.readouterr().err
    assert "no-such-run: not found" in err and "Traceback" not in err
    assert main([command, str(demo / "run"), str(tmp_path / "missing.csv"), *out]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"exohunt {command}: error:") and "missing.csv" in last
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for path in (demo / "run").iterdir():
        if path.is_file():
            (tampered / path.name).write_bytes(path.read_bytes())
    weights = next(tampered.glob("model.*"))
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    assert main([command, str(tampered), data, *out]) == 2
    err = capsys.readouterr().err
    assert "tampered" in err and err.count("\n") == 1 and "Traceback" not in err
