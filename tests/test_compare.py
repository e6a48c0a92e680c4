"""exohunt compare: one table from run directories and report directories."""

import json

import pytest

from evaluation_fakes import FakeRun, make_batch
from exohunt.cli import main
from exohunt.evaluation import evaluate
from exohunt.evaluation.compare import collect, comparison_markdown, comparison_text


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    batch, truth = make_batch(n_stars=40, n_planets=5)
    evaluated = FakeRun(root / "evaluated")
    result = evaluate(evaluated, batch, truth=truth, out=root / "report", n_bootstrap=100,
                      data_name="sim/test.csv")
    FakeRun(root / "fresh")  # trained, never evaluated
    return root, result


def test_rows_from_run_dir_report_dir_and_unevaluated_run(runs):
    root, result = runs
    by_run, by_report, fresh = collect([root / "evaluated", root / "report", root / "fresh"])
    assert by_run.rates["f1"] == pytest.approx(result["f1"]) == by_report.rates["f1"]
    assert by_run.intervals["recall"] == result["recall_ci"]
    assert by_run.data == "test.csv" and by_run.model == "fake"
    assert by_run.training_seconds == 12.5 and by_run.model_bytes == 4096
    assert by_run.stars_per_second > 0
    assert fresh.data.startswith("validation") and fresh.stars_per_second is None


def test_latest_evaluation_wins(runs, tmp_path):
    root, result = runs
    older = dict(result, f1=0.123, evaluated_at="2000-01-01T00:00:00+00:00", data="old.csv")
    (root / "evaluated" / "evaluations" / "old.json").write_text(json.dumps(older))
    (row,) = collect([root / "evaluated"])
    assert row.data == "test.csv"


def test_tables_and_cli(runs, tmp_path, capsys):
    root, _ = runs
    rows = collect([root / "evaluated", root / "fresh"])
    markdown = comparison_markdown(rows)
    assert markdown.count("\n") == 3 and markdown.startswith("| model | data | precision")
    assert "fake" in comparison_text(rows)
    assert main(["compare", str(root / "evaluated"), str(root / "fresh"),
                 "--markdown", str(tmp_path / "t.md")]) == 0
    out = capsys.readouterr().out
    assert "not been evaluated" in out and "F1" in out
    assert (tmp_path / "t.md").read_text().strip() == markdown


def test_bad_paths_are_one_line_errors(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "nope: not found" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    assert main(["compare", str(tmp_path / "empty")]) == 2
    assert "expected a run directory" in capsys.readouterr().err
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{not json")
    assert main(["compare", str(tmp_path / "broken")]) == 2
    assert "config.json: cannot be read" in capsys.readouterr().err


def test_an_unevaluated_ensemble_is_a_row_named_by_its_members(tmp_path):
    """Model name 'NAME ×N' (as evaluate records it), the members' training time summed and
    their model files counted."""
    ens = tmp_path / "ens"
    for k, seconds in enumerate((10.0, 12.5)):
        member = ens / f"member-{k:02d}"
        member.mkdir(parents=True)
        (member / "metrics.json").write_text(json.dumps({"training_seconds": seconds}))
        (member / "model.skops").write_bytes(b"x" * 1000)
    (ens / "ensemble.json").write_text(json.dumps({
        "format": "exohunt-ensemble", "model": "gbm", "members": ["member-00", "member-01"],
        "threshold": {"threshold": 0.4}}))
    (row,) = collect([ens])
    assert row.model == "gbm ×2"
    assert row.training_seconds == 22.5 and row.model_bytes == 2000
    assert row.threshold == 0.4 and row.data.startswith("validation")
